"""Crawl throughput: the full `scrapy crawl dailyview` against a bare Scrapy spider, both replaying
the same synthetic WARC of N distinct article pages, in the same run.

The archive (made here, in a temporary folder) holds:
- N article pages https://dailyview.net/article/<id>/ made from the four dailyview fixture pages:
  each keeps its template's full page (header, ads, sidebars, ranking, footer, JSON-LD) but gets its
  own id in every URL, its own headline and its own body paragraphs, drawn at random (fixed seed)
  from the sentences of every fixture's expected bodies - so no two texts are equal or near-equal;
- the discovery the dailyview profile reads: /feed/ (the newest 50), the WordPress sitemap index
  /wp-sitemap.xml with 1,000 URLs per posts sitemap, the /category/news/ listing (3 pages), and
  /robots.txt.

newscrawl: `scrapy crawl dailyview -s NEWSCRAWL_REPLAY=... -s NEWSCRAWL_MAX_AGE_DAYS=0` as the
nightly job runs it (default output data/dailyview/<time>.jsonl with fsync per line, state and
near-duplicate index in SQLite), NEWSCRAWL_DATA_DIR a fresh temporary folder.
bare: `scrapy runspider benchmarks/bare_spider.py -O out.jsonl` (a SitemapSpider yielding
{"url": response.url}; the project settings and the same ReplayMiddleware, none of newscrawl's
pipelines, extensions or spider middlewares).

Each crawl is a child process; wall time from start to exit, peak RSS from os.wait4.

    .venv/bin/python benchmarks/throughput.py                # 5,000 pages, one crawl of each
    .venv/bin/python benchmarks/throughput.py --write        # and update docs/benchmarks.md
    .venv/bin/python benchmarks/throughput.py --keep DIR     # keep the WARC, outputs and logs in DIR
    .venv/bin/python benchmarks/throughput.py --profile      # also run the full crawl under cProfile
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import FIXTURES, ROOT, command_line, md_table, versions_line, write_section  # noqa: E402
from newscrawl.replay.archive import WarcRecorder  # noqa: E402

SITE = FIXTURES / "sites" / "dailyview"
TEMPLATES = ["41235", "41207", "41162", "41088"]
HOST = "https://dailyview.net"
FIRST_ID = 300001
PER_SITEMAP = 1000
SCRAPY = str(Path(sys.executable).parent / "scrapy")
_NOW = datetime(2025, 12, 5, 12, 0, 0, tzinfo=timezone.utc)


# -- the archive ---------------------------------------------------------------------------------
def _sentence_pool() -> list[str]:
    pool: set[str] = set()
    for path in sorted(FIXTURES.glob("**/expected/*.json")):
        body = json.loads(path.read_text(encoding="utf-8")).get("body") or ""
        for para in body.split("\n\n"):
            for sentence in re.findall(r"[^。]+。", para):
                sentence = sentence.strip()
                if 15 <= len(sentence) <= 200:
                    pool.add(sentence)
    return sorted(pool)


_CONTENT_RE = re.compile(r'(<div class="entry-content">)(.*?)(</div><!-- \.entry-content -->)', re.S)
_PARA_RE = re.compile(r"<p>([^<]{40,})</p>")


def _template(key: str) -> tuple[str, str]:
    html = (SITE / f"article_{key}.html").read_text(encoding="utf-8")
    title = json.loads((SITE / "expected" / f"{key}.json").read_text(encoding="utf-8"))["title"]
    return html, title


def article_page(n: int, templates: list[tuple[str, str, str]], pool: list[str], rng: random.Random) -> str:
    key, html, title = templates[n % len(templates)]

    def new_paragraph(_match) -> str:
        return "<p>" + "".join(rng.sample(pool, rng.randint(2, 4))) + "</p>"

    head, content, tail = _CONTENT_RE.search(html).group(1, 2, 3)
    content = _PARA_RE.sub(new_paragraph, content)
    html = html.replace(head + _CONTENT_RE.search(html).group(2) + tail, head + content + tail)
    headline = rng.choice(pool)[:40].rstrip("。") + f"({n})"
    html = html.replace(escape(title), escape(headline)).replace(title, headline)
    return html.replace(key, str(n))


def _rss(ids: list[int]) -> str:
    items = "".join(
        f"<item><title>記事 {n}</title><link>{HOST}/article/{n}/</link>"
        f"<pubDate>{(_NOW - timedelta(minutes=FIRST_ID + 100000 - n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        f"</pubDate><guid isPermaLink=\"false\">{HOST}/?p={n}</guid></item>" for n in ids)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>ピッコン</title>'
            f"<link>{HOST}</link><description>benchmark</description>{items}</channel></rss>")


def _urlset(ids: list[int]) -> str:
    urls = "".join(f"<url><loc>{HOST}/article/{n}/</loc><lastmod>2025-12-05T07:02:31+00:00</lastmod></url>"
                   for n in ids)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def _listing(ids: list[int], page: int) -> str:
    items = "".join(f'<article><h2 class="entry-title"><a href="{HOST}/article/{n}/" rel="bookmark">記事 {n}</a>'
                    "</h2></article>" for n in ids)
    nxt = f'<nav class="navigation pagination"><a class="next page-numbers" href="{HOST}/category/news/page/{page + 1}/">次へ</a></nav>'
    return f'<!DOCTYPE html><html lang="ja"><body><main id="main" class="site-main">{items}{nxt}</main></body></html>'


def build_archive(out: Path, count: int, seed: int = 8) -> dict:
    rng = random.Random(seed)
    pool = _sentence_pool()
    templates = [(key, *_template(key)) for key in TEMPLATES]
    ids = list(range(FIRST_ID, FIRST_ID + count))
    if out.exists():
        out.unlink()
    recorder = WarcRecorder(out)
    html_type = [("Content-Type", "text/html; charset=UTF-8")]
    xml_type = [("Content-Type", "application/xml; charset=UTF-8")]
    newest = ids[::-1]
    try:
        recorder.write(f"{HOST}/robots.txt", 200, "OK", [("Content-Type", "text/plain")],
                       f"User-agent: *\nAllow: /\nSitemap: {HOST}/wp-sitemap.xml\n".encode(), date=_NOW)
        recorder.write(f"{HOST}/feed/", 200, "OK", [("Content-Type", "application/rss+xml; charset=UTF-8")],
                       _rss(newest[:50]).encode(), date=_NOW)
        chunks = [ids[i:i + PER_SITEMAP] for i in range(0, len(ids), PER_SITEMAP)]
        index = "".join(f"<sitemap><loc>{HOST}/wp-sitemap-posts-post-{i}.xml</loc></sitemap>"
                        for i in range(1, len(chunks) + 1))
        recorder.write(f"{HOST}/wp-sitemap.xml", 200, "OK", xml_type, (
            '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{index}</sitemapindex>").encode(), date=_NOW)
        for i, chunk in enumerate(chunks, 1):
            recorder.write(f"{HOST}/wp-sitemap-posts-post-{i}.xml", 200, "OK", xml_type,
                           _urlset(chunk).encode(), date=_NOW)
        for page in (1, 2, 3):
            url = f"{HOST}/category/news/" + (f"page/{page}/" if page > 1 else "")
            recorder.write(url, 200, "OK", html_type,
                           _listing(newest[(page - 1) * 20:page * 20], page).encode(), date=_NOW)
        size = 0
        for n in ids:
            body = article_page(n, templates, pool, rng).encode("utf-8")
            size += len(body)
            recorder.write(f"{HOST}/article/{n}/", 200, "OK", html_type, body, date=_NOW)
    finally:
        recorder.close()
    return {"articles": count, "html_bytes": size, "warc_bytes": out.stat().st_size, "sentences": len(pool)}


# -- running the crawls --------------------------------------------------------------------------
@dataclass
class Run:
    name: str
    wall: float
    cpu: float  # user + system CPU seconds of the crawl process (robust to a busy machine; no I/O waits)
    maxrss_kb: int
    returncode: int
    items: int
    elapsed: float | None  # Scrapy's elapsed_time_seconds (engine start to close)
    stats: dict


def _count_lines(paths: list[Path]) -> int:
    return sum(sum(1 for line in p.open(encoding="utf-8") if line.strip()) for p in paths if p.exists())


def _spawn(cmd: list[str], env: dict, log: Path) -> tuple[float, float, int, int]:
    with log.open("wb") as fh:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode


def run_newscrawl(warc: Path, work: Path, tag: str, profile_out: Path | None = None,
                  settings: dict | None = None, output: bool = False, name: str = "newscrawl") -> Run:
    data = work / f"data-{tag}"
    shutil.rmtree(data, ignore_errors=True)
    stats_file = work / f"stats-{tag}.json"
    out = work / f"out-{tag}.jsonl"
    cmd = [SCRAPY, "crawl", "dailyview", "-s", f"NEWSCRAWL_REPLAY={warc}", "-s", "NEWSCRAWL_MAX_AGE_DAYS=0",
           "-s", f"NEWSCRAWL_STATS_FILE={stats_file}", "-s", "LOG_LEVEL=INFO"]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    if output:  # -O: the same exporter, without the default feed's fsync per line
        cmd += ["-O", str(out)]
    if profile_out is not None:  # the same command line, run by _profile_child under cProfile
        cmd = [sys.executable, __file__, "--profile-child", str(profile_out), "--", *cmd[1:]]
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data)}
    wall, cpu, rss, rc = _spawn(cmd, env, work / f"log-{tag}.txt")
    payload = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    stats = payload.get("stats", {})
    items = _count_lines([out] if output else sorted((data / "dailyview").glob("*.jsonl")))
    return Run(name, wall, cpu, rss, rc, items, stats.get("elapsed_time_seconds"), stats)


_PIPELINES = {"clean": ("newscrawl.pipelines.clean.CleanPipeline", 100),
              "dedup": ("newscrawl.pipelines.dedup.DedupPipeline", 200),
              "validate": ("newscrawl.pipelines.validate.ValidatePipeline", 300)}


def _pipelines(*names: str) -> str:
    return json.dumps(dict(_PIPELINES[n] for n in names))


# (label, settings, -O instead of the default fsync'd output): each switches off one component,
# so that the time it costs shows without a profiler's distortion.
ABLATIONS = [
    ("the fsync per line (`-O out.jsonl`)", {}, True),
    ("DedupPipeline (MinHash near-duplicates)", {"ITEM_PIPELINES": _pipelines("clean", "validate")}, False),
    ("ValidatePipeline (jsonschema)", {"ITEM_PIPELINES": _pipelines("clean", "dedup")}, False),
    ("all three", {"ITEM_PIPELINES": _pipelines("clean")}, True),
]


def run_bare(warc: Path, work: Path, tag: str) -> Run:
    out = work / f"bare-{tag}.jsonl"
    stats_file = work / f"stats-{tag}.json"
    cmd = [SCRAPY, "runspider", str(Path(__file__).parent / "bare_spider.py"), "-O", str(out),
           "-s", f"NEWSCRAWL_REPLAY={warc}", "-s", "NEWSCRAWL_MAX_AGE_DAYS=0",
           "-s", f"BENCH_STATS_FILE={stats_file}", "-s", "LOG_LEVEL=INFO"]
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(work / f"data-{tag}")}
    wall, cpu, rss, rc = _spawn(cmd, env, work / f"log-{tag}.txt")
    payload = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    stats = payload.get("stats", {})
    return Run("bare Scrapy", wall, cpu, rss, rc, _count_lines([out]), stats.get("elapsed_time_seconds"), stats)


def _best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.wall)


CRAWL_ENTRY_POINTS = [
    ("the whole crawl (reactor)", "asyncio/base_events.py", "run_forever"),
    ("reading the WARC index (start-up)", "newscrawl/replay/archive.py", "__init__"),
    ("replay: one response from the WARC", "newscrawl/replay/middleware.py", "process_request"),
    ("discovery: sitemaps", "newscrawl/spiders/base.py", "parse_sitemap"),
    ("article callback (decode + extract_article)", "newscrawl/spiders/base.py", "parse_article"),
    ("  of which guards: check_markup (depth bomb, cut-off page)", "newscrawl/extract/guards.py", "check_markup"),
    ("  of which guards: check_item (consent/login walls)", "newscrawl/extract/guards.py", "check_item"),
    ("  of which decode (charset check)", "newscrawl/extract/encoding.py", "decode"),
    ("  of which extract_article", "newscrawl/extract/article.py", "extract_article"),
    ("  of which read_metadata (JSON-LD, OG, meta)", "newscrawl/extract/metadata.py", "read_metadata"),
    ("CleanPipeline (clean_body)", "newscrawl/pipelines/clean.py", "process_item"),
    ("  of which remove_clutter", "newscrawl/clean/structure.py", "remove_clutter"),
    ("DedupPipeline", "newscrawl/pipelines/dedup.py", "process_item"),
    ("  of which minhash (datasketch)", "newscrawl/fingerprints.py", "minhash"),
    ("  of which sha1_hash32 (per 4-gram shingle)", "datasketch/hashfunc.py", "sha1_hash32"),
    ("ValidatePipeline", "newscrawl/pipelines/validate.py", "process_item"),
    ("  of which jsonschema iter_errors", "jsonschema/validators.py", "iter_errors"),
    ("JSONL export (DurableJsonLinesExporter)", "newscrawl/export.py", "export_item"),
    ("  of which os.fsync", "~", "<built-in method posix.fsync>"),
    ("state: mark exported", "newscrawl/state/extension.py", "item_scraped"),
    ("SQLite statements (state, near-duplicate index)", "~", "<method 'execute' of 'sqlite3.Connection' objects>"),
    ("Scrapy: asyncio tasks created (also in bare)", "asyncio/base_events.py", "create_task"),
]


def profile_summary(path: Path, top: int) -> str:
    import pstats

    from benchmarks.common import profile_tables

    return profile_tables(pstats.Stats(str(path)), CRAWL_ENTRY_POINTS, top)


def _profile_child(out: str, scrapy_args: list[str]) -> int:
    """Run `scrapy ARGS` in this process under cProfile with a CPU-time clock (a busy machine
    then skews the shares less than with cProfile's default wall clock)."""
    import cProfile

    from scrapy.cmdline import execute

    prof = cProfile.Profile(time.process_time)
    sys.argv = ["scrapy", *scrapy_args]
    code = 0
    try:
        prof.runcall(execute)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    finally:
        prof.dump_stats(out)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--profile-child"]:
        return _profile_child(argv[1], argv[3:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2, help="crawls of each, alternating; the fastest counts")
    parser.add_argument("--write", action="store_true", help="update the throughput section of docs/benchmarks.md")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (WARC, outputs, logs)")
    parser.add_argument("--warc", type=Path, help="reuse this archive instead of generating one")
    parser.add_argument("--profile", action="store_true", help="then run the full crawl once more under cProfile")
    parser.add_argument("--ablate", action="store_true",
                        help="then run the full crawl with single components switched off (where the time goes)")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="newscrawl-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.warc:
            warc, info = args.warc, {"articles": args.articles}
        else:
            warc = work / "bench.warc.gz"
            start = time.perf_counter()
            info = build_archive(warc, args.articles)
            info["seconds"] = time.perf_counter() - start
            print(f"archive: {info['articles']} articles, {info['html_bytes'] / 1e6:.1f} MB of HTML, "
                  f"{info['warc_bytes'] / 1e6:.1f} MB WARC, built in {info['seconds']:.1f} s", flush=True)
        full: list[Run] = []
        bare: list[Run] = []
        for i in range(args.repeat):
            # alternate the order, so that neither always runs on a warmer page cache
            order = (("bare", "full") if i % 2 == 0 else ("full", "bare"))
            for which in order:
                run = run_bare(warc, work, f"bare{i}") if which == "bare" else run_newscrawl(warc, work, f"full{i}")
                (bare if which == "bare" else full).append(run)
                print(f"{run.name}: {run.items} items in {run.wall:.1f} s, {run.cpu:.1f} s CPU "
                      f"(exit {run.returncode}), peak RSS {run.maxrss_kb / 1024:.0f} MB", flush=True)
        f, b = _best(full), _best(bare)
        problems = []
        for run in (f, b):
            if run.returncode != 0:
                problems.append(f"{run.name} exited {run.returncode} (see the log in {work})")
            if run.items != args.articles:
                problems.append(f"{run.name} exported {run.items} items, not {args.articles}")
        misses = f.stats.get("newscrawl/replay/miss", 0)
        if misses:
            problems.append(f"newscrawl asked for {misses} URLs not in the archive")

        rate_f, rate_b = f.items / f.wall, b.items / b.wall
        ratio = rate_f / rate_b
        cpu_f, cpu_b = min(r.cpu for r in full), min(r.cpu for r in bare)
        cpu_ratio = (f.items / cpu_f) / (b.items / cpu_b)
        rows = []
        for run, rate, cpu in ((f, rate_f, cpu_f), (b, rate_b, cpu_b)):
            rows.append([run.name, str(run.items), f"{run.wall:.1f}", f"{rate:.0f}",
                         f"{run.elapsed:.1f}" if run.elapsed else "-", f"{cpu:.1f}", f"{run.items / cpu:.0f}",
                         f"{max(r.maxrss_kb for r in (full if run is f else bare)) / 1024:.0f}"])
        table = md_table(["crawl", "articles", "wall s", "articles / s", "of which crawl loop s", "CPU s",
                          "articles / CPU s", "peak RSS MB"], rows)
        every = "; ".join(f"{r.name} {r.wall:.1f} s wall / {r.cpu:.1f} s CPU" for r in full + bare)
        dedup = {k: v for k, v in f.stats.items() if k.startswith(("newscrawl/duplicates", "newscrawl/extract",
                                                                     "newscrawl/dropped"))}
        goal = (f"- Full crawl >= 0.5x bare-Scrapy throughput: **{'met' if ratio >= 0.5 else 'missed'}** "
                f"({ratio:.2f}x on wall time; {cpu_ratio:.2f}x on CPU time).")
        text = (f"{args.articles} synthetic dailyview articles"
                + (f" ({info['html_bytes'] / 1e6:.0f} MB of HTML, a {info['warc_bytes'] / 1e6:.0f} MB WARC)"
                   if "html_bytes" in info else "")
                + f"; {args.repeat} crawl(s) of each, alternating; the fastest of each counts (wall and CPU "
                "separately). Wall time is process start to exit (Scrapy start-up and reading the WARC index "
                "included; the crawl loop is Scrapy's `elapsed_time_seconds`); CPU time is the process's "
                "user + system time, which a busy machine disturbs far less (but it leaves out waiting "
                "for the disk, e.g. fsync).\n\n"
                f"{table}\n\n**Ratio (full / bare, articles per second): {ratio:.2f}x on wall time, "
                f"{cpu_ratio:.2f}x on CPU time**\n\n{goal}\n\n"
                f"Every crawl: {every}.  \n"
                f"newscrawl extraction/dedup counters: `{json.dumps(dedup, ensure_ascii=False, sort_keys=True)}`\n")
        if problems:
            text += "\nProblems in this run:\n\n" + "\n".join(f"- {p}" for p in problems) + "\n"
        print(text, flush=True)
        if args.write:
            header = (f"Command: `{command_line()}`  \n"
                      f"Versions: {versions_line('Scrapy', 'Twisted', 'lxml', 'warcio', 'trafilatura')}\n\n")
            write_section("throughput", header + text)
        if args.ablate:
            rows = [["nothing (the full crawl above)", f"{f.wall:.1f}", f"{cpu_f:.1f}", f"{rate_f / rate_b:.2f}x",
                     f"{cpu_ratio:.2f}x", "-", "-"]]
            for i, (label, settings, output) in enumerate(ABLATIONS):
                run = run_newscrawl(warc, work, f"ablate{i}", settings=settings, output=output, name=label)
                rate = run.items / run.wall
                ok = "" if run.returncode == 0 and run.items == args.articles else \
                    f" (exit {run.returncode}, {run.items} items)"
                print(f"without {label}: {run.items} items in {run.wall:.1f} s, {run.cpu:.1f} s CPU{ok}", flush=True)
                rows.append([label + ok, f"{run.wall:.1f}", f"{run.cpu:.1f}", f"{rate / rate_b:.2f}x",
                             f"{(run.items / run.cpu) / (b.items / cpu_b):.2f}x", f"{f.wall - run.wall:+.1f}",
                             f"{cpu_f - run.cpu:+.1f}"])
            ablation = ("Where the time goes: the same full crawl with one component switched off "
                        "(`-s ITEM_PIPELINES=...`, or `-O` for the default output's fsync), one crawl each, "
                        "same archive, same run:\n\n"
                        + md_table(["full crawl, but without", "wall s", "CPU s", "vs bare (wall)", "vs bare (CPU)",
                                   "wall s saved", "CPU s saved"], rows) + "\n")
            print(ablation)
            if args.write:
                write_section("throughput-ablation", f"Command: `{command_line()}`\n\n" + ablation)
        if args.profile:
            prof = work / "full.prof"
            run = run_newscrawl(warc, work, "profiled", profile_out=prof)
            print(f"profiled run: {run.items} items in {run.wall:.1f} s\n")
            summary = profile_summary(prof, args.top)
            print(summary)
            if args.write:
                write_section("throughput-profile", f"Command: `{command_line()}` (the `--profile` part: the "
                              "same `scrapy crawl dailyview ...` over the same archive, run under cProfile with a "
                              "CPU-time clock)\n\n" + summary)
        return 1 if problems else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
