"""What the benchmarks share: fixture article pages served as a crawl receives them, the crawl's own
extraction path (``crawl_record``), the bigram score, the versions line, and writing a section of
docs/benchmarks.md.

Not part of the test suite; nothing here changes newscrawl.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from newscrawl.extract.encoding import decode
from newscrawl.page import page_record
from newscrawl.replay.archive import url_key
from newscrawl.replay.build import fixture_responses, load_site_fixtures
from newscrawl.sites import all_profiles, generic_profile, host_of, resolve_profile
from newscrawl.sites.profile import SiteProfile

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DOC = ROOT / "docs" / "benchmarks.md"


@dataclass
class Page:
    site: str  # profile key, or "generic" for tests/fixtures/generic
    url: str  # the article's URL as discovered (the expected record's "url")
    served_url: str  # where the body came from, redirects followed (what the spider gives ArticlePage)
    body: bytes  # the bytes as served (re-encoded to the charset the manifest declares)
    content_type: str  # the served Content-Type header
    profile: SiteProfile  # what the crawl uses: the site's profile, or the generic one of the host
    generic: SiteProfile  # generic_profile(host): no selectors, no site text rules
    crawl_site: str | None  # the record's "site" for the news spider (the host); None for a profiled site
    expected_body: str
    must_not_contain: list[str]

    @cached_property
    def html(self) -> str:
        """The page's text decoded exactly as ArticlePage decodes it (what the other extractors get;
        decoded once, so that the other extractors are not charged for it)."""
        return decode(self.body, self.content_type, self.profile.encoding).text

    @property
    def response(self):
        """The page as a Scrapy response (for extractors that take one)."""
        headers = Headers({"Content-Type": self.content_type})
        cls = responsetypes.from_args(headers=headers, url=self.served_url, body=self.body)
        return cls(self.served_url, status=200, headers=headers, body=self.body)

    def fresh(self):
        """A new response object for the same page: no parsed tree cached from an earlier call."""
        return self.response


def crawl_record(page: Page, profile: SiteProfile | None = None) -> dict | None:
    """The record as the crawl makes it: ArticlePage, then the clean step (``page_record``), on the
    bytes and headers the spider hands over; None when the page object skipped the page."""
    record, _events = page_record(page.served_url, page.body, profile or page.profile,
                                  content_type=page.content_type)
    return record


def fixture_folders() -> list[Path]:
    return sorted(p for p in (FIXTURES / "sites").iterdir() if (p / "site.toml").exists()) + [FIXTURES / "generic"]


def _served(folder: Path, url: str) -> tuple[str, bytes, str]:
    """(final URL, body, Content-Type) a crawl would get for *url*: the fixture bytes (re-encoded to
    the charset the manifest declares, as the test WARC is built), redirects followed."""
    by_key = {url_key(r.url): r for r in fixture_responses(folder)}
    for _ in range(5):
        stored = by_key.get(url_key(url))
        if stored is None:
            raise KeyError(f"{folder.name}: {url} is not in site.toml")
        headers = {k.lower(): v for k, v in stored.headers}
        if 300 <= stored.status < 400:
            url = headers["location"]
            continue
        return url, stored.body, headers.get("content-type", "")
    raise RuntimeError(f"{url}: redirect loop")


def article_pages(sites: list[str] | None = None) -> list[Page]:
    """Every fixture article with an expected body, in site order."""
    profiles = all_profiles()
    pages = []
    for folder in fixture_folders():
        key = folder.name
        if sites and key not in sites:
            continue
        manifest = load_site_fixtures(folder)
        for article in manifest.get("article", []):
            expected = json.loads((folder / article["expected"]).read_text(encoding="utf-8"))
            if not expected.get("body"):
                continue
            url = article["url"]
            host = host_of(url)
            if key in profiles:
                profile, crawl_site = profiles[key], None
            else:  # the `news` spider: generic profile per host, the record's site is the host
                profile, crawl_site = resolve_profile("news", url), host
            served_url, body, content_type = _served(folder, url)
            pages.append(Page(key, url, served_url, body, content_type, profile, generic_profile(host), crawl_site,
                              expected["body"], list(article.get("must_not_contain", []))))
    return pages


# -- scoring ---------------------------------------------------------------------------------------
def _grams(text: str) -> Counter:
    text = "".join(text.split())
    return Counter(text[i:i + 2] for i in range(len(text) - 1))


def bigram_prf(expected: str, got: str | None) -> tuple[float, float, float]:
    """Precision, recall, F1 over character bigrams, whitespace removed.

    The same definition as tests/helpers.bigram_f1; no text at all scores 0/0/0."""
    exp, hyp = _grams(expected), _grams(got or "")
    overlap = sum((exp & hyp).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(hyp.values()), overlap / sum(exp.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def leaked(needles: list[str], got: str | None) -> list[str]:
    return [n for n in needles if got and n in got]


# -- reporting ---------------------------------------------------------------------------------------
def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def versions_line(*dists: str) -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "newscrawl"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        commit += " + uncommitted changes in newscrawl/" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    parts = [f"Python {platform.python_version()}", f"newscrawl {commit}"]
    parts += [f"{d} {version(d)}" for d in dists]
    cpus = _cpu_count()
    parts.append(f"{platform.machine()}, {cpus} CPU{'s' if cpus != 1 else ''}")
    return ", ".join(parts)


def _cpu_count() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        return os.cpu_count() or 1


def command_line() -> str:
    """The command that was run, as a reader would type it (--keep/--warc DIR left out: they only say
    where the temporary files go; the folder of --before shown as DIR: it is outside the repository)."""
    rel = Path(sys.argv[0]).resolve()
    try:
        rel = rel.relative_to(ROOT)
    except ValueError:
        pass
    args, skip = [], False
    for arg in sys.argv[1:]:
        if skip:
            skip = False
            continue
        if arg in ("--keep", "--warc"):
            skip = True
            continue
        if args and args[-1] == "--before":
            arg = "DIR"
        args.append(arg)
    return " ".join([".venv/bin/python", str(rel), *args])


def md_table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(header) - 1)
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def write_section(name: str, text: str) -> None:
    """Replace the text between <!-- NAME:begin --> and <!-- NAME:end --> in docs/benchmarks.md."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    doc = pattern.sub(lambda _m: block, doc) if pattern.search(doc) else doc.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(doc, encoding="utf-8")
    print(f"wrote the {name} section of {DOC.relative_to(ROOT)}")


