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

from .. import stats as keys
from . import guarded
from ..config import config_of
from ..fingerprints import MIN_CHARS, minhash, minhash_to_bytes
from ..state.extension import store_of
from .near_duplicates import NearDuplicateIndex


class DedupPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        config = config_of(crawler)
        self.drop_duplicates = config.drop_duplicates
        self.ignore_state = config.ignore_state
        # one index per state file for the whole process: the sites of one crawlall see each other
        self.near = NearDuplicateIndex.shared(str(config.state_path or "memory"),
                                              threshold=config.near_dup_threshold, days=config.near_dup_days)
        self.urls: set[str] = set()
        self.hashes: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "DedupPipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        self.near.load(store_of(self.crawler))

    def _drop(self, reason: str, message: str) -> None:
        keys.inc(self.stats, keys.DROPPED)
        keys.inc(self.stats, keys.dropped(reason))
        raise DropItem(message)

    @guarded
    def process_item(self, item):
        url = item["url"]
        if url in self.urls:
            keys.inc(self.stats, keys.DUPLICATES_URL)
            self._drop("duplicate_url", f"duplicate_url: {url}")
        self.urls.add(url)
        store = store_of(self.crawler)
        previous = store.get(url) if store is not None else None
        item["revision"] = 1
        if previous is not None:
            changed = (previous.content_hash != item["content_hash"]
                       or previous.modified_at != item.get("modified_at"))
            if changed:
                item["revision"] = previous.revision + 1
                keys.inc(self.stats, keys.STATE_REVISED)
            elif self.ignore_state:
                item["revision"] = previous.revision
            else:
                keys.inc(self.stats, keys.STATE_UNCHANGED)
                self._drop("unchanged", f"unchanged since the last export: {url}")

        first = self.hashes.setdefault(item["content_hash"], url)
        if first == url and store is not None:
            first = store.url_with_hash(item["content_hash"], url) or url
        if first != url:
            keys.inc(self.stats, keys.DUPLICATES_TEXT)
        elif len(item.get("body") or "") >= MIN_CHARS:
            signature = minhash(item["body"])
            near = self.near.find(signature, url)
            if near:
                first = near
                keys.inc(self.stats, keys.DUPLICATES_NEAR)
            self.near.add(url, signature)
            if store is not None:
                store.add_signature(url, item.get("site", ""), minhash_to_bytes(signature))
        if first != url:
            if self.drop_duplicates:
                self._drop("duplicate_text", f"duplicate_text: {url} repeats {first}")
            item["duplicate_of"] = first
        return item
