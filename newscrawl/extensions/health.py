"""A loud night: judge each spider's run, and say why it failed.

Plain `scrapy crawl` exits 0 when every callback raised, when every page was a 500, when the
network was down, when nothing was exported.  This extension looks at the finished run's stats
and gives a verdict (failed + reasons); the project's `crawl` and `crawlall` commands turn a
failed verdict into a non-zero exit status.  It never infers success from a signal having
fired: "items" is the count of lines the durable exporter confirmed on disk.

Spidermon can do this kind of check, but it brings its own monitor suites, actions and a
dependency tree for what is here a dozen comparisons over the stats this project already
counts; the verdict also has to reach our exit status, which spidermon does not set.

A failed run, for a site (docs/nightly.md):
- finish reason not ``finished`` (a crash, a shutdown, a timeout, a full disk);
- a record that could not be written, a state that could not be updated, a pipeline or a signal
  handler that raised, a feed storage that failed: every such error fails the night;
- discovery could use none of the site's feeds, sitemaps and listings, or found fewer candidate
  article URLs than the profile's ``min_candidates`` (an article exported before is still a
  candidate: a quiet night stays quiet);
- nothing fetched at all while something was asked for (network down);
- article requests made and every one failed (404/5xx/timeouts/replay misses);
- errors above NEWSCRAWL_MAX_ERRORS, or above NEWSCRAWL_MAX_ERROR_RATIO of the requests;
- fewer items than the site's minimum (profile ``min_items`` or NEWSCRAWL_MIN_ITEMS), unless every
  candidate was exported before (a quiet night);
- title, body or published_at missing on more than NEWSCRAWL_MAX_MISSING_RATIO of the items;
- a replayed archive was cut short or could not be read (records may be missing: docs/replay.md).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler

from .. import stats as keys
from ..config import config_of
from ..items import STRIP

logger = logging.getLogger(__name__)
SAMPLES = 3  # sample records per site in the night report


@dataclass
class Verdict:
    site: str
    failed: bool = False
    reasons: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def summarize(site: str, stats: dict) -> dict:
    """The per-site figures of the nightly table, from a finished run's stats."""
    get = lambda name: keys.get(stats, name)  # noqa: E731
    dropped = {k.rsplit("/", 1)[1]: int(v) for k, v in stats.items()
               if k.startswith(keys.key("dropped/")) and k.count("/") == 2}
    start, finish = stats.get("start_time"), stats.get("finish_time")
    elapsed = stats.get("elapsed_time_seconds")
    storage_failures = sum(int(v) for k, v in stats.items() if k.startswith("feedexport/failed_count/"))
    return {
        "site": site,
        "finish_reason": stats.get("finish_reason"),
        # pages that came back 2xx: a 404 or a replay miss is a response, not a fetched page
        "pages": sum(int(v) for k, v in stats.items() if k.startswith("downloader/response_status_count/2"))
        - sum(int(v) for k, v in stats.items() if k.startswith("robotstxt/response_status_count/2")),
        "requests": int(stats.get("downloader/request_count", 0) or 0)
        - int(stats.get("robotstxt/request_count", 0) or 0),
        "sources_ok": get(keys.DISCOVERY_SOURCES_OK),
        "candidates": get(keys.DISCOVERY_CANDIDATES),
        "articles_requested": get(keys.REQUESTS_ARTICLE),
        "items": get(keys.ITEMS_EXPORTED),
        "skipped_seen": get(keys.STATE_SKIPPED),
        "duplicates": get(keys.DUPLICATES_URL) + get(keys.DUPLICATES_TEXT) + get(keys.DUPLICATES_NEAR),
        "dropped": dropped,
        "errors": get(keys.ERRORS) + int(stats.get("spider_exceptions/count", 0) or 0) + storage_failures,
        "export_errors": get(keys.ERRORS_EXPORT) + storage_failures,
        "state_errors": get(keys.ERRORS_STATE),
        "pipeline_errors": get(keys.ERRORS_PIPELINE),
        "handler_errors": get(keys.ERRORS_SIGNAL),
        "article_errors": get(keys.errors_of("article")),
        "replay_misses": get(keys.REPLAY_MISS),
        "damaged_archives": get(keys.REPLAY_TRUNCATED) + get(keys.REPLAY_UNREADABLE),
        "fallback": get(keys.EXTRACT_FALLBACK),
        "missing_published": get(keys.ITEMS_MISSING_PUBLISHED),
        "missing_authors": get(keys.ITEMS_MISSING_AUTHORS),
        "paywalled": get(keys.ITEMS_PAYWALLED),
        "capped": get(keys.DISCOVERY_CAPPED),
        "seconds": round(float(elapsed), 1) if elapsed is not None else None,
        "start_time": start.isoformat() if isinstance(start, datetime) else start,
        "finish_time": finish.isoformat() if isinstance(finish, datetime) else finish,
    }


@dataclass(frozen=True)
class Thresholds:
    max_errors: int
    max_error_ratio: float
    max_missing_ratio: float
    min_items: int
    min_candidates: int
    discovery: bool  # the run discovered its articles (False: -a url / urls_file: exactly those)


