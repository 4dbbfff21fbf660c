"""Faults to inject into a real crawl from the command line (tests only).

    -s SPIDER_MIDDLEWARES='{"tests.faults.RaiseInCallbacks": 10}' -s FAULT_SITE=kbs
"""

from __future__ import annotations


class RaiseInCallbacks:
    """Every response of one site raises in the spider, as a broken callback would."""

    def __init__(self, site: str) -> None:
        self.site = site

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("FAULT_SITE", ""))

    def process_spider_input(self, response):
        if response.request.meta.get("newscrawl_kind") and self._spider_name(response) == self.site:
            raise RuntimeError(f"injected fault for {self.site}")

    def _spider_name(self, response) -> str:
        from urllib.parse import urlsplit

        from newscrawl.sites import profile_for_url

        profile = profile_for_url(urlsplit(response.url).hostname or "")
        return profile.key if profile else ""
