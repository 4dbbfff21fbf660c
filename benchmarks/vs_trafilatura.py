"""Crawl throughput against Scrapy + trafilatura: what a user would build instead of newscrawl.

The baseline is a plain Scrapy project (benchmarks/trafilatura_project: the settings `scrapy
startproject` writes, one SitemapSpider yielding the URL and ``trafilatura.extract(response.text)`` per
article page, ``-O`` JSONL, the same ReplayMiddleware, no newscrawl pipelines). newscrawl is the full
`scrapy crawl dailyview` as the nightly job runs it (benchmarks/crawls.py). Both replay the same
synthetic archive (benchmarks/synthetic.py, 300 article pages by default). With --before DIR (repeatable),
other checkouts of newscrawl (an older commit) crawl too, in the same rounds.

The crawls take turns (the order rotates every round); the figure is newscrawl's items/s over the
baseline's, median over rounds (each round's ratio of two neighbouring crawls).

    .venv/bin/python benchmarks/vs_trafilatura.py                  # 300 pages, 3 rounds
    .venv/bin/python benchmarks/vs_trafilatura.py --before ../base  # and the checkout in ../base
    .venv/bin/python benchmarks/vs_trafilatura.py --write          # and update docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, command_line, md_table, versions_line, write_section  # noqa: E402
from benchmarks.crawls import Run, commit_of, run_trafilatura, take_turns  # noqa: E402
from benchmarks.synthetic import build_archive  # noqa: E402

GOAL = 1.5  # issue 12: newscrawl at >= 1.5x the items/s of Scrapy + trafilatura


def ratio(runs: list[Run], base: list[Run], rate: str) -> float:
    return median(getattr(r, rate) / getattr(b, rate) for r, b in zip(runs, base))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median ratio counts")
    parser.add_argument("--before", type=Path, action="append", default=[],
                        help="also crawl with this checkout (its own .venv/bin/scrapy, or a plain copy of another "
                        "commit run with this virtualenv); may be given more than once")
    parser.add_argument("--after", type=Path, default=ROOT, help="the checkout measured as newscrawl (default: this one)")
    parser.add_argument("--write", action="store_true", help="update the vs-trafilatura section of docs/benchmarks.md")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (WARC, outputs, logs)")
    args = parser.parse_args(argv)
    checkouts = [p.resolve() for p in args.before] + [args.after.resolve()]

    work = args.keep or Path(tempfile.mkdtemp(prefix="newscrawl-vs-trafilatura-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        warc = work / "bench.warc.gz"
        info = build_archive(warc, args.articles)
        base, runs = take_turns(warc, work, args.repeat, run_trafilatura, checkouts)
        rows = []
        for rs in runs:
            rows.append([rs[0].name, str(rs[0].items), f"**{ratio(rs, base, 'rate'):.2f}x**",
                         f"{ratio(rs, base, 'cpu_rate'):.2f}x",
                         f"{ratio(rs, base, 'loop_rate'):.2f}x" if all(r.elapsed for r in rs + base) else "-"])
        rows.append(["Scrapy + trafilatura", str(base[0].items), "1", "1", "1"])
        table = md_table(["crawl", "articles", "items/s vs Scrapy + trafilatura (wall)", "(CPU)", "(crawl loop)"], rows)
        after = ratio(runs[-1], base, "rate")
        goal = (f"- newscrawl >= {GOAL}x the items/s of Scrapy + trafilatura: **{'met' if after >= GOAL else 'missed'}** "
                f"({after:.2f}x on wall time, {ratio(runs[-1], base, 'cpu_rate'):.2f}x on CPU time"
                + "".join(f"; {rs[0].name}: {ratio(rs, base, 'rate'):.2f}x / {ratio(rs, base, 'cpu_rate'):.2f}x"
                          for rs in runs[:-1]) + ").")
        everything = [*base, *(r for rs in runs for r in rs)]
        problems = [f"{r.name} exited {r.returncode} with {r.items} items (see {work})"
                    for r in everything if r.returncode != 0 or r.items != args.articles]
        every = "; ".join(f"{r.name} {r.wall:.1f} s wall / {r.cpu:.1f} s CPU" for r in everything)
        text = (f"{info['articles']} synthetic dailyview article pages ({info['html_bytes'] / 1e6:.1f} MB of HTML); "
                f"{args.repeat} rounds, the crawls taking turns (the order rotates each round); each ratio is the median "
                "over rounds of newscrawl's exported items per second over the baseline's in the same round: on wall "
                "time (process start to exit), on CPU time (user + system), and on Scrapy's crawl loop "
                f"(`elapsed_time_seconds`).\n\n{table}\n\n{goal}\n")
        if problems:
            text += "\nProblems in this run:\n\n" + "\n".join(f"- {p}" for p in problems) + "\n"
        print(text + f"\nEvery crawl: {every}.\n")
        if args.write:
            header = f"Command: `{command_line()}`  \n"
            for checkout in checkouts[:-1]:
                header += f"Before: `--before DIR`, a checkout of {commit_of(checkout)}.  \n"
            header += f"Versions: {versions_line('Scrapy', 'Twisted', 'lxml', 'trafilatura')}\n\n"
            write_section("vs-trafilatura", header + text)
        return 1 if problems else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
