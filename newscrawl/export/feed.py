"""Scrapy's FeedExporter with every write confirmed: only a record on disk counts as exported.

Scrapy calls signal handlers through ``send_catch_log``: an exception in the FeedExporter's
``item_scraped`` is logged and the crawl goes on, and any other handler of the same signal
(marking the article done, counting it) runs as if the line had been written.  A full disk
then lost articles for good behind a green night.  So the state is no longer told by a signal:
this subclass wraps Scrapy's own ``item_scraped`` (which writes the record to every feed),
collects the write receipts of the durable exporter (jsonlines.py), and only when every write
succeeded counts the record (``newscrawl/items/exported``) and has the state mark it.  A failed
write is counted (``newscrawl/errors/export``), logged with the article's URL, leaves the article
unmarked (it is exported next run), and fails the run's verdict; a full disk (or a read-only or
broken one) stops the run at once instead of grinding through the night.
"""

from __future__ import annotations

import contextvars
import errno
import logging

from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter
from scrapy.utils.defer import deferred_from_coro

from .. import stats as keys
from .jsonlines import RECEIPTS, WriteReceipt

logger = logging.getLogger(__name__)

# an export error that will not go away by itself this night: stop the run
_FATAL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG}
STOP_REASON = "export_failed"

# What a committer may answer: None keeps the line; CUT has it cut off again and not counted
# (the distributed commit: another worker exported this article first).
CUT = "cut"
# The response the record came from, while it is exported (the distributed commit reads the URL's
# queue lease from its request meta).
SCRAPED_RESPONSE: contextvars.ContextVar = contextvars.ContextVar("newscrawl_scraped_response", default=None)


class DurableFeedExporter(FeedExporter):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.crawler = crawler
        self.stopping = False
        self.committers: list = []  # callables(item, receipts) run after a confirmed write (the state)
        self.gates: list = []  # callables(item) -> bool, before a write: False = not written (they say why)
        self.failure_hooks: list = []  # callables(item, exc) after a failed write (the queue retries it)

    def add_committer(self, commit) -> None:
        """Run *commit(item, receipts)* after each confirmed write (StateExtension registers its mark)."""
        self.committers.append(commit)

    def add_gate(self, gate) -> None:
        """Ask *gate(item)* before each write; False: the record is not written (distributed mode,
        while the last line's commit is unsettled)."""
        self.gates.append(gate)

    def item_scraped(self, item, spider, response=None) -> None:
        scraped = SCRAPED_RESPONSE.set(response)
        try:
            self._export(item, spider)
        finally:
            SCRAPED_RESPONSE.reset(scraped)

    def _export(self, item, spider) -> None:
        if not all(gate(item) for gate in self.gates):
            return
        receipts: list[WriteReceipt] = []
        token = RECEIPTS.set(receipts)
        try:
            super().item_scraped(item, spider)
        except Exception as exc:  # noqa: BLE001 - every failed write is counted and said, never swallowed
            self._failed(item, exc)
            return
        finally:
            RECEIPTS.reset(token)
        answers = []
        try:
            for commit in self.committers:
                answers.append(commit(item, receipts))
        finally:
            if CUT not in answers:
                keys.inc(self.crawler.stats, keys.ITEMS_EXPORTED)
        if CUT in answers:
            self._cut(item, receipts)

    def _cut(self, item, receipts: list[WriteReceipt]) -> None:
        """A committer refused the line: cut it off every file it went to (it is the last line of each)."""
        for receipt in receipts:
            if receipt.cut is not None:
                receipt.cut()
            else:
                keys.inc(self.crawler.stats, keys.ERRORS)
                keys.inc(self.crawler.stats, keys.ERRORS_EXPORT)
                logger.error("A line of %s that must go cannot be cut off %s (not a regular file)",
                             item.get("url", "?"), receipt.path or "the output")
        keys.inc(self.crawler.stats, keys.EXPORT_CUT)

    def _failed(self, item, exc: Exception) -> None:
        stats = self.crawler.stats
        keys.inc(stats, keys.ERRORS)
        keys.inc(stats, keys.ERRORS_EXPORT)
        url = item.get("url", "?") if hasattr(item, "get") else "?"
        fatal = isinstance(exc, OSError) and exc.errno in _FATAL_ERRNOS
        if fatal and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            keys.inc(stats, keys.EXPORT_DISK_FULL)
        logger.error("Record not written (%s: %s): %s stays unmarked and is exported next run",
                     type(exc).__name__, exc, url)
        for hook in self.failure_hooks:
            hook(item, exc)
        if fatal and not self.stopping:
            self.stopping = True
            logger.error("The output cannot be written (%s): stopping the run", exc.strerror or exc)
            engine = self.crawler.engine
            if engine is not None:
                deferred_from_coro(engine.close_spider_async(reason=STOP_REASON))
