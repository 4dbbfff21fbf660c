"""What the page object reports instead of touching the crawler: named events.

An event is a stats key (relative to ``newscrawl/``, see newscrawl/stats.py), a count, and at
most one log line.  The spider turns events into crawler stats and log records; a test or a
notebook reads them as a list.  This keeps extraction free of Scrapy's crawl machinery (the
web-poet habit).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

DEBUG, INFO, WARNING, ERROR = logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR


@dataclass(frozen=True)
class Event:
    name: str  # stats key relative to newscrawl/ (newscrawl.stats)
    count: int = 1
    level: int = DEBUG  # how loud the log line is; DEBUG with no message: a counter only
    message: str = ""  # the one log line, already formatted

    def __str__(self) -> str:
        times = f" x{self.count}" if self.count != 1 else ""
        return f"{self.name}{times}" + (f": {self.message}" if self.message else "")


def names(events: list[Event]) -> list[str]:
    """The event names, for tests: ``assert "article/truncated" in names(result.events)``."""
    return [e.name for e in events]


def counts(events: list[Event]) -> dict[str, int]:
    """Event name -> total count (what the stats will say)."""
    total: dict[str, int] = {}
    for event in events:
        total[event.name] = total.get(event.name, 0) + event.count
    return total
