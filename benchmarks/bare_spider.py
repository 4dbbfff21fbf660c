"""The bare-Scrapy baseline for benchmarks/throughput.py: discover the articles from the same
sitemap index and yield only {"url": response.url}.

Run from the project directory with `scrapy runspider benchmarks/bare_spider.py` so that the
project's settings apply (concurrency, delays, robots.txt, reactor, the ReplayMiddleware); the
custom_settings below switch off what newscrawl adds on top of Scrapy: its pipelines (clean,
dedup, validate), its extensions (state, health verdict), its spider middleware (state skip), its
downloader middlewares other than replay (bad-input guards; Scrapy's own Offsite is back), and its
JSONL exporter.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from scrapy.spiders import SitemapSpider


class BareSpider(SitemapSpider):
    name = "bare"
    sitemap_urls = ["https://dailyview.net/wp-sitemap.xml"]
    custom_settings = {
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {},
        "SPIDER_MIDDLEWARES": {},
        "FEED_EXPORTERS": {},
        "DOWNLOADER_MIDDLEWARES": {"newscrawl.replay.middleware.ReplayMiddleware": 950},
    }

    def parse(self, response):
        yield {"url": response.url}

    def closed(self, reason):
        path = self.settings.get("BENCH_STATS_FILE")
        if path:
            raw = self.crawler.stats.get_stats()
            stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in raw.items()}
            if "elapsed_time_seconds" not in raw and raw.get("start_time"):
                # CoreStats sets it after this handler: measure it the same way here
                now = datetime.now(tz=timezone.utc)
                stats["elapsed_time_seconds"] = (now - raw["start_time"]).total_seconds()
            with open(path, "w", encoding="utf-8") as fh:
                json.dump({"reason": reason, "stats": stats}, fh)
