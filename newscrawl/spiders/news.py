"""`news`: the generic spider for any site without a profile.

    scrapy crawl news -a url=URL | -a urls_file=PATH | -a feed=URL | -a sitemap=URL

Extraction is the generic path (structured metadata + main-text extraction + the
Japanese boilerplate rules); the record's ``site`` is the host.
"""

from __future__ import annotations

from typing import Any, AsyncIterator

import scrapy

from .. import stats as keys
from ..sites import host_of
from .base import BaseNewsSpider


class NewsSpider(BaseNewsSpider):
    name = "news"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hosts = {host_of(u) for u in self.args.urls + self.args.feeds + self.args.sitemaps}
        self.allowed_domains = sorted(h for h in hosts if h)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        args = self.args
        if not (args.urls or args.feeds or args.sitemaps):
            self.logger.error("news needs -a url=URL, -a urls_file=PATH, -a feed=URL or -a sitemap=URL")
            self.count(keys.ERRORS_NO_INPUT)
            return
        for request in self.given_requests(args.urls, lambda url, profile: True):
            yield request
        for url in args.feeds:
            yield self.page_request(url, "feed", self.parse_feed)
        for url in args.sitemaps:
            yield self.page_request(url, "sitemap", self.parse_sitemap)
