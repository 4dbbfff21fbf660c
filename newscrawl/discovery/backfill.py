"""Backfill as pure functions: walking a site's archive back to a date (``-a since=``).

The nightly discovery (links.py) reads the newest entries and stops at the profile's max age.
A backfill reads the archive a profile's ``[backfill]`` table names (sites/profile.py, Backfill)
and keeps what falls in ``since .. until`` instead:

- ``walk_roots``: where a walk starts: the archive's sitemap indexes, its listing pages, and one
  date-indexed archive page per day (or month) of the range, newest first;
- ``from_archive_sitemap``: an index gives the child sitemaps of the range (a child's period is
  read from its URL, ``sitemap_dates``, or bounded by its ``<lastmod>``); a sitemap gives the
  article links dated in the range;
- ``from_archive_listing``: a listing or archive page gives its article links of the range and,
  while its articles are not all older than ``since``, its next page.

What is not followed because of its date is counted (``backfill/out_of_range``).  An entry
without any date is kept: the archive page listed it, and nothing says it is outside the range.
Like links.py: profile, page and range in; links and events out; no Scrapy, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urljoin

from parsel import Selector

from .. import stats as keys
from ..extract.dates import parse_date
from ..extract.selectors import all_values
from ..page.events import ERROR, WARNING
from ..sites.profile import SiteProfile
from ..urls import same_site, url_key
from .links import MAX_SITEMAP_DEPTH, ArticleLink, Found, PageLink, article_link
from .sitemaps import parse_sitemap
from .xml import NotXML, UnsafeXML

ARCHIVE = "archive"  # the PageLink kind of a date-indexed archive page


@dataclass(frozen=True)
class DateRange:
    """``since`` .. ``until``, both days included; ``until`` None = up to today."""

    since: date
    until: date | None = None

    def contains(self, day: date) -> bool:
        return day >= self.since and (self.until is None or day <= self.until)

    def overlaps(self, first: date, last: date) -> bool:
        return last >= self.since and (self.until is None or first <= self.until)

    def as_meta(self) -> dict:
        return {"since": self.since.isoformat(), "until": self.until.isoformat() if self.until else ""}

    @classmethod
    def from_meta(cls, meta: dict) -> "DateRange":
        until = meta.get("until") or ""
        return cls(date.fromisoformat(meta["since"]), date.fromisoformat(until) if until else None)

    @classmethod
    def parse(cls, text: str) -> "DateRange":
        """The range from its str(): ``2024-01-01..2024-12-31`` or ``2024-01-01..``."""
        since, _, until = text.partition("..")
        return cls(date.fromisoformat(since), date.fromisoformat(until) if until else None)

    def __str__(self) -> str:
        return f"{self.since.isoformat()}..{self.until.isoformat() if self.until else ''}"


# -- dates -------------------------------------------------------------------------------------------
def _day(text: str | None, profile: SiteProfile) -> date | None:
    """The calendar day of a sitemap date, in the offset it was written with (the site's if none)."""
    iso = parse_date(text, profile.utc_offset) if text else None
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).date()
    except ValueError:
        return None


