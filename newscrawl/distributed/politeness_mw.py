"""Politeness across workers: every live request takes a token from its host's bucket in Redis.

Scrapy's DOWNLOAD_DELAY and AutoThrottle hold per process: N workers would hit a site N times
as hard.  In distributed mode (mode.py) Scrapy's per-slot delay is set to 0 and AutoThrottle
off, and this downloader middleware applies the configured DOWNLOAD_DELAY - or the host's
robots.txt ``Crawl-delay`` when longer - to all workers together (politeness.py's token bucket,
on Redis's clock).  Each request reserves its slot in one round trip and waits for it on the
reactor's timer (never blocking the crawl).

It sits after the replay middleware (a replayed response is no traffic: nothing to wait for)
and after RobotsTxtMiddleware: the robots.txt response of a host passes this middleware's
``process_response`` before any other request to that host reaches its ``process_request``,
so the Crawl-delay is known in time (read with Protego, Scrapy's own robots.txt parser).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from protego import Protego
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from .. import stats as keys
from ..config import config_of
from .mode import SHARED_DELAY, redis_of
from .politeness import SharedPoliteness, host_rate

logger = logging.getLogger(__name__)


class PolitenessUnavailable(Exception):
    """Redis did not answer: the request is not made (its URL is tried again, never unthrottled)."""


async def _sleep(seconds: float) -> None:
    from twisted.internet import reactor  # here: importing it at module level would install a reactor

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class SharedPolitenessMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config_of(crawler)
        self.delay = crawler.settings.getfloat(SHARED_DELAY)
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT") or "*"
        self.bucket = SharedPoliteness(redis_of(crawler))
        self.crawl_delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedPolitenessMiddleware":
        if not config_of(crawler).distributed:
            raise NotConfigured
        return cls(crawler)

    def rate_for(self, host: str) -> float | None:
        return host_rate(self.delay, self.crawl_delays.get(host))

    async def process_request(self, request: Request, spider=None) -> None:
        from .connection import UNREACHABLE

        host = (urlsplit(request.url).hostname or "").lower()
        rate = self.rate_for(host)
        if not rate:
            return None
        try:
            wait = self.bucket.acquire(host, rate)  # our slot (the client rides out a short outage itself)
        except UNREACHABLE as exc:
            # no bucket, no request: politeness is never dropped because Redis is away
            raise PolitenessUnavailable(f"Redis does not answer ({exc}): request not made") from None
        if wait > 0:
            keys.inc(self.stats, keys.POLITENESS_WAITS)
            self.stats.inc_value(keys.key(keys.POLITENESS_WAIT_SECONDS), round(wait, 3))
            await _sleep(wait)
        return None

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        parts = urlsplit(request.url)
        if parts.path == "/robots.txt" and response.status == 200:
            host = (parts.hostname or "").lower()
            try:
                delay = Protego.parse(response.body.decode("utf-8", "replace")).crawl_delay(self.user_agent)
            except Exception:  # noqa: BLE001 - a robots.txt Protego cannot read gives no delay
                delay = None
            if delay and delay > 0 and host not in self.crawl_delays:
                self.crawl_delays[host] = float(delay)
                keys.inc(self.stats, keys.POLITENESS_CRAWL_DELAY)
                logger.info("robots.txt of %s asks for Crawl-delay %gs: all workers together keep %.2f request(s)/s",
                            host, delay, self.rate_for(host) or 0)
        return response
