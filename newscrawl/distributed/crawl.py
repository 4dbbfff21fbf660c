"""The queue inside a crawl: one extension that owns the worker's queue, commit and upkeep.

Configured in the queue modes only (mode.py: distributed, or a single-machine backfill); a
nightly run never builds it.  What it does, in order:

- at spider_opened (before start() leases anything): distributed mode first recovers this worker
  id's shards (shards.py: the last lines a killed incarnation wrote but did not commit), then
  registers the run's shard, and hooks into the durable exporter (export/feed.py):
  a **gate** (no new line while the last one's commit is unsettled), the **commit** after each
  confirmed write (commit.py; "duplicate" = another worker exported the URL first: the exporter
  cuts the line off again), and a **failure hook** (a failed write: the URL is tried again);
- while it runs: a heartbeat every lease/3 (our leases are not taken over while we work on them)
  and a progress line every NEWSCRAWL_PROGRESS_INTERVAL (done, queued, rate, ETA over all workers);
- item_dropped settles the dropped record's lease (source.py).

Redis not answering: the client sends every command again until it answers (``NEWSCRAWL_REDIS_WAIT``
seconds, the crawl paused; connection.RidingRetry; every script is safe to send twice).  If it
does not come back, the run stops (``queue/redis_lost``, an error: exit status 4) without settling anything more: leases
expire and go to other workers, and an uncommitted last line is recovered when this worker id
starts again.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from .. import stats as keys
from ..config import config_of
from ..export import DurableFeedExporter
from ..export.feed import CUT, SCRAPED_RESPONSE
from ..state.extension import store_of
from .local_queue import LocalQueue
from .mode import LOCAL, REDIS, STOP_REDIS_LOST, queue_mode, redis_of, worker_id_of
from .progress import Snapshot, progress_line
from .source import lease_of

logger = logging.getLogger(__name__)


class QueueExtension:
    def __init__(self, crawler: Crawler, mode: str) -> None:
        self.crawler = crawler
        self.config = config_of(crawler)
        self.stats = crawler.stats
        self.mode = mode
        self.site = crawler.spider.name
        self.stopping = False  # no more leases: drained, or Redis lost
        self.redis_lost = False
        self.shards: list[str] = []
        self._loops: list[task.LoopingCall] = []
        self._previous: Snapshot | None = None
        self._said_not_written = False
        self.queue = None
        if mode == REDIS:
            from .commit import Committer

            self.client = redis_of(crawler)
            self.worker_id = worker_id_of(self.config)
            self.committer = Committer(self.client, self.worker_id)  # registers its script: no round trip
        else:
            self.client = None
            self.worker_id = "local"
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "QueueExtension":
        mode = queue_mode(config_of(crawler), getattr(crawler.spider, "args", None))
        if mode is None:
            raise NotConfigured
        return cls(crawler, mode)

    def count(self, name: str, n: int = 1) -> None:
        keys.inc(self.stats, name, n)

    # -- Redis that does not answer ----------------------------------------------------------------------
    def call(self, fn, *args, default=None):
        """fn(*args), or *default* once Redis is lost.  The client itself sends a command again while
        Redis does not answer (connection.RidingRetry, NEWSCRAWL_REDIS_WAIT): what still fails is lost."""
        if self.mode != REDIS:
            return fn(*args)
        from .connection import UNREACHABLE

        if self.redis_lost:
            return default
        try:
            return fn(*args)
        except UNREACHABLE as exc:
            self.lose(exc)
            return default

    def lose(self, exc) -> None:
        if self.redis_lost:
            return
        self.redis_lost = self.stopping = True
        self.count(keys.ERRORS)
        self.count(keys.QUEUE_REDIS_LOST)
        logger.error("Redis at %s did not answer for %gs (%s): stopping; this worker's leases go to other "
                     "workers, and its last line is settled when worker %s starts again",
                     self.client.newscrawl_url, self.config.redis_wait, exc, self.worker_id)
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason=STOP_REDIS_LOST))

    # -- the state, for the source --------------------------------------------------------------------
    def not_exported(self, links: list) -> list:
        """The links whose canonical URL was not exported yet (queueing skips the others)."""
        store = store_of(self.crawler)
        if store is None or not links:
            return list(links)
        if self.mode == LOCAL:
            return [link for link in links if store.get(link.canonical) is None]
        known: list = []
        for start in range(0, len(links), 1000):  # one round trip per thousand
            chunk = [link.canonical for link in links[start:start + 1000]]
            known += self.call(self.client.hmget, store.keys.articles, chunk, default=[None] * len(chunk))
        return [link for link, row in zip(links, known) if row is None]

    def skip_reason(self, canonical: str, url: str) -> str | None:
        """"exported" or "gone" when the state skip middleware would drop the article's request (the
        same rules: newscrawl/state/middleware.py), so that its lease is settled, not left hanging."""
        store = store_of(self.crawler)
        if store is None:
            return None
        config = self.config
        if self.mode == REDIS:  # one round trip; the skip middleware and dedup then ask the same for free
            self.call(store.prefetch, [canonical, url])
        days = config.gone_days
        if days and any(self.call(store.gone_status, u, days) is not None for u in dict.fromkeys([canonical, url])):
            return "gone"
        row = self.call(store.get, canonical)
        if row is None or config.ignore_state:
            return None
        if config.refetch_hours and time.time() - row.first_seen < config.refetch_hours * 3600:
            return None
        self.call(store.touch, row.url)
        return "exported"

    # -- opening ----------------------------------------------------------------------------------------
    def spider_opened(self, spider) -> None:
        exporter = self.crawler.get_extension(DurableFeedExporter)
        if self.mode == REDIS:
            self._open_redis(spider, exporter)
        else:
            self.queue = LocalQueue(self.config.data_dir / "state" / "backfill-queue.sqlite3", [self.site],
                                    max_attempts=self.config.max_attempts)
            if self.queue.requeued:
                logger.warning("Backfill of %s resumes: %d URL(s) a killed run had taken are queued again",
                               self.site, self.queue.requeued)
        if exporter is not None:
            exporter.add_gate(self.may_write)
            exporter.add_committer(self.commit)
            exporter.failure_hooks.append(self.write_failed)
        if self.config.progress_interval > 0:
            self._every(self.config.progress_interval, self.progress)

    def _open_redis(self, spider, exporter) -> None:
        from .queue import WorkQueue
        from .shards import recover_shards

        self.stats.set_value(keys.key(keys.QUEUE_WORKER_ID), self.worker_id)
        self.queue = self.call(lambda: WorkQueue(self.client, self.worker_id, [self.site],
                                                 lease_seconds=self.config.lease_seconds,
                                                 max_attempts=self.config.max_attempts))
        if self.queue is None:
            return
        # the killed incarnation's last lines first: before this run leases or writes anything
        report = self.call(recover_shards, self.committer, None, None, self.site)
        if report is not None:
            self.count(keys.QUEUE_RECOVERED, report.committed)
            self.count(keys.QUEUE_RECOVERED_DUPLICATES, report.duplicates)
            self.count(keys.EXPORT_TORN_TAIL, report.torn)
        slots = exporter.slots if exporter is not None else []
        self.shards = [str(Path(slot.storage.path).resolve()) for slot in slots
                       if isinstance(getattr(slot.storage, "path", None), str)]
        if not self.shards:
            self.count(keys.ERRORS)
            self.count(keys.ERRORS_EXPORT)
            logger.error("Distributed mode writes each worker's records to a local JSONL file: give -O FILE "
                         "(or no -O for the default shard); not starting")
            self.stopping = True
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="no_shard"))
            return
        for shard in self.shards:
            self.call(self.committer.register_shard, shard)
        self.stats.set_value(keys.key(keys.QUEUE_SHARDS), ", ".join(self.shards))
        logger.info("Worker %s of queue %s at %s; shard %s", self.worker_id, self.site, self.client.newscrawl_url,
                    ", ".join(self.shards))
        self._every(max(self.config.lease_seconds / 3, 0.05), self.heartbeat)

    def _every(self, seconds: float, fn) -> None:
        loop = task.LoopingCall(fn)
        loop.start(seconds, now=False).addErrback(lambda f: logger.error("%s stopped: %s", fn.__name__, f.value))
        self._loops.append(loop)

    # -- the export: gate, commit, failure --------------------------------------------------------------
    def may_write(self, item) -> bool:
        if not self.redis_lost:
            return True
        self.count(keys.QUEUE_NOT_WRITTEN)
        if not self._said_not_written:
            self._said_not_written = True
            logger.error("Records are no longer written: Redis is lost and the last line's commit is unsettled")
        return False

    def commit(self, item, receipts):
        lease = lease_of(SCRAPED_RESPONSE.get())
        source = getattr(self.crawler.spider, "queue_source", None)
        if self.mode == LOCAL:  # the state has marked the record (StateExtension commits first)
            if lease is not None:
                self.queue.ack(lease)
                self.count(keys.QUEUE_COMMITTED)
                if source is not None:
                    source.committed(lease)
            return None
        written = next((r for r in receipts if r.path), None)
        if written is None:
            return None  # not a file: refused at open (no shard)
        from .commit import DUPLICATE

        status = self.call(lambda: self.committer.commit_status(
            item["url"], item.get("site") or self.site, item.get("content_hash"), str(Path(written.path).resolve()),
            written.start, written.end, revision=int(item.get("revision") or 1), modified_at=item.get("modified_at"),
            queued_url=lease.url if lease else None, lease_id=lease.id if lease else None, queue=self.site))
        if lease is not None:
            self.queue.forget(lease)
            if source is not None:
                source.committed(lease)
        store = store_of(self.crawler)
        if store is not None:
            store.forget_prefetched(item["url"])  # the commit wrote its row: no stale answer for it
        if status is None:
            return None  # Redis lost: the line stays, uncommitted and last; recovery settles it
        if status == DUPLICATE:
            self.count(keys.QUEUE_DUPLICATES)
            logger.warning("%s was exported by another worker first (it took our expired lease over): "
                           "our line is cut off", item["url"])
            return CUT
        self.count(keys.QUEUE_COMMITTED)
        return None

    def write_failed(self, item, exc) -> None:
        source = getattr(self.crawler.spider, "queue_source", None)
        if source is not None:
            source.fail(lease_of(SCRAPED_RESPONSE.get()), f"record not written: {type(exc).__name__}: {exc}")

    def item_dropped(self, item, response, exception, spider) -> None:
        source = getattr(spider, "queue_source", None)
        if source is not None:
            source.dropped(response, exception)

    # -- upkeep ---------------------------------------------------------------------------------------------
    def heartbeat(self) -> None:
        if self.queue is None or self.redis_lost:
            return
        self.call(self.queue.heartbeat)

    def snapshot(self) -> Snapshot | None:
        if self.queue is None or self.redis_lost:
            return None
        if self.mode == LOCAL:
            c = self.queue.counts(self.site)
            return Snapshot(time.monotonic(), c["done"], c["queued"], c["leased"], c["dead"])
        from .connection import UNREACHABLE
        from .queue_status import status

        try:
            rows = status(self.client, self.site)
        except UNREACHABLE:
            return None
        row = rows[0] if rows else None
        return Snapshot(time.monotonic(), row.done, row.queued, row.leased, row.dead) if row else None

    def progress(self) -> None:
        now = self.snapshot()
        if now is None:
            return
        mine = keys.get(self.stats.get_stats(), keys.QUEUE_COMMITTED)
        logger.info(progress_line(self.site, self.worker_id, now, self._previous, mine))
        self._previous = now

    # -- closing ------------------------------------------------------------------------------------------
    def spider_closed(self, spider, reason) -> None:
        self.stopping = True
        for loop in self._loops:
            if loop.running:
                loop.stop()
        if self.mode == REDIS:
            from .connection import round_trips

            self.stats.set_value(keys.key(keys.QUEUE_ROUND_TRIPS), round_trips(self.client))
            self.stats.set_value(keys.key(keys.QUEUE_REDIS_OUTAGES), self.client.outages.count)
            logger.info("Worker %s: %d record(s) committed, %d cut (another worker was first), %d Redis "
                        "round trips; shard %s", self.worker_id, keys.get(self.stats.get_stats(),
                                                                           keys.QUEUE_COMMITTED),
                        keys.get(self.stats.get_stats(), keys.QUEUE_DUPLICATES), round_trips(self.client),
                        ", ".join(self.shards) or "-")
        elif self.queue is not None:
            self.queue.close()
