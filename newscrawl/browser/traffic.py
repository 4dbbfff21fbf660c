"""Every request a browser page makes: kept on the site, then answered (replay), or fetched.

scrapy-playwright routes each page with its own handler (abort check, Scrapy's headers, then
the network).  Ours is added after it by the page-init callback, and Playwright runs the
last-added route first, so ours sees every request of the page - the document, its scripts,
its XHR/fetch calls, its frames - before anything can reach the network.  In order:

1. the resource filter (rendering.py): images, fonts, ad hosts ... aborted;
2. the site (``PageSite``): a request to a host outside the page's site - its profile's domains,
   ports counting as in middlewares/offsite.py, plus the profile's ``[browser] allow_hosts`` for
   CDNs - is aborted (``browser/refused/offsite``);
3. replay: answered from the WARC archive (the ReplayMiddleware's own index); a URL the archive
   lacks is answered 404 and counted, never fetched;
4. record and live: the address (middlewares/addresses.py): a host that is, or resolves to, a
   loopback, private, link-local ... address is aborted (``browser/refused/address`` and
   ``refused/address/<why>``; behind a proxy only IP literals are checked, the proxy resolves);
   then fetched by Playwright (``route.fetch``), in record mode written to the WARC with the
   RecordMiddleware's own writer, and given to the page.

Redirects: Playwright never routes a redirect's target, and Chromium follows a redirect a route
hands it straight to the network.  So no redirect is ever handed to Chromium: the chain is
fetched hop by hop here (``max_redirects=0``), each hop checked by 2 and 4 (and written, in
record mode), and the final response is given to the page.  The page's own document is the
exception: its redirect is handed to Scrapy (the Location under ``x-newscrawl-location``, which
BrowserMiddleware turns back into a redirect), so that RedirectGuard and the offsite filter
judge it like any redirect and the target becomes a page of its own with the right URL - as a
replay does (BrowserReplayMiddleware answers a stored redirect to Scrapy).

WebSockets bypass ``page.route``: ``page.route_web_socket`` refuses them all (they are never
needed for text).  A page the site opens itself (``window.open``) has no route of ours: the
context's route aborts everything it asks for (``browser/refused/popup``).
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import socket
import zlib
from dataclasses import dataclass, field
from typing import Awaitable, Callable
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Error as PlaywrightError
from scrapy.exceptions import IgnoreRequest

from .. import stats as keys
from ..middlewares.addresses import AddressPolicy, RefusedAddress, literal_address
from ..middlewares.offsite import on_domains
from .rendering import ResourceFilter


logger = logging.getLogger(__name__)

REDIRECTS = {301, 302, 303, 307, 308}
MAX_HOPS = 5
HANDED_LOCATION = "x-newscrawl-location"  # a page document's redirect, handed to Scrapy (middleware.py)
_DNS_CACHE_SIZE = 4096
# headers that describe the wire framing of the stored bytes, not the content handed to the page
_FRAMING = {"content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive"}


def _decoded(body: bytes, encoding: str) -> bytes | None:
    """The body without its content-encoding, or None when it cannot be decoded here."""
    encoding = encoding.strip().lower()
    try:
        if encoding in ("gzip", "x-gzip"):
            return gzip.decompress(body)
        if encoding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send it
        if encoding == "br":
            import brotli

            return brotli.decompress(body)
    except Exception:  # noqa: BLE001 - a broken body is served as stored, never a crash
        return None
    return None if encoding not in ("", "identity") else body


def fulfil_args(status: int, headers: list[tuple[str, str]], body: bytes) -> dict:
    """route.fulfill() arguments for a stored response: body decoded, one value per header name."""
    encoding = next((v for k, v in headers if k.lower() == "content-encoding"), "")
    plain = _decoded(body, encoding)
    if plain is None:
        plain, keep = body, {k.lower() for k, _ in headers} - {"content-length", "transfer-encoding"}
    else:
        keep = {k.lower() for k, _ in headers} - _FRAMING
    merged: dict[str, str] = {}
    for name, value in headers:
        low = name.lower()
        if low in keep:
            glue = "\n" if low == "set-cookie" else ", "
            merged[low] = f"{merged[low]}{glue}{value}" if low in merged else value
    return {"status": status, "headers": merged, "body": plain}


class OffsiteBrowserRequest(IgnoreRequest):
    """A browser page's own document is not on its site (it should never be: the offsite filter ran)."""


