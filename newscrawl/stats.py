"""Every newscrawl stats key, in one place.

Keys are written relative to ``newscrawl/`` (the prefix every counter of ours carries, apart
from Scrapy's own); ``key()`` gives the full name and ``inc()`` counts.  Families with a
variable part (``errors/<kind>/<reason>``) are small functions, so that a reader finds every
counter here and the verdict, the progress line and the report read back the same names the
components write.  docs/bad-input.md says what each one means to a user.

This module imports nothing (the page object and the pure discovery functions use it too).
"""

from __future__ import annotations

PREFIX = "newscrawl/"


def key(name: str) -> str:
    """The full stats key of a relative name (``errors`` -> ``newscrawl/errors``)."""
    return name if name.startswith(PREFIX) else PREFIX + name


def inc(stats, name: str, n: int = 1) -> None:
    stats.inc_value(key(name), n)


def get(stats: dict, name: str) -> int:
    """A counter from a stats dict (a finished run's), 0 when it never fired."""
    return int(stats.get(key(name), 0) or 0)


# -- requests and errors ---------------------------------------------------------------------------
REQUESTS_ARTICLE = "requests/article"  # article responses handled (and article requests that failed)
ERRORS = "errors"  # every counted error, whatever its kind (the verdict's error count)
ERRORS_PIPELINE = "errors/pipeline"  # an item pipeline raised (not a DropItem)
ERRORS_EXPORT = "errors/export"  # a record line could not be written: the article stays unmarked
ERRORS_STATE = "errors/state"  # the state could not be written (the line is on disk: recovered next run)
ERRORS_SIGNAL = "errors/signal_handler"  # a signal handler raised (Scrapy logs it and goes on)
ERRORS_NO_INPUT = "errors/no_input"


def errors_of(kind: str, reason: str | None = None) -> str:
    return f"errors/{kind}" if reason is None else f"errors/{kind}/{reason}"


def ignored(kind: str, why: str | None = None) -> str:
    return f"ignored/{kind}" if why is None else f"ignored/{kind}/{why}"


# -- discovery -------------------------------------------------------------------------------------
DISCOVERY_FEED_ENTRIES = "discovery/feed_entries"
DISCOVERY_SITEMAP_ENTRIES = "discovery/sitemap_entries"
DISCOVERY_LISTING_LINKS = "discovery/listing_links"
DISCOVERY_CANDIDATES = "discovery/candidates"  # article URLs found (exported before or not)
DISCOVERY_TOO_OLD = "discovery/too_old"
DISCOVERY_OFFSITE = "discovery/offsite"
DISCOVERY_REFUSED_SCHEME = "discovery/refused_scheme"
DISCOVERY_NOT_ARTICLE = "discovery/not_article"
DISCOVERY_SITEMAP_LOOP = "discovery/sitemap_loop"
DISCOVERY_SITEMAP_REFUSED = "discovery/sitemap_refused"
DISCOVERY_BAD_LISTING = "discovery/bad_listing"
DISCOVERY_CAPPED = "discovery/capped"  # URLs a per-source or per-run cap left out
DISCOVERY_SOURCES_OK = "discovery/sources_ok"  # feeds, sitemaps and listings that parsed
DISCOVERY_FEED_REPAIRED = "discovery/feed_repaired"  # a feed that is not well-formed XML, read tolerantly
DISCOVERY_ROBOTS_SITEMAPS = "discovery/robots_sitemaps"  # sitemaps taken from robots.txt Sitemap: lines
DISCOVERY_ROBOTS_NO_SITEMAP = "discovery/robots_no_sitemap"  # robots.txt asked for, naming no sitemap


def discovery_bad(what: str) -> str:
    """``bad_feed``, ``bad_sitemap``, ``unsafe_xml``, ``gzip_bomb``."""
    return f"discovery/{what}"


# -- article pages (the page object's events) ------------------------------------------------------
ARTICLE_EMPTY = "article/empty"
ARTICLE_NOT_HTML = "article/not_html"
ARTICLE_TOO_LARGE = "article/too_large"
ARTICLE_TOO_DEEP = "article/too_deep"
ARTICLE_TRUNCATED = "article/truncated"
ARTICLE_UNDECODABLE = "article/undecodable"


