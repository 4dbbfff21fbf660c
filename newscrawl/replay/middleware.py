"""NEWSCRAWL_REPLAY and NEWSCRAWL_RECORD as downloader middlewares.

Both sit next to the downloader (priority 950/960, after every stock middleware's
process_request and before every process_response), so that what is replayed or
recorded is the wire response: redirects, retries and robots.txt are handled by Scrapy's
own middlewares exactly as in a live crawl.  Record writes the body as it came off the
wire; replay hands over the body decoded once (payload.py says why), so that archives
written by other tools replay the same.  A replayed response never enters a download slot,
so replay opens no socket and waits for no delay.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import deferred_from_coro

from .. import meta as M
from .. import stats as keys
from .archive import NoArchive, WarcArchive, open_archive
from .recorder import WarcRecorder
from .sources import ArchiveError

logger = logging.getLogger(__name__)


def _paths(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(p).strip() for p in value if str(p).strip()]
    return [p.strip() for p in str(value).split(",") if p.strip()]


class ReplayMiddleware:
    """Answers every request from the WARC archive(s); a miss is a 404, counted and logged.

    Each answered request gets ``meta[CAPTURED_AT]``: when the archive captured that response
    (WARC-Date, else its HTTP Date). The spider takes it as "now" for age checks and as the
    record's fetched_at, so that an archive replays the same whenever it is replayed.
    """

    def __init__(self, crawler: Crawler, paths: list[str]) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.unreadable = ""
        try:
            self.archive: WarcArchive | NoArchive = open_archive(paths, crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        except ArchiveError as exc:
            # `scrapy crawl` / `crawlall` refuse this before starting (commands/checks.py); a crawl
            # started another way stops at once, and never goes to the network instead
            self.unreadable = str(exc)
            self.archive = NoArchive()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ReplayMiddleware":
        value = crawler.settings.get("NEWSCRAWL_REPLAY")
        if not value:
            raise NotConfigured
        return cls(crawler, _paths(value))

    def spider_opened(self, spider) -> None:
        if self.unreadable:
            keys.inc(self.stats, keys.REPLAY_UNREADABLE)
            logger.error("%s; nothing replayed", self.unreadable)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="replay_unreadable"))
            return
        logger.info("Replaying %d URLs from %s", len(self.archive),
                    ", ".join(source.label for source in self.archive.sources))
        for label, problem in self.archive.damaged:
            keys.inc(self.stats, keys.REPLAY_TRUNCATED)
            logger.warning("Replay archive %s is damaged: %s; its readable records are used, and this run "
                           "fails its verdict (records may be missing)", label, problem)

    def process_request(self, request: Request, spider=None) -> Response:
        if self.unreadable:
            raise IgnoreRequest(f"replay archive unreadable: {self.unreadable}")
        stored, tier = self.archive.lookup(request.url)
        robots = request.url.endswith("/robots.txt")
        if stored is None:
            if tier == "unresolved":
                keys.inc(self.stats, keys.REPLAY_REVISIT_UNRESOLVED)
            if robots:
                keys.inc(self.stats, keys.REPLAY_MISS_ROBOTS)
            else:
                keys.inc(self.stats, keys.REPLAY_MISS)
                logger.warning("Replay miss (not in the archive, answered 404): %s", request.url)
            return Response(request.url, status=404, request=request, flags=["replay", "replay-miss"])
        keys.inc(self.stats, keys.REPLAY_HIT if tier == "hit" else keys.REPLAY_FUZZY_HIT)
        if stored.captured_at is not None:
            request.meta[M.CAPTURED_AT] = stored.captured_at
        headers = Headers(stored.headers)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=stored.body)
        return cls(request.url, status=stored.status, headers=headers, body=stored.body,
                   request=request, flags=["replay"])

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        # a page another middleware answered from this archive (the browser's routing renders it):
        # its capture time too, from the index alone
        if "replay" not in response.flags and M.CAPTURED_AT not in request.meta:
            captured = self.archive.captured_at(request.url)
            if captured is not None:
                request.meta[M.CAPTURED_AT] = captured
        return response


class RecordMiddleware:
    """Writes every live response (and its request) to the WARC named by NEWSCRAWL_RECORD."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.stats = crawler.stats
        settings = crawler.settings
        self.recorder = WarcRecorder(path, info={
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "http-header-user-agent": str(settings.get("USER_AGENT") or "")})
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        logger.info("Recording responses to %s", path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RecordMiddleware":
        value = crawler.settings.get("NEWSCRAWL_RECORD")
        if not value:
            raise NotConfigured
        return cls(crawler, value)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if "replay" in response.flags or "cached" in response.flags:
            return response
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        headers = [(k.decode("latin-1"), v.decode("latin-1"))
                   for k, values in response.headers.items() for v in values]
        request_headers = [(k.decode("latin-1"), v.decode("latin-1"))
                           for k, values in request.headers.items() for v in values]
        self.recorder.write(response.url, response.status, reason, headers, response.body,
                            method=request.method, request_headers=request_headers,
                            ip_address=str(response.ip_address or ""))
        keys.inc(self.stats, keys.RECORD_WRITTEN)
        return response

    def spider_closed(self, spider) -> None:
        self.recorder.close()
