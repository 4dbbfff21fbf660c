"""Opens the state for a crawl, recovers from a killed run, marks articles once written.

Order of events for one article, and why it is safe against SIGKILL or a full disk at any point:
1. the durable exporter (newscrawl/export/) writes one whole line, flushed and (default outputs)
   fsynced; a write that fails leaves no partial line, is counted as an error and marks nothing;
2. only then, called by that exporter with the write's receipt, the URL (and its aliases) is marked
   here.
A kill between 1 and 2 leaves a line in the JSONL that the state does not know; the next run reads
back every export file it has not fully read yet and marks those URLs before crawling, so the article
is not exported twice.  A kill during 1 leaves a torn last line: the next run cuts it off into
``<file>.torn`` and says so, and since its URL was never marked, the article is fetched again.

Other components reach the store through the crawler: ``crawler.get_extension(StateExtension).store``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from .. import stats as keys
from ..config import config_of
from ..export import DurableFeedExporter, WriteReceipt
from ..items import ALIASES
from .store import StateStore

logger = logging.getLogger(__name__)


def store_of(crawler: Crawler) -> StateStore | None:
    """The crawl's open state store, or None when the state is off."""
    try:
        extension = crawler.get_extension(StateExtension)
    except RuntimeError:  # asked before the extensions exist
        return None
    return extension.store if extension is not None else None


def repair_torn_tail(path: Path) -> int:
    """Cut a last line without its newline off *path* into ``path.torn``; returns bytes moved."""
    size = path.stat().st_size
    if not size:
        return 0
    with path.open("rb+") as fh:
        fh.seek(max(0, size - 1))
        if fh.read(1) == b"\n":
            return 0
        # find the last newline, reading backwards in blocks
        pos, block, cut = size, 65536, 0
        while pos > 0:
            start = max(0, pos - block)
            fh.seek(start)
            chunk = fh.read(pos - start)
            idx = chunk.rfind(b"\n")
            if idx >= 0:
                cut = start + idx + 1
                break
            pos = start
        fh.seek(cut)
        torn = fh.read()
        with path.with_name(path.name + ".torn").open("ab") as out:
            out.write(torn + b"\n")
        fh.truncate(cut)
    return len(torn)


def read_records(path: Path, start: int = 0):
    """(record, end offset) for every whole JSON line of an export file from *start*."""
    with path.open("rb") as fh:
        fh.seek(start)
        offset = start
        for line in fh:
            offset += len(line)
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("url"):
                yield record, offset


class StateExtension:
    def __init__(self, crawler: Crawler) -> None:
        config = config_of(crawler)
        if config.state_path is None:
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        # distributed mode: the state all workers share, in Redis (newscrawl/distributed/shared_state.py);
        # its commit and recovery are the distributed ones (newscrawl/distributed/crawl.py)
        self.shared = config.distributed
        if self.shared:
            from ..distributed.shared_state import open_shared_state

            self.store = open_shared_state(crawler)
        else:
            self.store = StateStore(config.state_path)  # StateError: the commands check it before starting
        self.data_dir = config.data_dir
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StateExtension":
        return cls(crawler)

    # -- recovery -----------------------------------------------------------------------------------
    def _export_files(self, spider) -> list[Path]:
        folder = self.data_dir / spider.name
        return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []

    def recover(self, spider) -> None:
        rows = []
        for path in self._export_files(spider):
            torn = repair_torn_tail(path)
            if torn:
                keys.inc(self.stats, keys.EXPORT_TORN_TAIL)
                logger.warning("Export %s ended with a partial line (%d bytes: a run was killed while writing "
                               "it): moved to %s.torn; its article was never marked and is fetched again",
                               path, torn, path.name, extra={"spider": spider})
            key = str(path.resolve())
            start, size = self.store.scanned_bytes(key), path.stat().st_size
            if size <= start:
                continue
            for record, _ in read_records(path, start):
                rows.append((record["url"], record.get("site", spider.name), record.get("content_hash"),
                             key, record.get("modified_at"), int(record.get("revision") or 1)))
            self.store.set_scanned_bytes(key, size)
        if rows:
            added = self.store.mark_many(rows)
            if added:
                keys.inc(self.stats, keys.STATE_RECOVERED, added)
                logger.warning("Recovered %d exported articles that a killed run had not marked done", added,
                               extra={"spider": spider})

    # -- signals ------------------------------------------------------------------------------------
    def spider_opened(self, spider) -> None:
        if self.shared:
            return
        self.recover(spider)
        exporter = self.crawler.get_extension(DurableFeedExporter)
        if exporter is not None:
            exporter.add_committer(self.commit)

    def commit(self, item, receipts: list[WriteReceipt]) -> None:
        """Mark an article whose line was confirmed on disk (called by the durable exporter)."""
        written = next((r for r in receipts if r.path), None)
        export_file = str(Path(written.path).resolve()) if written else None
        try:
            self.store.mark_exported(item["url"], item.get("site", ""), item.get("content_hash"), export_file,
                                     item.get("modified_at"), int(item.get("revision") or 1))
            self.store.add_aliases(item["url"], item.get(ALIASES) or [])
            if written and written.end:
                # this run's own lines need no reading back after a kill
                self.store.set_scanned_bytes(export_file, written.end)
        except sqlite3.Error as exc:
            # the line is on disk: the next run reads it back and marks it; tonight fails loudly
            keys.inc(self.stats, keys.ERRORS)
            keys.inc(self.stats, keys.ERRORS_STATE)
            logger.error("State not updated for %s (%s): the line is in %s and is recovered next run",
                         item.get("url"), exc, export_file or "the output")
            return
        keys.inc(self.stats, keys.STATE_MARKED)

    def spider_closed(self, spider) -> None:
        if not self.shared:  # the shared store's Redis client is the crawl's (closed with the process)
            self.store.close()
