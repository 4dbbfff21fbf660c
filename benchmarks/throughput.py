"""Crawl throughput against bare Scrapy: the full `scrapy crawl dailyview` and a bare Scrapy spider, both
replaying the same synthetic WARC of N distinct article pages (benchmarks/synthetic.py), in the same run.

newscrawl: `scrapy crawl dailyview -s NEWSCRAWL_REPLAY=... -s NEWSCRAWL_MAX_AGE_DAYS=0` as the nightly job
runs it (benchmarks/crawls.py). bare: `scrapy runspider benchmarks/bare_spider.py -O out.jsonl` (a
SitemapSpider yielding {"url": response.url}; the project settings and the same ReplayMiddleware, none
of newscrawl's pipelines, extensions or spider middlewares). With --before DIR (repeatable), other
checkouts of newscrawl (an older commit) crawl the same archive in the same rounds, so that the
before/after ratios come from one run; --after DIR measures another checkout than this one.

The crawls take turns (the order rotates every round); each round gives one ratio per newscrawl
(its items/s over bare Scrapy's in that round), and the figure is the median over rounds.

    .venv/bin/python benchmarks/throughput.py                # 5,000 pages, 3 rounds
    .venv/bin/python benchmarks/throughput.py --write        # and update docs/benchmarks.md
    .venv/bin/python benchmarks/throughput.py --before ../base   # and the checkout in ../base
    .venv/bin/python benchmarks/throughput.py --keep DIR     # keep the WARC, outputs and logs in DIR
    .venv/bin/python benchmarks/throughput.py --profile      # also run the full crawl under cProfile
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import crawl_profile  # noqa: E402
from benchmarks.common import ROOT, command_line, md_table, versions_line, write_section  # noqa: E402
from benchmarks.crawls import Run, commit_of, profile_child, run_bare, run_newscrawl, take_turns  # noqa: E402
from benchmarks.synthetic import build_archive  # noqa: E402

GOAL = 0.5  # issue 12: the full crawl at >= 0.5x bare Scrapy's items/s


def _pipelines(*names: str) -> str:
    known = {"clean": ("newscrawl.pipelines.clean.CleanPipeline", 100),
             "dedup": ("newscrawl.pipelines.dedup.DedupPipeline", 200),
             "validate": ("newscrawl.pipelines.validate.ValidatePipeline", 300)}
    return json.dumps(dict(known[n] for n in names))


# (label, settings, -O instead of the default fsync'd output): each switches off one component,
# so that the time it costs shows without a profiler's distortion.
ABLATIONS = [
    ("the fsync per line (`-O out.jsonl`)", {}, True),
    ("DedupPipeline (MinHash near-duplicates)", {"ITEM_PIPELINES": _pipelines("clean", "validate")}, False),
    ("ValidatePipeline (fastjsonschema)", {"ITEM_PIPELINES": _pipelines("clean", "dedup")}, False),
    ("all three", {"ITEM_PIPELINES": _pipelines("clean")}, True),
    # not a newscrawl component: Scrapy (>= 2.13) starts CONCURRENT_ITEMS + 1 asyncio tasks for every
    # callback's output; newscrawl's pipelines are synchronous, so 1 changes nothing but that cost
    ("Scrapy's 100 concurrent items per response (`-s CONCURRENT_ITEMS=1`)", {"CONCURRENT_ITEMS": 1}, False),
]


def ratios(runs: list[Run], base: list[Run]) -> dict[str, float]:
    """Median over rounds of (this crawl's items/s) / (the base crawl's items/s in the same round)."""
    pairs = list(zip(runs, base))
    return {
        "wall": median(r.rate / b.rate for r, b in pairs),
        "cpu": median(r.cpu_rate / b.cpu_rate for r, b in pairs),
        "loop": median(r.loop_rate / b.loop_rate for r, b in pairs) if all(r.elapsed and b.elapsed for r, b in pairs)
        else 0.0,
    }


def problems_of(runs: list[Run], articles: int, work: Path) -> list[str]:
    problems = []
    for run in runs:
        if run.returncode != 0:
            problems.append(f"{run.name} exited {run.returncode} (see the log in {work})")
        if run.items != articles:
            problems.append(f"{run.name} exported {run.items} items, not {articles}")
        if run.stats.get("newscrawl/replay/miss", 0):
            problems.append(f"{run.name} asked for {run.stats['newscrawl/replay/miss']} URLs not in the archive")
    return problems


def report(bare: list[Run], runs: list[list[Run]], info: dict, repeat: int) -> tuple[str, str]:
    """(the section's text, the bare times of every crawl: printed, not written - the figures are ratios)."""
    # the table: each newscrawl checkout (the last one is the one measured, earlier ones are --before)
    rows = []
    measured = [ratios(rs, bare) for rs in runs]
    for rs, r in zip(runs, measured):
        rows.append([rs[0].name, str(rs[0].items), f"**{r['wall']:.2f}x**", f"{r['cpu']:.2f}x", f"{r['loop']:.2f}x",
                     f"{max(x.maxrss_kb for x in rs) / 1024:.0f}"])
    rows.append(["bare Scrapy", str(bare[0].items), "1", "1", "1", f"{max(x.maxrss_kb for x in bare) / 1024:.0f}"])
    table = md_table(["crawl", "articles", "items/s vs bare (wall)", "(CPU)", "(crawl loop)", "peak RSS MB"], rows)
    every = "; ".join(f"{r.name} {r.wall:.1f} s wall / {r.cpu:.1f} s CPU / {r.elapsed or 0:.1f} s loop"
                      for r in [*bare, *(x for rs in runs for x in rs)])
    if len(runs) > 1:  # the measured checkout against each earlier one directly: bare Scrapy's noise left out
        rows = []
        for rs in runs[:-1]:
            r = ratios(runs[-1], rs)
            rows.append([f"{runs[-1][0].name} / {rs[0].name}", f"{r['wall']:.2f}x", f"{r['cpu']:.2f}x", f"{r['loop']:.2f}x"])
        table += "\n\nBefore and after, side by side (median over rounds of the items/s ratio in each round):\n\n"
        table += md_table(["items/s", "wall", "CPU", "crawl loop"], rows)
    after = measured[-1]
    goal = (f"- Full crawl >= {GOAL}x bare-Scrapy throughput: **{'met' if after['wall'] >= GOAL else 'missed'}** "
            f"({after['wall']:.2f}x on wall time, {after['cpu']:.2f}x on CPU time"
            + "".join(f"; {rs[0].name}: {r['wall']:.2f}x / {r['cpu']:.2f}x" for rs, r in zip(runs[:-1], measured))
            + ").")
    return (f"{info['articles']} synthetic dailyview articles"
            + (f" ({info['html_bytes'] / 1e6:.0f} MB of HTML, a {info['warc_bytes'] / 1e6:.0f} MB WARC)"
               if "html_bytes" in info else "")
            + f"; {repeat} rounds, the crawls taking turns (the order rotates each round). Each ratio is the "
            "median over rounds of the crawl's articles per second over bare Scrapy's in the same round: on wall "
            "time (process start to exit: Scrapy start-up and the WARC index included), on CPU time (user + "
            "system of the process, which a busy machine disturbs far less but which leaves out waiting for the "
            "disk, e.g. fsync), and on Scrapy's crawl loop alone (`elapsed_time_seconds`).\n\n"
            f"{table}\n\n{goal}\n"), every


def ablate(warc: Path, work: Path, bare: list[Run], full: list[Run], articles: int, checkout: Path) -> str:
    bare_rate, bare_cpu = median(b.rate for b in bare), median(b.cpu_rate for b in bare)
    full_wall, full_cpu = median(r.wall for r in full), median(r.cpu for r in full)
    rows = [["nothing (the full crawl above)", f"{median(r.rate for r in full) / bare_rate:.2f}x",
             f"{median(r.cpu_rate for r in full) / bare_cpu:.2f}x", "-", "-"]]
    for i, (label, settings, output) in enumerate(ABLATIONS):
        run = run_newscrawl(warc, work, f"ablate{i}", settings=settings, output=output, name=label, checkout=checkout)
        ok = "" if run.returncode == 0 and run.items == articles else f" (exit {run.returncode}, {run.items} items)"
        print(f"without {label}: {run.items} items in {run.wall:.1f} s, {run.cpu:.1f} s CPU{ok}", flush=True)
        rows.append([label + ok, f"{run.rate / bare_rate:.2f}x", f"{run.cpu_rate / bare_cpu:.2f}x",
                     f"{100 * (full_wall - run.wall) / full_wall:+.0f}%", f"{100 * (full_cpu - run.cpu) / full_cpu:+.0f}%"])
    return ("The same full crawl with one component switched off (`-s ITEM_PIPELINES=...`, or `-O` for the "
            "default output's fsync), one crawl each after the rounds above, against the median bare crawl:\n\n"
            + md_table(["full crawl, but without", "vs bare (wall)", "vs bare (CPU)", "wall time saved",
                        "CPU time saved"], rows) + "\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--profile-child"]:
        return profile_child(argv[1], argv[3:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median ratio counts (0: none, e.g. "
                        "with --profile alone)")
    parser.add_argument("--before", type=Path, action="append", default=[],
                        help="also crawl with this checkout (its own .venv/bin/scrapy, or a plain copy of another "
                        "commit run with this virtualenv); may be given more than once")
    parser.add_argument("--after", type=Path, default=ROOT, help="the checkout measured as newscrawl (default: this one)")
    parser.add_argument("--write", action="store_true", help="update the throughput section of docs/benchmarks.md")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (WARC, outputs, logs)")
    parser.add_argument("--warc", type=Path, help="reuse this archive instead of generating one")
    parser.add_argument("--profile", action="store_true", help="then run the full crawl once more under cProfile")
    parser.add_argument("--ablate", action="store_true",
                        help="then run the full crawl with single components switched off (where the time goes)")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    checkouts = [p.resolve() for p in args.before] + [args.after.resolve()]

    work = args.keep or Path(tempfile.mkdtemp(prefix="newscrawl-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.warc:
            warc, info = args.warc.resolve(), {"articles": args.articles}
        else:
            warc = work / "bench.warc.gz"
            start = time.perf_counter()
            info = build_archive(warc, args.articles)
            print(f"archive: {info['articles']} articles, {info['html_bytes'] / 1e6:.1f} MB of HTML, "
                  f"{info['warc_bytes'] / 1e6:.1f} MB WARC, built in {time.perf_counter() - start:.1f} s", flush=True)
        problems: list[str] = []
        if args.repeat:
            bare, runs = take_turns(warc, work, args.repeat, run_bare, checkouts)
            text, every = report(bare, runs, info, args.repeat)
            problems = problems_of([*bare, *(r for rs in runs for r in rs)], args.articles, work)
            if problems:
                text += "\nProblems in this run:\n\n" + "\n".join(f"- {p}" for p in problems) + "\n"
            print(text + f"\nEvery crawl: {every}.\n", flush=True)
            header = f"Command: `{command_line()}`  \n"
            for checkout in checkouts[:-1]:
                header += f"Before: `--before DIR`, a checkout of {commit_of(checkout)}.  \n"
            header += f"Versions: {versions_line('Scrapy', 'Twisted', 'lxml', 'warcio', 'trafilatura')}\n\n"
            if args.write:
                write_section("throughput", header + text)
        if args.ablate and args.repeat:
            ablation = ablate(warc, work, bare, runs[-1], args.articles, checkouts[-1])
            print(ablation)
            if args.write:
                write_section("throughput-ablation", f"Command: `{command_line()}`\n\n" + ablation)
        if args.profile:
            prof = work / "full.prof"
            run = run_newscrawl(warc, work, "profiled", profile_out=prof, checkout=checkouts[-1])
            print(f"profiled run: {run.items} items in {run.wall:.1f} s\n")
            summary = crawl_profile.summary(prof, args.top)
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