@dataclass
class PageSite:
    """What one browser page may load: its site's domains (ports count) and the profile's CDN hosts.

    Made per Scrapy request by BrowserMiddleware; the route handler writes back what happened to
    the page's own document (``refused``: the errback's exception; ``redirected``: handed to Scrapy).
    """

    domains: tuple[str, ...]
    refused: IgnoreRequest | None = None
    redirected: bool = False

    def allows(self, url: str) -> bool:
        return on_domains(url, self.domains)


async def system_resolve(host: str) -> list[str]:
    """Every address *host* resolves to (the system resolver, off the event loop)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass
class AddressCheck:
    """The address rule for browser requests: IP literals always, names unless a proxy resolves them.

    Answers are kept for the crawl (a page asks for the same few hosts hundreds of times).
    """

    policy: AddressPolicy
    proxied: bool = False
    resolve: Callable[[str], Awaitable[list[str]]] = system_resolve
    answers: dict[str, tuple[str, ...] | None] = field(default_factory=dict)

    async def problem(self, url: str) -> tuple[str, str, str] | None:
        """(host, address, why) when the URL's host is refused; ("", "", "dns") when it does not resolve."""
        host = (urlsplit(url).hostname or "").rstrip(".")
        literal = literal_address(host)
        if literal is not None:
            why = self.policy.refusal(literal)
            return (host, str(literal), why) if why else None
        if self.proxied or not host:
            return None
        if host not in self.answers:
            if len(self.answers) >= _DNS_CACHE_SIZE:
                self.answers.clear()
            try:
                self.answers[host] = tuple(await self.resolve(host))
            except OSError:
                self.answers[host] = None
        addresses = self.answers[host]
        if not addresses:
            return host, "", "dns"
        for address in addresses:
            why = self.policy.refusal(address)
            if why is not None:
                return host, address, why  # any one: Chromium or Playwright may connect to any of them
        return None


def _is_main_document(request) -> bool:
    try:
        return request.is_navigation_request() and request.frame.parent_frame is None
    except PlaywrightError:
        return False


def _is_closed_error(exc: Exception) -> bool:
    message = str(exc)
    return "has been closed" in message or "Target closed" in message


