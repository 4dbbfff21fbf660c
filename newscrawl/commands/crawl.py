"""`scrapy crawl SITE`, strict: a failed run (see extensions/health.py) exits with status 3.

Scrapy's own crawl exits 0 whatever happened; for a cron line that is a dead night looking
green.  Before anything starts, the settings, the spider's arguments, the state and the network
are checked (one line and exit status 2, 3 or 4 instead of a traceback), and the site's lock is
taken: a second run of the same site exits 75 naming the run that holds it.
NEWSCRAWL_STRICT=0 gives Scrapy's always-0 back for the verdict.
"""

from __future__ import annotations

import time

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from ..distributed.mode import STOP_REDIS_LOST
from ..extensions.health import HealthCheck
from ..sites import all_profiles
from .checks import (
    EXIT_NO_NETWORK, EXIT_RUN_FAILED, EXIT_USAGE, Refused, checked_args, checked_config, checked_replay,
    checked_spider, checked_state, say, site_lock,
)
from .night import night_summary, save_night
from .preflight import no_network_message, url_hosts


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Run a spider; exit non-zero when the run failed (errors, no items, missing fields)"

    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("scrapy crawl SITE (one spider; use `scrapy crawlall` for every site)")
        assert self.crawler_process is not None and self.settings is not None
        name = args[0]
        try:
            checked_spider(name, self.crawler_process.spider_loader.list())
            config = checked_config(self.settings)
            spider_args = checked_args(opts.spargs)
            if name == "news" and not (spider_args.urls or spider_args.feeds or spider_args.sitemaps
                                       or config.distributed):  # a distributed worker takes the queue's URLs
                raise Refused("newscrawl: news needs -a url=URL, -a urls_file=PATH, -a feed=URL or -a sitemap=URL",
                              EXIT_USAGE)
            checked_replay(config)
            checked_state(config)
            if not config.replaying:
                profile = all_profiles().get(name)
                hosts = url_hosts(spider_args.urls + spider_args.feeds + spider_args.sitemaps)
                message = no_network_message([profile] if profile and not hosts else [], hosts)
                if message:
                    raise Refused(message, EXIT_NO_NETWORK)
            lock = site_lock(config, name)
        except Refused as refused:
            say(refused.message)
            self.exitcode = refused.status
            return
        started = time.time()
        try:
            crawler = self.crawler_process.create_crawler(name)
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            lock.release()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        health = crawler.get_extension(HealthCheck)
        verdict = health.verdict if health is not None else None
        if config.report and verdict is not None:  # NEWSCRAWL_REPORT=1: the night's summary and HTML report
            row = {**verdict.summary, "failed": verdict.failed, "reasons": verdict.reasons}
            summary = night_summary([row], started, config.data_dir)
            save_night(summary, config.runs_dir / f"{summary['run']}.json")
        if config.strict and verdict is not None and verdict.failed:
            self.exitcode = EXIT_RUN_FAILED
            if health.verdict.summary.get("finish_reason") == STOP_REDIS_LOST:  # distributed: Redis is gone
                self.exitcode = EXIT_NO_NETWORK
