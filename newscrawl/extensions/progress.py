"""One progress line per site per interval, with the counts users watch during a night."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from .. import stats as keys
from ..config import config_of

logger = logging.getLogger(__name__)


class ProgressLog:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ProgressLog":
        interval = config_of(crawler).progress_interval
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def spider_opened(self, spider) -> None:
        self.loop = task.LoopingCall(self.log, spider)
        self.loop.start(self.interval, now=False)

    def log(self, spider) -> None:
        stats = self.crawler.stats.get_stats()
        get = lambda name: keys.get(stats, name)  # noqa: E731
        logger.info(
            "progress %s: pages %d, items %d, skipped %d, duplicates %d, dropped %d, errors %d",
            spider.name, int(stats.get("response_received_count", 0) or 0), get(keys.ITEMS_EXPORTED),
            get(keys.STATE_SKIPPED), get(keys.DUPLICATES_URL) + get(keys.DUPLICATES_TEXT) + get(keys.DUPLICATES_NEAR),
            get(keys.DROPPED), get(keys.ERRORS),
        )

    def spider_closed(self, spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
