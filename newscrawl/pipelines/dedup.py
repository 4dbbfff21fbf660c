"""Dedup: one record per canonical URL; the same text under another URL is marked.

A second item with a URL already exported in this run is dropped (it can happen when
two feeds list one article and a redirect lands both on one page).  An item whose
body equals an earlier one's (same content hash) gets ``duplicate_of`` = the first
URL; with NEWSCRAWL_DROP_DUPLICATES it is dropped instead.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem


class DedupPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.drop_duplicates = crawler.settings.getbool("NEWSCRAWL_DROP_DUPLICATES", False)
        self.urls: set[str] = set()
        self.hashes: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "DedupPipeline":
        return cls(crawler)

    def process_item(self, item):
        url = item["url"]
        if url in self.urls:
            self.stats.inc_value("newscrawl/duplicates/url")
            self.stats.inc_value("newscrawl/dropped")
            self.stats.inc_value("newscrawl/dropped/duplicate_url")
            raise DropItem(f"duplicate_url: {url}")
        self.urls.add(url)
        first = self.hashes.setdefault(item["content_hash"], url)
        if first != url:
            self.stats.inc_value("newscrawl/duplicates/text")
            if self.drop_duplicates:
                self.stats.inc_value("newscrawl/dropped")
                self.stats.inc_value("newscrawl/dropped/duplicate_text")
                raise DropItem(f"duplicate_text: {url} repeats {first}")
            item["duplicate_of"] = first
        return item
