"""Where a full crawl's time goes: its cProfile (benchmarks/throughput.py --profile) grouped by stage.

Each row is one function the crawl runs for that stage, with its cumulative time (itself and what it
calls) as a share of the whole profiled run; rows indented under another are part of it. cProfile adds
a cost per call, so code made of many small calls looks bigger than it is: the shares are indicative,
the un-profiled ratios are the figures.
"""

from __future__ import annotations

import pstats
from pathlib import Path

from benchmarks.common import md_table, profile_tables

# (stage, label, file suffix, function name)
STAGES = [
    ("the whole crawl", "the reactor", "asyncio/base_events.py", "run_forever"),
    ("start-up", "reading the WARC index", "newscrawl/replay/archive.py", "__init__"),
    ("start-up", "state: open, recover unmarked lines", "newscrawl/state/extension.py", "spider_opened"),
    ("Scrapy and replay (bare Scrapy pays these too)", "replay: one response from the WARC",
     "newscrawl/replay/middleware.py", "process_request"),
    ("Scrapy and replay (bare Scrapy pays these too)", "asyncio tasks created", "asyncio/base_events.py",
     "create_task"),
    ("discovery", "sitemaps", "newscrawl/spiders/base.py", "parse_sitemap"),
    ("discovery", "feed", "newscrawl/spiders/base.py", "parse_feed"),
    ("discovery", "listing pages", "newscrawl/spiders/base.py", "parse_listing"),
    ("discovery", "state: skip what was exported (spider middleware)", "newscrawl/state/middleware.py", "_keep"),
    ("page object", "parse_article (the spider's article callback)", "newscrawl/spiders/base.py",
     "parse_article"),
    ("page object", "  ArticlePage.to_item", "newscrawl/page/article.py", "to_item"),
    ("page object", "    decode", "newscrawl/page/article.py", "_decode"),
    ("page object", "    guards: bytes (empty, not HTML, too large)", "newscrawl/page/article.py", "_check_bytes"),
    ("page object", "    guards: markup (depth bomb, cut-off page)", "newscrawl/page/article.py", "_check_markup"),
    ("page object", "    parse the page (parsel/lxml)", "parsel/selector.py", "create_root_node"),
    ("page object", "    metadata (JSON-LD, OpenGraph, meta)", "newscrawl/extract/metadata.py", "read_metadata"),
    ("page object", "    container (selectors + the clean check)", "newscrawl/page/article.py", "_container"),
    ("page object", "    fields: title", "newscrawl/page/article.py", "_title"),
    ("page object", "    fields: images", "newscrawl/page/article.py", "_images"),
    ("page object", "    guards: consent/login wall", "newscrawl/extract/guards.py", "wall_kind"),
    ("page object", "    fields: dates", "newscrawl/extract/dates.py", "parse_date"),
    ("page object", "    fields: authors printed on the page (no selector or metadata names them)",
     "newscrawl/extract/authors.py", "authors_from_page"),
    ("page object", "  the spider's events to stats and log", "newscrawl/spiders/base.py", "apply"),
    ("clean pipeline", "CleanPipeline", "newscrawl/pipelines/clean.py", "process_item"),
    ("clean pipeline", "  finish_article", "newscrawl/page/finish.py", "finish_article"),
    ("clean pipeline", "clean_body (all callers: the container check; the clean step reuses its result)",
     "newscrawl/clean/pipeline_api.py", "clean_body"),
    ("clean pipeline", "  parse the fragment", "newscrawl/clean/structure.py", "parse_fragment"),
    ("clean pipeline", "  remove_clutter", "newscrawl/clean/structure.py", "remove_clutter"),
    ("dedup pipeline", "DedupPipeline", "newscrawl/pipelines/dedup.py", "process_item"),
    ("dedup pipeline", "  minhash (numpy shingles and permutations)", "newscrawl/fingerprints.py", "minhash"),
    ("dedup pipeline", "  LSH look-up", "newscrawl/pipelines/near_duplicates.py", "find"),
    ("dedup pipeline", "  state look-up", "newscrawl/state/store.py", "get"),
    ("dedup pipeline", "  store the signature", "newscrawl/state/store.py", "add_signature"),
    ("validate pipeline", "ValidatePipeline (fastjsonschema)", "newscrawl/pipelines/validate.py", "process_item"),
    ("export", "DurableFeedExporter: write, then commit", "newscrawl/export/feed.py", "item_scraped"),
    ("export", "  one JSONL line", "newscrawl/export/jsonlines.py", "export_item"),
    ("export", "    fsync", "newscrawl/export/jsonlines.py", "_sync"),
    ("export", "  state: mark exported", "newscrawl/state/extension.py", "commit"),
    ("export", "  health: samples", "newscrawl/extensions/health.py", "sample"),
    ("every stage", "SQLite statements (state, near-duplicate index)", "~",
     "<method 'execute' of 'sqlite3.Connection' objects>"),
    ("every stage", "Scrapy stats: inc_value", "scrapy/statscollectors.py", "inc_value"),
]


def summary(path: Path, top: int) -> str:
    stats = pstats.Stats(str(path))
    total = max((ct for (_f, _l, _n), (_cc, _nc, _tt, ct, _c) in stats.stats.items()), default=0.0) or 1.0
    rows, last = [], None
    for stage, label, suffix, func in STAGES:
        found = [(ct, nc) for (f, _l, n), (_cc, nc, _tt, ct, _c) in stats.stats.items()
                 if f.endswith(suffix) and n == func]
        if not found:
            continue
        ct, nc = max(found)
        rows.append(["" if stage == last else f"**{stage}**", label, f"`{suffix}:{func}`", str(nc), f"{ct:.2f}",
                     f"{100 * ct / total:.1f}%"])
        last = stage
    grouped = md_table(["stage", "what", "function", "calls", "cumulative s", "share"], rows, "lllrrr")
    own = profile_tables(stats, [], top).split("Top ", 1)[1]
    return (f"Profiled: {total:.1f} s of CPU under cProfile.\n\n{grouped}\n\nTop {own}")
