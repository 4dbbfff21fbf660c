"""Validate: every exported record is encodable and matches the JSON Schema; the rest is dropped.

Encodable first: text from the web can hold lone surrogates (``\\udc00`` in a JSON-LD author
name) that no UTF-8 writer accepts; such code points are replaced by U+FFFD here and counted
(``newscrawl/export/unencodable_replaced``), so that the record is written rather than lost.

fastjsonschema compiles the schema to Python once: 30x faster per record than jsonschema's
validator (which the tests use, as an independent check of the files).
"""

from __future__ import annotations

import re

import fastjsonschema
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from .. import stats as keys
from . import guarded
from ..items import EXPORT_FIELDS, article_schema, public

# lone surrogates, and the non-characters U+FFFE/U+FFFF: not encodable, or not text
_UNENCODABLE_RE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def make_encodable(value, replaced: list[int]):
    """*value* with every unencodable code point replaced by U+FFFD; counts in ``replaced[0]``."""
    if isinstance(value, str):
        fixed, n = _UNENCODABLE_RE.subn("\ufffd", value)
        replaced[0] += n
        return fixed
    if isinstance(value, list):
        return [make_encodable(v, replaced) for v in value]
    if isinstance(value, dict):
        return {k: make_encodable(v, replaced) for k, v in value.items()}
    return value


class ValidatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.validate = fastjsonschema.compile(article_schema())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ValidatePipeline":
        return cls(crawler)

    def _drop(self, reason: str, url: str, detail: str = "") -> None:
        keys.inc(self.stats, keys.DROPPED)
        keys.inc(self.stats, keys.dropped(reason))
        raise DropItem(f"{reason}: {url}{' - ' + detail if detail else ''}")

    @guarded
    def process_item(self, item):
        replaced = [0]
        for name in EXPORT_FIELDS:
            if name in item:
                item[name] = make_encodable(item[name], replaced)
        if replaced[0]:
            keys.inc(self.stats, keys.EXPORT_UNENCODABLE, replaced[0])
        url = item.get("url", "?")
        # the reasons users ask about first, named plainly
        if not (item.get("title") or "").strip():
            self._drop("no_title", url)
        if not (item.get("body") or "").strip():
            self._drop("no_body", url)
        for name in ("published_at", "modified_at", "section"):
            item.setdefault(name, None)
        for name in ("tags", "images"):
            item.setdefault(name, [])
        try:
            self.validate(public(item))
        except fastjsonschema.JsonSchemaValueException as error:
            where = error.name.removeprefix("data").lstrip(".").split(".")[0] or "record"
            self._drop(f"schema_{where}", url, error.message)
        if item.get("published_at") is None:
            keys.inc(self.stats, keys.ITEMS_MISSING_PUBLISHED)
        if not item.get("authors"):
            keys.inc(self.stats, keys.ITEMS_MISSING_AUTHORS)
        keys.inc(self.stats, keys.ITEMS_VALID)
        return item
