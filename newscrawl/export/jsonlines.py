"""The JSONL exporter: whole lines, written through to the file one by one.

Scrapy's JsonLinesItemExporter writes into a buffered file: a killed process can lose the last
items and leave half a line, and a write that fails (ENOSPC) leaves its bytes in the buffer, to
surface later in the middle of another line.  This one encodes the whole line first (a record
that cannot be encoded fails before a byte is written), writes it straight to the file
descriptor, fsyncs it when the feed asks (``item_export_kwargs: {fsync: true}``, the default
outputs), and on any failure cuts the file back to where the line started: the file only ever
holds whole records.  Each confirmed write leaves a receipt (file, start and end offsets) for
the DurableFeedExporter that called it (feed.py), which marks the article in the state.
"""

from __future__ import annotations

import contextvars
import io
import os
import stat
from dataclasses import dataclass, field
from typing import Callable

from scrapy.exporters import JsonLinesItemExporter


@dataclass(frozen=True)
class WriteReceipt:
    path: str | None  # the file written (None: a stream without a name)
    start: int  # byte offset where the line begins
    end: int  # byte offset after its newline
    synced: bool
    # cuts this line off again (the file ends at ``start``): for a committer that refuses the line
    # (distributed mode: another worker exported the article first); None: nothing can be cut
    cut: Callable[[], None] | None = field(default=None, compare=False, repr=False)


# The receipts of the record being exported right now: set by DurableFeedExporter.item_scraped
# around Scrapy's own call into every feed's exporter (one synchronous call, so a context variable
# carries them without any shared state between crawlers).
RECEIPTS: contextvars.ContextVar[list[WriteReceipt] | None] = contextvars.ContextVar("newscrawl_receipts",
                                                                                     default=None)


def _fileno(file) -> int | None:
    try:
        return file.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


class DurableJsonLinesExporter(JsonLinesItemExporter):
    def __init__(self, file, *, fsync: bool = False, **kwargs) -> None:
        super().__init__(file, **kwargs)
        self.fsync = fsync

    def export_item(self, item) -> None:
        line = (self.encoder.encode(dict(self.get_serialized_fields(item))) + "\n").encode(self.encoding or "utf-8")
        fd = _fileno(self.file)
        if fd is None:  # a wrapper (post-processing) or an in-memory stream: its own buffering
            self.file.write(line)
            self.file.flush()
            self._receipt(WriteReceipt(getattr(self.file, "name", None), 0, 0, False))
            return
        self.file.flush()  # nothing should be buffered; if it is, it goes first
        try:
            start = os.lseek(fd, 0, os.SEEK_END)
        except OSError:  # a pipe or a terminal: no offsets, nothing to cut back
            start = None
        written = 0
        try:
            while written < len(line):
                written += os.write(fd, line[written:])
            if self.fsync:
                _sync(fd)
        except OSError:
            if start is not None and written:
                try:
                    os.ftruncate(fd, start)  # no partial line stays behind
                    os.lseek(fd, start, os.SEEK_SET)
                except OSError:
                    pass
            raise
        name = getattr(self.file, "name", None)
        cut = None if start is None else (lambda: self._cut(fd, start))
        self._receipt(WriteReceipt(name if isinstance(name, str) else None, start or 0,
                                   (start or 0) + len(line), self.fsync, cut))

    def _cut(self, fd: int, start: int) -> None:
        """Cut the file back to *start*: the last line goes (it was the last: one write at a time)."""
        os.ftruncate(fd, start)
        os.lseek(fd, start, os.SEEK_SET)
        if self.fsync:
            _sync(fd)

    @staticmethod
    def _receipt(receipt: WriteReceipt) -> None:
        receipts = RECEIPTS.get()
        if receipts is not None:
            receipts.append(receipt)


def _sync(fd: int) -> None:
    if stat.S_ISREG(os.fstat(fd).st_mode):  # a pipe or a terminal has nothing to sync
        os.fsync(fd)
