"""ArticlePage: one article response in, the article item and its events out.

The whole journey of a page, in one place and in this order (docs/architecture.md):

1. the bytes: empty, not HTML (PDF, image, JSON ...), or over NEWSCRAWL_MAX_PAGE_BYTES -> skipped;
2. decoding: the declared charset, or a better one when it visibly fails (extract/encoding.py);
3. the markup: a depth bomb or a page cut off mid-way -> skipped; two documents -> repaired;
4. one parse; the metadata (JSON-LD, OpenGraph, <meta>);
5. the article's container: the profile's selectors, checked with the same cleaning function the
   clean pipeline runs (a container that cleans to nothing is not the article), else the generic
   path; nothing found -> skipped;
6. the fields: title, dates, authors, section, tags, pictures; a consent wall or a login box
   instead of an article -> skipped.

Inputs are declared (``PageInputs``: URL, body, headers), with the site profile, a clock and the
limits; the output is a ``PageResult``: the item (the metadata plus the article's own container
as an HTML fragment, never the whole page) and a list of events (newscrawl/page/events.py).
Nothing here imports Scrapy's crawl machinery: a test, a benchmark or a notebook calls it the
way the spider does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Mapping
from urllib.parse import urljoin

import lxml.html
from parsel import Selector
from w3lib.html import get_base_url

from .. import stats as keys
from ..clean import clean_body
from ..extract.dates import parse_date
from ..extract.encoding import decode, is_mostly_broken
from ..extract.authors import authors_from_page
from ..extract.generic import generic_body
from ..extract.guards import (
    DEFAULT_MAX_HTML_DEPTH, body_text, repair_mojibake, repair_second_html, same_name, scan_markup,
    sniff_not_html, wall_kind,
)
from ..extract.images import default_containers, images_from
from ..extract.metadata import read_metadata
from ..extract.selectors import all_values, clean_authors, first_element, first_value
from ..extract.textdates import dates_from_text
from ..extract.title import choose_title
from ..items import DECLARED, EXPLAINED, PAGE_LINES
from ..sites import GENERIC_KEY, site_of
from ..sites.profile import SiteProfile
from ..urls import choose_canonical
from .events import DEBUG, ERROR, INFO, WARNING, Event
from .finish import CLEANED, CleanedFragment
from .strip import page_lines

MIN_BODY_CHARS = 20  # a cleaned container with less text is not the article


def explain_page(root, profile: SiteProfile) -> list[tuple[str, str]]:
    """(block text, rule) of what the tree rules would remove from the whole page, without touching it."""
    from ..clean.pipeline_api import explain_removed

    return explain_removed(root, profile)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class PageLimits:
    max_page_bytes: int = 8 * 1024 * 1024
    max_html_depth: int = DEFAULT_MAX_HTML_DEPTH


@dataclass(frozen=True)
class PageInputs:
    """What the page object is built from; a fixture is exactly this (web-poet's inputs)."""

    url: str  # where the body came from (after redirects)
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names, first values

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class PageResult:
    item: dict | None
    events: list[Event]
    skipped: str | None = None  # why there is no item (the event name), None when there is one


class _Skip(Exception):
    def __init__(self, event: Event) -> None:
        self.event = event


class ArticlePage:
    def __init__(self, inputs: PageInputs, profile: SiteProfile, clock: Callable[[], datetime] = utc_now,
                 limits: PageLimits = PageLimits(), trace: bool = False,
                 disabled: frozenset[str] = frozenset()) -> None:
        self.inputs = inputs
        self.profile = profile
        self.clock = clock
        self.limits = limits
        self.trace = trace  # keep the page's text lines for the report's strip diff (a few samples a night)
        self.disabled = disabled  # cleaning rule families left out: for measuring them (benchmarks/ablation.py)
        self.events: list[Event] = []
        self._checked: CleanedFragment | None = None  # the last clean_body result of _cleans_to_text

    # -- the one public method -----------------------------------------------------------------------
    def to_item(self) -> PageResult:
        try:
            item = self._build()
        except _Skip as skip:
            self.events.append(skip.event)
            return PageResult(None, self.events, skip.event.name)
        return PageResult(item, self.events)

    # -- steps ---------------------------------------------------------------------------------------
    def _note(self, name: str, level: int = DEBUG, message: str = "", count: int = 1) -> None:
        self.events.append(Event(name, count, level, message))

    def _skip(self, name: str, message: str, level: int = WARNING) -> _Skip:
        return _Skip(Event(name, 1, level, message))

    def _check_bytes(self) -> None:
        url, body = self.inputs.url, self.inputs.body
        if not body.strip():
            raise self._skip(keys.ARTICLE_EMPTY, f"Article {url} is not an HTML page (empty): skipped")
        kind = sniff_not_html(body, self.inputs.content_type)
        if kind:
            self._note(keys.article_not_html(kind))
            raise self._skip(keys.ARTICLE_NOT_HTML, f"Article {url} is not an HTML page ({kind}, Content-Type "
                                                    f"{self.inputs.content_type!r}): skipped")
        limit = self.limits.max_page_bytes
        if limit and len(body) > limit:
            raise self._skip(keys.ARTICLE_TOO_LARGE, f"Article {url} skipped (too_large): {len(body)} bytes, "
                                                     f"more than NEWSCRAWL_MAX_PAGE_BYTES={limit}")

    def _decode(self) -> str:
        url = self.inputs.url
        decoded = decode(self.inputs.body, self.inputs.content_type, self.profile.encoding)
        name = (decoded.encoding or "").lower().replace("-", "_")
        if name not in ("utf_8", "utf8"):
            self._note(keys.encoding_charset(name))
        if decoded.boms:
            self._note(keys.ENCODING_BOM, INFO, f"Byte order mark(s) removed from {url} ({decoded.boms})")
        if decoded.redecoded:
            self._note(keys.ENCODING_REDECODED, WARNING,
                       f"Wrong charset declared for {url}: decoded as {decoded.encoding}")
        if decoded.invalid_bytes:
            self._note(keys.ENCODING_INVALID_BYTES)
            if is_mostly_broken(decoded):
                raise self._skip(keys.ARTICLE_UNDECODABLE, f"Article {url} could not be decoded "
                                                           f"({decoded.invalid_bytes} bad characters): skipped",
                                 ERROR)
        return decoded.text

    def _check_markup(self, text: str) -> str:
        url = self.inputs.url
        markup = scan_markup(text, self.limits.max_html_depth)
        if markup.too_deep:
            raise self._skip(keys.ARTICLE_TOO_DEEP, f"Article {url} skipped (too_deep): tags nested deeper "
                                                    f"than NEWSCRAWL_MAX_HTML_DEPTH={self.limits.max_html_depth}")
        if markup.truncated:
            raise self._skip(keys.ARTICLE_TRUNCATED, f"Article {url} skipped (truncated): the page stops "
                                                     f"mid-way ({len(self.inputs.body)} bytes): fetched again "
                                                     "next run")
        if markup.unclosed:
            self._note(keys.HTML_UNCLOSED, INFO,
                       f"Article {url} has {markup.unclosed} unclosed container tag(s): parsed with recovery")
        if markup.second_html:
            self._note(keys.HTML_SECOND_HTML, WARNING, f"Article {url} holds a second <html> document: "
                                                       "repaired to one")
            text = repair_second_html(text, markup)
        return text

    def _cleans_to_text(self, fragment: str | None, title: str | None, declared: str | None) -> int:
        """How much body text *fragment* gives under the clean step's own function (0: none)."""
        if not fragment:
            return 0
        result = clean_body(fragment, self.profile, title, declared=declared, disabled=self.disabled)
        # kept for the clean step, which would compute exactly this again for the chosen fragment
        self._checked = CleanedFragment(fragment, self.profile, title, declared, self.disabled, result)
        return len(result.body)

    def _container(self, sel: Selector, meta, title: str | None) -> tuple[str, str, object]:
        """(the article's HTML fragment, the path that found it, the profile's element or None)."""
        selectors = self.profile.selectors.body
        declared = meta.article_body
        if selectors:
            element = first_element(sel, selectors)
            if element is not None:
                fragment = lxml.html.tostring(element, encoding="unicode")
                # the same cleaning the pipeline runs: a container that cleans to (almost) nothing
                # is a layout change, not the article
                if self._cleans_to_text(fragment, title, declared) >= MIN_BODY_CHARS:
                    return fragment, "profile", element
                self._note(keys.EXTRACT_FALLBACK_EMPTY_CONTAINER, WARNING,
                           f"The {self.profile.key} container of {self.inputs.url} cleans to nothing: "
                           "generic extraction used")
        path = "fallback" if selectors else "generic"
        choice = generic_body(sel.root, self.inputs.url, meta, self.profile)
        for event in choice.events:
            self._note(keys.extract_generic(event))
        best, best_size = None, 0
        for fragment in (choice.html, choice.alternative):  # the alternative: when the choice cleans to nothing
            size = self._cleans_to_text(fragment, title, declared)
            if size > best_size:
                best, best_size = fragment, size
            if best_size >= MIN_BODY_CHARS:
                break
        if best is None:
            raise self._skip(keys.extract_path("none"), f"No article text found on {self.inputs.url}", WARNING)
        if best is not choice.html:
            self._note(keys.extract_generic("alternative"))
        return best, path, None

    def _title(self, sel: Selector, meta) -> str | None:
        url, profile = self.inputs.url, self.profile
        title = choose_title(first_value(sel, profile.selectors.title), meta, sel.root, profile)
        if title:
            fixed, state = repair_mojibake(title)
            if state == "repaired":
                self._note(keys.ENCODING_MOJIBAKE_REPAIRED, WARNING,
                           f"Mojibake title repaired on {url}: {title[:60]!r} -> {fixed[:60]!r}")
                title = fixed
            elif state == "broken":
                self._note(keys.ENCODING_MOJIBAKE_TITLE, WARNING,
                           f"Mojibake title on {url} cannot be repaired: dropped ({title[:60]!r})")
                title = None
        site_names = [profile.name if profile.key != GENERIC_KEY else "",
                      *sel.xpath("//meta[@property='og:site_name' or @name='application-name']/@content").getall()]
        if title and same_name(title, site_names):
            self._note(keys.EXTRACT_TITLE_IS_SITE_NAME, WARNING,
                       f"No headline on {url}: the only title is the site name {title!r}")
            title = None
        return title

    def _build(self) -> dict:
        self._check_bytes()
        text = self._check_markup(self._decode())
        url, profile = self.inputs.url, self.profile
        sel = Selector(text=text, type="html", base_url=url)
        meta = read_metadata(sel)
        title = self._title(sel, meta)
        fragment, path, element = self._container(sel, meta, title)
        if path == "fallback":  # extract/fallback: the profile's selectors missed (a redesign is coming)
            self._note(keys.EXTRACT_FALLBACK, INFO, f"Profile selectors of {profile.key} found no article on "
                                                    f"{url}: generic extraction used")
        else:
            self._note(keys.extract_path(path))
        wall = wall_kind(body_text(fragment), sel.root)
        if wall:
            raise self._skip(keys.article_wall(wall), f"Article {url} skipped ({wall}_wall): the page holds "
                                                      f"only a {wall} box, no article")
        base = get_base_url(text[:4096], url)
        pick, offset = profile.selectors, profile.utc_offset
        canonical = choose_canonical(url, meta.canonical, profile)
        published = parse_date(first_value(sel, pick.published), offset) or parse_date(meta.published, offset)
        modified = parse_date(first_value(sel, pick.modified), offset) or parse_date(meta.modified, offset)
        if not published:  # no metadata: the date the page shows (labels 配信/更新/入力, <time>, microdata)
            shown = dates_from_text(sel.root, profile, headline=title, url=url)
            published, modified = shown.published, modified or shown.modified
        item = {
            "url": canonical,
            "site": site_of(profile, canonical),
            "title": title,
            "published_at": published,
            "modified_at": modified,
            "authors": clean_authors(all_values(sel, pick.authors) or meta.authors or authors_from_page(sel.root)),
            "section": first_value(sel, pick.section) or meta.section,
            "tags": all_values(sel, pick.tags) or list(dict.fromkeys(meta.tags)),
            "images": self._images(sel, element, base),
            "lang": profile.lang,
            "fetched_at": self.clock().astimezone(timezone.utc).replace(microsecond=0).isoformat(),
            # private: the clean pipeline turns the fragment into the body (EXPORT_FIELDS leaves these out)
            "body_html": fragment,
            "extraction": path,
        }
        if url != canonical:
            item["fetched_url"] = url
        if meta.accessible_for_free is False:  # JSON-LD says the article is not free: what we have is cut short
            item["paywalled"] = True
        if meta.article_body:  # the page's own statement of its text: the clean step trims to it
            item[DECLARED] = meta.article_body
        checked = self._checked
        if checked is not None and checked.fragment is fragment and not self.trace:
            item[CLEANED] = checked  # the clean step takes it (finish.py); a traced page cleans again
        if self.trace:
            item[PAGE_LINES] = page_lines(sel.root)
            item[EXPLAINED] = explain_page(sel.root, profile)
        return item

    def _images(self, sel: Selector, element, base: str) -> list[dict]:
        join = lambda src: urljoin(base, src)  # noqa: E731
        pick = self.profile.selectors
        if pick.images:
            containers = [el.root for s in pick.images for el in sel.css(s)]
        else:
            scope = element
            if scope is None:
                articles = sel.css("article, main")
                scope = articles[0].root if articles else None
            containers = default_containers(scope) if scope is not None else []
        return images_from(containers, join)
