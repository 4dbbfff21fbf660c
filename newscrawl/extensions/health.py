"""A loud night: judge each spider's run, and say why it failed.

Plain `scrapy crawl` exits 0 when every callback raised, when every page was a 500,
when the network was down, when nothing was exported.  This extension looks at the
finished run's stats and gives a verdict (failed + reasons); the project's `crawl`
and `crawlall` commands turn a failed verdict into a non-zero exit status.

Spidermon can do this kind of check, but it brings its own monitor suites, actions and
a dependency tree for what is here a dozen comparisons over the stats this project
already counts; the verdict also has to reach our exit status, which spidermon does
not set.  So this is a small extension.

A failed run, for a site:
- finish reason not ``finished`` (a crash, a shutdown, a timeout);
- nothing fetched at all (network down, every discovery page failed);
- article requests made and every one failed (404/5xx/timeouts/replay misses);
- errors above NEWSCRAWL_MAX_ERRORS, or above NEWSCRAWL_MAX_ERROR_RATIO of the requests;
- fewer items than the site's minimum (profile ``min_items`` or NEWSCRAWL_MIN_ITEMS), unless
  discovery worked and simply found nothing new (every article already exported before:
  ``newscrawl/state/skipped`` > 0 with no article request failing) - a quiet night is fine;
- title, body or published_at missing on more than NEWSCRAWL_MAX_MISSING_RATIO of the items.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


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
    get = lambda key: int(stats.get(key, 0) or 0)  # noqa: E731
    dropped = {k.rsplit("/", 1)[1]: int(v) for k, v in stats.items()
               if k.startswith("newscrawl/dropped/") and k.count("/") == 2}
    start, finish = stats.get("start_time"), stats.get("finish_time")
    elapsed = stats.get("elapsed_time_seconds")
    return {
        "site": site,
        "finish_reason": stats.get("finish_reason"),
        # pages that came back 2xx: a 404 or a replay miss is a response, not a fetched page
        "pages": sum(int(v) for k, v in stats.items() if k.startswith("downloader/response_status_count/2"))
        - sum(int(v) for k, v in stats.items() if k.startswith("robotstxt/response_status_count/2")),
        "articles_requested": get("newscrawl/requests/article"),
        "items": get("item_scraped_count"),
        "skipped_seen": get("newscrawl/state/skipped"),
        "duplicates": get("newscrawl/duplicates/url") + get("newscrawl/duplicates/text")
        + get("newscrawl/duplicates/near"),
        "dropped": dropped,
        "errors": get("newscrawl/errors") + get("spider_exceptions/count") + get("newscrawl/errors/pipeline"),
        "article_errors": get("newscrawl/errors/article"),
        "replay_misses": get("newscrawl/replay/miss"),
        "fallback": get("newscrawl/extract/fallback"),
        "missing_published": get("newscrawl/items/missing_published_at"),
        "seconds": round(float(elapsed), 1) if elapsed is not None else None,
        "start_time": start.isoformat() if isinstance(start, datetime) else start,
        "finish_time": finish.isoformat() if isinstance(finish, datetime) else finish,
    }


def judge(summary: dict, settings, min_items: int) -> list[str]:
    reasons = []
    if summary["finish_reason"] != "finished":
        reasons.append(f"finished with reason {summary['finish_reason']!r}")
    if summary["pages"] == 0:
        reasons.append("no page could be fetched")
    requested, article_errors = summary["articles_requested"], summary["article_errors"]
    if requested and article_errors >= requested:
        reasons.append(f"every article request failed ({article_errors} of {requested})")
    errors = summary["errors"]
    max_errors = settings.getint("NEWSCRAWL_MAX_ERRORS", 50)
    max_ratio = settings.getfloat("NEWSCRAWL_MAX_ERROR_RATIO", 0.2)
    requests_made = max(summary["pages"] + errors, 1)
    if errors > max_errors:
        reasons.append(f"{errors} errors (more than NEWSCRAWL_MAX_ERRORS={max_errors})")
    elif errors and errors / requests_made > max_ratio:
        reasons.append(f"error ratio {errors / requests_made:.0%} (more than {max_ratio:.0%})")
    quiet_night = summary["skipped_seen"] > 0 and article_errors == 0
    if summary["items"] < min_items and not quiet_night:
        reasons.append(f"{summary['items']} items exported, fewer than the minimum {min_items}")
    attempted = summary["items"] + sum(summary["dropped"].values())
    missing = summary["missing_published"] + sum(
        n for reason, n in summary["dropped"].items() if reason in {"no_title", "no_body"})
    max_missing = settings.getfloat("NEWSCRAWL_MAX_MISSING_RATIO", 0.2)
    if attempted and missing / attempted > max_missing:
        reasons.append(f"title/body/published_at missing on {missing} of {attempted} items "
                       f"(more than {max_missing:.0%})")
    return reasons


class HealthCheck:
    """Computes the run's verdict at close; writes it (with the stats) where asked."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.verdict: Verdict | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "HealthCheck":
        return cls(crawler)

    def _min_items(self, spider) -> int:
        setting = self.crawler.settings.get("NEWSCRAWL_MIN_ITEMS")
        if setting not in (None, ""):
            return int(setting)
        profile = getattr(spider, "profile", None)
        return profile.min_items if profile is not None else 0

    def spider_closed(self, spider, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        summary = summarize(spider.name, stats)
        reasons = judge(summary, self.crawler.settings, self._min_items(spider))
        self.verdict = Verdict(spider.name, bool(reasons), reasons, summary)
        if reasons:
            for why in reasons:
                logger.error("Run FAILED for %s: %s", spider.name, why)
        else:
            logger.info("Run OK for %s: %d items", spider.name, summary["items"])
        out = self.crawler.settings.get("NEWSCRAWL_STATS_FILE")
        if out:
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            payload = {"verdict": asdict(self.verdict), "stats": stats}
            Path(out).write_text(json.dumps(payload, default=_json_default, ensure_ascii=False, indent=1),
                                 encoding="utf-8")
