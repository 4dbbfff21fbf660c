"""Every log line about a site names it: ``[yonhap] Crawled 120 pages ...``.

A crawlall night runs every site in one process: Scrapy's periodic "Crawled N pages" line, the
stats dump, "Spider opened/closed", each downloader and middleware line say nothing of which site
they are about, so a night's log could not be read per site.  Scrapy passes the spider with those
records (``extra={"spider": ...}``); this extension wraps the formatter of the log handlers once so
that such a record's message starts with ``[<site>]`` (the spider's name).  Records of the spider's
own logger, which is named after the site already, are left as they are, and so are records that
carry no spider (process-wide lines: the enabled components, the settings).  Why a formatter and
not LOG_FORMAT: a ``%(site)s`` field would break every record that has no such attribute, and
records are logged before any extension could add a filter.  NEWSCRAWL_LOG_SITE=0 turns it off.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from ..config import config_of


def site_of_record(record: logging.LogRecord) -> str:
    spider = getattr(record, "spider", None)
    name = getattr(spider, "name", None)
    return name if isinstance(name, str) and name and record.name != name else ""


class SiteNamingFormatter(logging.Formatter):
    """Formats with the handler's own formatter, the message prefixed with ``[<site>]`` when known."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        site = site_of_record(record)
        if not site:
            return self.inner.format(record)
        named = logging.makeLogRecord(record.__dict__)  # a copy: other handlers see the record as it was
        named.msg, named.args = f"[{site}] {record.getMessage()}", None
        named.message = None
        return self.inner.format(named)


def name_sites_in(handlers) -> int:
    """Wrap each handler's formatter once; returns how many were wrapped now."""
    wrapped = 0
    for handler in handlers:
        if not isinstance(handler.formatter, SiteNamingFormatter):
            handler.setFormatter(SiteNamingFormatter(handler.formatter))
            wrapped += 1
    return wrapped


class SiteInLog:
    """Extension: wraps the root logger's handlers (Scrapy's log handler is one) when a spider opens -
    not at creation: Scrapy installs a fresh root handler after the extensions are made."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SiteInLog":
        if not config_of(crawler).log_site:
            raise NotConfigured
        extension = cls()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider) -> None:
        name_sites_in(logging.getLogger().handlers)
