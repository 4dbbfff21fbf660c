"""The durable export: a record counts as exported only once its line is on disk.

- jsonlines.py  DurableJsonLinesExporter: one whole line per record, written through to the file
                (flushed, fsynced for the default outputs); a failed write leaves no partial line
- feed.py       DurableFeedExporter: Scrapy's FeedExporter, with every write confirmed; only a
                confirmed record is marked in the state, a failed one is a loud error (and a full
                disk stops the run early)
"""

from .feed import DurableFeedExporter
from .jsonlines import DurableJsonLinesExporter, WriteReceipt

__all__ = ["DurableFeedExporter", "DurableJsonLinesExporter", "WriteReceipt"]
