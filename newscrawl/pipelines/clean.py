"""Clean: the article container's HTML becomes the body text, boilerplate removed.

Every body goes through the same rules (newscrawl.clean), whichever path found the
container.  When a profile's container cleans down to nothing (the site moved its
text elsewhere), the generic path gets the page instead: a layout change degrades
to "still good text", counted as a fallback.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from ..clean import clean_body
from ..extract.article import clean_authors
from ..extract.generic import generic_body_html
from ..fingerprints import content_hash
from ..sites import generic_profile, get_profile
from ..sites.profile import SiteProfile

_PRIVATE = ("body_html", "page_html", "extraction")
_MIN_BODY_CHARS = 20


class CleanPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CleanPipeline":
        return cls(crawler)

    def _profile(self, item) -> SiteProfile:
        spider = self.crawler.spider
        profile = getattr(spider, "profile", None)
        if profile is not None and (profile.key == item.get("site") or profile.key == "news"):
            return profile
        try:
            return get_profile(item.get("site", ""))
        except KeyError:
            return generic_profile(item.get("site", ""))

    def process_item(self, item):
        if "body_html" not in item:
            return item  # already clean (e.g. produced by another pipeline user)
        profile = self._profile(item)
        result = clean_body(item.get("body_html") or "", profile)
        if len(result.body) < _MIN_BODY_CHARS and item.get("extraction") == "profile" and item.get("page_html"):
            fallback_html = generic_body_html(item["page_html"])
            if fallback_html:
                result = clean_body(fallback_html, profile)
                item["extraction"] = "fallback"
                self.stats.inc_value("newscrawl/extract/fallback")
                self.stats.inc_value("newscrawl/extract/fallback_empty_container")
        for reason, count in result.removed.items():
            self.stats.inc_value(f"newscrawl/clean/{reason}", count)
        item["body"] = result.body
        if not item.get("authors") and result.authors:
            item["authors"] = clean_authors(result.authors)
        item.setdefault("authors", [])
        item["content_hash"] = content_hash(result.body)
        for name in _PRIVATE:
            item.pop(name, None)
        return item