def judge(summary: dict, limits: Thresholds) -> list[str]:
    reasons = []
    if summary["finish_reason"] != "finished":
        reasons.append(f"finished with reason {summary['finish_reason']!r}")
    if summary["export_errors"]:
        reasons.append(f"{summary['export_errors']} record(s) could not be written: they stay unmarked and "
                       "are exported next run")
    if summary["state_errors"]:
        reasons.append(f"the state could not be updated {summary['state_errors']} time(s)")
    if summary["pipeline_errors"]:
        reasons.append(f"an item pipeline failed on {summary['pipeline_errors']} record(s)")
    if summary["handler_errors"]:
        reasons.append(f"{summary['handler_errors']} error(s) in signal handlers")
    if summary.get("damaged_archives"):
        reasons.append(f"{summary['damaged_archives']} replayed archive(s) cut short or unreadable: "
                       "records may be missing")
    if limits.discovery and summary["requests"] and not summary["sources_ok"]:
        reasons.append("no feed, sitemap or listing page could be used")
    if summary["candidates"] < limits.min_candidates:
        reasons.append(f"{summary['candidates']} candidate article URL(s) found, fewer than the minimum "
                       f"{limits.min_candidates}")
    if summary["pages"] == 0 and summary["requests"]:
        reasons.append("no page could be fetched")
    requested, article_errors = summary["articles_requested"], summary["article_errors"]
    if requested and article_errors >= requested:
        reasons.append(f"every article request failed ({article_errors} of {requested})")
    errors = summary["errors"]
    requests_made = max(summary["pages"] + errors, 1)
    if errors > limits.max_errors:
        reasons.append(f"{errors} errors (more than NEWSCRAWL_MAX_ERRORS={limits.max_errors})")
    elif errors and errors / requests_made > limits.max_error_ratio:
        reasons.append(f"error ratio {errors / requests_made:.0%} (more than {limits.max_error_ratio:.0%})")
    quiet_night = summary["candidates"] > 0 and summary["skipped_seen"] > 0 and article_errors == 0
    if summary["items"] < limits.min_items and not quiet_night:
        reasons.append(f"{summary['items']} items exported, fewer than the minimum {limits.min_items}")
    attempted = summary["items"] + sum(summary["dropped"].values())
    missing = summary["missing_published"] + sum(
        n for reason, n in summary["dropped"].items() if reason in {"no_title", "no_body"})
    if attempted and missing / attempted > limits.max_missing_ratio:
        reasons.append(f"title/body/published_at missing on {missing} of {attempted} items "
                       f"(more than {limits.max_missing_ratio:.0%})")
    return reasons


class _SignalErrors(logging.Handler):
    """Counts the errors Scrapy catches in signal handlers ("Error caught on signal handler"), per
    crawler: the log record carries the spider, the spider its crawler."""

    def emit(self, record: logging.LogRecord) -> None:
        spider = getattr(record, "spider", None)
        crawler = getattr(spider, "crawler", None)
        if record.levelno >= logging.ERROR and crawler is not None and crawler.stats is not None:
            keys.inc(crawler.stats, keys.ERRORS)
            keys.inc(crawler.stats, keys.ERRORS_SIGNAL)


def _watch_signal_handlers() -> None:
    watched = logging.getLogger("scrapy.utils.signal")
    if not any(isinstance(h, _SignalErrors) for h in watched.handlers):
        watched.addHandler(_SignalErrors())


class HealthCheck:
    """Computes the run's verdict at close; writes it (with the stats) where asked."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config = config_of(crawler)
        self.verdict: Verdict | None = None
        self.samples: list[dict] = []
        _watch_signal_handlers()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "HealthCheck":
        return cls(crawler)

    def thresholds(self, spider) -> Thresholds:
        config = self.config
        profile = getattr(spider, "profile", None)
        args = getattr(spider, "args", None)
        given = bool(args is not None and args.given_urls)
        min_items = config.min_items if config.min_items is not None else (profile.min_items if profile else 0)
        if config.min_candidates is not None:
            min_candidates = config.min_candidates
        else:
            min_candidates = profile.min_candidates if profile is not None else 1
        return Thresholds(config.max_errors, config.max_error_ratio, config.max_missing_ratio, min_items,
                          min_candidates, discovery=not given)

    def spider_opened(self, spider) -> None:
        from ..export import DurableFeedExporter

        exporter = self.crawler.get_extension(DurableFeedExporter)
        if exporter is not None and self.config.report:
            exporter.add_committer(self.sample)

    def sample(self, item, receipts) -> None:
        """Keep the first SAMPLES exported records that carry a strip diff (for the night report)."""
        if len(self.samples) < SAMPLES and item.get(STRIP):
            self.samples.append({
                "url": item.get("url"), "title": item.get("title"), "published_at": item.get("published_at"),
                "authors": item.get("authors") or [], "body": (item.get("body") or "")[:600],
                "strip": item[STRIP],
            })

    def spider_closed(self, spider, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        summary = summarize(spider.name, stats)
        summary["data_dir"] = str(self.config.data_dir)
        if self.samples:
            summary["samples"] = self.samples
        if self.config.data_dir_throwaway:
            summary["throwaway_data_dir"] = True
        reasons = judge(summary, self.thresholds(spider))
        self.verdict = Verdict(spider.name, bool(reasons), reasons, summary)
        if reasons:
            for why in reasons:
                logger.error("Run FAILED for %s: %s", spider.name, why)
        else:
            logger.info("Run OK for %s: %d items", spider.name, summary["items"])
        if self.config.data_dir_throwaway:
            logger.warning("Replay of %s wrote into a throwaway folder: %s (set NEWSCRAWL_DATA_DIR to choose it)",
                           spider.name, self.config.data_dir)
        out = self.config.stats_file
        if out:
            payload = {"verdict": asdict(self.verdict), "stats": stats}
            try:
                Path(out).parent.mkdir(parents=True, exist_ok=True)
                Path(out).write_text(json.dumps(payload, default=_json_default, ensure_ascii=False, indent=1),
                                     encoding="utf-8")
            except OSError as exc:
                logger.error("Cannot write NEWSCRAWL_STATS_FILE=%s (%s)", out, exc.strerror or exc)
