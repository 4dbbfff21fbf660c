"""The spider's side of the queue: start() from leases, and every lease settled exactly once.

In a queue mode (mode.py) the spider's ``start()`` is ``QueueSource.start``:

1. it queues the run's own work: the ``-a url`` / ``urls_file`` URLs, and with ``-a since`` the
   backfill's first pages (discovery/backfill.py ``walk_roots``); queueing is idempotent;
2. it leases URLs while the crawl has room and yields a request for each (the lease rides in
   the request's meta);
3. it ends when the queue is drained: nothing queued and no lease outstanding, of any worker.

Each lease ends in one outcome (queue.py): an article's record committed (the exporter's commit,
crawl.py), or **ack** (settled without a record: dropped by a pipeline, not an article, gone,
refused by a rule, exported meanwhile, an archive page walked), or **fail** (a download error,
a callback or pipeline error, a failed write: queued again, a dead letter after
NEWSCRAWL_MAX_ATTEMPTS).  An archive page is walked here, not in the spider: its article links
and next pages are queued (any worker may take them), then its lease is acked, so a walk killed
at any point resumes without reading a finished page again.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime
from typing import AsyncIterator

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from .. import meta as M
from .. import stats as keys
from ..discovery.backfill import ARCHIVE, DateRange, from_archive_listing, from_archive_sitemap, walk_roots
from ..discovery.links import ArticleLink, PageLink
from ..extract.encoding import decode
from ..urls import canonical_url, same_site
from .queue import Lease

logger = logging.getLogger(__name__)

LEASE = "newscrawl_lease"  # request meta: the queue lease the request works on
BACKFILL_MARK = "#newscrawl-backfill="  # a page's queue key: its URL + the walk's range
IDLE_POLL = 0.5  # seconds between looks at the queue when it has nothing for us yet
ORPHAN_SECONDS = 1.0  # the crawl idle this long with leases outstanding: those leases have no outcome
PAGE_KINDS = ("sitemap", "listing", ARCHIVE)
GONE = frozenset({404, 410})


def lease_of(response_or_request) -> Lease | None:
    meta = getattr(response_or_request, "meta", None) or {}
    try:
        return meta.get(LEASE)
    except AttributeError:  # a response without a request
        return None


def page_key(url: str, span: DateRange) -> str:
    """A backfill page's queue key: the same page in another range is another walk."""
    return f"{url}{BACKFILL_MARK}{span}"


def page_url(key: str) -> str:
    return key.split(BACKFILL_MARK, 1)[0]


def in_range(item: dict, span: DateRange) -> bool:
    """The record was published in the range (a record without a readable date is kept)."""
    try:
        published = datetime.fromisoformat(str(item.get("published_at") or "")).date()
    except ValueError:
        return True
    return span.contains(published)


