"""Scrapy settings for newscrawl. Every value can be changed with ``-s NAME=VALUE``."""

import os

from newscrawl.items import EXPORT_FIELDS

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"

# -- where things land -------------------------------------------------------------------------
# NEWSCRAWL_DATA_DIR moves everything a run writes (output, state, run summaries, locks). Empty:
# the environment variable NEWSCRAWL_DATA_DIR, else ./data; a replay without either gets a
# throwaway folder (newscrawl/config.py, resolve_data_dir).
NEWSCRAWL_DATA_DIR = ""
NEWSCRAWL_STATE = ""  # the state file; empty: <data dir>/state/newscrawl.sqlite3
NEWSCRAWL_STATE_ENABLED = True
NEWSCRAWL_IGNORE_STATE = False  # fetch and export articles even when already exported (still marks them)
NEWSCRAWL_REFETCH_HOURS = 0  # re-fetch articles first seen less than N hours ago (corrections -> revision)
NEWSCRAWL_GONE_DAYS = 30  # a 404/410 article URL is not asked again for N days (0: always asked)
NEWSCRAWL_REPLAY = ""  # WARC path(s), comma-separated: answer every request from them
NEWSCRAWL_RECORD = ""  # WARC path: write every live response to it
NEWSCRAWL_DROP_DUPLICATES = False  # same text under another URL: keep and mark (False) or drop
NEWSCRAWL_NEAR_DUP_THRESHOLD = 0.6  # Jaccard (MinHash, character 4-grams) from which a text is a near-duplicate
NEWSCRAWL_NEAR_DUP_DAYS = 14  # how far back near-duplicates are looked for
NEWSCRAWL_MAX_AGE_DAYS = ""  # override every profile's discovery.max_age_days (0: no limit)
# NEWSCRAWL_NOW: ISO 8601 "now" for the age checks (a value without an offset is UTC). Empty: in replay
# the archive's capture time of each page (WARC-Date, else its HTTP Date; never the wall clock), live
# the server's Date, else the clock (docs/replay.md). fetched_at is always when the page was fetched
# or captured, whatever this says.
NEWSCRAWL_NOW = ""

# Without -o/-O/FEEDS a crawl writes <data dir>/<spider>/<time>.jsonl (set by the spiders'
# update_settings, because -O must replace this default, not add to it).
NEWSCRAWL_OUTPUT = "%(data_dir)s/%(name)s/%(time)s.jsonl"
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {
    "jsonlines": "newscrawl.export.DurableJsonLinesExporter",
    "jsonl": "newscrawl.export.DurableJsonLinesExporter",
}
FEED_EXPORT_FIELDS = EXPORT_FIELDS
# one time format in every name, the night's local date first (newscrawl/export/names.py)
FEED_URI_PARAMS = "newscrawl.export.names.uri_params"

# -- politeness ----------------------------------------------------------------------------------
NEWSCRAWL_CONTACT = os.environ.get("NEWSCRAWL_CONTACT", "https://github.com/newscrawl/newscrawl")
USER_AGENT = f"newscrawl/0.1 (+{NEWSCRAWL_CONTACT})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
TELNETCONSOLE_ENABLED = False  # a nightly crawler needs no listening socket
REMOTE_CONTROL_ENABLED = False
COOKIES_ENABLED = False

# -- components ----------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    "newscrawl.replay.middleware.ReplayMiddleware": 950,
    "newscrawl.replay.middleware.RecordMiddleware": 960,
    # bad input and hostile responses (newscrawl/middlewares, docs/bad-input.md); the numbers place
    # each one's process_response before the stock middleware it must precede
    "newscrawl.middlewares.scheme.HttpOnlyMiddleware": 40,  # before Offsite (50) and robots.txt (100)
    "newscrawl.middlewares.addresses.AddressGuardMiddleware": 45,  # IP literals; counts the resolver's refusals
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,  # replaced by the same rule, counted:
    "newscrawl.middlewares.offsite.OffsiteMiddleware": 50,
    "newscrawl.middlewares.gone.GoneMiddleware": 555,  # before Retry (550): 404/410 never retried
    "newscrawl.middlewares.retry_after.RetryAfterMiddleware": 560,  # before Retry (550)
    "newscrawl.middlewares.redirects.RedirectGuardMiddleware": 650,  # before Redirect (600), MetaRefresh (580)
    "newscrawl.middlewares.transport.TransportEventsMiddleware": 890,  # sees each failed attempt before Retry
    # distributed mode: one token bucket per host for all workers; after replay (950 answers from the
    # archive: no live request, nothing to wait for) and after robots.txt (100: its Crawl-delay is known)
    "newscrawl.distributed.politeness_mw.SharedPolitenessMiddleware": 955,
}
# -- bad input and hostile responses (docs/bad-input.md) -------------------------------------------
NEWSCRAWL_MAX_RETRY_AFTER = 60  # seconds: a 429/503 Retry-After up to this is waited for; longer: not retried this run
NEWSCRAWL_MAX_PAGE_BYTES = 8 * 1024 * 1024  # an article page over this is not parsed (replay has no DOWNLOAD_MAXSIZE)
# discovery caps: what one source or one run may queue; the rest is counted (discovery/capped) and logged
NEWSCRAWL_MAX_FEED_ENTRIES = 5000  # article URLs taken from one feed
NEWSCRAWL_MAX_SITEMAP_ENTRIES = 50000  # article URLs from one sitemap (the sitemap protocol's own limit)
NEWSCRAWL_MAX_LISTING_LINKS = 2000  # article URLs from one listing walk (all its pages)
NEWSCRAWL_MAX_ARTICLES_PER_RUN = 20000  # article requests one run of one site may make
NEWSCRAWL_MAX_HTML_DEPTH = 256  # tags nested deeper than this: a depth bomb, not an article (libxml2 cuts at 256)
NEWSCRAWL_HTTP_ONLY = True  # refuse every request that is not http(s): file://, ftp://, data:, s3://
NEWSCRAWL_REDIRECT_GUARD = True  # no redirect followed to another site, to a non-HTTP URL, or round in a loop
NEWSCRAWL_TRANSPORT_EVENTS = True  # count and log every failed download attempt (timeout, reset, oversize)
# no request, plain or browser, to a loopback, private, link-local, multicast or reserved address (checked
# after DNS resolution, by the resolver below); networks listed here are allowed all the same, e.g.
# "127.0.0.1/32" for a test server, "10.1.2.0/24" for an intranet mirror (docs/security.md)
NEWSCRAWL_ALLOWED_NETWORKS = []
TWISTED_DNS_RESOLVER = "newscrawl.middlewares.resolver.GuardedResolver"
# and no download handler that reads local files or speaks another protocol, whatever a URL says
DOWNLOAD_HANDLERS = {"file": None, "s3": None, "ftp": None, "data": None}

