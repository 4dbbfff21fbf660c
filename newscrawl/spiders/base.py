"""The crawl logic every site shares; a site's specifics come from its profile.

Request kinds (``request.meta["newscrawl_kind"]``): ``feed``, ``sitemap``, ``listing``
(discovery pages, always fetched) and ``article`` (fetched once across runs when the
state is on).  Every request has an errback, so that a 404, a 500 or a timeout is a
counted, logged event under ``newscrawl/errors/``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, AsyncIterator
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from ..browser import browser_meta, configure_browser
from ..discovery.feeds import parse_feed
from ..discovery.sitemaps import parse_sitemap
from ..discovery.xml import NotXML, UnsafeXML
from ..extract.article import all_values, extract_article
from ..extract.dates import parse_date
from ..extract.encoding import decode, is_mostly_broken
from ..extract.guards import ArticleGuard
from ..items import EXPORT_FIELDS
from ..replay.archive import url_key
from ..sites.profile import SiteProfile, generic_profile
from ..urls import canonical_url, same_site

KIND = "newscrawl_kind"


def read_urls_file(path: str) -> list[str]:
    """One URL a line; blank lines and ``#`` comments ignored."""
    urls = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            urls.append(line)
    return urls


class BaseNewsSpider(scrapy.Spider):
    """Shared machinery: article requests, discovery parsing, errors, stats."""

    def __init__(self, *args: Any, url: str | None = None, urls_file: str | None = None,
                 max_age_days: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.given_urls: list[str] = []
        if url:
            self.given_urls.append(url.strip())
        if urls_file:
            self.given_urls.extend(read_urls_file(urls_file))
        self.max_age_override = float(max_age_days) if max_age_days not in (None, "") else None
        self._generic_profiles: dict[str, SiteProfile] = {}

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        configure_browser(settings, getattr(cls, "profile", None))  # scrapy-playwright only when needed
        if not settings.getdict("FEEDS") and settings.get("NEWSCRAWL_OUTPUT"):
            settings.set("FEEDS", {settings["NEWSCRAWL_OUTPUT"]: {
                "format": "jsonlines", "encoding": "utf8", "fields": EXPORT_FIELDS,
                "item_export_kwargs": {"fsync": True},
            }}, priority="spider")

    # -- what subclasses decide ---------------------------------------------------------
    def profile_for(self, url: str) -> SiteProfile:
        """The profile a URL is crawled with: here the generic one of its host (ProfileSpider: its site's)."""
        host = host_of(url).removeprefix("www.")
        if host not in self._generic_profiles:
            self._generic_profiles[host] = generic_profile(host)
        return self._generic_profiles[host]

    def site_for(self, url: str) -> str:
        return self.profile_for(url).key

    # -- helpers ----------------------------------------------------------------------------
    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"newscrawl/{key}", n)

    @property
    def guard(self) -> ArticleGuard:
        """The content checks on article pages (extract/guards.py), with this crawl's stats and limits."""
        if "_guard" not in self.__dict__:
            self._guard = ArticleGuard.from_crawler(self.crawler)
        return self._guard

    def article_request(self, url: str, **meta: Any) -> scrapy.Request:
        profile = self.profile_for(url)
        return scrapy.Request(
            canonical_url(url, profile), callback=self.parse_article, errback=self.on_error,
            meta={KIND: "article", **browser_meta(self, profile, "article"), **meta},
        )

    def page_request(self, url: str, kind: str, callback, **meta: Any) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.on_error,
                              meta={KIND: kind, **browser_meta(self, self.profile_for(url), kind), **meta})

    def _max_age(self, profile: SiteProfile) -> float:
        if self.max_age_override is not None:
            return self.max_age_override
        setting = self.crawler.settings.get("NEWSCRAWL_MAX_AGE_DAYS")
        return float(setting) if setting not in (None, "") else profile.discovery.max_age_days

    def _reference_now(self, response: Response) -> datetime:
        """"Now" for age checks: when the page was served (replays of old archives stay right)."""
        setting = self.crawler.settings.get("NEWSCRAWL_NOW")
        if setting:
            return datetime.fromisoformat(setting)
        served = response.headers.get("Date")
        if served:
            try:
                return parsedate_to_datetime(served.decode("latin-1"))
            except (TypeError, ValueError):
                pass
        return datetime.now(timezone.utc)

    def too_old(self, date_text: str | None, profile: SiteProfile, response: Response) -> bool:
        max_age = self._max_age(profile)
        if not max_age or not date_text:
            return False
        iso = parse_date(date_text, profile.utc_offset)
        if not iso:
            return False
        return datetime.fromisoformat(iso) < self._reference_now(response) - timedelta(days=max_age)

    def _follow_article(self, url: str, profile: SiteProfile, source: str):
        canonical = canonical_url(url, profile)
        if not canonical.startswith(("http://", "https://")):
            self.count("discovery/refused_scheme")
            self.logger.warning("Refused non-HTTP link in %s: %s", source, url[:200])
            return None
        if not same_site(canonical, profile):
            self.count("discovery/offsite")
            return None
        if not profile.is_article_url(canonical):
            self.count("discovery/not_article")
            return None
        return canonical

    # -- discovery callbacks --------------------------------------------------------------
    def _parse_xml(self, response: Response, parse, what: str):
        """A feed or sitemap parsed, or None - counted and logged - when it is not XML or is hostile."""
        try:
            return parse(response.body)
        except (NotXML, UnsafeXML) as exc:
            kind = "unsafe_xml" if isinstance(exc, UnsafeXML) else f"bad_{what}"
            self.count(f"discovery/{kind}")
            self.logger.error("%s %s is not usable (%s): %s", what.capitalize(), response.url, kind, exc)
            return None

    def parse_feed(self, response: Response):
        profile = self.profile_for(response.url)
        entries = self._parse_xml(response, parse_feed, "feed")
        if entries is None:
            return
        self.count("discovery/feed_entries", len(entries))
        seen: set[str] = set()
        for entry in entries:
            link = urljoin(profile.discovery.base_url or response.url, entry.url)
            if self.too_old(entry.published, profile, response):
                self.count("discovery/too_old")
                continue
            canonical = self._follow_article(link, profile, response.url)
            if canonical and canonical not in seen:
                seen.add(canonical)
                yield self.article_request(canonical, source=response.url)

    def parse_sitemap(self, response: Response):
        profile = self.profile_for(response.url)
        depth = response.meta.get("sitemap_depth", 0)
        sitemap = self._parse_xml(response, parse_sitemap, "sitemap")
        if sitemap is None:
            return
        if sitemap.kind == "sitemapindex":
            # an index listing itself, or A -> B -> A: each sitemap is read once per run
            seen = self.__dict__.setdefault("_sitemaps_seen", set())
            seen.update(url_key(u) for u in [*response.meta.get("redirect_urls", []), response.url])
            for entry in sitemap.entries:
                child = urljoin(response.url, entry.url)
                if url_key(child) in seen:
                    self.count("discovery/sitemap_loop")
                    self.logger.warning("Sitemap index %s lists an already read sitemap (a loop): %s not followed",
                                        response.url, child)
                    continue
                seen.add(url_key(child))
                if depth >= 3 or not same_site(child, profile):
                    self.count("discovery/sitemap_refused")
                    continue
                if self.too_old(entry.lastmod, profile, response):
                    self.count("discovery/too_old")
                    continue
                yield self.page_request(child, "sitemap", self.parse_sitemap, sitemap_depth=depth + 1)
            return
        self.count("discovery/sitemap_entries", len(sitemap.entries))
        for entry in sitemap.entries:
            if self.too_old(entry.date, profile, response):
                self.count("discovery/too_old")
                continue
            canonical = self._follow_article(urljoin(response.url, entry.url), profile, response.url)
            if canonical:
                yield self.article_request(canonical, source=response.url)

    def parse_listing(self, response: Response):
        if not isinstance(response, TextResponse):
            self.count("discovery/bad_listing")
            return
        profile = self.profile_for(response.url)
        response = decode(response, profile.encoding).response
        links = all_values(response.selector, profile.discovery.listing_links) if profile.discovery.listing_links \
            else response.css("a::attr(href)").getall()
        found: list[str] = []
        for href in links:
            canonical = self._follow_article(response.urljoin(href), profile, response.url)
            if canonical and canonical not in found:  # a list printed twice is one list
                found.append(canonical)
        self.count("discovery/listing_links", len(found))
        for canonical in found:
            yield self.article_request(canonical, source=response.url)
        page = response.meta.get("listing_page", 1)
        if page < profile.discovery.max_listing_pages:
            nxt = all_values(response.selector, profile.discovery.listing_next)
            if nxt:
                yield self.page_request(response.urljoin(nxt[0]), "listing", self.parse_listing,
                                        listing_page=page + 1)

    # -- articles -----------------------------------------------------------------------------
    def parse_article(self, response: Response):
        self.count("requests/article")
        if not response.body.strip():
            self.count("article/empty")
            self.logger.warning("Article %s is not an HTML page (empty): skipped", response.url)
            return
        if not self.guard.check_response(response):  # binary, PDF/image bytes, JSON, over NEWSCRAWL_MAX_PAGE_BYTES
            return
        profile = self.profile_for(response.url)
        decoded = decode(response, profile.encoding)
        self.guard.note_decoding(decoded)
        if decoded.redecoded:
            self.count("encoding/redecoded")
            self.logger.warning("Wrong charset declared for %s: decoded as %s", response.url, decoded.encoding)
        if decoded.invalid_bytes:
            self.count("encoding/invalid_bytes")
            if is_mostly_broken(decoded):
                self.count("article/undecodable")
                self.logger.error("Article %s could not be decoded (%d bad characters): skipped",
                                  response.url, decoded.invalid_bytes)
                return
        page = self.guard.check_markup(decoded.response)  # depth bomb, cut off, a second <html>
        if page is None:
            return
        result = extract_article(page, profile, site=self.site_for(response.url))
        self.count(f"extract/{result.path}")
        if result.item is None:
            self.logger.warning("No article text found on %s", response.url)
            return
        item = self.guard.check_item(result.item, page, profile.name if profile.key != "news" else None)
        if item is not None:  # None: a consent wall or a login box, not an article
            yield item

    # -- errors -------------------------------------------------------------------------------
    def on_error(self, failure: Failure):
        request = failure.request
        kind = request.meta.get(KIND, "page")
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # a request a middleware chose not to make (robots.txt, a rule): a decision, not an error
            self.count(f"ignored/{kind}")
            # which rule: OffsiteRedirect, RedirectLoop, RefusedScheme (newscrawl/middlewares), or the
            # exception behind Scrapy's own (a gzip bomb: DecompressionMaxSizeExceeded)
            cause = failure.value.__cause__
            why = type(cause).__name__.strip("_") if cause is not None else failure.type.__name__
            self.count(f"ignored/{kind}/{why}")
            self.logger.info("%s request not made (%s): %s", kind, failure.getErrorMessage() or "ignored",
                             request.url)
            return
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"http_{status}"
        else:
            reason = failure.type.__name__ if failure.type else "error"
        if kind == "article":
            self.count("requests/article")
        self.count("errors")
        self.count(f"errors/{kind}")
        self.count(f"errors/{kind}/{reason}")
        self.logger.error("%s request failed (%s): %s", kind, reason, request.url)


class ProfileSpider(BaseNewsSpider):
    """A spider for one profiled site: discovery from the profile, or exactly the given URLs."""

    profile: SiteProfile

    def profile_for(self, url: str) -> SiteProfile:
        return self.profile

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.given_urls:
            for url in self.given_urls:
                if not same_site(url, self.profile):
                    self.count("discovery/offsite")
                    self.logger.error("Not a %s URL, skipped: %s", self.name, url)
                    continue
                yield self.article_request(url, source="arguments")
            return
        found = self.profile.discovery
        for url in found.feeds:
            yield self.page_request(url, "feed", self.parse_feed)
        for url in found.sitemaps:
            yield self.page_request(url, "sitemap", self.parse_sitemap)
        for url in found.listing_pages:
            yield self.page_request(url, "listing", self.parse_listing, listing_page=1)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
