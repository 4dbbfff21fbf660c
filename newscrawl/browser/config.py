"""When a crawl uses the browser, and the settings that switch scrapy-playwright on for it.

A crawl whose spider needs no browser page gets none of this: Scrapy's own download handlers,
no Playwright driver, no Chromium.  ``configure_browser`` runs from the spiders'
``update_settings`` (before the crawler is built), so the decision is per spider class.

NEWSCRAWL_BROWSER:
- ``auto`` (default): the listing and/or article pages the profile's ``[browser]`` names;
- ``off``: no page is rendered (what the site looks like without JavaScript);
- ``always``: every listing and article page (feeds and sitemaps never), e.g. for the
  ``news`` spider on a site that has no profile.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from urllib.request import getproxies

from ..config import config_of
from ..meta import BROWSER as META  # request.meta flag: render this request in the browser
from ..sites.profile import SiteProfile
from .executable import DEFAULT_SEARCH, find_browser
from .rendering import BLOCK_HOSTS, BLOCK_TYPES, ResourceFilter
MODES = ("auto", "off", "always")
# a boolean spelling means "use the browser where profiles ask" (on) or "never" (off)
_ALIASES = {"": "auto", "1": "auto", "true": "auto", "yes": "auto", "on": "auto",
            "0": "off", "false": "off", "no": "off", "none": "off"}
BROWSER_KINDS = ("listing", "article")  # feeds and sitemaps are XML: never rendered

HANDLER = "newscrawl.browser.handler.BrowserDownloadHandler"
REPLAY_MW = "newscrawl.replay.middleware.ReplayMiddleware"
RECORD_MW = "newscrawl.replay.middleware.RecordMiddleware"

# Chromium flags: headless on a server, as root (no sandbox), and quiet - this machine refuses
# outside connections, so no update checks, sync, component downloads or field trials.
LAUNCH_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
    "--disable-domain-reliability", "--disable-breakpad", "--metrics-recording-only", "--mute-audio",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    # measured (tests/test_browser_live.py): the flags above still let Chromium 156 call
    # accounts.google.com and update.googleapis.com at start; pointing both services at a closed
    # local port stops that
    "--gaia-url=https://127.0.0.1:9", "--component-updater=url-source=https://127.0.0.1:9",
)
# Chromium itself has no network, in every mode: the page routing (traffic.py) answers every request
# from the archive (replay) or fetches it with Playwright's route.fetch after checking it (live,
# record).  Without these, Chromium still resolves names and opens sockets on its own - measured
# (tests/test_security_browser.py): a bare TCP connection to an off-site iframe's or popup's host
# before the routing aborts the request, and DNS prefetches.  WebRTC sends UDP (STUN) past all of
# that, even to an IP literal: it may use UDP only through a proxy, i.e. never (measured as well).
NO_NETWORK_ARGS = ("--host-resolver-rules=MAP * ~NOTFOUND", "--dns-prefetch-disable",
                   "--webrtc-ip-handling-policy=disable_non_proxied_udp")
REPLAY_ARGS = NO_NETWORK_ARGS  # the name tests/test_browser.py knows


def browser_mode(settings) -> str:
    raw = str(settings.get("NEWSCRAWL_BROWSER") or "auto").strip().lower()
    mode = _ALIASES.get(raw, raw)
    if mode not in MODES:
        raise ValueError(f"NEWSCRAWL_BROWSER={raw!r}: expected one of {', '.join(MODES)}")
    return mode


def wants_browser(mode: str, profile: SiteProfile | None, kind: str) -> bool:
    if mode == "off" or kind not in BROWSER_KINDS:
        return False
    if mode == "always":
        return True
    return profile is not None and bool(getattr(profile.browser, kind))


def browser_needed(settings, profile: SiteProfile | None) -> bool:
    mode = browser_mode(settings)
    return any(wants_browser(mode, profile, kind) for kind in BROWSER_KINDS)


def browser_meta(spider, profile: SiteProfile | None, kind: str) -> dict:
    """The request meta for a page of this kind: ``{META: True}`` when it is rendered."""
    crawler = getattr(spider, "crawler", None)
    mode = config_of(crawler).browser_mode if crawler is not None else "auto"  # checked once per crawl
    return {META: True} if wants_browser(mode, profile, kind) else {}


def search_list(settings) -> list[str]:
    return settings.getlist("NEWSCRAWL_BROWSER_SEARCH") or list(DEFAULT_SEARCH)


def resource_filter(settings) -> ResourceFilter:
    """The abort rules: built-in types and hosts plus the settings' extra hosts."""
    types = settings.getlist("NEWSCRAWL_BROWSER_BLOCK_TYPES") or list(BLOCK_TYPES)
    hosts = list(BLOCK_HOSTS) + settings.getlist("NEWSCRAWL_BROWSER_BLOCK_HOSTS")
    return ResourceFilter(types, hosts, abort_all=bool(settings.get("NEWSCRAWL_REPLAY")))


