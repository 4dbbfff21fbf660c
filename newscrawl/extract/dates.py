"""Dates as the target sites write them, to ISO 8601 in Korea/Japan time (+09:00).

Formats seen (SITES.md §3): ``2025-12-05T10:30:00+09:00`` (ISO, JSON-LD, meta),
``Fri, 05 Dec 2025 15:04:21 +0900`` (RSS), ``2025年12月05日 (金)10時15分``,
``2025年12月5日 16:13``, ``記事入力 : 2025/12/05 10:25``, ``2025-12-05 09:12``,
``2025.12.05 10:15``.  A date without an offset is local site time (UTC+9: Seoul and
Tokyo agree); an aware date is converted to the site's offset.  dateparser would
parse these too, but it is two orders of magnitude slower and guesses on ambiguous
input; these few patterns are exact.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_NUMERIC_RE = re.compile(
    r"(?P<y>20\d\d|19\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*[(（][^)）]{1,3}[)）])?"  # weekday: (金), （木）
    r"(?:\s*T?\s*(?P<H>\d{1,2})\s*[:時]\s*(?P<M>\d{1,2})(?:\s*[:分]\s*(?P<S>\d{1,2}))?\s*(?:分|秒)?)?"
    r"(?:\s*(?P<tz>Z|[+-]\d\d:?\d\d)(?![\d]))?"
)
_RFC822_RE = re.compile(r"^[A-Za-z]{3},?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}")


def parse_offset(offset: str) -> timezone:
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset.lstrip("+-").replace(":", "")[:2], offset.replace(":", "")[-2:]
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def parse_date(text: str | None, utc_offset: str = "+09:00") -> str | None:
    """ISO 8601 with offset, or None when *text* holds no recognisable date."""
    if not text:
        return None
    text = " ".join(text.split())
    site_tz = parse_offset(utc_offset)
    if _RFC822_RE.match(text):
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=site_tz)
            return parsed.astimezone(site_tz).isoformat()
    match = _NUMERIC_RE.search(text)
    if not match:
        return None
    try:
        parsed = datetime(
            int(match["y"]), int(match["m"]), int(match["d"]),
            int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0),
        )
    except ValueError:  # 2025-13-45: not a date
        return None
    tz = match["tz"]
    if tz:
        aware = parsed.replace(tzinfo=timezone.utc if tz == "Z" else parse_offset(tz))
        return aware.astimezone(site_tz).isoformat()
    return parsed.replace(tzinfo=site_tz).isoformat()


def iter_dates(text: str, utc_offset: str = "+09:00"):
    """Every full date (year, month, day) written in *text*: (start, end, ISO 8601, has a time of day)."""
    site_tz = parse_offset(utc_offset)
    for match in _NUMERIC_RE.finditer(text):
        try:
            parsed = datetime(
                int(match["y"]), int(match["m"]), int(match["d"]),
                int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0),
            )
        except ValueError:
            continue
        tz = match["tz"]
        if tz:
            aware = parsed.replace(tzinfo=timezone.utc if tz == "Z" else parse_offset(tz)).astimezone(site_tz)
        else:
            aware = parsed.replace(tzinfo=site_tz)
        yield match.start(), match.end(), aware.isoformat(), match["H"] is not None


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
