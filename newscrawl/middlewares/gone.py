"""404 and 410: an article that is gone is remembered, and never retried.

A feed or a sitemap keeps listing an article for days after the site removed it; asking
again every night is wasted requests and an error in every night's report.  When an
article request answers 404 or 410 this middleware records it in the cross-run state
(``StateStore.mark_gone``: the URL as discovery gives it and, after a redirect, where it
ended) and StateSkipMiddleware skips it for NEWSCRAWL_GONE_DAYS.  404 and 410 are never
retried in the run either, whatever RETRY_HTTP_CODES says (``dont_retry``).  The response
goes on to the errback (``newscrawl/errors/article/http_404``): one clear line per URL.

A replay miss (a URL the archive lacks, answered 404 by ReplayMiddleware) is not a
statement of the site and is not remembered.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from .. import meta as M
from .. import stats as keys
from ..config import config_of
from ..sites import resolve_profile, site_of
from ..state.extension import store_of

logger = logging.getLogger(__name__)

GONE_STATUSES = frozenset({404, 410})


class GoneMiddleware:
    def __init__(self, crawler: Crawler, days: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.days = days

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "GoneMiddleware":
        days = config_of(crawler).gone_days
        if days <= 0:
            raise NotConfigured
        return cls(crawler, days)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if response.status not in GONE_STATUSES:
            return response
        request.meta["dont_retry"] = True  # gone is not a transient failure: RetryMiddleware leaves it
        if request.meta.get(M.KIND) != M.ARTICLE or "replay-miss" in response.flags:
            return response
        keys.inc(self.stats, keys.http_gone(response.status))
        store = store_of(self.crawler)
        urls = list(dict.fromkeys(u for u in [request.meta.get(M.CANONICAL), *request.meta.get("redirect_urls", [])[:1],
                                              request.url] if u))
        if store is None:
            logger.warning("Article gone (HTTP %d), not remembered (state off): %s", response.status, request.url)
            return response
        site = site_of(resolve_profile(request.meta.get(M.PROFILE, ""), urls[0]), urls[0])
        for url in urls:
            store.mark_gone(url, site, response.status)
        keys.inc(self.stats, keys.STATE_MARKED_GONE, len(urls))
        logger.warning("Article gone (HTTP %d), not asked again for %g days: %s",
                       response.status, self.days, urls[0])
        return response
