"""The settings `scrapy startproject` writes, plus what makes the comparison with newscrawl fair:
the same ReplayMiddleware answering from the same WARC, and newscrawl's concurrency and delay values
(replayed responses never enter a download slot, so the delay is not waited for either way)."""

BOT_NAME = "plain"
SPIDER_MODULES = ["plain.spiders"]
NEWSPIDER_MODULE = "plain.spiders"
ADDONS = {}
ROBOTSTXT_OBEY = True
FEED_EXPORT_ENCODING = "utf-8"

# as newscrawl/settings.py
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
TELNETCONSOLE_ENABLED = False

# the same replay as newscrawl's crawl: -s NEWSCRAWL_REPLAY=archive.warc.gz
DOWNLOADER_MIDDLEWARES = {"newscrawl.replay.middleware.ReplayMiddleware": 950}
