"""One progress line per site per interval, with the counts users watch during a night."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

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
        interval = crawler.settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL", 60)
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def spider_opened(self, spider) -> None:
        self.loop = task.LoopingCall(self.log, spider)
        self.loop.start(self.interval, now=False)

    def log(self, spider) -> None:
        get = self.crawler.stats.get_value
        logger.info(
            "progress %s: pages %d, items %d, skipped %d, duplicates %d, dropped %d, errors %d",
            spider.name, get("response_received_count", 0), get("item_scraped_count", 0),
            get("newscrawl/state/skipped", 0),
            get("newscrawl/duplicates/url", 0) + get("newscrawl/duplicates/text", 0) + get("newscrawl/duplicates/near", 0),
            get("newscrawl/dropped", 0), get("newscrawl/errors", 0),
        )

    def spider_closed(self, spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
