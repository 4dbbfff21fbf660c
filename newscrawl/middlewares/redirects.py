"""Redirects that are not followed: to another site, to a non-HTTP URL, or in a loop.

Scrapy follows every redirect and leaves the rest to other components: a redirect to
another domain is then dropped by the offsite filter, and a loop (A -> B -> A) by the
duplicate filter, both silently (a DEBUG line, no errback): the article simply vanishes
from the night.  This middleware sits before RedirectMiddleware and MetaRefreshMiddleware
(priority 650 > 600, 580) and stops such a redirect itself, with a reason:

- to another site: a host (or port: ``:8080`` is another server) outside the spider's
  ``allowed_domains`` (a profile's ``domains``, subdomains included: ``s.example.jp`` ->
  ``www.example.jp`` is the same site and is followed; ports as in offsite.py), or, for a spider
  without allowed_domains, outside the request's own site (its profile's domains; for the
  generic profile its host and port): ``newscrawl/http/redirect_offsite``;
- to a non-HTTP URL (``file:``, ``javascript:``): ``newscrawl/http/redirect_refused``;
- to a URL already in the request's redirect chain: ``newscrawl/http/redirect_loop``.

An HTTP redirect raises ``OffsiteRedirect`` / ``RedirectLoop`` (IgnoreRequest), so the
request's errback counts it as ``newscrawl/errors/<kind>/<reason>``; a ``<meta refresh>``
to another site is not followed and the page itself is parsed.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.response import get_meta_refresh
from w3lib.url import canonicalize_url, safe_url_string

from .. import meta as M
from .. import stats as keys
from ..sites import resolve_profile
from .offsite import on_domains, spider_domains

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class OffsiteRedirect(IgnoreRequest):
    """The redirect leads to another site or to a non-HTTP URL."""


class RedirectLoop(IgnoreRequest):
    """The redirect leads back to a URL of its own chain."""


def _key(url: str) -> str:
    return canonicalize_url(url, keep_fragments=False)


class RedirectGuardMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.meta_refresh = settings.getbool("METAREFRESH_ENABLED")
        self.meta_refresh_max_delay = settings.getfloat("METAREFRESH_MAXDELAY")
        self.meta_refresh_ignore_tags = settings.getlist("METAREFRESH_IGNORE_TAGS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RedirectGuardMiddleware":
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_REDIRECT_GUARD") or not settings.getbool("REDIRECT_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def _allowed(self, request: Request, target: str) -> bool:
        domains = spider_domains(self.crawler.spider)
        if not domains:
            # no allowed_domains is no licence to go anywhere: the request's own site
            domains = resolve_profile(request.meta.get(M.PROFILE, ""), request.url).domains
        return on_domains(target, domains)

    def _problem(self, request: Request, target: str) -> str | None:
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            return "redirect_refused"
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if _key(target) in {_key(u) for u in chain}:
            return "redirect_loop"
        if not self._allowed(request, target):
            return "redirect_offsite"
        return None

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if (request.meta.get("dont_redirect") or request.meta.get("handle_httpstatus_all")
                or response.status in request.meta.get("handle_httpstatus_list", ())
                or response.status in getattr(self.crawler.spider, "handle_httpstatus_list", ())):
            return response  # RedirectMiddleware leaves these alone too
        if response.status in REDIRECT_STATUSES and "Location" in response.headers:
            location = response.headers["Location"]
            if location.startswith(b"//"):
                location = urlsplit(request.url).scheme.encode() + b":" + location
            target = urljoin(request.url, safe_url_string(location))
            problem = self._problem(request, target)
            if problem is None:
                return response
            keys.inc(self.stats, keys.http_problem(problem))
            hops = len(request.meta.get("redirect_urls", [])) + 1
            if problem == "redirect_loop":
                logger.error("Redirect loop after %d hop(s), not followed: %s -> %s", hops, request.url, target)
                raise RedirectLoop(f"redirect loop: {request.url} -> {target}")
            logger.warning("Redirect to %s not followed (%s): %s -> %s",
                           "another site" if problem == "redirect_offsite" else "a non-HTTP URL",
                           problem, request.url, target[:200])
            raise OffsiteRedirect(f"{problem}: {request.url} -> {target[:200]}")
        if self.meta_refresh and isinstance(response, HtmlResponse) and response.status == 200:
            interval, target = get_meta_refresh(response, ignore_tags=self.meta_refresh_ignore_tags)
            if target and interval is not None and interval < self.meta_refresh_max_delay:
                problem = self._problem(request, target)
                if problem is not None:
                    keys.inc(self.stats, keys.http_problem(problem))
                    logger.warning("Meta refresh not followed (%s), the page itself is parsed: %s -> %s",
                                   problem, request.url, target[:200])
                    request.meta["dont_redirect"] = True  # MetaRefreshMiddleware reads the same request
        return response
