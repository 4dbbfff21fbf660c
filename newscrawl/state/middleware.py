"""Skip article URLs that were exported before, before they are requested.

A spider middleware (not a downloader one) so that a skipped URL is never scheduled
and never reaches an errback: skipping is the normal case of a nightly run, not an
error.  Feeds, sitemaps and listing pages are always fetched; only requests whose
kind is ``article`` are checked - by their canonical identity (meta ``CANONICAL``), or any
other name the article was exported under - including those given with ``-a url=`` /
``-a urls_file=`` (a long list resumes where a crash left it).
"""

from __future__ import annotations

import time

from scrapy import Request
from scrapy.crawler import Crawler

from .. import meta as M
from .. import stats as keys
from ..config import config_of
from ..urls import canonical_url
from .extension import store_of


class StateSkipMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        config = config_of(crawler)
        self.ignore = config.ignore_state
        self.refetch_seconds = config.refetch_hours * 3600
        self.gone_days = config.gone_days
        self.skipped: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StateSkipMiddleware":
        return cls(crawler)

    def _keep(self, request) -> bool:
        if not isinstance(request, Request) or request.meta.get(M.KIND) != M.ARTICLE:
            return True
        store = store_of(self.crawler)
        if store is None:
            return True
        url = request.meta.get(M.CANONICAL) or canonical_url(request.url)
        if self.gone_days and (store.gone_status(url, self.gone_days) is not None
                               or store.gone_status(request.url, self.gone_days) is not None):
            keys.inc(self.stats, keys.STATE_SKIPPED_GONE)
            return False
        row = store.get(url)
        if row is None:
            return True
        if self.ignore:
            request.meta[M.PREVIOUS] = row
            keys.inc(self.stats, keys.STATE_IGNORED)
            return True
        if self.refetch_seconds and time.time() - row.first_seen < self.refetch_seconds:
            request.meta[M.PREVIOUS] = row
            keys.inc(self.stats, keys.STATE_REFETCH)
            return True
        if row.url not in self.skipped:  # one article listed by the feed and the sitemap is skipped once
            self.skipped.add(row.url)
            store.touch(row.url)
            keys.inc(self.stats, keys.STATE_SKIPPED)
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
