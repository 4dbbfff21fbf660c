"""Discovery as pure functions: a profile, a fetched feed / sitemap / listing and "now" in, URLs out.

The spider only turns what these return into requests, and their events into stats and log
lines.  Each function returns a ``Found``: the article links (as found, and their canonical
form, which is only the article's identity: the request goes to the URL as found), the further
discovery pages (child sitemaps, the next listing page), the events, and whether the source
was usable at all (a night whose every source is broken fails: extensions/health.py).

Bounded: a source gives at most its cap of article links (NEWSCRAWL_MAX_FEED_ENTRIES, ...);
what a cap leaves out is counted (``discovery/capped``) and said once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from parsel import Selector
from protego import Protego

from .. import stats as keys
from ..extract.dates import parse_date
from ..extract.selectors import all_values
from ..page.events import DEBUG, ERROR, WARNING, Event
from ..sites.profile import SiteProfile
from ..urls import canonical_url, same_site, url_key
from .feeds import read_feed
from .sitemaps import parse_sitemap
from .xml import NotXML, UnsafeXML

MAX_SITEMAP_DEPTH = 3  # index -> index -> index -> urlset: deeper is a trap


@dataclass(frozen=True)
class ArticleLink:
    url: str  # as found (joined to the page's URL): what is requested
    canonical: str  # the identity: state, dedup, the record's url


@dataclass(frozen=True)
class PageLink:
    url: str
    kind: str  # "sitemap" or "listing"
    depth: int = 0  # sitemap depth, or the listing page number


@dataclass
class Found:
    articles: list[ArticleLink] = field(default_factory=list)
    pages: list[PageLink] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    usable: bool = True  # the source parsed (an empty but valid feed is usable)
    capped: int = 0  # article links left out by the source's cap

    def note(self, name: str, count: int = 1, level: int = DEBUG, message: str = "") -> None:
        if count:
            self.events.append(Event(name, count, level, message))


# -- time --------------------------------------------------------------------------------------------
def as_aware(value: datetime) -> datetime:
    """A datetime without an offset is UTC: comparing naive and aware times must never raise."""
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def served_at(date_header: bytes | str | None) -> datetime | None:
    """The server's ``Date`` (aware; a value without a zone, or ``-0000``, is UTC), or None."""
    if not date_header:
        return None
    text = date_header.decode("latin-1") if isinstance(date_header, bytes) else date_header
    try:
        return as_aware(parsedate_to_datetime(text.strip()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def too_old(date_text: str | None, profile: SiteProfile, now: datetime, max_age_days: float) -> bool:
    """An entry dated more than *max_age_days* before *now* (0: no limit; no date: never too old)."""
    if not max_age_days or not date_text:
        return False
    iso = parse_date(date_text, profile.utc_offset)
    if not iso:
        return False
    try:
        return datetime.fromisoformat(iso) < as_aware(now) - timedelta(days=max_age_days)
    except (ValueError, OverflowError):
        return False


# -- one link ------------------------------------------------------------------------------------------
def article_link(url: str, profile: SiteProfile, found: Found, source: str) -> ArticleLink | None:
    """The link as an article request, or None (counted) when it is not one of the site's articles."""
    if not url.strip().lower().startswith(("http://", "https://")):
        found.note(keys.DISCOVERY_REFUSED_SCHEME, level=WARNING,
                   message=f"Refused non-HTTP link in {source}: {url[:200]}")
        return None
    canonical = canonical_url(url, profile)
    if not same_site(url, profile):
        found.note(keys.DISCOVERY_OFFSITE)
        return None
    if not profile.is_article_url(canonical):
        found.note(keys.DISCOVERY_NOT_ARTICLE)
        return None
    return ArticleLink(url.strip(), canonical)


def _add(found: Found, link: ArticleLink | None, seen: set[str], cap: int) -> None:
    if link is None or link.canonical in seen:
        return
    seen.add(link.canonical)
    if len(found.articles) >= cap:
        found.capped += 1
        return
    found.articles.append(link)


def _close(found: Found, cap: int, source: str) -> Found:
    if found.capped:
        found.note(keys.DISCOVERY_CAPPED, found.capped, WARNING,
                   f"{source} lists {cap + found.capped} articles, more than the cap of {cap}: "
                   f"{found.capped} left out (they remain for a later night)")
    return found


def _unusable(found: Found, what: str, url: str, exc: Exception) -> Found:
    kind = exc.kind if isinstance(exc, UnsafeXML) else f"bad_{what}"  # unsafe_xml, gzip_bomb
    found.usable = False
    found.note(keys.discovery_bad(kind), level=ERROR,
               message=f"{what.capitalize()} {url} is not usable ({kind}): {exc}")
    return found


# -- sources -------------------------------------------------------------------------------------------
def from_feed(body: bytes, url: str, profile: SiteProfile, now: datetime, max_age_days: float,
              cap: int) -> Found:
    found = Found()
    try:
        feed = read_feed(body)
    except (NotXML, UnsafeXML) as exc:
        return _unusable(found, "feed", url, exc)
    entries = feed.entries
    found.note(keys.DISCOVERY_FEED_ENTRIES, len(entries))
    if feed.repaired:
        found.note(keys.DISCOVERY_FEED_REPAIRED, level=WARNING,
                   message=f"Feed {url} is not well-formed XML ({feed.repaired}): read tolerantly, "
                           f"{len(entries)} entries")
    base = profile.discovery.base_url or url
    seen: set[str] = set()
    for entry in entries:
        if too_old(entry.published, profile, now, max_age_days):
            found.note(keys.DISCOVERY_TOO_OLD)
            continue
        _add(found, article_link(urljoin(base, entry.url.strip()), profile, found, url), seen, cap)
    return _close(found, cap, url)


def from_sitemap(body: bytes, url: str, profile: SiteProfile, now: datetime, max_age_days: float, cap: int,
                 depth: int = 0, read: set[str] | None = None) -> Found:
    """A sitemap's article links, or an index's child sitemaps. *read*: the sitemaps this run has
    read already (url keys), so that an index listing itself, or A -> B -> A, is read once."""
    found = Found()
    try:
        sitemap = parse_sitemap(body)
    except (NotXML, UnsafeXML) as exc:
        return _unusable(found, "sitemap", url, exc)
    if sitemap.kind == "sitemapindex":
        read = read if read is not None else set()
        read.add(url_key(url))
        for entry in sitemap.entries:
            child = urljoin(url, entry.url.strip())
            if url_key(child) in read:
                found.note(keys.DISCOVERY_SITEMAP_LOOP, level=WARNING,
                           message=f"Sitemap index {url} lists an already read sitemap (a loop): {child} not followed")
                continue
            read.add(url_key(child))
            if depth >= MAX_SITEMAP_DEPTH or not same_site(child, profile):
                found.note(keys.DISCOVERY_SITEMAP_REFUSED)
                continue
            if too_old(entry.lastmod, profile, now, max_age_days):
                found.note(keys.DISCOVERY_TOO_OLD)
                continue
            found.pages.append(PageLink(child, "sitemap", depth + 1))
        return found
    found.note(keys.DISCOVERY_SITEMAP_ENTRIES, len(sitemap.entries))
    seen: set[str] = set()
    for entry in sitemap.entries:
        if too_old(entry.date, profile, now, max_age_days):
            found.note(keys.DISCOVERY_TOO_OLD)
            continue
        _add(found, article_link(urljoin(url, entry.url.strip()), profile, found, url), seen, cap)
    return _close(found, cap, url)


def from_robots(text: str, url: str, profile: SiteProfile, read: set[str]) -> Found:
    """The ``Sitemap:`` lines of a robots.txt (profiles with ``discovery.robots_sitemaps``), as sitemaps to
    read: the site's own, and none that the profile names or this run reads already (*read*: url keys,
    as from_sitemap keeps them).  robots.txt is not a discovery source itself: what counts is whether
    the sitemaps it names can be used.  Protego (Scrapy's robots.txt parser) reads the lines."""
    found = Found()
    listed = [urljoin(url, u.strip()) for u in Protego.parse(text).sitemaps if u.strip()]
    named = {url_key(u) for u in profile.discovery.sitemaps}
    for child in listed:
        if not child.lower().startswith(("http://", "https://")) or not same_site(child, profile):
            found.note(keys.DISCOVERY_SITEMAP_REFUSED, level=WARNING,
                       message=f"robots.txt {url} names a sitemap of another site: {child[:200]} not followed")
            continue
        if url_key(child) in read or url_key(child) in named:
            continue
        read.add(url_key(child))
        found.pages.append(PageLink(child, "sitemap", 0))
    found.note(keys.DISCOVERY_ROBOTS_SITEMAPS, len(found.pages))
    if not listed:
        found.note(keys.DISCOVERY_ROBOTS_NO_SITEMAP, level=WARNING,
                   message=f"robots.txt {url} names no sitemap (discovery.robots_sitemaps is set for {profile.key})")
    return found


def from_listing(text: str, url: str, profile: SiteProfile, page: int, cap: int) -> Found:
    """A listing page's article links (a list printed twice is one list) and its next page."""
    found = Found()
    sel = Selector(text=text, type="html", base_url=url)
    rules = profile.discovery
    links = all_values(sel, rules.listing_links) if rules.listing_links else sel.css("a::attr(href)").getall()
    seen: set[str] = set()
    for href in links:
        _add(found, article_link(urljoin(url, href.strip()), profile, found, url), seen, cap)
    found.note(keys.DISCOVERY_LISTING_LINKS, len(found.articles))
    if page < rules.max_listing_pages and len(found.articles) < cap:
        nxt = all_values(sel, rules.listing_next)
        if nxt:
            found.pages.append(PageLink(urljoin(url, nxt[0].strip()), "listing", page + 1))
    return _close(found, cap, url)
