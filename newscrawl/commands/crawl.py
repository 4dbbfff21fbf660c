"""`scrapy crawl SITE`, strict: a failed run (see extensions/health.py) exits with status 3.

Scrapy's own crawl exits 0 whatever happened; for a cron line that is a dead night
looking green.  NEWSCRAWL_STRICT=0 gives Scrapy's behaviour back.
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from ..extensions.health import HealthCheck
from ..sites import all_profiles
from .preflight import EXIT_NO_NETWORK, no_network_message

EXIT_RUN_FAILED = 3


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Run a spider; exit non-zero when the run failed (errors, no items, missing fields)"

    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("scrapy crawl SITE (one spider; use `scrapy crawlall` for every site)")
        assert self.crawler_process
        profile = all_profiles().get(args[0])
        if profile is not None and not self.settings.get("NEWSCRAWL_REPLAY") and not opts.spargs:
            message = no_network_message([profile])
            if message:
                print(message, file=sys.stderr)
                self.exitcode = EXIT_NO_NETWORK
                return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        health = crawler.get_extension(HealthCheck)
        strict = crawler.settings.getbool("NEWSCRAWL_STRICT", True)
        if strict and health is not None and health.verdict is not None and health.verdict.failed:
            self.exitcode = EXIT_RUN_FAILED
