"""Extraction speed: ms per page for newscrawl's profile path, its generic path, and trafilatura,
on the same pages (every profiled fixture article), in one process.

Each call gets a fresh response object (newscrawl) or the page's decoded text (trafilatura),
so that no parsed tree is reused between calls. The extractors take turns page by page, round
after round, so drift (CPU frequency, a neighbour process) touches all of them alike; the figure
is the median over rounds of (round time / pages).

    .venv/bin/python benchmarks/speed.py                 # print
    .venv/bin/python benchmarks/speed.py --write         # and update docs/benchmarks.md
    .venv/bin/python benchmarks/speed.py --profile newscrawl-profile   # cProfile one extractor
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import logging
import pstats
import sys
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura  # noqa: E402

from benchmarks.common import (  # noqa: E402
    Page, article_pages, command_line, md_table, profile_tables, versions_line, write_section,
)
from newscrawl.extract.record import record_from_response  # noqa: E402


def profile_path(page: Page):
    record = record_from_response(page.fresh(), page.profile)
    assert record is not None and record["_extraction"] == "profile", page.url
    return record["body"]


def generic_path(page: Page):
    record = record_from_response(page.fresh(), page.generic, site=page.generic.name)
    return record["body"] if record else None


def trafilatura_default(page: Page):
    return trafilatura.extract(page.html, url=page.url)


EXTRACTORS = {
    "newscrawl-profile": profile_path,
    "newscrawl-generic": generic_path,
    "trafilatura": trafilatura_default,
}


def measure(pages: list[Page], rounds: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """ms per page in each round: (CPU time of this process, wall time)."""
    cpu: dict[str, list[float]] = {n: [] for n in EXTRACTORS}
    wall: dict[str, list[float]] = {n: [] for n in EXTRACTORS}
    for page in pages:  # warm-up: imports, regex compilation, caches
        for fn in EXTRACTORS.values():
            fn(page)
    gc.collect()
    for _ in range(rounds):
        spent_cpu = dict.fromkeys(EXTRACTORS, 0.0)
        spent_wall = dict.fromkeys(EXTRACTORS, 0.0)
        for page in pages:
            for name, fn in EXTRACTORS.items():
                start_cpu, start = time.process_time(), time.perf_counter()
                fn(page)
                spent_wall[name] += time.perf_counter() - start
                spent_cpu[name] += time.process_time() - start_cpu
        for name in EXTRACTORS:
            cpu[name].append(spent_cpu[name] * 1000 / len(pages))
            wall[name].append(spent_wall[name] * 1000 / len(pages))
    return cpu, wall


ENTRY_POINTS = [
    ("one page", "benchmarks/speed.py", "profile_path"),
    ("one page", "benchmarks/speed.py", "generic_path"),
    ("extract_article", "newscrawl/extract/article.py", "extract_article"),
    ("  parsing the page (parsel/lxml)", "parsel/selector.py", "create_root_node"),
    ("  read_metadata (JSON-LD, OG, meta)", "newscrawl/extract/metadata.py", "read_metadata"),
    ("    of which _meta (one //meta XPath per name)", "newscrawl/extract/metadata.py", "_meta"),
    ("    of which JSON-LD (extruct)", "extruct/jsonld.py", "extract_items"),
    ("  profile selectors: first_value", "newscrawl/extract/article.py", "first_value"),
    ("  profile selectors: all_values", "newscrawl/extract/article.py", "all_values"),
    ("  generic_body_html (container + trafilatura)", "newscrawl/extract/generic.py", "generic_body_html"),
    ("  images_from", "newscrawl/extract/images.py", "images_from"),
    ("clean_item", "newscrawl/extract/record.py", "clean_item"),
    ("  remove_clutter", "newscrawl/clean/structure.py", "remove_clutter"),
    ("    of which lxml cssselect (CSS compiled on every call)", "lxml/html/__init__.py", "cssselect"),
    ("  to_paragraphs", "newscrawl/clean/paragraphs.py", "to_paragraphs"),
    ("  clean_lines", "newscrawl/clean/lines.py", "clean_lines"),
    ("  content_hash (NFKC + sha1)", "newscrawl/fingerprints.py", "content_hash"),
    ("CSS to XPath translation (all callers)", "cssselect/xpath.py", "css_to_xpath"),
    ("trafilatura.extract", "trafilatura/core.py", "extract"),
]


def run_profile(pages: list[Page], name: str, rounds: int, top: int) -> str:
    fn = EXTRACTORS[name]
    for page in pages:
        fn(page)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(rounds):
        for page in pages:
            fn(page)
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    return (f"`{name}`, {rounds} rounds over {len(pages)} pages.\n\n"
            + profile_tables(stats, ENTRY_POINTS, top))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="update the speed section of docs/benchmarks.md")
    parser.add_argument("--profile", choices=list(EXTRACTORS), help="cProfile this extractor instead")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)

    pages = [p for p in article_pages() if p.site != "generic"]  # the profile path needs a profile
    if args.profile:
        summary = run_profile(pages, args.profile, max(1, args.rounds // 3), args.top)
        print(summary)
        if args.write:
            write_section(f"speed-profile-{args.profile}", f"Command: `{command_line()}`\n\n" + summary)
        return 0

    cpu, wall = measure(pages, args.rounds)
    ms = {n: median(v) for n, v in cpu.items()}
    ms_wall = {n: median(v) for n, v in wall.items()}
    traf = ms["trafilatura"]
    rows = [[n, f"{ms[n]:.2f}", f"{min(cpu[n]):.2f} - {max(cpu[n]):.2f}", f"{ms_wall[n]:.2f}", f"{1000 / ms[n]:.0f}",
             f"{traf / ms[n]:.2f}x", f"{ms_wall['trafilatura'] / ms_wall[n]:.2f}x"] for n in EXTRACTORS]
    table = md_table(["extractor", "CPU ms / page", "range over rounds", "wall ms / page", "pages / CPU s",
                      "speed vs trafilatura (CPU)", "(wall)"], rows)
    ratio = traf / ms["newscrawl-profile"]
    goal = (f"- Profile-path extraction >= 3x faster than trafilatura: **{'met' if ratio >= 3 else 'missed'}** "
            f"({ratio:.2f}x on CPU time, {ms_wall['trafilatura'] / ms_wall['newscrawl-profile']:.2f}x on wall time; "
            f"the generic path is {traf / ms['newscrawl-generic']:.2f}x trafilatura's speed).")
    text = (f"{len(pages)} pages (every profiled fixture article), {args.rounds} rounds after one warm-up round, "
            "one process; the figure is the median over rounds of (round time / pages), CPU time of the process "
            "(`time.process_time`, which other work on the machine disturbs far less than wall time) and wall "
            f"time beside it.\n\n{table}\n\n{goal}\n")
    print(text)
    if args.write:
        header = (f"Command: `{command_line()}`  \n"
                  f"Versions: {versions_line('Scrapy', 'lxml', 'parsel', 'trafilatura')}\n\n")
        write_section("speed", header + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