class BrowserTraffic:
    """The page route handler; one per crawl, shared by every page (``handler_for(site)`` per page)."""

    def __init__(self, stats, resource_filter: ResourceFilter, archive=None, recorder=None,
                 timeout_ms: float = 30_000, addresses: AddressCheck | None = None) -> None:
        self.stats = stats
        self.filter = resource_filter
        self.archive = archive
        self.recorder = recorder
        self.timeout_ms = timeout_ms
        self.addresses = addresses or AddressCheck(AddressPolicy())
        self._said: set[tuple[str, str]] = set()

    @property
    def mode(self) -> str:
        return "replay" if self.archive is not None else "record" if self.recorder is not None else "live"

    def count(self, key: str) -> None:
        keys.inc(self.stats, keys.browser(key))

    def handler_for(self, site: PageSite):
        async def handler(route, request) -> None:
            await self.handle(route, request, site)
        return handler

    # -- refusals ------------------------------------------------------------------------------
    async def _refuse(self, route, request, site: PageSite, why: str, url: str, detail: str = "") -> None:
        """Abort a request the rules refuse: counted, said once per host and reason."""
        self.count("refused")
        self.count(f"refused/{why}")
        host = urlsplit(url).netloc.lower().rpartition("@")[2]
        if (host, why) not in self._said:
            self._said.add((host, why))
            what = {"offsite": f"not on the page's site {list(site.domains)}",
                    "address": detail, "dns": "the host does not resolve"}.get(why, why)
            logger.warning("Browser request refused (%s: %s): %s %s", why, what, request.resource_type, url[:200])
        if why == "offsite" and _is_main_document(request) and site.refused is None:
            site.refused = OffsiteBrowserRequest(f"not on the page's site: {url[:200]}")
        await route.abort("namenotresolved" if why == "dns" else "blockedbyclient")

    async def _address_refused(self, route, request, site: PageSite, url: str) -> bool:
        found = await self.addresses.problem(url)
        if found is None:
            return False
        host, address, why = found
        if why == "dns":
            await self._refuse(route, request, site, "dns", url)
            return True
        keys.inc(self.stats, keys.REFUSED_ADDRESS)
        keys.inc(self.stats, keys.refused_address(why))
        detail = f"{host} is a {why.replace('_', '-')} address" if host == address else \
            f"{host} resolves to {address}, a {why.replace('_', '-')} address"
        if _is_main_document(request) and site.refused is None:
            site.refused = RefusedAddress(host, address, why)
        await self._refuse(route, request, site, "address", url, detail)
        return True

    # -- the route handler -------------------------------------------------------------------------
    async def handle(self, route, request, site: PageSite) -> None:
        try:
            if not request.url.startswith(("http://", "https://")):
                await route.continue_()  # data:, blob: never reach a network
                return
            why = self.filter.reason(request.resource_type, request.url)
            if why is not None:
                self.count("aborted")
                self.count(f"aborted/{why}")
                await route.abort("blockedbyclient")
                return
            if not site.allows(request.url):
                await self._refuse(route, request, site, "offsite", request.url)
                return
            self.count("requests")
            self.count(f"requests/{request.resource_type}")
            if self.archive is not None:
                await self._replay(route, request, site)
            else:
                await self._fetch(route, request, site)
        except PlaywrightError as exc:
            # the page was closed under a late request (its DOM was already taken): nothing lost
            if not _is_closed_error(exc):
                raise

    async def refuse_websocket(self, ws) -> None:
        """``page.route_web_socket``: no WebSocket connects (not calling connect_to_server)."""
        self.count("refused")
        self.count("refused/websocket")
        await ws.close()

    async def refuse_unowned(self, route, request) -> None:
        """The context's route: a request of a page that is not ours (a popup) is aborted."""
        self.count("refused")
        self.count("refused/popup")
        await route.abort("blockedbyclient")

    async def _replay(self, route, request, site: PageSite) -> None:
        url = request.url
        for _ in range(MAX_HOPS):
            stored = self.archive.get(url)
            if stored is None:
                break
            location = next((v for k, v in stored.headers if k.lower() == "location"), None)
            if stored.status in REDIRECTS and location:
                url = urljoin(url, location)
                if not site.allows(url):
                    await self._refuse(route, request, site, "offsite", url)
                    return
                continue
            self.count("replay_hit")
            await route.fulfill(**fulfil_args(stored.status, stored.headers, stored.body))
            return
        self.count("replay_miss")
        keys.inc(self.stats, keys.REPLAY_MISS)
        logger.warning("Replay miss in the browser (not in the archive, answered 404): %s %s",
                       request.resource_type, request.url)
        await route.fulfill(status=404, headers={"content-type": "text/plain"}, body=b"")

    async def _fetch(self, route, request, site: PageSite) -> None:
        """Live and record: the chain hop by hop, each hop checked (and written), the end to the page."""
        url, hops = request.url, 0
        main_document = _is_main_document(request)
        try:
            while True:
                if hops and not site.allows(url):
                    await self._refuse(route, request, site, "offsite", url)
                    return
                if await self._address_refused(route, request, site, url):
                    return
                response = await route.fetch(url=None if url == request.url else url, max_redirects=0,
                                             timeout=self.timeout_ms)
                body = await response.body()
                # Playwright hands the body decoded: the headers must not claim an encoding
                headers = [(h["name"], h["value"]) for h in response.headers_array
                           if h["name"].lower() not in ("content-encoding", "content-length")]
                if self.recorder is not None:
                    await self._write(url, request, response, headers, body)
                location = response.headers.get("location")
                if response.status in REDIRECTS and location:
                    if main_document:
                        # Scrapy follows it (RedirectGuard, offsite, a page of its own); never Chromium
                        site.redirected = True
                        self.count("redirects_to_scrapy")
                        # (a header of that name from the site itself is dropped: only ours is trusted)
                        headers = [(k, v) for k, v in headers if k.lower() not in ("location", HANDED_LOCATION)]
                        headers.append((HANDED_LOCATION, urljoin(url, location)))
                        break
                    if hops >= MAX_HOPS:
                        self.count("redirect_limit")
                        await route.abort("failed")
                        return
                    url, hops = urljoin(url, location), hops + 1
                    continue
                break
        except PlaywrightError as exc:
            if _is_closed_error(exc):
                raise
            self.count("fetch_failed" if self.recorder is None else "record_failed")
            logger.warning("Browser request failed (%s): %s", str(exc).splitlines()[0], request.url)
            await route.abort("failed")
            return
        # the page gets exactly what was fetched (and written, so that a replay renders the same)
        await route.fulfill(**fulfil_args(response.status, headers, body))

    async def _write(self, url: str, request, response, headers: list[tuple[str, str]], body: bytes) -> None:
        request_headers = list((await request.all_headers()).items())
        self.recorder.write(url, response.status, response.status_text, headers, body,
                            method=request.method if url == request.url else "GET",
                            request_headers=request_headers)
        self.count("recorded")
        keys.inc(self.stats, keys.RECORD_WRITTEN)
