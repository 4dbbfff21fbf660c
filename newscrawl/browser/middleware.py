"""The downloader middlewares of a crawl with browser pages (installed by config.configure_browser).

- BrowserMiddleware: turns ``newscrawl_browser`` meta into scrapy-playwright meta (context,
  page actions, the routing of replay/record), bounds contexts, counts what the browser does,
  and ends the run at start when there is no Chromium.
- BrowserReplayMiddleware / BrowserRecordMiddleware: the project's replay and record
  middlewares, taught that a browser page is answered and recorded by the browser's routing.
"""

from __future__ import annotations

import logging
from collections import Counter
from contextlib import suppress
from weakref import WeakSet

from playwright.async_api import Error as PlaywrightError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Request, Response
from scrapy_playwright.page import PageMethod

from .. import stats as keys
from .. import meta as M
from ..config import config_of
from ..middlewares.addresses import AddressPolicy
from ..replay.middleware import RecordMiddleware, ReplayMiddleware
from ..sites import resolve_profile
from .config import META, resource_filter, search_list
from .executable import BrowserChoice, find_browser, missing_message
from .rendering import PagePlan, ResourceFilter, run_plan
from .traffic import HANDED_LOCATION, AddressCheck, BrowserTraffic, PageSite


logger = logging.getLogger(__name__)

_PENDING = "_newscrawl_browser_context"  # the context a request holds a place in, until it is done
_SITE = "_newscrawl_browser_site"  # the request's PageSite: what its page may load, what became of it


