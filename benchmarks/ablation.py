"""Ablation of the generic cleaning rules: each family left out in turn, on real pages and fixtures.

A family earns its place when leaving it out costs F1 or lets clutter through somewhere.  One row
per family (and one with every rule), each measured with the production path
(``newscrawl.page.page_record(..., disabled={family})``: ArticlePage and the clean step):

- realpages (``--corpus DIR``): macro F1 over the full-text pages (all, Japanese), `without`
  snippets present (leaks), Japanese opening snippets found (with%);
- site fixtures (tests/fixtures/sites, tests/fixtures/generic): pages whose body is exactly the
  expected one on the profile path, and must_not_contain strings leaked on the profile path and on
  the generic path (``generic_profile``: no site rules).

    .venv/bin/python benchmarks/ablation.py --corpus DIR            # the table (several minutes)
    .venv/bin/python benchmarks/ablation.py --corpus DIR --write    # and update docs/benchmarks.md
    .venv/bin/python benchmarks/ablation.py --corpus DIR --only credit,link_line,headed_links+clutter_heading

Families that overlap (a heading-and-list rule and the link-line rule catch the same list) are also
left out together, as groups (``a+b``): one alone shows nothing when the other covers for it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import etree  # noqa: E402

from benchmarks.common import article_pages, bigram_prf, command_line, leaked, md_table, write_section  # noqa: E402
from benchmarks.realpages import (  # noqa: E402
    DEFAULT_CORPUS, PLACEHOLDER_URL, corpus_free, load_pages, norm, prf, profile_of,
)
import newscrawl.page.article as article_page  # noqa: E402
from newscrawl.clean.pipeline_api import rule_families  # noqa: E402
from newscrawl.page import page_record  # noqa: E402


def extract_record(html: str, url: str, profile, disabled: frozenset[str] = frozenset()) -> dict | None:
    """The crawl's path (ArticlePage, then the clean step) with some rule families left out."""
    return page_record(url, html, profile, disabled=disabled)[0]

# The generic path's choice of fragment does not depend on the cleaning rules: made once per page,
# it is reused for every family (trafilatura would otherwise run again for each row).
_choices: dict = {}
_generic_body = article_page.generic_body


def _cached_generic_body(root, url, meta, profile):
    key = (url, profile.key, hash(etree.tostring(root)))
    if key not in _choices:
        _choices[key] = _generic_body(root, url, meta, profile)
    choice = _choices[key]
    return type(choice)(choice.html, choice.candidate, list(choice.events), choice.alternative)


article_page.generic_body = _cached_generic_body


# families that catch the same blocks, measured together
GROUPS = (
    "clutter_heading+headed_links",
    "link_block+link_line",
    "clutter_heading+headed_links+link_block+repeated_block",
    "clutter_heading+headed_links+link_block+repeated_block+link_line",
)


def realpages_scores(pages: list[dict], disabled: frozenset[str]) -> dict:
    f1_all, f1_ja, with_ja, leaks = [], [], [], 0
    for page in pages:
        url = page.get("url") or PLACEHOLDER_URL
        record = extract_record(page["html"], url, profile_of(url), disabled=disabled)
        body = record["body"] if record else ""
        got = norm(body)
        leaks += sum(norm(s) in got for s in page.get("without") or [])
        if page.get("body"):
            f1 = prf(body, page["body"])[2]
            f1_all.append(f1)
            if page["lang"] == "ja":
                f1_ja.append(f1)
        if page.get("with") and page["lang"] == "ja":
            with_ja.append(sum(norm(s) in got for s in page["with"]) / len(page["with"]))
    return {"f1": mean(f1_all), "f1_ja": mean(f1_ja), "with_ja": mean(with_ja), "leaks": leaks}


def fixture_scores(fixtures, disabled: frozenset[str]) -> dict:
    exact, profile_leaks, generic_leaks, generic_f1 = 0, 0, 0, []
    for page in fixtures:
        record = extract_record(page.html, page.url, page.profile, disabled=disabled)
        body = record["body"] if record else ""
        exact += body == page.expected_body
        profile_leaks += len(leaked(page.must_not_contain, body))
        record = extract_record(page.html, page.url, page.generic, disabled=disabled)
        body = record["body"] if record else ""
        generic_leaks += len(leaked(page.must_not_contain, body))
        generic_f1.append(bigram_prf(page.expected_body, body)[2])
    return {"exact": exact, "pages": len(fixtures), "profile_leaks": profile_leaks,
            "generic_leaks": generic_leaks, "generic_f1": mean(generic_f1)}


def row(name: str, real: dict, fix: dict, base: tuple[dict, dict] | None) -> list[str]:
    def delta(value: float, ref: float) -> str:
        return f"{value:.4f}" if base is None or abs(value - ref) < 5e-5 else f"{value:.4f} ({value - ref:+.4f})"

    def count(value: int, ref: int) -> str:
        return str(value) if base is None or value == ref else f"**{value}** ({value - ref:+d})"

    b_real, b_fix = base if base else (real, fix)
    return [name, delta(real["f1"], b_real["f1"]), delta(real["f1_ja"], b_real["f1_ja"]),
            delta(real["with_ja"], b_real["with_ja"]), count(real["leaks"], b_real["leaks"]),
            count(fix["exact"], b_fix["exact"]) + f" / {fix['pages']}", count(fix["profile_leaks"], b_fix["profile_leaks"]),
            delta(fix["generic_f1"], b_fix["generic_f1"]), count(fix["generic_leaks"], b_fix["generic_leaks"])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="realpages folder (default: $REALPAGES)")
    parser.add_argument("--only", help="comma-separated families (default: every family)")
    parser.add_argument("--write", action="store_true", help="update the ablation section of docs/benchmarks.md")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    if not args.corpus:
        parser.error("give the corpus: --corpus DIR (or REALPAGES=DIR), a folder holding pages/")
    pages = load_pages(Path(args.corpus))
    fixtures = article_pages()
    families = args.only.split(",") if args.only else list(rule_families()) + list(GROUPS)
    base = (realpages_scores(pages, frozenset()), fixture_scores(fixtures, frozenset()))
    rows = [row("(every rule)", *base, None)]
    for family in families:
        disabled = frozenset(family.split("+"))
        label = " + ".join(f"`{f}`" for f in sorted(disabled))
        rows.append(row(f"without {label}", realpages_scores(pages, disabled), fixture_scores(fixtures, disabled), base))
        print(" | ".join(rows[-1]), flush=True)
    header = ["rules", "realpages F1 (all)", "F1 (ja)", "ja with%", "realpages leaks", "fixtures exact (profile)",
              "fixture leaks (profile)", "fixtures F1 (generic)", "fixture leaks (generic)"]
    table = md_table(header, rows)
    print(table)
    if args.write:
        write_section("ablation", f"Command: `{corpus_free(command_line(), args.corpus)}`  \nCorpus: `{Path(args.corpus).name}/` "
                      f"({len(pages)} pages, in-sample) and the site fixtures ({len(fixtures)} pages).\n\n{table}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
