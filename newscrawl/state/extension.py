"""Opens the state for a crawl, recovers from a killed run, marks articles once written.

Order of events for one article, and why it is safe against SIGKILL at any point:
1. the item is exported: the durable exporter (newscrawl/export.py) writes one whole
   line and flushes it;
2. then (item_scraped, after the FeedExporter's own handler) the URL is marked here.
A kill between 1 and 2 leaves a line in the JSONL that the state does not know; the
next run reads back every export file it has not fully read yet and marks those URLs
before crawling, so the article is not exported twice.  A kill during 1 leaves a
torn last line: the next run cuts it off into ``<file>.torn`` and says so, and since
its URL was never marked, the article is fetched again.
"""

from __future__ import annotations

import json
import logging
import weakref
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FeedExporter

from .store import StateStore

logger = logging.getLogger(__name__)
_STORES: "weakref.WeakKeyDictionary[Crawler, StateStore]" = weakref.WeakKeyDictionary()


def state_for(crawler: Crawler) -> StateStore | None:
    """The crawl's open state store, or None when the state is off."""
    return _STORES.get(crawler)


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


class StateExtension:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        path = settings.get("NEWSCRAWL_STATE")
        if not path or not settings.getbool("NEWSCRAWL_STATE_ENABLED", True):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = StateStore(path)
        _STORES[crawler] = self.store
        self.data_dir = Path(settings.get("NEWSCRAWL_DATA_DIR") or Path(path).parent.parent)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
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
                self.stats.inc_value("newscrawl/export/torn_tail_repaired")
                logger.warning("Export %s ended with a partial line (%d bytes, from a killed run): "
                               "moved to %s.torn", path, torn, path.name)
            key = str(path.resolve())
            start, size = self.store.scanned_bytes(key), path.stat().st_size
            if size <= start:
                continue
            with path.open("rb") as fh:
                fh.seek(start)
                for line in fh:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(record, dict) and record.get("url"):
                        rows.append((record["url"], record.get("site", spider.name), record.get("content_hash"),
                                     key, record.get("modified_at"), int(record.get("revision") or 1)))
            self.store.set_scanned_bytes(key, size)
        if rows:
            added = self.store.mark_many(rows)
            if added:
                self.stats.inc_value("newscrawl/state/recovered", added)
                logger.warning("Recovered %d exported articles that a killed run had not marked done", added)

    # -- signals --------------------------------------------------------------------------------------
    def spider_opened(self, spider) -> None:
        self.recover(spider)

    def _export_file(self) -> str | None:
        exporter = self.crawler.get_extension(FeedExporter)
        for slot in getattr(exporter, "slots", []):
            uri = getattr(slot, "uri", "")
            if uri.startswith("file://"):
                uri = uri[7:]
            if uri and "://" not in uri:
                return str(Path(uri).resolve())
        return None

    def item_scraped(self, item, spider) -> None:
        export_file = self._export_file()
        self.store.mark_exported(item["url"], item.get("site", spider.name), item.get("content_hash"),
                                 export_file, item.get("modified_at"), int(item.get("revision") or 1))
        if export_file:
            # this run's own lines need no reading back after a kill
            try:
                self.store.set_scanned_bytes(export_file, Path(export_file).stat().st_size)
            except OSError:
                pass
        self.stats.inc_value("newscrawl/state/marked")

    def spider_closed(self, spider) -> None:
        _STORES.pop(self.crawler, None)
        self.store.close()