class BrowserMiddleware:
    """Sends ``newscrawl_browser`` requests through scrapy-playwright; every other request is untouched.

    Contexts are recycled: after NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT pages a new context takes
    the next pages and the old one is closed once its last page is done, so a night of thousands
    of pages does not grow one context's cache and storage without bound (pages are closed by
    scrapy-playwright as soon as their DOM is taken).
    """

    def __init__(self, crawler: Crawler, choice: BrowserChoice | None, remote: bool) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.choice, self.remote = choice, remote
        self.timeout_s = settings.getfloat("NEWSCRAWL_BROWSER_TIMEOUT")
        self.pages_per_context = max(1, settings.getint("NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT"))
        configured = settings.get("PLAYWRIGHT_ABORT_REQUEST")
        self.filter = configured if isinstance(configured, ResourceFilter) else resource_filter(settings)
        self.context_kwargs = {
            "user_agent": settings.get("USER_AGENT"),  # the site sees one crawler, browser or not
            "service_workers": "block",  # a service worker's requests would bypass the routing
            "ignore_https_errors": not settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES", False),
        }
        self.generation, self.assigned = 0, 0
        self.pending: Counter[str] = Counter()
        self.contexts: dict[str, object] = {}
        self.guarded_contexts: WeakSet = WeakSet()  # contexts whose own route refuses popups
        launch = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        self.addresses = AddressCheck(AddressPolicy(config_of(crawler).allowed_networks),
                                      proxied=bool(launch.get("proxy")))  # behind a proxy, the proxy resolves
        self._traffic: BrowserTraffic | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BrowserMiddleware":
        settings = crawler.settings
        remote = bool(settings.get("PLAYWRIGHT_CDP_URL") or settings.get("PLAYWRIGHT_CONNECT_URL"))
        choice = None if remote else find_browser(settings.get("NEWSCRAWL_BROWSER_EXECUTABLE") or "",
                                                  search_list(settings))
        return cls(crawler, choice, remote)

    def count(self, key: str) -> None:
        keys.inc(self.stats, keys.browser(key))

    def spider_opened(self, spider) -> None:
        if self.choice is None and not self.remote:
            self.stats.set_value(keys.key(keys.browser("missing")), 1)
            settings = self.crawler.settings
            logger.error(missing_message(spider.name, settings.get("NEWSCRAWL_BROWSER_EXECUTABLE") or "",
                                         search_list(settings)))
            raise CloseSpider("browser_missing")
        where = "a remote browser" if self.remote else f"{self.choice.path} ({self.choice.source})"
        logger.info("Browser pages of %s are rendered by %s", spider.name, where)

    # -- requests ------------------------------------------------------------------------------
    def process_request(self, request: Request, spider=None):
        if not request.meta.get(META):
            return None
        kind = request.meta.get(M.KIND, M.ARTICLE)
        profile = resolve_profile(request.meta.get(M.PROFILE, ""), request.url)
        plan = PagePlan.for_page(profile.browser, kind, self.timeout_s)
        site = PageSite(tuple(profile.domains) + tuple(profile.browser.allow_hosts))
        context = self._context_for_new_page()
        request.meta.update({
            "playwright": True,
            "playwright_context": context,
            "playwright_context_kwargs": self.context_kwargs,
            "playwright_page_init_callback": self.init_page,
            "playwright_page_methods": [] if plan.empty else [PageMethod(run_plan, plan, self.count, site)],
            _PENDING: context,
            _SITE: site,
        })
        self.pending[context] += 1
        self.count("pages")
        self.count(f"pages/{kind}")
        return None

    async def process_response(self, request: Request, response: Response, spider=None) -> Response:
        site = request.meta.pop(_SITE, None)
        await self._page_done(request)
        if "playwright" not in response.flags:
            return response
        handed = response.headers.pop(HANDED_LOCATION.encode(), None)
        if handed and site is not None and site.redirected:
            # the document answered a redirect (traffic.py): Scrapy's to follow, through RedirectGuard
            response.headers[b"Location"] = handed[-1] if isinstance(handed, list) else handed
            return response
        self.count("rendered")
        return response

    async def process_exception(self, request: Request, exception: Exception, spider=None):
        site = request.meta.pop(_SITE, None)
        pending = request.meta.get(_PENDING)
        await self._page_done(request)
        if site is not None and site.refused is not None:
            # the page's own document was refused by the routing (counted there): the errback
            # sees why (RefusedAddress: ignored/<kind>/RefusedAddress), not the browser's abort
            raise site.refused
        if pending:
            # a navigation or action timeout fails this page only: the errback counts it as
            # newscrawl/errors/<kind>/TimeoutError, the crawl goes on
            self.count(f"errors/{type(exception).__name__}")
        return None

    # -- pages and contexts ----------------------------------------------------------------------
    async def init_page(self, page, request: Request) -> None:
        """scrapy-playwright's page-init callback: our routing goes on top of its own."""
        self.contexts[request.meta["playwright_context"]] = page.context
        traffic = self.traffic
        if page.context not in self.guarded_contexts:
            self.guarded_contexts.add(page.context)
            await page.context.route("**", traffic.refuse_unowned)  # only pages without our route get here
        await page.route_web_socket("**", traffic.refuse_websocket)
        await page.route("**", traffic.handler_for(request.meta.get(_SITE) or PageSite(())))

    @property
    def traffic(self) -> BrowserTraffic:
        if self._traffic is None:
            archive = recorder = None
            for mw in self.crawler.engine.downloader.middleware.middlewares:
                if isinstance(mw, ReplayMiddleware):
                    archive = mw.archive  # the same index the plain requests are answered from
                elif isinstance(mw, RecordMiddleware):
                    recorder = mw.recorder  # one writer per WARC file
            self._traffic = BrowserTraffic(self.stats, self.filter, archive, recorder, self.timeout_s * 1000,
                                           self.addresses)
            logger.info("Browser requests: %s mode", self._traffic.mode)
        return self._traffic

    def _current(self) -> str:
        return f"newscrawl-{self.generation}"

    def _context_for_new_page(self) -> str:
        if self.assigned >= self.pages_per_context:
            self.generation, self.assigned = self.generation + 1, 0
        self.assigned += 1
        return self._current()

    async def _page_done(self, request: Request) -> None:
        name = request.meta.pop(_PENDING, None)
        if name is None:
            return
        self.pending[name] -= 1
        if name == self._current() or self.pending[name] > 0:
            return
        del self.pending[name]
        context = self.contexts.pop(name, None)
        if context is not None:
            with suppress(PlaywrightError):
                await context.close()
            self.count("contexts_closed")


class BrowserReplayMiddleware(ReplayMiddleware):
    """Replay, when some pages are rendered: a browser page the archive holds as a 2xx is left to
    the browser, whose routing answers it (and everything it loads) from this same archive.
    Anything else - a miss, a redirect, an error page - is answered here as in a plain replay, so
    Scrapy follows redirects and counts misses exactly as it does without a browser."""

    def process_request(self, request: Request, spider=None):
        if request.meta.get("playwright"):
            stored = self.archive.get(request.url)
            if stored is not None and 200 <= stored.status < 300:
                keys.inc(self.stats, keys.REPLAY_HIT)
                return None
        return super().process_request(request, spider)


class BrowserRecordMiddleware(RecordMiddleware):
    """Record, when some pages are rendered: a rendered response is the DOM after the scripts
    ran, not what the server sent, so it is not written here; the browser's routing writes the
    server's responses (the page and everything it loaded) to the same WARC."""

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if "playwright" in response.flags:
            return response
        return super().process_response(request, response, spider)