def proxy_from_environment(settings) -> dict | None:
    """The proxy Scrapy's HttpProxyMiddleware uses (https_proxy/http_proxy), for the browser too."""
    if not settings.getbool("HTTPPROXY_ENABLED", True):
        return None
    proxies = getproxies()
    url = proxies.get("https") or proxies.get("http")
    if not url:
        return None
    parts = urlsplit(url if "://" in url else f"http://{url}")
    proxy = {"server": f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")}
    if parts.username:
        proxy.update(username=parts.username, password=parts.password or "")
    if proxies.get("no"):
        proxy["bypass"] = proxies["no"]
    return proxy


def configure_browser(settings, profile: SiteProfile | None, spider_name: str = "news") -> None:
    """Switch scrapy-playwright on for this spider when it has browser pages (see the docstring).

    Without scrapy-playwright installed (the [browser] extra), a spider that needs it gets an extension
    that stops it at start with one line saying what to install (browser/absent.py), not an ImportError."""
    if not browser_needed(settings, profile):
        return
    from .absent import refuse_browser
    from .executable import browser_support_missing

    if browser_support_missing(spider_name):
        refuse_browser(settings)
        return
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    replay_at, record_at = middlewares.get(REPLAY_MW) or 950, middlewares.get(RECORD_MW) or 960
    middlewares.update({
        # before the replay middleware: it must see which requests are browser pages
        "newscrawl.browser.middleware.BrowserMiddleware": replay_at - 10,
        REPLAY_MW: None, "newscrawl.browser.middleware.BrowserReplayMiddleware": replay_at,
        RECORD_MW: None, "newscrawl.browser.middleware.BrowserRecordMiddleware": record_at,
    })
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")

    remote = settings.get("PLAYWRIGHT_CDP_URL") or settings.get("PLAYWRIGHT_CONNECT_URL")
    choice = find_browser(settings.get("NEWSCRAWL_BROWSER_EXECUTABLE") or "", search_list(settings))
    if choice is None and not remote:
        return  # BrowserMiddleware ends the run at start with one line saying what to install

    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    handlers.update({"http": HANDLER, "https": HANDLER})
    settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")

    replay = bool(settings.get("NEWSCRAWL_REPLAY"))
    launch: dict = {"headless": True, "args": list(LAUNCH_ARGS) + list(NO_NETWORK_ARGS)}
    if choice is not None:
        launch["executable_path"] = choice.path
    proxy = None if replay else proxy_from_environment(settings)
    if proxy:
        launch["proxy"] = proxy
    timeout_s = settings.getfloat("NEWSCRAWL_BROWSER_TIMEOUT")
    defaults = {
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        # two contexts at most: the one in use and the one being retired (middleware.py)
        "PLAYWRIGHT_MAX_CONTEXTS": 2,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2)),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout_s * 1000,
        "PLAYWRIGHT_ABORT_REQUEST": resource_filter(settings),
    }
    for name, value in defaults.items():
        # "default" priority: a PLAYWRIGHT_* value in settings.py or on the command line wins
        settings.set(name, value, priority="default")
