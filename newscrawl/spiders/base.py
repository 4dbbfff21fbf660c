"""The crawl every site shares: requests in, responses handed to discovery or to the page object.

The spider decides nothing about content.  Discovery pages go to the pure functions of
newscrawl/discovery/links.py (profile, page and "now" in; article links, further pages and
events out); article pages go to ArticlePage (newscrawl/page/), whose item is yielded to the
pipelines.  What both report as events becomes crawler stats and log lines here, and every
request has an errback, so that a 404, a 500 or a timeout is a counted, logged event under
``newscrawl/errors/``.

A request is made for the URL exactly as it was given or found; its canonical form (meta
``CANONICAL``) is only its identity: the state, dedup and the record's ``url``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, AsyncIterator

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from .. import meta as M
from .. import stats as keys
from ..browser import browser_meta, configure_browser
from ..config import Config, config_of, pin_data_dir
from ..discovery.links import ArticleLink, Found, from_feed, from_listing, from_robots, from_sitemap, served_at
from ..distributed.mode import prepare as prepare_queue_mode
from ..extract.encoding import decode
from ..items import ALIASES, EXPORT_FIELDS, public
from ..page import ArticlePage, Event, PageInputs, PageLimits, finish_article
from ..page.article import utc_now
from ..sites import resolve_profile
from ..sites.profile import SiteProfile
from ..urls import canonical_url
from .args import SpiderArgs, parse_args

if TYPE_CHECKING:
    from ..distributed.source import QueueSource

ARGUMENTS = ("url", "urls_file", "max_age_days", "feed", "sitemap", "since", "until")
TRACED_PAGES = 6  # article pages per run traced for the report (3 samples are shown; some may be dropped)


def default_output(settings) -> str:
    """The default feed URI: <data dir>/<spider>/<time>.jsonl (Scrapy fills %(name)s and %(time)s)."""
    data_dir = pin_data_dir(settings)
    return settings["NEWSCRAWL_OUTPUT"].replace("%(data_dir)s", str(data_dir).replace("%", "%%"))


class BaseNewsSpider(scrapy.Spider):
    """Shared machinery: article requests, discovery, the page object, errors, stats."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        given = {name: kwargs.pop(name) for name in ARGUMENTS if name in kwargs}
        super().__init__(*args, **kwargs)
        self.args: SpiderArgs = parse_args(**given)  # the crawl command checked them already
        self.articles_requested = 0
        self.pages_traced = 0
        self.sitemaps_read: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # distributed mode or a backfill (-a since): their settings first, then start() from the work
        # queue instead of the spider's own (newscrawl/distributed/mode.py, source.py)
        if prepare_queue_mode(crawler, spider) is not None:
            # imported here: it needs redis-py, the [redis] extra, which a nightly run does without
            from ..distributed.source import QueueSource

            spider.queue_source = QueueSource(spider)
            spider.start = spider.queue_source.start
        spider.config = config_of(crawler)
        spider.limits = PageLimits(spider.config.max_page_bytes, spider.config.max_html_depth)
        return spider

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        configure_browser(settings, getattr(cls, "profile", None), cls.name or "news")  # only when needed
        if not settings.getdict("FEEDS") and settings.get("NEWSCRAWL_OUTPUT"):
            settings.set("FEEDS", {default_output(settings): {
                "format": "jsonlines", "encoding": "utf8", "fields": EXPORT_FIELDS,
                "item_export_kwargs": {"fsync": True},
                # a quiet night leaves no empty file (Scrapy opens a feed at its first item); -O/-o keep
                # FEED_STORE_EMPTY's default: an overwritten output with nothing new is emptied, not left stale
                "store_empty": False,
            }}, priority="spider")
        else:
            pin_data_dir(settings)

    config: Config
    limits: PageLimits
    queue_source: "QueueSource | None" = None  # the work queue's start() and lease outcomes (queue modes)

    # -- what subclasses decide ---------------------------------------------------------------------
    def profile_for(self, url: str) -> SiteProfile:
        """The profile a URL is crawled with: here the generic one of its host (ProfileSpider: its site's)."""
        return resolve_profile("news", url)

    def max_age(self, profile: SiteProfile) -> float:
        if self.args.max_age_days is not None:
            return self.args.max_age_days
        if self.config.max_age_days is not None:
            return self.config.max_age_days
        return profile.discovery.max_age_days

    # -- events and stats ----------------------------------------------------------------------------
    def count(self, name: str, n: int = 1) -> None:
        keys.inc(self.crawler.stats, name, n)

    def apply(self, events: list[Event]) -> None:
        """A page's or a discovery source's events: stats, and their log lines."""
        for event in events:
            if event.count:
                self.count(event.name, event.count)
            if event.message:
                self.logger.log(event.level, event.message)

    def now_for(self, response: Response) -> datetime:
        """"Now" for age checks: NEWSCRAWL_NOW, else when the page was captured or served (an old archive
        replays right), else the clock. Always aware."""
        return (self.config.now or response.meta.get(M.CAPTURED_AT)
                or served_at(response.headers.get("Date")) or utc_now())

    # -- requests ------------------------------------------------------------------------------------
    def article_request(self, link: ArticleLink, source: str) -> scrapy.Request | None:
        caps = self.config.caps
        self.count(keys.DISCOVERY_CANDIDATES)
        if self.articles_requested >= caps.per_run:
            if self.articles_requested == caps.per_run:
                self.logger.warning("%s: more than NEWSCRAWL_MAX_ARTICLES_PER_RUN=%d article URLs this run: "
                                    "the rest are left for another night", self.name, caps.per_run)
            self.articles_requested += 1
            self.count(keys.DISCOVERY_CAPPED)
            return None
        self.articles_requested += 1
        profile = self.profile_for(link.url)
        return scrapy.Request(link.url, callback=self.parse_article, errback=self.on_error, meta={
            M.KIND: M.ARTICLE, M.PROFILE: profile.key, M.CANONICAL: link.canonical, M.SOURCE: source,
            **browser_meta(self, profile, M.ARTICLE)})

    def page_request(self, url: str, kind: str, callback, **meta: Any) -> scrapy.Request:
        profile = self.profile_for(url)
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta={
            M.KIND: kind, M.PROFILE: profile.key, **browser_meta(self, profile, kind), **meta})

    def given_requests(self, urls: list[str], accept) -> list[scrapy.Request]:
        """Requests for -a url / urls_file: exactly those URLs, each requested as written."""
        requests = []
        for url in urls:
            profile = self.profile_for(url)
            if not accept(url, profile):
                self.count(keys.DISCOVERY_OFFSITE)
                self.logger.error("Not a %s URL, skipped: %s", self.name, url)
                continue
            request = self.article_request(ArticleLink(url, canonical_url(url, profile)), "arguments")
            if request is not None:
                requests.append(request)
        return requests

    def _follow(self, found: Found, response: Response, kind: str):
        self.apply(found.events)
        if found.usable:
            self.count(keys.DISCOVERY_SOURCES_OK)
        for link in found.articles:
            request = self.article_request(link, response.url)
            if request is not None:
                yield request
        for page in found.pages:
            if page.kind == "sitemap":
                yield self.page_request(page.url, "sitemap", self.parse_sitemap, **{M.SITEMAP_DEPTH: page.depth})
            else:
                seen = response.meta.get(M.LISTING_FOUND, 0) + len(found.articles)
                yield self.page_request(page.url, "listing", self.parse_listing,
                                        **{M.LISTING_PAGE: page.depth, M.LISTING_FOUND: seen})

    # -- discovery callbacks -------------------------------------------------------------------------
    def parse_feed(self, response: Response):
        profile = self.profile_for(response.url)
        found = from_feed(response.body, response.url, profile, self.now_for(response), self.max_age(profile),
                          self.config.caps.per_feed)
        yield from self._follow(found, response, "feed")

    def parse_sitemap(self, response: Response):
        profile = self.profile_for(response.url)
        for url in response.meta.get("redirect_urls", []):
            self.sitemaps_read.add(url)
        found = from_sitemap(response.body, response.url, profile, self.now_for(response), self.max_age(profile),
                             self.config.caps.per_sitemap, response.meta.get(M.SITEMAP_DEPTH, 0), self.sitemaps_read)
        yield from self._follow(found, response, "sitemap")

    def parse_robots(self, response: Response):
        """robots.txt's ``Sitemap:`` lines (profile ``discovery.robots_sitemaps``): more sitemaps to read.
        Not a discovery source itself (not counted in sources_ok): its sitemaps are."""
        profile = self.profile_for(response.url)
        found = from_robots(response.body.decode("utf-8", "replace"), response.url, profile, self.sitemaps_read)
        self.apply(found.events)
        for page in found.pages:
            yield self.page_request(page.url, "sitemap", self.parse_sitemap, **{M.SITEMAP_DEPTH: page.depth})

    def parse_listing(self, response: Response):
        if not isinstance(response, TextResponse):
            self.count(keys.DISCOVERY_BAD_LISTING)
            self.logger.error("Listing %s is not a text page: not usable", response.url)
            return
        profile = self.profile_for(response.url)
        text = decode(response.body, response.headers.get("Content-Type", b"").decode("latin-1"),
                      profile.encoding).text
        left = max(0, self.config.caps.per_listing_walk - response.meta.get(M.LISTING_FOUND, 0))
        found = from_listing(text, response.url, profile, response.meta.get(M.LISTING_PAGE, 1), left)
        yield from self._follow(found, response, "listing")

    # -- articles ------------------------------------------------------------------------------------
    def parse_article(self, response: Response):
        self.count(keys.REQUESTS_ARTICLE)
        profile = resolve_profile(response.meta.get(M.PROFILE, ""), response.url) \
            if response.meta.get(M.PROFILE) else self.profile_for(response.url)
        captured = response.meta.get(M.CAPTURED_AT)
        inputs = PageInputs(response.url, response.body,
                            {"content-type": response.headers.get("Content-Type", b"").decode("latin-1")})
        # the night report shows what the cleaning removed from a few sample articles (docs/report.md)
        trace = self.config.report and self.pages_traced < TRACED_PAGES
        self.pages_traced += trace
        result = ArticlePage(inputs, profile, clock=(lambda: captured) if captured else utc_now,
                             limits=self.limits, trace=trace).to_item()
        self.apply(result.events)
        if result.item is None:
            return
        item = result.item
        # every name the article went by, so that the next night skips it under any of them
        names = [response.meta.get(M.CANONICAL), canonical_url(response.url, profile),
                 *(canonical_url(u, profile) for u in response.meta.get("redirect_urls", []))]
        item[ALIASES] = sorted({n for n in names if n and n != item["url"]})
        yield item

    def parse(self, response: Response, **kwargs: Any):
        """The callback of a URL handed over without one (``scrapy parse URL``, ``scrapy shell``): an
        article page, given as the record a night would export (cleaned, public fields only).

        ``scrapy check``: the site's sample article (newscrawl/contracts.py) gives one whole record.
        @sample_article
        @returns items 1 1
        @returns requests 0 0
        @scrapes url site title body published_at lang content_hash
        """
        for item in self.parse_article(response):
            self.apply(finish_article(item, self.profile_for(response.url)))
            yield public(item)

    # -- errors --------------------------------------------------------------------------------------
    def on_error(self, failure: Failure):
        request = failure.request
        kind = request.meta.get(M.KIND, "page")
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # a request a middleware chose not to make (robots.txt, a rule): a decision, not an error
            self.count(keys.ignored(kind))
            # which rule: OffsiteRedirect, RedirectLoop, RefusedScheme (newscrawl/middlewares), or the
            # exception behind Scrapy's own (a gzip bomb: DecompressionMaxSizeExceeded)
            cause = failure.value.__cause__
            why = type(cause).__name__.strip("_") if cause is not None else failure.type.__name__
            self.count(keys.ignored(kind, why))
            self.logger.info("%s request not made (%s): %s", kind, failure.getErrorMessage() or "ignored",
                             request.url)
            return
        if failure.check(HttpError):
            reason = f"http_{failure.value.response.status}"
        else:
            reason = failure.type.__name__ if failure.type else "error"
        if kind == M.ARTICLE:
            self.count(keys.REQUESTS_ARTICLE)
        self.count(keys.ERRORS)
        self.count(keys.errors_of(kind))
        self.count(keys.errors_of(kind, reason))
        self.logger.error("%s request failed (%s): %s", kind, reason, request.url)


