"""`news`: the generic spider for any site without a profile.

    scrapy crawl news -a url=URL | -a urls_file=PATH | -a feed=URL | -a sitemap=URL

Extraction is the generic path (structured metadata + main-text extraction + the
Japanese boilerplate rules); the record's ``site`` is the host.
"""

from __future__ import annotations

from typing import Any, AsyncIterator

import scrapy

from .base import BaseNewsSpider, host_of


class NewsSpider(BaseNewsSpider):
    name = "news"

    def __init__(self, *args: Any, feed: str | None = None, sitemap: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.feeds = [u.strip() for u in (feed or "").split(",") if u.strip()]
        self.sitemaps = [u.strip() for u in (sitemap or "").split(",") if u.strip()]
        hosts = {host_of(u) for u in self.given_urls + self.feeds + self.sitemaps}
        self.allowed_domains = sorted(h.removeprefix("www.") for h in hosts if h)

    def site_for(self, url: str) -> str:
        return host_of(url).removeprefix("www.")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not (self.given_urls or self.feeds or self.sitemaps):
            self.logger.error("news needs -a url=URL, -a urls_file=PATH, -a feed=URL or -a sitemap=URL")
            self.count("errors/no_input")
            return
        for url in self.given_urls:
            yield self.article_request(url, source="arguments")
        for url in self.feeds:
            yield self.page_request(url, "feed", self.parse_feed)
        for url in self.sitemaps:
            yield self.page_request(url, "sitemap", self.parse_sitemap)
