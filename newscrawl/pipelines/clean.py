"""Clean: the article container's HTML becomes the body text, boilerplate removed.

Every body goes through the same rules (newscrawl.clean), whichever path found the
container.  When a profile's container cleans down to nothing (the site moved its
text elsewhere), the generic path gets the page instead: a layout change degrades
to "still good text", counted as a fallback.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from ..extract.record import PRIVATE_FIELDS, clean_item
from ..sites import generic_profile, get_profile
from ..sites.profile import SiteProfile


class CleanPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CleanPipeline":
        return cls(crawler)

    def _profile(self, item) -> SiteProfile:
        spider = self.crawler.spider
        if spider is not None and hasattr(spider, "profile_for"):
            return spider.profile_for(item.get("url", ""))
        try:
            return get_profile(item.get("site", ""))
        except KeyError:
            return generic_profile(item.get("site", ""))

    def process_item(self, item):
        if "body_html" not in item:
            return item  # already clean
        report = clean_item(item, self._profile(item))
        if report.fell_back:
            self.stats.inc_value("newscrawl/extract/fallback")
            self.stats.inc_value("newscrawl/extract/fallback_empty_container")
        for reason, count in report.removed.items():
            self.stats.inc_value(f"newscrawl/clean/{reason}", count)
        for name in PRIVATE_FIELDS:
            item.pop(name, None)
        return item
