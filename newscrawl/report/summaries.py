"""Reading the nightly summaries (data/runs/<run>.json) into one tolerant shape.

The summaries are written by `crawlall` (and by `scrapy crawl` with NEWSCRAWL_REPORT=1),
and old files lack fields that newer ones have.  So every field is optional here: a
missing or mistyped count becomes None ("not known"), never 0, because a 0 would draw a
site as dead on a night when the figure was simply not recorded.  A file that is not a
JSON object at all is *unreadable*: it is skipped with one warning line and counted, and
the other nights still make the index.

Written by hand rather than with a schema library: the point is per-field tolerance
(keep what is readable, blank what is not), which a validator would turn into a rejection.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

logger = logging.getLogger(__name__)

# the per-site counts of the summary, in table order (key, column title)
COUNTS = [
    ("pages", "pages"), ("articles_requested", "articles"), ("items", "items"),
    ("skipped_seen", "skipped"), ("duplicates", "dups"), ("errors", "errors"),
    ("article_errors", "article errors"), ("replay_misses", "replay misses"), ("fallback", "fallback"),
    ("missing_published", "no date"), ("missing_authors", "no authors"), ("paywalled", "paywalled"),
]

# "2025-12-05T03-10-00+09-00" / "2025-12-04T18-10-00Z": the stem crawlall gives a summary
_STEM_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})(Z|[+-]\d{2}-\d{2})?")


class UnreadableSummary(Exception):
    """A summary file that is not a JSON object (its message is one line naming the file)."""


@dataclass
class Sample:
    url: str
    title: str
    published_at: str
    authors: list[str]
    body: str
    strip: list[dict]  # {"text", "kept", "rule"}, in page order


@dataclass
class SiteNight:
    site: str
    failed: bool
    reasons: list[str]
    finish_reason: str
    counts: dict[str, float | None]  # every key of COUNTS; None = not recorded
    dropped: dict[str, int]
    seconds: float | None
    samples: list[Sample] = field(default_factory=list)


@dataclass
class Night:
    run: str  # the stem of its files: <run>.json, <run>.html
    started: datetime | None  # UTC; None when neither "started" nor the stem gives a time
    seconds: float | None
    ok: bool | None  # None: the summary does not say and no site says it failed
    reasons: list[str]
    sites: list[SiteNight]

    @property
    def failed_sites(self) -> list[str]:
        return [s.site for s in self.sites if s.failed]


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _texts(value) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 time (or a crawlall stem) as an aware UTC datetime; None when it is neither."""
    if not isinstance(value, str) or not value:
        return None
    match = _STEM_TIME.match(value)
    if match:  # the stem spells the time with dashes; give it its colons back
        day, h, m, s, zone = match.groups()
        zone = f"{zone[:3]}:{zone[4:]}" if zone and zone != "Z" else "Z"  # +09-00 -> +09:00
        value = f"{day}T{h}:{m}:{s}{zone}"
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _sample(raw) -> Sample | None:
    if not isinstance(raw, dict):
        return None
    strip = []
    for line in raw.get("strip") or []:
        if isinstance(line, dict) and isinstance(line.get("text"), str):
            strip.append({"text": line["text"], "kept": line.get("kept") is True,
                          "rule": _text(line.get("rule")) or None})
    return Sample(url=_text(raw.get("url")), title=_text(raw.get("title")),
                  published_at=_text(raw.get("published_at")), authors=_texts(raw.get("authors")),
                  body=_text(raw.get("body")), strip=strip)


def _site(raw) -> SiteNight | None:
    if not isinstance(raw, dict) or not _text(raw.get("site")):
        return None
    dropped = raw.get("dropped") if isinstance(raw.get("dropped"), dict) else {}
    samples = [s for s in map(_sample, raw.get("samples") or []) if s is not None]
    return SiteNight(
        site=raw["site"], failed=raw.get("failed") is True, reasons=_texts(raw.get("reasons")),
        finish_reason=_text(raw.get("finish_reason")),
        counts={key: _number(raw.get(key)) for key, _ in COUNTS},
        dropped={str(k): int(v) for k, v in dropped.items() if _number(v) is not None},
        seconds=_number(raw.get("seconds")), samples=samples[:3])


def night_from_summary(summary: dict, stem: str = "") -> Night:
    """One night from a summary dict (tolerant: see the module docstring)."""
    if not isinstance(summary, dict):
        raise UnreadableSummary(f"summary {stem or '?'} is not a JSON object")
    raw_sites = summary.get("sites") if isinstance(summary.get("sites"), list) else []
    sites = [s for s in map(_site, raw_sites) if s is not None]
    if len(sites) < len(raw_sites):
        logger.warning("summary %s: %d site entries without a site name were left out",
                       stem or summary.get("run", "?"), len(raw_sites) - len(sites))
    run = _text(summary.get("run")) or stem
    started = parse_time(summary.get("started")) or parse_time(run)
    reasons = _texts(summary.get("reasons")) or [
        f"{s.site}: {why}" for s in sites for why in s.reasons]
    failed = set(_texts(summary.get("failed_sites")))
    for site in sites:  # a site named in failed_sites is failed even when its row forgot to say so
        site.failed = site.failed or site.site in failed
    ok = summary.get("ok") if isinstance(summary.get("ok"), bool) else None
    if ok is None and sites:
        ok = not any(s.failed for s in sites) and not failed
    return Night(run=run or "run", started=started, seconds=_number(summary.get("seconds")),
                 ok=ok, reasons=reasons, sites=sites)


def read_night(path: Path) -> Night:
    """The night of one summary file; UnreadableSummary (one line) when it cannot be read."""
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0]
        raise UnreadableSummary(f"summary {path.name} is unreadable: {reason}") from None
    if not isinstance(summary, dict):
        raise UnreadableSummary(f"summary {path.name} is unreadable: not a JSON object")
    night = night_from_summary(summary, path.stem)
    night.run = path.stem  # the page sits next to its JSON: same stem, whatever "run" says
    return night


def read_nights(runs_dir: Path) -> tuple[list[Night], list[str]]:
    """Every readable summary in *runs_dir*, oldest first, and one line per unreadable file."""
    nights, problems = [], []
    for path in sorted(runs_dir.glob("*.json")):
        try:
            nights.append(read_night(path))
        except UnreadableSummary as exc:
            problems.append(str(exc))
    return sort_nights(nights), problems


def sort_nights(nights: list[Night]) -> list[Night]:
    """Oldest first; nights without a known time go by their name, after the timed ones."""
    return sorted(nights, key=lambda n: (n.started is None, n.started or datetime.min.replace(tzinfo=timezone.utc),
                                         n.run))
