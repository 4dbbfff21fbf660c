"""Faults to inject into a real crawl from the command line (tests only), as Scrapy add-ons.

An add-on adds its component to the project's own (a ``-s SPIDER_MIDDLEWARES=...`` on the command
line would replace them all):

    -s 'ADDONS={"tests.faults.RaiseInCallbacks": 0}' -s FAULT_SITE=kbs
    -s 'ADDONS={"tests.faults.KillAfterWrites": 0}' -s FAULT_KILL_AFTER=20
    -s 'ADDONS={"tests.faults.PauseAfterWrites": 0}' -s FAULT_PAUSE=0.05

KillAfterWrites is the deterministic kill of the kill-and-rerun tests: SIGKILL right after the
Nth record line is confirmed on disk and before the state marks it (the window the recovery
exists for), instead of a test polling the file and killing at some moment.
"""

from __future__ import annotations

import os
import signal


class RaiseInCallbacks:
    """Every response of one site raises in the spider, as a broken callback would."""

    def __init__(self, site: str = "") -> None:
        self.site = site

    def update_settings(self, settings) -> None:  # add-on
        settings["SPIDER_MIDDLEWARES"]["tests.faults.RaiseInCallbacks"] = 10

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("FAULT_SITE", ""))

    def process_spider_input(self, response):
        if response.request.meta.get("newscrawl_kind") and self._spider_name(response) == self.site:
            raise RuntimeError(f"injected fault for {self.site}")

    def _spider_name(self, response) -> str:
        from urllib.parse import urlsplit

        from newscrawl.sites import profile_for_url

        profile = profile_for_url(urlsplit(response.url).hostname or "")
        return profile.key if profile else ""


class KillAfterWrites:
    """SIGKILL the crawl after FAULT_KILL_AFTER confirmed writes, before the state marks the last one."""

    def __init__(self, crawler=None) -> None:
        self.crawler = crawler
        self.after = crawler.settings.getint("FAULT_KILL_AFTER") if crawler is not None else 0
        self.written = 0

    def update_settings(self, settings) -> None:  # add-on
        settings["EXTENSIONS"]["tests.faults.KillAfterWrites"] = 40  # before StateExtension (50)

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider) -> None:
        from newscrawl.export import DurableFeedExporter

        exporter = self.crawler.get_extension(DurableFeedExporter)
        exporter.committers.insert(0, self.written_one)  # runs before the state's mark

    def written_one(self, item, receipts) -> None:
        self.written += 1
        if self.written >= self.after:
            os.kill(os.getpid(), signal.SIGKILL)


class PauseAfterWrites:
    """Hold the crawl FAULT_PAUSE seconds after each confirmed write (a slow worker): a test can then
    do something while the crawl is surely still running, without racing a fast replay."""

    def __init__(self, crawler=None) -> None:
        self.crawler = crawler
        self.pause = crawler.settings.getfloat("FAULT_PAUSE", 0.05) if crawler is not None else 0.0

    def update_settings(self, settings) -> None:  # add-on
        settings["EXTENSIONS"]["tests.faults.PauseAfterWrites"] = 40

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider) -> None:
        from newscrawl.export import DurableFeedExporter

        self.crawler.get_extension(DurableFeedExporter).committers.insert(0, self.written_one)

    def written_one(self, item, receipts) -> None:
        import time

        time.sleep(self.pause)  # blocks the reactor on purpose: the whole worker is slow


class DiskFullAfter:
    """The export file system fills up: every write to an export file fails with ENOSPC once
    FAULT_DISK_BYTES bytes of JSONL were written in this process (a full disk injected at the file layer,
    where no tmpfs can be mounted)."""

    def __init__(self, crawler=None) -> None:
        self.limit = crawler.settings.getint("FAULT_DISK_BYTES") if crawler is not None else 0

    def update_settings(self, settings) -> None:  # add-on
        settings["EXTENSIONS"]["tests.faults.DiskFullAfter"] = 1

    @classmethod
    def from_crawler(cls, crawler):
        import errno

        from newscrawl.export import jsonlines

        extension = cls(crawler)
        real_write, budget = jsonlines.os.write, [extension.limit]

        class _OS:  # the exporter's view of os: write() fails once the budget is spent, partway if need be
            def __getattr__(self, name):
                return getattr(os, name)

            @staticmethod
            def write(fd, data):
                if budget[0] <= 0:
                    raise OSError(errno.ENOSPC, "No space left on device")
                n = real_write(fd, bytes(data[: budget[0]]))
                budget[0] -= n
                return n

        jsonlines.os = _OS()
        return extension


class StateDiskFull:
    """SQLite answers "database or disk is full" to every near-duplicate signature the dedup pipeline
    stores (what a full disk under the state looks like from inside a pipeline)."""

    def update_settings(self, settings) -> None:  # add-on
        settings["EXTENSIONS"]["tests.faults.StateDiskFull"] = 1

    @classmethod
    def from_crawler(cls, crawler):
        import sqlite3

        from newscrawl.state.store import StateStore

        def full(self, *args, **kwargs):
            raise sqlite3.OperationalError("database or disk is full")

        StateStore.add_signature = full
        return cls()


class FailToStart:
    """One site of a crawlall cannot start: an extension of its crawler raises while it is built."""

    def update_settings(self, settings) -> None:  # add-on
        settings["EXTENSIONS"]["tests.faults.FailToStart"] = 1

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.spidercls.name == crawler.settings.get("FAULT_SITE"):
            raise RuntimeError(f"injected: {crawler.spidercls.name} cannot start")
        return cls()
