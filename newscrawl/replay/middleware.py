"""NEWSCRAWL_REPLAY and NEWSCRAWL_RECORD as downloader middlewares.

Both sit next to the downloader (priority 950/960, after every stock middleware's
process_request and before every process_response), so that what is replayed or
recorded is the wire response: redirects, compression and retries are handled by
Scrapy's own middlewares exactly as in a live crawl.  A replayed response never
enters a download slot, so replay opens no socket and waits for no delay.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes

from .archive import WarcArchive, WarcRecorder

from .. import stats as keys

logger = logging.getLogger(__name__)


def _paths(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


class ReplayMiddleware:
    """Answers every request from the WARC archive(s); a miss is a 404, counted and logged."""

    def __init__(self, crawler: Crawler, paths: list[str]) -> None:
        self.stats = crawler.stats
        try:
            self.archive = WarcArchive(paths)
        except OSError as exc:
            raise RuntimeError(f"NEWSCRAWL_REPLAY: cannot read {exc.filename}: {exc.strerror}") from exc
        logger.info("Replaying %d responses from %s", len(self.archive), ", ".join(paths))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ReplayMiddleware":
        value = crawler.settings.get("NEWSCRAWL_REPLAY")
        if not value:
            raise NotConfigured
        return cls(crawler, _paths(value))

    def process_request(self, request: Request, spider=None) -> Response:
        stored, tier = self.archive.lookup(request.url)
        robots = request.url.endswith("/robots.txt")
        if stored is None:
            if robots:
                keys.inc(self.stats, keys.REPLAY_MISS_ROBOTS)
            else:
                keys.inc(self.stats, keys.REPLAY_MISS)
                logger.warning("Replay miss (not in the archive, answered 404): %s", request.url)
            return Response(request.url, status=404, request=request, flags=["replay", "replay-miss"])
        keys.inc(self.stats, keys.REPLAY_HIT if tier == "hit" else keys.REPLAY_FUZZY_HIT)
        headers = Headers(stored.headers)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=stored.body)
        return cls(request.url, status=stored.status, headers=headers, body=stored.body,
                   request=request, flags=["replay"])


class RecordMiddleware:
    """Writes every live response (and its request) to the WARC named by NEWSCRAWL_RECORD."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.stats = crawler.stats
        self.recorder = WarcRecorder(path)
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
                            method=request.method, request_headers=request_headers)
        keys.inc(self.stats, keys.RECORD_WRITTEN)
        return response

    def spider_closed(self, spider) -> None:
        self.recorder.close()