def article_not_html(kind: str) -> str:
    return f"article/not_html/{kind}"


def article_wall(kind: str) -> str:
    """``consent`` / ``login``."""
    return f"article/{kind}_wall"


ENCODING_REDECODED = "encoding/redecoded"
ENCODING_INVALID_BYTES = "encoding/invalid_bytes"
ENCODING_BOM = "encoding/bom"
ENCODING_MOJIBAKE_REPAIRED = "encoding/mojibake_repaired"
ENCODING_MOJIBAKE_TITLE = "encoding/mojibake_title"


def encoding_charset(name: str) -> str:
    return f"encoding/charset/{name}"


HTML_UNCLOSED = "html/unclosed"
HTML_SECOND_HTML = "html/second_html"

EXTRACT_FALLBACK = "extract/fallback"  # the profile's selectors found no usable container
EXTRACT_FALLBACK_EMPTY_CONTAINER = "extract/fallback_empty_container"  # found one that cleaned to nothing
EXTRACT_TITLE_IS_SITE_NAME = "extract/title_is_site_name"


def extract_path(path: str) -> str:
    """``profile``, ``fallback``, ``generic``, ``none``."""
    return f"extract/{path}"


def extract_generic(event: str) -> str:
    """What the generic path's choice saw: ``candidate/<name>``, ``widened``, ``alternative`` ... (extract/generic.py)."""
    return f"extract/generic/{event}"


def clean_rule(rule: str) -> str:
    return f"clean/{rule}"


# -- items -------------------------------------------------------------------------------------------
DROPPED = "dropped"
DUPLICATES_URL = "duplicates/url"
DUPLICATES_TEXT = "duplicates/text"
DUPLICATES_NEAR = "duplicates/near"
ITEMS_VALID = "items/valid"
ITEMS_EXPORTED = "items/exported"  # lines written, flushed (fsynced) and confirmed: the only "items" count
ITEMS_MISSING_PUBLISHED = "items/missing_published_at"
ITEMS_MISSING_AUTHORS = "items/missing_authors"
ITEMS_PAYWALLED = "items/paywalled"
EXPORT_TORN_TAIL = "export/torn_tail_repaired"
EXPORT_UNENCODABLE = "export/unencodable_replaced"  # lone surrogates etc. replaced before writing
EXPORT_DISK_FULL = "export/disk_full"
EXPORT_CUT = "export/cut"  # lines cut off again: a committer refused them (another worker exported it first)


def dropped(reason: str) -> str:
    return f"dropped/{reason}"


# -- cross-run state ---------------------------------------------------------------------------------
STATE_SKIPPED = "state/skipped"
STATE_SKIPPED_GONE = "state/skipped_gone"
STATE_IGNORED = "state/ignored"
STATE_REFETCH = "state/refetch"
STATE_REVISED = "state/revised"
STATE_UNCHANGED = "state/unchanged"
STATE_RECOVERED = "state/recovered"
STATE_MARKED = "state/marked"
STATE_MARKED_GONE = "state/marked_gone"