def period_in_url(url: str, patterns) -> tuple[date, date] | None:
    """(first day, last day) a URL names through a regex with groups year[, month[, day]], or None."""
    for pattern in patterns:
        match = re.search(pattern, url)
        if not match:
            continue
        groups = match.groupdict()
        try:
            year = int(groups["year"])
            month = int(groups["month"]) if groups.get("month") else None
            day = int(groups["day"]) if groups.get("day") else None
            if month is None:
                return date(year, 1, 1), date(year, 12, 31)
            if day is None:
                first = date(year, month, 1)
                return first, (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            return date(year, month, day), date(year, month, day)
        except (ValueError, TypeError):
            continue  # a number that is no date (month 13): not this pattern's kind of URL
    return None


# -- where a walk starts ---------------------------------------------------------------------------
def archive_dates(step: str, span: DateRange, today: date) -> list[date]:
    """One date per day (or per month: its first day) from the range's end back to its start."""
    last = min(span.until or today, today)
    out: list[date] = []
    if step == "month":
        current = last.replace(day=1)
        while current >= span.since.replace(day=1):
            out.append(current)
            current = (current - timedelta(days=1)).replace(day=1)
        return out
    current = last
    while current >= span.since:
        out.append(current)
        current -= timedelta(days=1)
    return out


def walk_roots(profile: SiteProfile, span: DateRange, today: date) -> list[PageLink]:
    """The pages a backfill of *span* starts from (archive pages newest first)."""
    rules = profile.backfill
    roots = [PageLink(url, "sitemap", 0) for url in rules.sitemaps]
    roots += [PageLink(url, "listing", 1) for url in rules.listing_pages]
    for template in rules.archive_pages:
        roots += [PageLink(template.format(date=day), ARCHIVE, 1)
                  for day in archive_dates(rules.archive_step, span, today)]
    return roots


# -- archive pages -----------------------------------------------------------------------------------
def _article(found: Found, link: ArticleLink | None, seen: set[str], cap: int) -> None:
    if link is None or link.canonical in seen:
        return
    seen.add(link.canonical)
    if len(found.articles) >= cap:
        found.capped += 1
        return
    found.articles.append(link)


def _finish(found: Found, url: str, cap: int) -> Found:
    if found.capped:
        found.note(keys.DISCOVERY_CAPPED, found.capped, WARNING,
                   f"{url} lists more than {cap} articles: {found.capped} left out")
    return found


def from_archive_sitemap(body: bytes, url: str, profile: SiteProfile, span: DateRange, cap: int,
                         depth: int = 0) -> Found:
    """A sitemap index's child sitemaps of the range, or a sitemap's article links of the range."""
    found = Found()
    try:
        sitemap = parse_sitemap(body)
    except (NotXML, UnsafeXML) as exc:
        kind = "unsafe_xml" if isinstance(exc, UnsafeXML) else "sitemap"
        found.usable = False
        found.note(keys.backfill_bad(kind), level=ERROR, message=f"Archive sitemap {url} is not usable: {exc}")
        return found
    rules = profile.backfill
    if sitemap.kind == "sitemapindex":
        read = {url_key(url)}
        for entry in sitemap.entries:
            child = urljoin(url, entry.url.strip())
            if url_key(child) in read or depth >= MAX_SITEMAP_DEPTH or not same_site(child, profile):
                found.note(keys.DISCOVERY_SITEMAP_REFUSED)
                continue
            read.add(url_key(child))
            period = period_in_url(child, rules.sitemap_dates)
            changed = _day(entry.lastmod, profile)
            # a child not changed since before the range holds nothing of it; a dated child, its period
            if (period and not span.overlaps(*period)) or (changed and changed < span.since):
                found.note(keys.BACKFILL_OUT_OF_RANGE)
                continue
            found.pages.append(PageLink(child, "sitemap", depth + 1))
        return found
    found.note(keys.DISCOVERY_SITEMAP_ENTRIES, len(sitemap.entries))
    seen: set[str] = set()
    for entry in sitemap.entries:
        link = urljoin(url, entry.url.strip())
        published = _day(entry.news_published, profile) or _url_day(link, profile)
        changed = _day(entry.lastmod, profile)
        # the publication day decides; without it, a last change before the range excludes (published <= changed)
        if (published and not span.contains(published)) or (not published and changed and changed < span.since):
            found.note(keys.BACKFILL_OUT_OF_RANGE)
            continue
        _article(found, article_link(link, profile, found, url), seen, cap)
    return _finish(found, url, cap)


def _url_day(url: str, profile: SiteProfile) -> date | None:
    period = period_in_url(url, profile.backfill.url_dates)
    return period[0] if period and period[0] == period[1] else None


def from_archive_listing(text: str, url: str, profile: SiteProfile, span: DateRange, page: int, cap: int) -> Found:
    """A listing or archive page's article links of the range, and its next page while the walk
    has not passed ``since`` (known only from dated links: ``backfill.url_dates``)."""
    found = Found()
    sel = Selector(text=text, type="html", base_url=url)
    rules = profile.discovery
    hrefs = all_values(sel, rules.listing_links) if rules.listing_links else sel.css("a::attr(href)").getall()
    seen: set[str] = set()
    dated = older = 0
    for href in hrefs:
        link = article_link(urljoin(url, href.strip()), profile, found, url)
        if link is None:
            continue
        day = _url_day(link.canonical, profile)
        if day is not None:
            dated += 1
            if not span.contains(day):
                older += day < span.since
                found.note(keys.BACKFILL_OUT_OF_RANGE)
                continue
        _article(found, link, seen, cap)
    found.note(keys.DISCOVERY_LISTING_LINKS, len(found.articles))
    past_since = dated > 0 and older == dated  # every dated link is older than the range: the walk is done
    if page < profile.backfill.max_pages and not past_since:
        following = all_values(sel, rules.listing_next)
        if following:
            found.pages.append(PageLink(urljoin(url, following[0].strip()), "listing", page + 1))
    return _finish(found, url, cap)
