"""Item pipelines, in order: clean -> dedup -> validate; then the durable export (newscrawl/export/).

Every pipeline's ``process_item`` runs under ``guarded``: an exception that is not a DropItem
(a full disk under SQLite, a bug) is counted (``newscrawl/errors/pipeline``), said in one line,
and the item dropped with the reason ``pipeline_error`` - it is not exported tonight, stays
unmarked, and the run's verdict fails, so the article comes back next night.  Scrapy would log
a traceback and carry on silently.
"""

from __future__ import annotations

import functools
import logging

from scrapy.exceptions import DropItem

from .. import stats as keys

logger = logging.getLogger(__name__)


def guarded(process_item):
    @functools.wraps(process_item)
    def wrapper(self, item):
        try:
            return process_item(self, item)
        except DropItem:
            raise
        except Exception as exc:  # noqa: BLE001 - counted, said, and the run fails
            stats = self.stats
            keys.inc(stats, keys.ERRORS)
            keys.inc(stats, keys.ERRORS_PIPELINE)
            keys.inc(stats, keys.DROPPED)
            keys.inc(stats, keys.dropped("pipeline_error"))
            url = item.get("url", "?") if hasattr(item, "get") else "?"
            logger.error("%s failed on %s (%s: %s): not exported tonight, fetched again next run",
                         type(self).__name__, url, type(exc).__name__, exc)
            raise DropItem(f"pipeline_error: {url}") from exc
    return wrapper
