"""Crawl throughput against Scrapy + trafilatura: what a user would build instead of newscrawl.

The baseline is a plain Scrapy project (benchmarks/trafilatura_project: the settings `scrapy
startproject` writes, one SitemapSpider yielding the URL and ``trafilatura.extract(response.text)`` per
article page, ``-O`` JSONL, the same ReplayMiddleware, no newscrawl pipelines). newscrawl is the full
`scrapy crawl dailyview` as the nightly job runs it (benchmarks/crawls.py). Both replay the same
synthetic archive (benchmarks/synthetic.py, 300 article pages by default). With --before DIR, another
checkout with its own .venv crawls too, in the same rounds.

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
from benchmarks.crawls import Run, run_newscrawl, run_trafilatura  # noqa: E402
from benchmarks.synthetic import build_archive  # noqa: E402
from benchmarks.throughput import commit_of  # noqa: E402

GOAL = 1.5  # issue 12: newscrawl at >= 1.5x the items/s of Scrapy + trafilatura


def rounds(warc: Path, work: Path, repeat: int, before: Path | None, after: Path = ROOT) -> dict[str, list[Run]]:
    crawls = ["trafilatura", "after"] + (["before"] if before else [])
    runs: dict[str, list[Run]] = {c: [] for c in crawls}
    for i in range(repeat):
        order = crawls[i % len(crawls):] + crawls[:i % len(crawls)]
        for which in order:
            if which == "trafilatura":
                run = run_trafilatura(warc, work, f"trafilatura{i}")
            elif which == "before":
                run = run_newscrawl(warc, work, f"before{i}", checkout=before, name=f"newscrawl {commit_of(before)}")
            else:
                run = run_newscrawl(warc, work, f"after{i}", checkout=after, name=f"newscrawl {commit_of(after)}")
            runs[which].append(run)
            print(run.line(), flush=True)
    return runs


def ratio(runs: list[Run], base: list[Run], rate: str) -> float:
    return median(getattr(r, rate) / getattr(b, rate) for r, b in zip(runs, base))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median ratio counts")
    parser.add_argument("--before", type=Path, help="also crawl with this checkout (its own .venv/bin/scrapy, or a "
                        "plain copy of another commit run with this virtualenv)")
    parser.add_argument("--after", type=Path, default=ROOT, help="the checkout measured as newscrawl (default: this one)")
    parser.add_argument("--write", action="store_true", help="update the vs-trafilatura section of docs/benchmarks.md")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (WARC, outputs, logs)")
    args = parser.parse_args(argv)
    before = args.before.resolve() if args.before else None

    work = args.keep or Path(tempfile.mkdtemp(prefix="newscrawl-vs-trafilatura-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        warc = work / "bench.warc.gz"
        info = build_archive(warc, args.articles)
        runs = rounds(warc, work, args.repeat, before, args.after.resolve())
        base = runs["trafilatura"]
        rows = []
        for which in ("before", "after"):
            if which in runs:
                rs = runs[which]
                rows.append([rs[0].name + (" (before)" if which == "before" else ""), str(rs[0].items),
                             f"**{ratio(rs, base, 'rate'):.2f}x**", f"{ratio(rs, base, 'cpu_rate'):.2f}x",
                             f"{ratio(rs, base, 'loop_rate'):.2f}x" if all(r.elapsed for r in rs + base) else "-"])
        rows.append(["Scrapy + trafilatura", str(base[0].items), "1", "1", "1"])
        table = md_table(["crawl", "articles", "items/s vs Scrapy + trafilatura (wall)", "(CPU)", "(crawl loop)"], rows)
        after = ratio(runs["after"], base, "rate")
        goal = (f"- newscrawl >= {GOAL}x the items/s of Scrapy + trafilatura: **{'met' if after >= GOAL else 'missed'}** "
                f"({after:.2f}x on wall time" + (f"; {ratio(runs['before'], base, 'rate'):.2f}x before" if before else "")
                + f"; {ratio(runs['after'], base, 'cpu_rate'):.2f}x on CPU time).")
        problems = [f"{r.name} exited {r.returncode} with {r.items} items (see {work})"
                    for rs in runs.values() for r in rs if r.returncode != 0 or r.items != args.articles]
        every = "; ".join(f"{r.name} {r.wall:.1f} s wall / {r.cpu:.1f} s CPU" for rs in runs.values() for r in rs)
        text = (f"{info['articles']} synthetic dailyview article pages ({info['html_bytes'] / 1e6:.1f} MB of HTML); "
                f"{args.repeat} rounds, the crawls taking turns (the order rotates each round); each ratio is the median "
                "over rounds of newscrawl's exported items per second over the baseline's in the same round: on wall "
                "time (process start to exit), on CPU time (user + system), and on Scrapy's crawl loop "
                f"(`elapsed_time_seconds`).\n\n{table}\n\n{goal}\n\nEvery crawl: {every}.\n")
        if problems:
            text += "\nProblems in this run:\n\n" + "\n".join(f"- {p}" for p in problems) + "\n"
        print(text)
        if args.write:
            header = f"Command: `{command_line()}`  \n"
            if before:
                header += f"Before: a checkout of {commit_of(before)} with its own virtualenv (`--before DIR`).  \n"
            header += f"Versions: {versions_line('Scrapy', 'Twisted', 'lxml', 'trafilatura')}\n\n"
            write_section("vs-trafilatura", header + text)
        return 1 if problems else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
