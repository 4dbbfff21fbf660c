"""Dedup: one record per canonical URL; the same or near-same text under another URL is marked.

- the same canonical URL twice in a run: the second is dropped (two feeds, one article);
- an article fetched again (NEWSCRAWL_REFETCH_HOURS / NEWSCRAWL_IGNORE_STATE): unchanged
  text is dropped as ``unchanged``; a changed text or modified_at is exported again with
  ``revision`` = previous + 1;
- the same text (content hash) under another URL, in this run or an earlier one, or a
  near-same text (MinHash over character 4-grams, Jaccard >= NEWSCRAWL_NEAR_DUP_THRESHOLD,
  within NEWSCRAWL_NEAR_DUP_DAYS): ``duplicate_of`` = the first URL; with
  NEWSCRAWL_DROP_DUPLICATES the record is dropped instead of marked.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from ..fingerprints import MIN_CHARS, minhash, minhash_to_bytes
from ..state.extension import state_for
from ..state.middleware import PREVIOUS
from .near_duplicates import NearDuplicateIndex


class DedupPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.drop_duplicates = settings.getbool("NEWSCRAWL_DROP_DUPLICATES", False)
        self.ignore_state = settings.getbool("NEWSCRAWL_IGNORE_STATE", False)
        self.near = NearDuplicateIndex.shared(
            settings.get("NEWSCRAWL_STATE") or "memory",
            threshold=settings.getfloat("NEWSCRAWL_NEAR_DUP_THRESHOLD", 0.6),
            days=settings.getfloat("NEWSCRAWL_NEAR_DUP_DAYS", 14),
        )
        self.urls: set[str] = set()
        self.hashes: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "DedupPipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        self.near.load(state_for(self.crawler))

    def _drop(self, reason: str, message: str) -> None:
        self.stats.inc_value("newscrawl/dropped")
        self.stats.inc_value(f"newscrawl/dropped/{reason}")
        raise DropItem(message)

    def process_item(self, item):
        url = item["url"]
        if url in self.urls:
            self.stats.inc_value("newscrawl/duplicates/url")
            self._drop("duplicate_url", f"duplicate_url: {url}")
        self.urls.add(url)
        store = state_for(self.crawler)
        previous = store.get(url) if store is not None else None
        item["revision"] = 1
        if previous is not None:
            changed = (previous.content_hash != item["content_hash"]
                       or previous.modified_at != item.get("modified_at"))
            if changed:
                item["revision"] = previous.revision + 1
                self.stats.inc_value("newscrawl/state/revised")
            elif self.ignore_state:
                item["revision"] = previous.revision
            else:
                self.stats.inc_value("newscrawl/state/unchanged")
                self._drop("unchanged", f"unchanged since the last export: {url}")

        first = self.hashes.setdefault(item["content_hash"], url)
        if first == url and store is not None:
            first = store.url_with_hash(item["content_hash"], url) or url
        if first != url:
            self.stats.inc_value("newscrawl/duplicates/text")
        elif len(item.get("body") or "") >= MIN_CHARS:
            signature = minhash(item["body"])
            near = self.near.find(signature, url)
            if near:
                first = near
                self.stats.inc_value("newscrawl/duplicates/near")
            self.near.add(url, signature)
            if store is not None:
                store.add_signature(url, item.get("site", ""), minhash_to_bytes(signature))
        if first != url:
            if self.drop_duplicates:
                self._drop("duplicate_text", f"duplicate_text: {url} repeats {first}")
            item["duplicate_of"] = first
        return item
