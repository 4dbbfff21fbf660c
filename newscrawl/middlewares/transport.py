"""Transport events: every failed attempt counted and logged, and a recovery noted.

A timeout, a connection reset, a body over DOWNLOAD_MAXSIZE or a transfer cut short is
retried by Scrapy (when it is retryable) and reaches the errback only when the last
attempt fails, so the night's report would not show the attempts that were retried.
This middleware (priority 890, before RetryMiddleware's process_exception) counts each
attempt under ``newscrawl/transport/<reason>`` with one WARNING line, and a page that came
through after failed attempts as ``newscrawl/http/recovered`` (a 500 then a 200).
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response

from .. import stats as keys

logger = logging.getLogger(__name__)

_REASONS = {
    "timeout": {"DownloadTimeoutError", "TimeoutError", "TCPTimedOutError", "UserTimeoutError"},
    "connection_lost": {"ConnectionLost", "ConnectionDone", "ResponseNeverReceived", "ResponseFailed",
                        "ConnectionResetError", "ConnectionAborted", "BrokenPipeError"},
    "connection_refused": {"ConnectionRefusedError", "DownloadConnectionRefusedError", "ConnectError"},
    "dns": {"DNSLookupError", "CannotResolveHostError"},
    "data_loss": {"ResponseDataLossError", "_DataLoss", "PotentialDataLoss"},
    "too_big": {"DownloadCancelledError", "CancelledError"},
}


def transport_reason(exception: BaseException) -> str:
    """A short, stable name for a download exception (and the one it wraps)."""
    seen = []
    current: BaseException | None = exception
    while current is not None and len(seen) < 4:
        seen.append(type(current).__name__)
        reasons = getattr(current, "reasons", None)  # twisted's ResponseFailed / ResponseNeverReceived
        if reasons:
            seen.extend(type(getattr(r, "value", r)).__name__ for r in reasons)
        current = current.__cause__ or current.__context__
    for name in seen:
        for reason, names in _REASONS.items():
            # a download cancelled by the handler is DOWNLOAD_MAXSIZE: announced by Content-Length
            # (the message says so), or reached while streaming (a bare cancellation)
            if name in names and (reason != "too_big" or "max size" in str(exception) or not str(exception)):
                return reason
    if any(n in _REASONS["too_big"] for n in seen):
        return "cancelled"
    return seen[0]


class TransportEventsMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.max_retries = crawler.settings.getint("RETRY_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "TransportEventsMiddleware":
        if not crawler.settings.getbool("NEWSCRAWL_TRANSPORT_EVENTS"):
            raise NotConfigured
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception, spider=None) -> None:
        if isinstance(exception, IgnoreRequest):
            return None  # a request a rule refused (scheme, address): counted by that rule, no transport failure
        reason = transport_reason(exception)
        attempt = request.meta.get("retry_times", 0) + 1
        keys.inc(self.stats, keys.transport(reason))
        logger.warning("Transport failure (%s) on attempt %d of %s: %s", reason, attempt, request.url,
                       str(exception)[:200] or type(exception).__name__)
        return None

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        tries = request.meta.get("retry_times", 0)
        if tries and 200 <= response.status < 300:
            keys.inc(self.stats, keys.HTTP_RECOVERED)
            logger.info("Fetched after %d failed attempt(s): %s", tries, request.url)
        if response.status >= 500:
            keys.inc(self.stats, keys.http_status(response.status))
        return response
