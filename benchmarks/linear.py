"""Linear time: cleaning and extraction cost on pages of growing size (issue 11, finding 4).

The hostile page of the issue: N short paragraphs, each short enough to look like a heading.
Each step is timed (CPU time, one process) at several N, and the largest page is profiled.

    .venv/bin/python benchmarks/linear.py            # print
    .venv/bin/python benchmarks/linear.py --write    # and update docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from parsel import Selector  # noqa: E402

from benchmarks.common import command_line, md_table, profile_tables, versions_line, write_section  # noqa: E402
from newscrawl.clean import clean_body  # noqa: E402
from newscrawl.page import page_record  # noqa: E402


def extract_record(html, url, profile):
    return page_record(url, html, profile)[0]
from newscrawl.extract.generic import generic_body  # noqa: E402
from newscrawl.sites import generic_profile  # noqa: E402

PROFILE = generic_profile("example.jp")
SIZES = (5_000, 10_000, 20_000, 50_000)


def paragraphs(n: int) -> str:
    return "".join(f"<p>短い段落の{i}番です。</p>" for i in range(n))


def page(n: int) -> str:
    return f"<html><head><title>見出し</title></head><body><h1>見出し</h1><div>{paragraphs(n)}</div></body></html>"


STEPS = {
    "clean_body (the container's HTML)": (lambda n: f"<div>{paragraphs(n)}</div>", lambda x: clean_body(x, PROFILE)),
    "generic_body (parsed page)": (lambda n: Selector(text=page(n)).root,
                                   lambda x: generic_body(x, "https://example.jp/a", None, PROFILE)),
    "extract_record (page text)": (page, lambda x: extract_record(x, "https://example.jp/a", PROFILE)),
}


def cpu(call) -> float:
    start = time.process_time()
    call()
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="update the linear section of docs/benchmarks.md")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    rows = []
    for label, (make, run) in STEPS.items():
        run(make(100))  # warm-up
        times = [cpu(lambda x=make(n): run(x)) for n in SIZES]
        rows.append([label] + [f"{t:.2f}" for t in times] + [f"{times[-1] / times[0]:.1f}x"])
        print(rows[-1], flush=True)
    header = ["step"] + [f"{n:,} paragraphs (CPU s)" for n in SIZES] + [f"{SIZES[-1] // SIZES[0]}x the paragraphs"]
    table = md_table(header, rows)
    profiler = cProfile.Profile()
    big = page(SIZES[-1])
    profiler.runcall(extract_record, big, "https://example.jp/a", PROFILE)
    stats = pstats.Stats(profiler)
    entry = [
        ("page_record", "newscrawl/page/__init__.py", "page_record"),
        ("  generic_body", "newscrawl/extract/generic.py", "generic_body"),
        ("    page_blocks", "newscrawl/extract/textblocks.py", "page_blocks"),
        ("  clean_body", "newscrawl/clean/pipeline_api.py", "clean_body"),
        ("    remove_clutter", "newscrawl/clean/structure.py", "remove_clutter"),
        ("      measure", "newscrawl/clean/measure.py", "measure"),
        ("    to_paragraphs", "newscrawl/clean/paragraphs.py", "to_paragraphs"),
        ("    clean_lines", "newscrawl/clean/lines.py", "clean_lines"),
        ("  dates_from_text", "newscrawl/extract/textdates.py", "dates_from_text"),
    ]
    text = (f"{table}\n\nProfile of `extract_record` on the {SIZES[-1]:,}-paragraph page "
            f"({len(big.encode()) / 1e6:.1f} MB):\n\n{profile_tables(stats, entry, top=10)}")
    print(text)
    if args.write:
        write_section("linear", f"Command: `{command_line()}`  \nVersions: {versions_line('lxml', 'trafilatura')}\n\n{text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
