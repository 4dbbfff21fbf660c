"""What a user would write instead of newscrawl: discover the articles from the sitemap and keep
trafilatura's text of each page, with its URL. Run with
`scrapy crawl articles -O out.jsonl -s NEWSCRAWL_REPLAY=archive.warc.gz`."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import trafilatura
from scrapy.spiders import SitemapSpider


class ArticlesSpider(SitemapSpider):
    name = "articles"
    sitemap_urls = ["https://dailyview.net/wp-sitemap.xml"]

    def parse(self, response):
        yield {"url": response.url, "text": trafilatura.extract(response.text)}

    def closed(self, reason):
        # for the benchmark: Scrapy's stats as JSON (BENCH_STATS_FILE), as benchmarks/bare_spider.py writes them
        path = self.settings.get("BENCH_STATS_FILE")
        if path:
            raw = self.crawler.stats.get_stats()
            stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in raw.items()}
            if "elapsed_time_seconds" not in raw and raw.get("start_time"):
                stats["elapsed_time_seconds"] = (datetime.now(tz=timezone.utc) - raw["start_time"]).total_seconds()
            with open(path, "w", encoding="utf-8") as fh:
                json.dump({"reason": reason, "stats": stats}, fh)
