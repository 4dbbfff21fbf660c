"""Cheap rendering: what a browser page does not load, and the actions a profile asks for.

Extraction reads the DOM, never pixels: pictures keep their ``src`` attributes whether or not
they load, so images, fonts and media are aborted, and so are ad and tracker hosts (their
scripts are most of a news page's CPU time and would also be replay misses).  Stylesheets and
first-party scripts load, because visibility ("is the もっと見る button still shown?") and the
content itself depend on them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import urlsplit

from ..sites.profile import Browser

logger = logging.getLogger(__name__)

BLOCK_TYPES = ("image", "media", "font", "texttrack", "manifest", "eventsource", "websocket", "ping")

# Ad, tracker and widget hosts seen on Japanese news pages (a host and its subdomains).
BLOCK_HOSTS = (
    # Google ads / analytics
    "doubleclick.net", "googlesyndication.com", "googleadservices.com", "googletagservices.com",
    "googletagmanager.com", "google-analytics.com", "adservice.google.com", "adservice.google.co.jp",
    "imasdk.googleapis.com", "fundingchoicesmessages.google.com",
    # Japanese ad networks and recommendation widgets
    "yads.c.yimg.jp", "yads.yjtag.yahoo.co.jp", "b92.yahoo.co.jp", "i-mobile.co.jp", "microad.jp",
    "adingo.jp", "gmossp-sp.jp", "ad-stir.com", "logly.co.jp", "popin.cc", "uncn.jp", "adlantis.jp",
    "impact-ad.jp", "socdm.com", "ad-m.asia", "zucks.net", "nend.net", "fluct.jp", "geniee.jp",
    "gsspat.jp", "ladsp.com", "adjust.com", "valuecommerce.com",
    # international ad / tracking / recommendation
    "amazon-adsystem.com", "criteo.com", "criteo.net", "taboola.com", "outbrain.com", "rubiconproject.com",
    "pubmatic.com", "openx.net", "adnxs.com", "casalemedia.com", "smartadserver.com", "teads.tv",
    "scorecardresearch.com", "quantserve.com", "chartbeat.com", "chartbeat.net", "hotjar.com",
    "clarity.ms", "newrelic.com", "nr-data.net", "moatads.com", "adsafeprotected.com", "krxd.net",
    "facebook.net", "connect.facebook.net", "platform.twitter.com", "ads-twitter.com", "analytics.tiktok.com",
    "cdn.onesignal.com", "t.co",
)


class ResourceFilter:
    """Says which browser requests to abort: by resource type, by host, or all of them.

    Used as PLAYWRIGHT_ABORT_REQUEST (scrapy-playwright calls it for every request of a page)
    and by the replay/record routing.  ``abort_all`` is replay's guarantee: anything the
    archive routing did not answer is aborted instead of reaching the network.
    """

    def __init__(self, types: Iterable[str] = BLOCK_TYPES, hosts: Iterable[str] = BLOCK_HOSTS,
                 abort_all: bool = False) -> None:
        self.types = frozenset(t.lower() for t in types)
        self.hosts = tuple(sorted({h.lower().strip(".") for h in hosts if h and "/" not in h}))
        self.abort_all = abort_all

    def reason(self, resource_type: str, url: str) -> str | None:
        """Why a request is aborted ("type", "host"), or None when it may load."""
        if not url.startswith(("http://", "https://")):
            return None  # data:, blob: never reach a network
        if resource_type in self.types:
            return "type"
        host = (urlsplit(url).hostname or "").lower()
        if any(host == h or host.endswith("." + h) for h in self.hosts):
            return "host"
        return None

    def __call__(self, request) -> bool:
        return self.abort_all or self.reason(request.resource_type, request.url) is not None


@dataclass(frozen=True)
class PagePlan:
    """What to do on a rendered page before its DOM is taken."""

    wait_for: str = ""
    click: str = ""
    click_times: int = 0
    scroll_times: int = 0
    items: str = ""
    timeout_ms: float = 30_000
    growth_ms: float = 5_000  # how long a click or scroll may take to add items before it is the end

    @classmethod
    def for_page(cls, browser: Browser, kind: str, timeout_s: float) -> "PagePlan":
        timeout_ms = timeout_s * 1000
        growth_ms = min(timeout_ms, 5_000)
        if kind == "article":
            return cls(wait_for=browser.article_wait_for or browser.wait_for, timeout_ms=timeout_ms,
                       growth_ms=growth_ms)
        return cls(wait_for=browser.wait_for, click=browser.click, click_times=browser.click_times,
                   scroll_times=browser.scroll_times, items=browser.items or browser.wait_for,
                   timeout_ms=timeout_ms, growth_ms=growth_ms)

    @property
    def empty(self) -> bool:
        return not (self.wait_for or (self.click and self.click_times) or self.scroll_times)


_GREW_JS = "([selector, before]) => document.querySelectorAll(selector).length > before"


async def _grew(page, selector: str, before: int, timeout_ms: float) -> bool:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        await page.wait_for_function(_GREW_JS, arg=[selector, before], timeout=timeout_ms)
        return True
    except PlaywrightTimeout:
        return False


async def run_plan(page, plan: PagePlan, count: Callable[[str], None], site=None) -> None:
    """The profile's page actions (a scrapy-playwright PageMethod: ``page`` comes first).

    A missing ``wait_for`` raises (the page is an error: its content never came); a click or
    scroll that adds nothing ends the actions quietly, because "no more items" is how every
    「もっと見る」 list ends.  A page whose document answered a redirect (``site.redirected``,
    traffic.py) has nothing to wait for: Scrapy follows the redirect to a page of its own.
    """
    if site is not None and site.redirected:
        return
    if plan.wait_for:
        await page.wait_for_selector(plan.wait_for, state="attached", timeout=plan.timeout_ms)
    items = plan.items or "a[href]"
    if plan.click:
        for _ in range(plan.click_times):
            button = page.locator(plan.click).first
            if not await button.is_visible():
                count("actions/click_gone")
                break
            before = await page.locator(items).count()
            await button.click(timeout=plan.timeout_ms)
            count("actions/click")
            if not await _grew(page, items, before, plan.growth_ms):
                count("actions/no_growth")
                break
    for _ in range(plan.scroll_times):
        before = await page.locator(items).count()
        await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        count("actions/scroll")
        if not await _grew(page, items, before, plan.growth_ms):
            count("actions/no_growth")
            break
