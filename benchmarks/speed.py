"""Extraction speed: ms per page for newscrawl's profile path, its generic path, and trafilatura,
on the same pages (every profiled fixture article), in one process.

newscrawl runs exactly what the crawl runs on an article response: ``ArticlePage`` on the bytes and
headers as served, then the clean step ``finish_article`` (``newscrawl.page.page_record``, through
``benchmarks.common.crawl_record``). trafilatura gets the page's text decoded the same way (decoded once,
so it is not charged for decoding). The extractors take turns page by page, round after round, so drift
(CPU frequency, a neighbour process) touches all of them alike; the figure is the median over rounds of
(round time / pages).

A second, instrumented pass splits the profile path into the page object's stages (decode, guards,
parse, metadata, container, fields) and the clean step, timing the very functions ArticlePage calls.

    .venv/bin/python benchmarks/speed.py                 # print
    .venv/bin/python benchmarks/speed.py --write         # and update docs/benchmarks.md
    .venv/bin/python benchmarks/speed.py --profile newscrawl-profile   # cProfile one extractor
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import io
import logging
import pstats
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura  # noqa: E402

import newscrawl.page as page_api  # noqa: E402
import newscrawl.page.article as article_module  # noqa: E402
from benchmarks.common import (  # noqa: E402
    Page, article_pages, command_line, crawl_record, md_table, profile_tables, versions_line, write_section,
)
from newscrawl.page import ArticlePage  # noqa: E402


def profile_path(page: Page):
    record = crawl_record(page)
    assert record is not None and record["extraction"] == "profile", page.url
    return record["body"]


def generic_path(page: Page):
    record = crawl_record(page, page.generic)
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


# -- the stages of the profile path ------------------------------------------------------------------
# (stage, owner, attribute): the function ArticlePage calls for that stage; the stopwatch wraps it in
# place for the instrumented pass only. "fields" is what to_item spends outside the other stages
# (title, dates, authors, tags, images, canonical URL); "clean" is the clean step (finish_article).
STAGES = ["decode", "guards", "parse", "metadata", "container", "fields", "clean"]
STAGE_NOTES = {
    "decode": "`_decode`: declared charset, BOMs, a better charset when it visibly fails",
    "guards": "`_check_bytes` (empty, not HTML, too large), `_check_markup` (`scan_markup`: depth bomb, "
              "cut-off page, second `<html>`), `wall_kind` (consent/login wall)",
    "parse": "`parsel.Selector(text=...)`: the one parse of the page",
    "metadata": "`read_metadata`: JSON-LD, OpenGraph, `<meta>`",
    "container": "`_container`: the profile's selectors (or the generic path), serialised to a fragment",
    "fields": "the rest of `to_item`: title, dates, authors, section, tags, images, canonical URL",
    "clean": "`finish_article`: the clean step the clean pipeline runs (parse the fragment, remove "
             "clutter, paragraphs, line rules, content hash)",
}
_WRAPPED = [
    ("guards", ArticlePage, "_check_bytes"),
    ("decode", ArticlePage, "_decode"),
    ("guards", ArticlePage, "_check_markup"),
    ("parse", article_module, "Selector"),
    ("metadata", article_module, "read_metadata"),
    ("container", ArticlePage, "_container"),
    ("  of which the clean check", article_module, "clean_body"),
    ("guards", article_module, "wall_kind"),
    ("to_item", ArticlePage, "to_item"),
    ("clean", page_api, "finish_article"),
]


class Stopwatch:
    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    def wrap(self, stage: str, fn):
        spent = self.spent

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[stage] += time.process_time() - start
        return timed

    @contextmanager
    def installed(self):
        saved = [(owner, name, owner.__dict__[name]) for _stage, owner, name in _WRAPPED]
        try:
            for stage, owner, name in _WRAPPED:
                setattr(owner, name, self.wrap(stage, getattr(owner, name)))
            yield self
        finally:
            for owner, name, original in saved:
                setattr(owner, name, original)


def measure_stages(pages: list[Page], rounds: int) -> dict[str, float]:
    """CPU ms per page of each stage of the profile path (median over rounds)."""
    per_round: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        watch = Stopwatch()
        with watch.installed():
            for page in pages:
                profile_path(page)
        spent = dict(watch.spent)
        spent["fields"] = spent["to_item"] - sum(spent.get(s, 0.0) for s in STAGES if s not in ("fields", "clean"))
        for stage, seconds in spent.items():
            per_round[stage].append(seconds * 1000 / len(pages))
    return {stage: median(values) for stage, values in per_round.items()}


def stage_table(stages: dict[str, float]) -> str:
    total = stages["to_item"] + stages["clean"]
    rows = []
    for stage in STAGES:
        ms = stages.get(stage, 0.0)
        rows.append([stage, f"{ms:.3f}", f"{100 * ms / total:.0f}%", STAGE_NOTES[stage]])
        if stage == "container" and "  of which the clean check" in stages:
            ms = stages["  of which the clean check"]
            rows.append(["  of which the clean check", f"{ms:.3f}", f"{100 * ms / total:.0f}%",
                         "`clean_body` on the profile's container: does it clean to an article?"])
    rows.append(["**total**", f"{total:.3f}", "100%", "ArticlePage.to_item + finish_article"])
    return md_table(["stage", "CPU ms / page", "share", "what runs"], rows, "lrrl")


# -- cProfile of one extractor ------------------------------------------------------------------------
ENTRY_POINTS = [
    ("one page (profile path)", "benchmarks/speed.py", "profile_path"),
    ("one page (generic path)", "benchmarks/speed.py", "generic_path"),
    ("ArticlePage.to_item", "newscrawl/page/article.py", "to_item"),
    ("  decode", "newscrawl/page/article.py", "_decode"),
    ("  guards: markup scan", "newscrawl/page/article.py", "_check_markup"),
    ("  parse (parsel/lxml)", "parsel/selector.py", "create_root_node"),
    ("  metadata (read_metadata)", "newscrawl/extract/metadata.py", "read_metadata"),
    ("    of which JSON-LD (extruct)", "extruct/jsonld.py", "extract_items"),
    ("  container", "newscrawl/page/article.py", "_container"),
    ("    of which the generic path", "newscrawl/extract/generic.py", "generic_body"),
    ("  fields: title", "newscrawl/page/article.py", "_title"),
    ("  fields: selectors first_value", "newscrawl/extract/selectors.py", "first_value"),
    ("  fields: selectors all_values", "newscrawl/extract/selectors.py", "all_values"),
    ("  fields: images", "newscrawl/page/article.py", "_images"),
    ("finish_article (the clean step)", "newscrawl/page/finish.py", "finish_article"),
    ("clean_body (all callers: the container check and the clean step)", "newscrawl/clean/pipeline_api.py",
     "clean_body"),
    ("  parse the fragment", "newscrawl/clean/structure.py", "parse_fragment"),
    ("  remove_clutter", "newscrawl/clean/structure.py", "remove_clutter"),
    ("  to_paragraphs", "newscrawl/clean/paragraphs.py", "to_paragraphs"),
    ("  clean_lines", "newscrawl/clean/lines.py", "clean_lines"),
    ("content_hash (NFKC + sha1)", "newscrawl/fingerprints.py", "content_hash"),
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
    stages = measure_stages(pages, max(3, args.rounds // 3))
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
            f"time beside it. newscrawl's rows are `page_record`: ArticlePage, then the clean step, on the bytes "
            f"as served (the guards and decoding included).\n\n{table}\n\n{goal}\n\n"
            f"Stages of the profile path (a separate pass with a stopwatch around each stage's function, "
            f"median of {max(3, args.rounds // 3)} rounds):\n\n{stage_table(stages)}\n")
    print(text)
    if args.write:
        header = (f"Command: `{command_line()}`  \n"
                  f"Versions: {versions_line('Scrapy', 'lxml', 'parsel', 'trafilatura')}\n\n")
        write_section("speed", header + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
