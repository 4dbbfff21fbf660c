"""Scrapy's offsite filter, counted and said.

Requests go only to the spider's ``allowed_domains`` (a profile's ``domains``, subdomains
included; for ``news``, the hosts it was given).  Scrapy's OffsiteMiddleware enforces that
when a request is scheduled, but says so at DEBUG and counts outside ``newscrawl/``.  This
subclass (in its place, priority 50) keeps the rule and adds ``newscrawl/offsite/filtered``
and one WARNING per refused domain.  Non-HTTP URLs are left to HttpOnlyMiddleware's count.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware as ScrapyOffsiteMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from .. import stats as keys

logger = logging.getLogger(__name__)


class OffsiteMiddleware(ScrapyOffsiteMiddleware):
    def process_request(self, request: Request, spider=None) -> None:
        try:
            return super().process_request(request)
        except IgnoreRequest:
            parts = urlsplit(request.url)
            if parts.scheme in ("http", "https"):
                host = (parts.hostname or "").lower()
                keys.inc(self.stats, keys.OFFSITE_FILTERED)
                if host not in getattr(self, "_warned", set()):
                    self.__dict__.setdefault("_warned", set()).add(host)
                    logger.warning("Off-site request not made (%s is not in allowed_domains %s): %s", host,
                                   self._allowed_domains, request.url[:200])
            raise