async def _sleep(seconds: float) -> None:
    from twisted.internet import reactor  # here: importing it at module level would install a reactor

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class QueueSource:
    """Made in the spider's from_crawler (before the crawl's extensions and stats exist)."""

    def __init__(self, spider) -> None:
        self.spider = spider
        self.queue_site = spider.name
        settings = spider.crawler.settings
        # leases held at once: enough to keep the download slots busy, few enough that a worker does not
        # sit on URLs other workers could take (a queue is mostly one site: one slot of
        # CONCURRENT_REQUESTS_PER_DOMAIN); taken in batches of half of it (one round trip each)
        self.max_in_flight = max(2, min(settings.getint("CONCURRENT_REQUESTS"),
                                        4 * settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")))
        self.batch = max(1, self.max_in_flight // 2)
        self.yielded: set[tuple[str, str]] = set()
        self._idle_since: float | None = None  # since when the crawl has nothing in flight but leases
        self._queue_read = False

    @property
    def ext(self):
        """The crawl's QueueExtension (crawl.py): the queue, and Redis outages handled in one place."""
        from .crawl import QueueExtension

        return self.spider.crawler.get_extension(QueueExtension)

    @property
    def stats(self):
        return self.spider.crawler.stats

    def count(self, name: str, n: int = 1) -> None:
        keys.inc(self.stats, name, n)

    # -- 1. the run's own work ------------------------------------------------------------------------
    def _accept(self, url: str) -> bool:
        profile = self.spider.profile_for(url)
        return profile.key == "news" or same_site(url, profile)

    def enqueue_articles(self, links: list[ArticleLink], source: str, span: DateRange | None = None) -> int:
        """Queue article links not exported yet.  *span*: the backfill's range, checked again on the
        record's published_at (a listing link or a sitemap entry does not always say its date)."""
        fresh = self.ext.not_exported(links)
        added = 0
        by_meta: dict[str, list[str]] = {}
        for link in fresh:
            # the canonical form rides along when it differs (the request goes to the URL as found)
            by_meta.setdefault(link.canonical if link.canonical != link.url else "", []).append(link.url)
        for canonical, urls in by_meta.items():
            meta = {"c": canonical} if canonical else {}
            if span is not None:
                meta["range"] = str(span)
            added += self.ext.call(self.ext.queue.enqueue, self.queue_site, urls, "article", meta, default=0)
        self.count(keys.QUEUE_ENQUEUED, added)
        if added:
            logger.info("Queued %d article URL(s) from %s (%d were queued, done or exported already)",
                        added, source, len(links) - added)
        return added

    def enqueue_pages(self, pages: list[PageLink], span: DateRange) -> int:
        added = 0
        for page in pages:
            meta = {**span.as_meta(), "depth": page.depth}
            added += self.ext.call(self.ext.queue.enqueue, self.queue_site, [page_key(page.url, span)],
                                   page.kind, meta, default=0)
        self.count(keys.QUEUE_ENQUEUED, added)
        return added

    def enqueue_own_work(self) -> None:
        args = self.spider.args
        if args.urls:
            links = []
            for url in args.urls:
                if not self._accept(url):
                    self.count(keys.DISCOVERY_OFFSITE)
                    logger.error("Not a %s URL, not queued: %s", self.spider.name, url)
                    continue
                links.append(ArticleLink(url, canonical_url(url, self.spider.profile_for(url))))
            self.enqueue_articles(links, "the given URLs")
        if args.since is not None:
            span = DateRange(args.since, args.until)
            profile = getattr(self.spider, "profile", None)
            roots = walk_roots(profile, span, date.today()) if profile is not None else []
            roots += [PageLink(url, "sitemap", 0) for url in args.sitemaps]  # news: -a sitemap
            if not roots:
                self.count(keys.ERRORS)
                self.count(keys.ERRORS_NO_INPUT)
                logger.error("%s: -a since=%s, but the profile has no [backfill] table (and no -a sitemap): "
                             "nothing to walk", self.spider.name, args.since)
                return
            added = self.enqueue_pages(roots, span)
            logger.info("Backfill %s from %s: %d archive page(s) to start from (%d new in the queue)",
                        self.spider.name, span, len(roots), added)

    # -- 2. leases to requests ------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.enqueue_own_work()
        queue = self.ext.queue
        while not self.ext.stopping:
            room = self.max_in_flight - len(queue.in_flight)
            if room < self.batch:
                self._settle_orphans()
                await _sleep(0.05)
                continue
            leases = self.ext.call(queue.lease, room)
            if leases is not None and not self._queue_read:
                # the queue is this worker's discovery source: it answered, so the run had a usable one
                # (the verdict's "no feed, sitemap or listing could be used" is about a broken source)
                self._queue_read = True
                self.count(keys.DISCOVERY_SOURCES_OK)
            if leases:
                self.count(keys.QUEUE_LEASED, len(leases))
                for lease in leases:
                    request = self.request_for(lease)
                    if request is not None:
                        self.yielded.add((lease.site, lease.id))
                        yield request
                continue
            if self.ext.call(queue.drained):
                logger.info("Queue %s drained: nothing queued and no lease outstanding", self.queue_site)
                return
            self._settle_orphans()
            await _sleep(IDLE_POLL)

    def request_for(self, lease: Lease) -> scrapy.Request | None:
        spider = self.spider
        if lease.kind in PAGE_KINDS:
            url = page_url(lease.url)
            meta = {LEASE: lease, M.SOURCE: "queue"}
            request = spider.page_request(url, "sitemap" if lease.kind == "sitemap" else "listing",
                                          self.parse_page, **meta)
            return request.replace(errback=self.on_error, dont_filter=True)
        profile = spider.profile_for(lease.url)
        canonical = lease.meta.get("c") or canonical_url(lease.url, profile)
        skip = self.ext.skip_reason(canonical, lease.url)
        if skip is not None:
            self.count(keys.STATE_SKIPPED if skip == "exported" else keys.STATE_SKIPPED_GONE)
            self.count(keys.QUEUE_SKIPPED_EXPORTED)
            self.ack(lease)
            return None
        self.count(keys.DISCOVERY_CANDIDATES)
        request = spider.page_request(lease.url, M.ARTICLE, self.parse_article,
                                      **{M.CANONICAL: canonical, M.SOURCE: "queue", LEASE: lease})
        return request.replace(errback=self.on_error, dont_filter=True)

    # -- 3. outcomes -----------------------------------------------------------------------------------
    def ack(self, lease: Lease | None) -> None:
        if lease is None:
            return
        self.yielded.discard((lease.site, lease.id))
        self.ext.call(self.ext.queue.ack, lease)
        self.count(keys.QUEUE_ACKED)

    def fail(self, lease: Lease | None, error: str) -> None:
        if lease is None:
            return
        self.yielded.discard((lease.site, lease.id))
        outcome = self.ext.call(self.ext.queue.fail, lease, error)
        self.count(keys.QUEUE_FAILED)
        if outcome == "dead":
            self.count(keys.QUEUE_DEAD)
            logger.error("Dead letter after %d tries (%s): %s", lease.attempts + 1, error, lease.url)

    def committed(self, lease: Lease | None) -> None:
        if lease is not None:
            self.yielded.discard((lease.site, lease.id))

    def parse_article(self, response):
        lease = lease_of(response)
        produced = False
        span = DateRange.parse(lease.meta.get("range")) if lease is not None and lease.meta.get("range") else None
        try:
            for output in self.spider.parse_article(response):
                if span is not None and isinstance(output, dict) and not in_range(output, span):
                    self.count(keys.BACKFILL_OUT_OF_RANGE)
                    continue  # published outside -a since/until: not this backfill's (settled below)
                produced = True  # its lease is settled by the export (commit) or by item_dropped
                yield output
        except Exception as exc:
            self.fail(lease, f"callback error: {type(exc).__name__}: {exc}")
            raise
        if not produced:
            self.ack(lease)  # not an article, an empty page, a wall: counted by the page object

    def parse_page(self, response):
        lease = lease_of(response)
        try:
            self.walk(response, lease)
        except Exception as exc:
            self.fail(lease, f"callback error: {type(exc).__name__}: {exc}")
            raise
        self.ack(lease)

    def walk(self, response, lease: Lease) -> None:
        spider = self.spider
        span = DateRange.from_meta(lease.meta)
        profile = spider.profile_for(response.url)
        caps = spider.config.caps
        if lease.kind == "sitemap":
            found = from_archive_sitemap(response.body, response.url, profile, span, caps.per_sitemap,
                                         int(lease.meta.get("depth") or 0))
        else:
            text = decode(response.body, response.headers.get("Content-Type", b"").decode("latin-1"),
                          profile.encoding).text
            found = from_archive_listing(text, response.url, profile, span, int(lease.meta.get("depth") or 1),
                                         caps.per_listing_walk)
        spider.apply(found.events)
        self.count(keys.BACKFILL_PAGES)
        if found.usable:
            self.count(keys.DISCOVERY_SOURCES_OK)
        self.enqueue_articles(found.articles, response.url, span)
        self.enqueue_pages(found.pages, span)

    def on_error(self, failure):
        self.spider.on_error(failure)  # counted and said as in every crawl
        lease = lease_of(failure.request)
        if failure.check(HttpError) and failure.value.response.status in GONE:
            self.ack(lease)  # gone: remembered by the state (GoneMiddleware), never retried
        elif failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.ack(lease)  # a rule decided (robots.txt, off-site): a decision, not a failure
        else:
            reason = f"http_{failure.value.response.status}" if failure.check(HttpError) else \
                f"{failure.type.__name__}: {failure.getErrorMessage()}"
            self.fail(lease, reason)

    def dropped(self, response, exception) -> None:
        """item_dropped: a pipeline's decision (ack), or a pipeline's error (guarded: a failure)."""
        lease = lease_of(response)
        if exception is not None and exception.__cause__ is not None:
            self.fail(lease, f"pipeline error: {exception.__cause__}")
        else:
            self.ack(lease)

    def _settle_orphans(self) -> None:
        """Leases whose request ended with no outcome at all (a component dropped it without a word)
        would be renewed for ever and keep every worker waiting: when the crawl has had nothing in
        flight for ORPHAN_SECONDS, they fail (queued again; a dead letter after the last try)."""
        engine = self.spider.crawler.engine
        busy = (engine.downloader.active or engine.scheduler.has_pending_requests()
                or not engine.scraper.slot.is_idle())
        orphans = [lease for key, lease in self.ext.queue.in_flight.items() if key in self.yielded]
        if busy or not orphans:
            self._idle_since = None
            return
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        if now - self._idle_since < ORPHAN_SECONDS:
            return
        for lease in orphans:
            self.count(keys.ERRORS)
            self.count(keys.QUEUE_NO_OUTCOME)
            logger.error("The request for %s ended without any outcome: queued again", lease.url)
            self.fail(lease, "the request ended without an outcome")
        self._idle_since = None

