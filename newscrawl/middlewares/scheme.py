"""No request leaves for anything but http:// and https://.

A feed link, a sitemap entry, a redirect or a profile value saying ``file:///etc/passwd``
must never make the crawler read a local file (Scrapy's file:// handler would) or talk
another protocol.  Discovery already refuses such links (spiders/base.py); this is the
last gate before the downloader, for every request whatever made it.  The settings also
switch the file/ftp/s3/data download handlers off (belt and braces).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request

from .. import stats as keys

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})


class RefusedScheme(IgnoreRequest):
    """The request's URL is not http(s)."""


class HttpOnlyMiddleware:
    """Checks every request when it is scheduled (where Scrapy's offsite filter would drop a
    file:// URL silently) and again before download (requests that skip the scheduler)."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "HttpOnlyMiddleware":
        if not crawler.settings.getbool("NEWSCRAWL_HTTP_ONLY"):
            raise NotConfigured
        return cls(crawler)

    def request_scheduled(self, request: Request, spider=None) -> None:
        self.process_request(request)

    def process_request(self, request: Request, spider=None) -> None:
        scheme = urlsplit(request.url).scheme.lower()
        if scheme in ALLOWED_SCHEMES:
            return None
        keys.inc(self.stats, keys.REFUSED_SCHEME)
        keys.inc(self.stats, keys.refused_scheme(scheme or "none"))
        logger.error("Refused a %s request (only http/https are fetched): %s", scheme or "scheme-less",
                     request.url[:200])
        raise RefusedScheme(f"not an http(s) URL: {request.url[:200]}")
