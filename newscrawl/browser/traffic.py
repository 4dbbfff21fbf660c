"""Every request a browser page makes, in replay and record mode (Playwright routing).

scrapy-playwright routes each page with its own handler (abort check, Scrapy's headers, then
the network).  Ours is added after it by the page-init callback, and Playwright runs the
last-added route first, so ours sees every request of the page - the document, its scripts,
its XHR/fetch calls - before anything can reach the network:

- replay: answered from the WARC archive (the ReplayMiddleware's own index); a URL the
  archive lacks is answered 404 and counted, never fetched;
- record: fetched by Playwright (``route.fetch``), written to the WARC with the
  RecordMiddleware's own writer, then given to the page;
- live: handed on (``route.fallback``) to scrapy-playwright's handler.

Redirects: Chromium does not follow a redirect a route fulfils (it goes to the network for the
target), and Playwright never routes a redirect's target.  So replay follows redirects inside
the archive and answers with the final response; the page's own document never gets here as a
redirect (BrowserReplayMiddleware answers that one to Scrapy, which follows it).  Record fetches
the chain hop by hop so every hop is written, then lets the browser itself walk a document's
chain, so that the page URL is the final one.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from urllib.parse import urljoin

from playwright.async_api import Error as PlaywrightError

from .. import stats as keys
from .rendering import ResourceFilter


logger = logging.getLogger(__name__)

REDIRECTS = {301, 302, 303, 307, 308}
MAX_HOPS = 5
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


def _is_closed_error(exc: Exception) -> bool:
    message = str(exc)
    return "has been closed" in message or "Target closed" in message


class BrowserTraffic:
    """The page route handler; one per crawl, shared by every page."""

    def __init__(self, stats, resource_filter: ResourceFilter, archive=None, recorder=None,
                 timeout_ms: float = 30_000) -> None:
        self.stats = stats
        self.filter = resource_filter
        self.archive = archive
        self.recorder = recorder
        self.timeout_ms = timeout_ms

    @property
    def mode(self) -> str:
        return "replay" if self.archive is not None else "record" if self.recorder is not None else "live"

    def count(self, key: str) -> None:
        keys.inc(self.stats, keys.browser(key))

    async def handle(self, route, request) -> None:
        try:
            why = self.filter.reason(request.resource_type, request.url)
            if why is not None:
                self.count("aborted")
                self.count(f"aborted/{why}")
                await route.abort("blockedbyclient")
                return
            self.count("requests")
            self.count(f"requests/{request.resource_type}")
            if self.archive is not None:
                await self._replay(route, request)
            elif self.recorder is not None:
                await self._record(route, request)
            else:
                await route.fallback()
        except PlaywrightError as exc:
            # the page was closed under a late request (its DOM was already taken): nothing lost
            if not _is_closed_error(exc):
                raise

    async def _replay(self, route, request) -> None:
        url = request.url
        for _ in range(MAX_HOPS):
            stored = self.archive.get(url)
            if stored is None:
                break
            location = next((v for k, v in stored.headers if k.lower() == "location"), None)
            if stored.status in REDIRECTS and location:
                url = urljoin(url, location)
                continue
            self.count("replay_hit")
            await route.fulfill(**fulfil_args(stored.status, stored.headers, stored.body))
            return
        self.count("replay_miss")
        keys.inc(self.stats, keys.REPLAY_MISS)
        logger.warning("Replay miss in the browser (not in the archive, answered 404): %s %s",
                       request.resource_type, request.url)
        await route.fulfill(status=404, headers={"content-type": "text/plain"}, body=b"")

    async def _record(self, route, request) -> None:
        url, hops = request.url, 0
        try:
            while True:
                response = await route.fetch(url=None if url == request.url else url, max_redirects=0,
                                             timeout=self.timeout_ms)
                body = await response.body()
                headers = await self._write(url, request, response, body)
                location = response.headers.get("location")
                if response.status in REDIRECTS and location and hops < MAX_HOPS:
                    url, hops = urljoin(url, location), hops + 1
                    continue
                break
        except PlaywrightError as exc:
            if _is_closed_error(exc):
                raise
            self.count("record_failed")
            logger.warning("Browser request failed while recording (%s): %s", str(exc).splitlines()[0],
                           request.url)
            await route.abort("failed")
            return
        if hops and request.is_navigation_request():
            await route.fallback()  # the browser walks the (recorded) chain itself: page.url stays right
            return
        # the page gets exactly what was written, so that a replay of the night renders the same
        await route.fulfill(**fulfil_args(response.status, headers, body))

    async def _write(self, url: str, request, response, body: bytes) -> list[tuple[str, str]]:
        # Playwright hands the body decoded: the stored headers must not claim an encoding
        headers = [(h["name"], h["value"]) for h in response.headers_array
                   if h["name"].lower() not in ("content-encoding", "content-length")]
        request_headers = list((await request.all_headers()).items())
        self.recorder.write(url, response.status, response.status_text, headers, body,
                            method=request.method if url == request.url else "GET",
                            request_headers=request_headers)
        self.count("recorded")
        keys.inc(self.stats, keys.RECORD_WRITTEN)
        return headers