# -- cProfile summaries ------------------------------------------------------------------------------
def _short(path: str) -> str:
    for marker in ("/site-packages/", str(ROOT) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return re.sub(r"^.*/lib/python3\.\d+/", "", path)


def profile_tables(stats, entry_points: list[tuple[str, str, str]], top: int = 15) -> str:
    """Markdown: the cumulative time of named entry points (label, file suffix, function name), and the
    functions with the most time of their own; both as a share of the whole profiled run."""
    total = max((ct for (_f, _l, n), (_cc, _nc, _tt, ct, _c) in stats.stats.items()), default=0.0) or 1.0
    rows = []
    for label, suffix, func in entry_points:
        found = [(ct, nc) for (f, _l, n), (_cc, nc, _tt, ct, _c) in stats.stats.items()
                 if f.endswith(suffix) and n == func]
        if found:
            ct, nc = max(found)
            rows.append([label, f"`{suffix}:{func}`", str(nc), f"{ct:.2f}", f"{100 * ct / total:.0f}%"])
    first = md_table(["component", "function", "calls", "cumulative s", "share"], rows, "llrrr")
    own = sorted(((tt, nc, f, l, n) for (f, l, n), (_cc, nc, tt, _ct, _c) in stats.stats.items()), reverse=True)
    rows = [[f"`{_short(f)}:{l}({n})`", str(nc), f"{tt:.2f}", f"{100 * tt / total:.1f}%"]
            for tt, nc, f, l, n in own[:top]]
    second = md_table(["function (own time)", "calls", "own s", "share"], rows, "lrrr")
    return (f"Profiled: {total:.2f} s under cProfile (which inflates code made of many small calls, so shares "
            f"are indicative; the un-profiled figures are above).\n\n{first}\n\nTop {top} by own time:\n\n{second}\n")
