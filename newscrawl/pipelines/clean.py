"""Clean: the article fragment becomes the body text (a thin wrapper over page.finish_article).

The pure function does the work (boilerplate lines and blocks out, authors from byline lines,
content hash, paywall flag); this pipeline only finds the item's profile and counts what was
removed under ``newscrawl/clean/<rule>``.  It never sees the whole page: ArticlePage already chose
the container with the same cleaning function.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from .. import stats as keys
from . import guarded
from ..items import BODY_HTML
from ..page import finish_article
from ..sites import profile_for_item


class CleanPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CleanPipeline":
        return cls(crawler)

    @guarded
    def process_item(self, item):
        if BODY_HTML not in item:
            return item  # already clean
        for event in finish_article(item, profile_for_item(item)):
            keys.inc(self.stats, event.name, event.count)
        if item.get("paywalled"):
            keys.inc(self.stats, keys.ITEMS_PAYWALLED)
        return item
