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


class DurableFeedExporter(FeedExporter):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.crawler = crawler
        self.stopping = False
        self.committers: list = []  # callables(item, receipts) run after a confirmed write (the state)

    def add_committer(self, commit) -> None:
        """Run *commit(item, receipts)* after each confirmed write (StateExtension registers its mark)."""
        self.committers.append(commit)

    def item_scraped(self, item, spider) -> None:
        receipts: list[WriteReceipt] = []
        token = RECEIPTS.set(receipts)
        try:
            super().item_scraped(item, spider)
        except Exception as exc:  # noqa: BLE001 - every failed write is counted and said, never swallowed
            self._failed(item, exc)
            return
        finally:
            RECEIPTS.reset(token)
        keys.inc(self.crawler.stats, keys.ITEMS_EXPORTED)
        for commit in self.committers:
            commit(item, receipts)

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
        if fatal and not self.stopping:
            self.stopping = True
            logger.error("The output cannot be written (%s): stopping the run", exc.strerror or exc)
            engine = self.crawler.engine
            if engine is not None:
                deferred_from_coro(engine.close_spider_async(reason=STOP_REASON))
