"""Skip article URLs that were exported before, before they are requested.

A spider middleware (not a downloader one) so that a skipped URL is never scheduled
and never reaches an errback: skipping is the normal case of a nightly run, not an
error.  Feeds, sitemaps and listing pages are always fetched; only requests whose
``newscrawl_kind`` is ``article`` are checked, including those given with
``-a url=`` / ``-a urls_file=`` (a long list resumes where a crash left it).
"""

from __future__ import annotations

import time

from scrapy import Request
from scrapy.crawler import Crawler

from ..spiders.base import KIND
from .extension import state_for

PREVIOUS = "newscrawl_previous"  # request meta: the state row of an article fetched again


class StateSkipMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.ignore = settings.getbool("NEWSCRAWL_IGNORE_STATE", False)
        self.refetch_seconds = settings.getfloat("NEWSCRAWL_REFETCH_HOURS", 0) * 3600
        self.gone_days = settings.getfloat("NEWSCRAWL_GONE_DAYS", 30)
        self.skipped: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StateSkipMiddleware":
        return cls(crawler)

    def _keep(self, request) -> bool:
        if not isinstance(request, Request) or request.meta.get(KIND) != "article":
            return True
        store = state_for(self.crawler)
        if store is None:
            return True
        url = request.url
        if self.gone_days and store.gone_status(url, self.gone_days) is not None:
            self.stats.inc_value("newscrawl/state/skipped_gone")
            return False
        row = store.get(url)
        if row is None:
            return True
        if self.ignore:
            request.meta[PREVIOUS] = row
            self.stats.inc_value("newscrawl/state/ignored")
            return True
        if self.refetch_seconds and time.time() - row.first_seen < self.refetch_seconds:
            request.meta[PREVIOUS] = row
            self.stats.inc_value("newscrawl/state/refetch")
            return True
        if url not in self.skipped:  # one article listed by the feed and the sitemap is skipped once
            self.skipped.add(url)
            store.touch(url)
            self.stats.inc_value("newscrawl/state/skipped")
        return False

    async def process_start(self, start):
        async for request in start:
            if self._keep(request):
                yield request

    def process_spider_output(self, response, result):
        for request in result:
            if self._keep(request):
                yield request

    async def process_spider_output_async(self, response, result):
        async for request in result:
            if self._keep(request):
                yield request