# -- the work queue (distributed mode; a single-machine backfill) -------------------------------------
QUEUE_ENQUEUED = "queue/enqueued"  # URLs this worker added to the queue (given, or found by a backfill walk)
QUEUE_LEASED = "queue/leased"  # leases taken (a URL taken over from a dead worker included)
QUEUE_SKIPPED_EXPORTED = "queue/skipped_exported"  # leased, but exported meanwhile: settled without a fetch
QUEUE_ACKED = "queue/acked"  # settled without a record: dropped, gone, not an article, a page walked
QUEUE_FAILED = "queue/failed"  # a failed try: queued again (or a dead letter after NEWSCRAWL_MAX_ATTEMPTS)
QUEUE_DEAD = "queue/dead"  # of which became dead letters
QUEUE_COMMITTED = "queue/committed"  # record lines committed (exported exactly once)
QUEUE_DUPLICATES = "queue/duplicates"  # commits answered "another worker exported it first" (export/cut)
QUEUE_NO_OUTCOME = "queue/no_outcome"  # leases whose request ended without any outcome (counted as a failure)
QUEUE_REDIS_OUTAGES = "queue/redis_outages"  # commands Redis did not answer, sent again (connection.RidingRetry)
QUEUE_REDIS_LOST = "queue/redis_lost"  # Redis did not come back within NEWSCRAWL_REDIS_WAIT: the run stopped
QUEUE_NOT_WRITTEN = "queue/not_written"  # records not written because the last commit is unsettled
QUEUE_RECOVERED = "queue/recovered"  # a killed incarnation's last lines, committed at start
QUEUE_RECOVERED_DUPLICATES = "queue/recovered_duplicates"  # ... or moved to <shard>.dup
QUEUE_WORKER_ID = "queue/worker_id"  # a text value: the worker id (its shard's name carries it too)
QUEUE_SHARDS = "queue/shards"  # a text value: the shard file(s) this run wrote
QUEUE_ROUND_TRIPS = "queue/redis_round_trips"  # requests this worker sent to Redis (all components)
POLITENESS_WAITS = "politeness/waits"  # requests that waited for their host's shared token bucket
POLITENESS_WAIT_SECONDS = "politeness/wait_seconds"
POLITENESS_CRAWL_DELAY = "politeness/crawl_delay_hosts"  # hosts whose robots.txt Crawl-delay sets the rate
BACKFILL_PAGES = "backfill/pages"  # archive pages walked (sitemaps, listing and archive pages), each once
BACKFILL_OUT_OF_RANGE = "backfill/out_of_range"  # entries dated outside -a since / until: not followed


def backfill_bad(kind: str) -> str:
    """An archive page that could not be used (``backfill/bad_sitemap`` ...)."""
    return f"backfill/bad_{kind}"


# -- replay / record -----------------------------------------------------------------------------------
REPLAY_HIT = "replay/hit"
REPLAY_FUZZY_HIT = "replay/fuzzy_hit"
REPLAY_MISS = "replay/miss"
REPLAY_MISS_ROBOTS = "replay/miss_robots"
REPLAY_REVISIT_UNRESOLVED = "replay/revisit_unresolved"  # a revisit record whose original payload no archive holds
REPLAY_TRUNCATED = "replay/truncated_archive"  # an archive cut short or damaged: read up to there; fails the verdict
REPLAY_UNREADABLE = "replay/unreadable_archive"  # NEWSCRAWL_REPLAY names no readable WARC: nothing replayed
RECORD_WRITTEN = "record/written"

# -- the night report --------------------------------------------------------------------------------------
REPORT_UNREADABLE_SUMMARY = "report/unreadable_summary"  # a data/runs/*.json left out of the history page

# -- HTTP and transport ----------------------------------------------------------------------------------
HTTP_RECOVERED = "http/recovered"
HTTP_RETRY_AFTER = "http/retry_after"
HTTP_RETRY_AFTER_SECONDS = "http/retry_after_seconds"
HTTP_RETRY_AFTER_TOO_LONG = "http/retry_after_too_long"
OFFSITE_FILTERED = "offsite/filtered"
REFUSED_SCHEME = "refused/scheme"
REFUSED_ADDRESS = "refused/address"  # a request to a non-public address (middlewares/addresses.py)


def refused_address(why: str) -> str:
    """``loopback``, ``private``, ``link_local``, ``multicast``, ``reserved``, ``unspecified``, ``not_global``."""
    return f"refused/address/{why}"


def http_problem(problem: str) -> str:
    """``redirect_offsite``, ``redirect_refused``, ``redirect_loop``."""
    return f"http/{problem}"


def http_gone(status: int) -> str:
    return f"http/gone/{status}"


def http_status(status: int) -> str:
    return f"http/status/{status}"


def transport(reason: str) -> str:
    return f"transport/{reason}"


def refused_scheme(scheme: str) -> str:
    return f"refused/scheme/{scheme}"


def browser(name: str) -> str:
    return f"browser/{name}"
