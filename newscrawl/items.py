"""The exported record (see README, "Output") and its JSON Schema.

Items are plain dicts: ArticlePage (newscrawl/page/) makes them, the pipelines finish them, and
the exporter writes the public fields in EXPORT_FIELDS order.  The private working fields never
reach the JSONL (FEED_EXPORT_FIELDS leaves them out; the validate pipeline checks the public ones).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

SCHEMA_PATH = Path(__file__).parent / "schema" / "article.schema.json"

# The public fields, in export order (FEED_EXPORT_FIELDS).
EXPORT_FIELDS = [
    "url", "site", "title", "body", "published_at", "modified_at", "authors", "section",
    "tags", "images", "lang", "fetched_at", "content_hash", "duplicate_of", "revision",
    "fetched_url", "paywalled",
]

# Working fields between the page object and the export, never written to the JSONL.
BODY_HTML = "body_html"  # the article's container, before boilerplate removal
EXTRACTION = "extraction"  # "profile", "fallback" or "generic": how the container was found
ALIASES = "aliases"  # other canonical names of the article (as discovered, after redirects): marked too
# the report's strip diff, for a few sample articles a night only (newscrawl/page/strip.py)
PAGE_LINES = "page_lines"  # the page's visible text lines (ArticlePage with trace=True)
EXPLAINED = "explained"  # (block text, rule) the tree rules would remove from the whole page
STRIP = "strip"  # [{text, kept, rule}]: the page's lines against the exported body (finish_article)
DECLARED = "declared_body"  # the page's JSON-LD articleBody: where the article starts and ends (clean step)
PRIVATE_FIELDS = (BODY_HTML, EXTRACTION, ALIASES, PAGE_LINES, EXPLAINED, STRIP, DECLARED)


def public(item) -> dict:
    """The record as exported: the public fields present in *item*."""
    return {name: item[name] for name in EXPORT_FIELDS if name in item}


@lru_cache(maxsize=1)
def article_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
