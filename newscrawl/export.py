"""The JSONL exporter: whole lines, flushed one by one.

Scrapy's JsonLinesItemExporter writes into a buffered file: a killed process can
lose the last items and leave half a line.  This one writes each record as a single
``write`` of one complete line and flushes it (and, with the feed option
``item_export_kwargs: {fsync: true}``, fsyncs) before the item counts as exported,
so that the state marks only what is on disk.
"""

from __future__ import annotations

import os

from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.python import to_bytes


class DurableJsonLinesExporter(JsonLinesItemExporter):
    def __init__(self, file, *, fsync: bool = False, **kwargs) -> None:
        super().__init__(file, **kwargs)
        self.fsync = fsync

    def export_item(self, item) -> None:
        data = self.encoder.encode(dict(self.get_serialized_fields(item))) + "\n"
        self.file.write(to_bytes(data, self.encoding or "utf-8"))
        self.file.flush()
        if self.fsync:
            try:
                os.fsync(self.file.fileno())
            except (AttributeError, OSError, ValueError):
                pass  # not a real file (stdout, a pipe): nothing to sync
