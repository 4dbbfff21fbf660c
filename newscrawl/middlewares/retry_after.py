"""429 Too Many Requests and 503 Service Unavailable with ``Retry-After``: wait, then retry.

Scrapy's RetryMiddleware retries a 429/503 at once, which a rate-limiting server answers
with another 429.  This middleware sees those responses first (priority 560 > 550):

- ``Retry-After`` (seconds, or an HTTP date) at most NEWSCRAWL_MAX_RETRY_AFTER seconds:
  the request is retried after that wait, within Scrapy's retry budget (RETRY_TIMES).
  Counted as ``newscrawl/http/retry_after`` (and the seconds waited in
  ``newscrawl/http/retry_after_seconds``).  Only that request waits; the rest of the
  crawl goes on.
- longer than that: the night does not stall; the request is not retried in this run
  (``newscrawl/http/retry_after_too_long``), fails to its errback, and since it was never
  marked done, the next night asks again.
- no or an unreadable header: Scrapy's ordinary retry.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.asyncio import sleep

from .. import stats as keys
from ..config import config_of

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = frozenset({429, 503})


def parse_retry_after(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delay-seconds or HTTP-date); None if unreadable."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    value = value.strip()
    if value.isdigit():
        return float(int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _server_now(response: Response) -> datetime | None:
    served = response.headers.get("Date")
    if not served:
        return None
    try:
        return parsedate_to_datetime(served.decode("latin-1"))
    except (TypeError, ValueError, IndexError):
        return None


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler, max_wait: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RetryAfterMiddleware":
        settings = crawler.settings
        max_wait = config_of(crawler).max_retry_after
        if max_wait <= 0 or not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(crawler, max_wait)

    async def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        if response.status not in RETRY_AFTER_STATUSES or request.meta.get("dont_retry"):
            return response
        wait = parse_retry_after(response.headers.get("Retry-After"), _server_now(response))
        if wait is None:
            return response
        if wait > self.max_wait:
            keys.inc(self.stats, keys.HTTP_RETRY_AFTER_TOO_LONG)
            logger.warning("HTTP %d asks to wait %.0fs (more than NEWSCRAWL_MAX_RETRY_AFTER=%gs): "
                           "not retried in this run: %s", response.status, wait, self.max_wait, request.url)
            request.meta["dont_retry"] = True
            return response
        retry = get_retry_request(request, spider=self.crawler.spider, reason=f"retry_after_{response.status}")
        if retry is None:
            request.meta["dont_retry"] = True  # the budget is spent: RetryMiddleware must not add one
            return response
        keys.inc(self.stats, keys.HTTP_RETRY_AFTER)
        keys.inc(self.stats, keys.HTTP_RETRY_AFTER_SECONDS, round(wait))
        logger.info("HTTP %d with Retry-After: waiting %.0fs before retrying %s", response.status, wait, request.url)
        if wait:
            await sleep(wait)
        return retry
