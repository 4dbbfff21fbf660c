"""The shape of a site profile: what a site *is*, as data.

A profile is one TOML file in ``newscrawl/sites/<key>.toml``.  Everything that
differs between sites - where to discover articles, what an article URL looks
like, which selectors find the headline and the body, which blocks and lines
are the site's own clutter - is a value here, so adding a site needs no code.

Selectors are CSS as Scrapy/parsel understands them, including the
``::text`` and ``::attr(name)`` pseudo-elements.  Every selector field is a
list: the first selector that finds something wins, so a profile can carry
the old and the new markup side by side after a redesign.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

# A key becomes a spider name, a directory under data/ and a file name: keep it
# to a safe alphabet so that no profile value can point outside data/.
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class ProfileError(ValueError):
    """A profile file is malformed (unknown field, bad key, bad regex)."""


@dataclass(frozen=True)
class Discovery:
    feeds: tuple[str, ...] = ()  # RSS 2.0 / Atom / RDF
    sitemaps: tuple[str, ...] = ()  # sitemap or sitemap index (news: tags are read when present)
    listing_pages: tuple[str, ...] = ()  # category / list pages whose links are articles
    listing_links: tuple[str, ...] = ()  # CSS for article links on a listing page (default: every <a>)
    listing_next: tuple[str, ...] = ()  # CSS for the "next page" link of a listing page
    max_listing_pages: int = 3  # pagination bound per listing page
    max_age_days: float = 7.0  # sitemap/feed entries older than this are not followed
    base_url: str = ""  # for feeds whose <link>s are relative (hani)
    robots_sitemaps: bool = False  # also read the sitemaps that robots.txt names (Sitemap: lines)


@dataclass(frozen=True)
class Selectors:
    title: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    images: tuple[str, ...] = ()  # figure-like containers inside the body (img + caption)
    drop: tuple[str, ...] = ()  # the site's own clutter inside the body, removed before text


@dataclass(frozen=True)
class TextRules:
    drop_lines: tuple[str, ...] = ()  # regexes: a matching paragraph is removed
    end_markers: tuple[str, ...] = ()  # regexes: the body ends before the first matching paragraph
    trailing_lines: tuple[str, ...] = ()  # regexes: removed only from the end of the body
    title_suffixes: tuple[str, ...] = ()  # regexes stripped from the end of the title
    title_prefixes: tuple[str, ...] = ()  # regexes stripped from the start of the title
    author_lines: tuple[str, ...] = ()  # regexes with a group "name": the line gives the author, then goes


@dataclass(frozen=True)
class Browser:
    """Browser rendering (scrapy-playwright) for the pages that need it (docs/browser.md).

    Clicks and scrolls happen on listing pages only: an article page that needs them is rare,
    and waiting for items that never come would cost every article the full timeout.
    """

    listing: bool = False  # render listing pages
    article: bool = False  # render article pages
    wait_for: str = ""  # CSS selector to wait for (listing pages; article pages too unless article_wait_for)
    article_wait_for: str = ""  # CSS selector article pages wait for instead of wait_for
    click: str = ""  # CSS of a "more" button, clicked up to click_times while it is visible
    click_times: int = 0
    scroll_times: int = 0  # scroll to the bottom up to this many times, until no new items
    items: str = ""  # CSS of what a click or scroll adds (default: wait_for); no growth = the end
    # hosts besides the site's domains the browser may load from (a CDN for scripts or JSON): a host
    # and its subdomains, on the default ports ("host:port" for another); everything else is refused
    allow_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Backfill:
    """How a site's archive is walked back to a date (``-a since=``; newscrawl/discovery/backfill.py).

    Three kinds of archive page, each optional; a backfill walks all that are given:
    - ``sitemaps``: sitemap indexes (or sitemaps) that list the whole archive, typically one child
      sitemap per month or year; a child whose URL (``sitemap_dates``) or ``<lastmod>`` says it is
      outside the range is not read;
    - ``listing_pages``: listing pages walked page by page (the [discovery] selectors
      ``listing_links`` / ``listing_next``) until their articles are older than ``since``;
    - ``archive_pages``: date-indexed pages, one per day or month of the range: a template with
      ``{date:%Y%m%d}``-style fields (``archive_step`` = "day" or "month"), paginated like listings.
    """

    sitemaps: tuple[str, ...] = ()
    sitemap_dates: tuple[str, ...] = ()  # regexes with groups year[, month[, day]] on a child sitemap's URL
    listing_pages: tuple[str, ...] = ()
    archive_pages: tuple[str, ...] = ()
    archive_step: str = "day"
    url_dates: tuple[str, ...] = ()  # regexes with groups year, month[, day] on an article URL (undated links)
    max_pages: int = 1000  # pages of one listing or archive-page walk, at most

    def __post_init__(self) -> None:
        if self.archive_step not in ("day", "month"):
            raise ProfileError(f"backfill.archive_step {self.archive_step!r}: expected 'day' or 'month'")
        for pattern in self.sitemap_dates + self.url_dates:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ProfileError(f"backfill: bad regex {pattern!r}: {exc}") from exc
            if "year" not in compiled.groupindex:
                raise ProfileError(f"backfill: regex {pattern!r} needs a group named 'year'")

    @property
    def configured(self) -> bool:
        return bool(self.sitemaps or self.listing_pages or self.archive_pages)


@dataclass(frozen=True)
class SiteProfile:
    key: str
    name: str
    domains: tuple[str, ...]
    article_urls: tuple[str, ...]  # regexes matched against the canonical URL
    lang: str = "ja"
    canonical_host: str = ""
    host_aliases: dict[str, str] = field(default_factory=dict)  # mobile/alternate host -> canonical
    keep_query: tuple[str, ...] = ()  # query parameters that identify an article
    encoding: str = ""  # used only when neither the header nor a <meta> gives a charset
    utc_offset: str = "+09:00"  # for dates written without an offset
    min_items: int = 0  # the nightly job's expected minimum of exported items per run (0: no floor)
    min_candidates: int = 1  # article URLs discovery must find each night (exported before or not)
    discovery: Discovery = field(default_factory=Discovery)
    selectors: Selectors = field(default_factory=Selectors)
    text: TextRules = field(default_factory=TextRules)
    browser: Browser = field(default_factory=Browser)
    backfill: Backfill = field(default_factory=Backfill)

    def __post_init__(self) -> None:
        if not KEY_RE.match(self.key):
            raise ProfileError(f"profile key {self.key!r} must match {KEY_RE.pattern}")
        for pattern in self.article_urls + self.text.drop_lines + self.text.end_markers:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ProfileError(f"{self.key}: bad regex {pattern!r}: {exc}") from exc

    @property
    def article_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.article_urls)

    def is_article_url(self, url: str) -> bool:
        return any(r.search(url) for r in self.article_res)


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ProfileError(f"{where}: unknown field(s) {sorted(unknown)}")
    kwargs: dict[str, Any] = {}
    nested = {"discovery": Discovery, "selectors": Selectors, "text": TextRules, "browser": Browser,
              "backfill": Backfill}
    for name, value in data.items():
        if name in nested and cls is SiteProfile:
            kwargs[name] = _build(nested[name], value, f"{where}.{name}")
        elif isinstance(value, list):
            kwargs[name] = tuple(value)
        else:
            kwargs[name] = value
    return cls(**kwargs)


def profile_from_dict(data: dict[str, Any], where: str = "profile") -> SiteProfile:
    return _build(SiteProfile, data, where)


def load_profile(path: Path) -> SiteProfile:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    profile = profile_from_dict(data, str(path))
    if profile.key != path.stem:
        raise ProfileError(f"{path}: key {profile.key!r} differs from the file name")
    return profile


def generic_profile(netloc: str) -> SiteProfile:
    """The profile the `news` spider uses for a site it has no profile for (``host`` or ``host:port``)."""
    host = netloc.partition(":")[0]
    return SiteProfile(key="news", name=host, domains=(netloc,), article_urls=(r".",), canonical_host=host)
