"""The spiders' ``-a`` arguments, read and checked before anything starts.

A bad argument is a usage error: one line and exit status 2 (the crawl command checks them
before starting the crawler, so no traceback ever reaches the user).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit


class ArgumentError(ValueError):
    """A spider argument newscrawl cannot use; the message is the one line to print."""


def check_url(url: str, where: str = "-a url") -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
        if host:
            host.encode("idna")  # an empty or over-long label, a character no host may hold
            if any(c.isspace() for c in host):
                raise ValueError("a space in the host name")
    except (ValueError, UnicodeError) as exc:
        raise ArgumentError(f"{where}={url[:200]!r}: not a usable URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ArgumentError(f"{where}={url[:200]!r}: expected an http(s) URL, e.g. https://example.jp/news/1/")
    return url


def read_urls_file(path: str) -> list[str]:
    """One URL a line; blank lines and ``#`` comments ignored; every URL checked."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ArgumentError(f"-a urls_file={path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ArgumentError(f"-a urls_file={path}: cannot read it ({exc})") from None
    urls = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            urls.append(check_url(line, f"-a urls_file={path}, line {number}"))
    return urls


def _days(raw: str | None, name: str) -> float | None:
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ArgumentError(f"-a {name}={raw!r}: expected a number of days") from None
    if not math.isfinite(value) or value < 0:
        raise ArgumentError(f"-a {name}={raw!r}: expected 0 (no limit) or a positive number of days")
    return value


def _date(raw: str | None, name: str) -> date | None:
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ArgumentError(f"-a {name}={raw!r}: expected a date YYYY-MM-DD") from None


@dataclass
class SpiderArgs:
    urls: list[str] = field(default_factory=list)  # -a url / urls_file: exactly these, no discovery
    feeds: list[str] = field(default_factory=list)  # news: -a feed
    sitemaps: list[str] = field(default_factory=list)  # news: -a sitemap
    max_age_days: float | None = None
    since: date | None = None  # backfill: walk the archive back to this day
    until: date | None = None

    @property
    def given_urls(self) -> bool:
        return bool(self.urls)


def parse_args(url: str | None = None, urls_file: str | None = None, max_age_days: str | None = None,
               feed: str | None = None, sitemap: str | None = None, since: str | None = None,
               until: str | None = None, **unknown) -> SpiderArgs:
    if unknown:
        raise ArgumentError(f"unknown argument(s) -a {', -a '.join(sorted(unknown))}; known: url, urls_file, "
                            "max_age_days, feed, sitemap, since, until")
    args = SpiderArgs(max_age_days=_days(max_age_days, "max_age_days"),
                      since=_date(since, "since"), until=_date(until, "until"))
    if url:
        args.urls.append(check_url(url))
    if urls_file:
        args.urls.extend(read_urls_file(urls_file))
    args.feeds = [check_url(u, "-a feed") for u in (feed or "").split(",") if u.strip()]
    args.sitemaps = [check_url(u, "-a sitemap") for u in (sitemap or "").split(",") if u.strip()]
    if args.since and args.until and args.until < args.since:
        raise ArgumentError(f"-a until={args.until} is before -a since={args.since}")
    return args