ITEM_PIPELINES = {
    "newscrawl.pipelines.clean.CleanPipeline": 100,
    "newscrawl.pipelines.dedup.DedupPipeline": 200,
    "newscrawl.pipelines.validate.ValidatePipeline": 300,
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# -- browser pages (newscrawl/browser, docs/browser.md) ------------------------------------------
# scrapy-playwright's download handler and its PLAYWRIGHT_* settings are switched on by the spider
# (newscrawl/browser/config.py) only when it has browser pages; a PLAYWRIGHT_* value set here or
# with -s wins over newscrawl's defaults.
NEWSCRAWL_BROWSER = "auto"  # auto: the pages a profile's [browser] names; off: none; always: every listing/article page
NEWSCRAWL_BROWSER_EXECUTABLE = ""  # a Chromium path or name; "playwright": Playwright's own; "": search
NEWSCRAWL_BROWSER_SEARCH = ["/usr/bin/chromium", "chromium", "chromium-browser"]  # then Playwright's cache
NEWSCRAWL_BROWSER_TIMEOUT = 30  # seconds: navigation and each wait of a page; past it the page is an error
NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT = 100  # a fresh browser context after this many pages (flat memory)
NEWSCRAWL_BROWSER_BLOCK_TYPES = []  # resource types not loaded; [] = images, fonts, media, ... (rendering.py)
NEWSCRAWL_BROWSER_BLOCK_HOSTS = []  # ad/tracker hosts not loaded, besides the built-in list (rendering.py)
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
LOG_LEVEL = "INFO"

COMMANDS_MODULE = "newscrawl.commands"
# `scrapy check`: one contract per site spider, against NEWSCRAWL_REPLAY (newscrawl/contracts.py)
SPIDER_CONTRACTS = {"newscrawl.contracts.SampleArticle": 10}
EXTENSIONS = {
    # the FeedExporter that confirms each write: only a line written (and fsynced) marks its article
    "scrapy.extensions.feedexport.FeedExporter": None,
    "newscrawl.export.DurableFeedExporter": 0,
    "newscrawl.state.extension.StateExtension": 50,
    "newscrawl.extensions.health.HealthCheck": 100,
    "newscrawl.extensions.progress.ProgressLog": 110,
    "newscrawl.extensions.gcfreeze.GcFreeze": 120,
    # first of all (LogStats is at 0): its spider_opened names the site before the first "Crawled 0 pages"
    "newscrawl.extensions.sitelog.SiteInLog": -10,
    # the work queue (distributed mode, or a single-machine backfill): NotConfigured otherwise
    "newscrawl.distributed.crawl.QueueExtension": 60,
}
NEWSCRAWL_LOG_SITE = True  # log lines about a site start with [<site>] (extensions/sitelog.py)
NEWSCRAWL_GC_FREEZE = True  # gc.freeze() once started: ~10% less CPU per article (extensions/gcfreeze.py)
NEWSCRAWL_PROGRESS_INTERVAL = 60  # seconds between progress lines per site (0: off)
SPIDER_MIDDLEWARES = {
    "newscrawl.state.middleware.StateSkipMiddleware": 50,
}
# -- the verdict (extensions/health.py): when a run counts as failed -------------------------------
NEWSCRAWL_STRICT = True  # `scrapy crawl` exits 3 when the run failed
NEWSCRAWL_MAX_ERRORS = 50
NEWSCRAWL_MAX_ERROR_RATIO = 0.2
NEWSCRAWL_MAX_MISSING_RATIO = 0.2
NEWSCRAWL_MIN_ITEMS = ""  # override every profile's min_items
NEWSCRAWL_MIN_CANDIDATES = ""  # override every profile's min_candidates (article URLs discovery must find)
NEWSCRAWL_STATS_FILE = ""  # write the verdict and the stats as JSON here at the end
NEWSCRAWL_REPORT = False  # a single `scrapy crawl` also writes the HTML night report (crawlall always does)

# -- distributed mode (newscrawl/distributed, docs/distributed.md) ----------------------------------
NEWSCRAWL_REDIS_URL = ""  # redis://[:password@]host:port/db: many workers share one queue, state and politeness
NEWSCRAWL_LEASE_SECONDS = 300  # a lease not renewed for this long goes to another worker (a dead machine)
NEWSCRAWL_MAX_ATTEMPTS = 3  # failed tries before a URL becomes a dead letter
NEWSCRAWL_WORKER_ID = ""  # empty: the first free slot <host>-1, <host>-2, ... of the data folder
NEWSCRAWL_REDIS_WAIT = 60  # seconds a worker waits for Redis to answer again before it stops (exit 4)
