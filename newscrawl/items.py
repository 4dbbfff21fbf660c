"""The exported record (see DESIGN.md, "Output") and its JSON Schema."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import scrapy

SCHEMA_PATH = Path(__file__).parent / "schema" / "article.schema.json"

# The public fields, in export order (FEED_EXPORT_FIELDS).
EXPORT_FIELDS = [
    "url", "site", "title", "body", "published_at", "modified_at", "authors", "section",
    "tags", "images", "lang", "fetched_at", "content_hash", "duplicate_of", "revision",
]


class Article(scrapy.Item):
    url = scrapy.Field()
    site = scrapy.Field()
    title = scrapy.Field()
    body = scrapy.Field()
    published_at = scrapy.Field()
    modified_at = scrapy.Field()
    authors = scrapy.Field()
    section = scrapy.Field()
    tags = scrapy.Field()
    images = scrapy.Field()
    lang = scrapy.Field()
    fetched_at = scrapy.Field()
    content_hash = scrapy.Field()
    duplicate_of = scrapy.Field()  # first URL of the same text, when this one repeats it
    revision = scrapy.Field()  # 1 for the first export of a URL, +1 for each correction

    # Working fields between extraction and the clean pipeline; never exported
    # (the clean pipeline removes them, FEED_EXPORT_FIELDS leaves them out).
    body_html = scrapy.Field()  # the article container, before boilerplate removal
    page_html = scrapy.Field()  # the whole page, for the generic path if the container cleans to nothing
    extraction = scrapy.Field()  # "profile" or "fallback": how the body was found


@lru_cache(maxsize=1)
def article_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