def robots_url(profile: SiteProfile) -> str:
    """The site's robots.txt: on the host (and scheme) of its first discovery URL, else its canonical host."""
    from urllib.parse import urlsplit

    found = profile.discovery
    first = next(iter(found.feeds + found.sitemaps + found.listing_pages), "")
    parts = urlsplit(first)
    if parts.netloc:
        return f"{parts.scheme}://{parts.netloc}/robots.txt"
    return f"https://{profile.canonical_host or profile.domains[0]}/robots.txt"


class ProfileSpider(BaseNewsSpider):
    """A spider for one profiled site: discovery from the profile, or exactly the given URLs."""

    profile: SiteProfile

    def profile_for(self, url: str) -> SiteProfile:
        return self.profile

    async def start(self) -> AsyncIterator[scrapy.Request]:
        from ..urls import same_site

        if self.args.given_urls:
            for request in self.given_requests(self.args.urls, lambda url, profile: same_site(url, profile)):
                yield request
            return
        found = self.profile.discovery
        for url in found.feeds:
            yield self.page_request(url, "feed", self.parse_feed)
        for url in found.sitemaps:
            yield self.page_request(url, "sitemap", self.parse_sitemap)
        for url in found.listing_pages:
            yield self.page_request(url, "listing", self.parse_listing, **{M.LISTING_PAGE: 1})
        if found.robots_sitemaps:
            yield self.page_request(robots_url(self.profile), "robots", self.parse_robots)

