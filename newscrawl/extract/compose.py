"""One page to one record, composing the pure extraction functions in the order the glue calls them.

A stand-in until the page object (ArticlePage) does the same: the benchmark harness
(benchmarks/realpages.py) and tests/test_realpages.py call only ``extract_record``, so that
switching them to the page object is one line.  No Scrapy here: text in, dict out.
"""

from __future__ import annotations

import lxml.html
from parsel import Selector

from ..clean import clean_body
from ..sites.profile import SiteProfile
from .article import all_values, clean_authors, first_element, first_value
from .authors import authors_from_page
from .dates import parse_date
from .generic import generic_body
from .metadata import read_metadata
from .textdates import dates_from_text
from .title import choose_title

MIN_BODY_CHARS = 20


def extract_record(html: str, url: str, profile: SiteProfile, *, disabled: frozenset[str] = frozenset()) -> dict | None:
    """title, body, published_at, modified_at, authors, paywalled (+ _extraction, _events); None: no article.

    *disabled* leaves cleaning rule families out (benchmarks/ablation.py); the crawl never passes it."""
    if not html or not html.strip():
        return None
    sel = Selector(text=html)
    if sel.root is None or not isinstance(getattr(sel.root, "tag", None), str):
        return None
    meta = read_metadata(sel)
    pick = profile.selectors
    title = choose_title(first_value(sel, pick.title), meta, sel.root, profile)

    cleaned, path, events = None, "none", []
    container = first_element(sel, pick.body) if pick.body else None
    if container is not None:
        cleaned = clean_body(lxml.html.tostring(container, encoding="unicode"), profile, title,
                             declared=meta.article_body, disabled=disabled)
        path = "profile"
    if cleaned is None or len(cleaned.body) < MIN_BODY_CHARS:
        choice = generic_body(sel.root, url, meta, profile)
        events = choice.events
        for fragment in (choice.html, choice.alternative):
            if not fragment:
                continue
            generic = clean_body(fragment, profile, title, declared=meta.article_body, disabled=disabled)
            if cleaned is None or len(generic.body) > len(cleaned.body):
                cleaned, path = generic, ("fallback" if pick.body else "generic")
            if len(cleaned.body) >= MIN_BODY_CHARS:
                break  # the alternative is only for a choice that cleaned down to nothing
            events.append("alternative")
    if cleaned is None or not cleaned.body:
        return None

    offset = profile.utc_offset
    published = parse_date(first_value(sel, pick.published), offset) or parse_date(meta.published, offset)
    modified = parse_date(first_value(sel, pick.modified), offset) or parse_date(meta.modified, offset)
    if not published:
        found = dates_from_text(sel.root, profile, headline=title, url=url)
        published, modified = found.published, modified or found.modified
    authors = all_values(sel, pick.authors) or meta.authors or authors_from_page(sel.root) or cleaned.authors
    return {
        "title": title,
        "body": cleaned.body,
        "published_at": published,
        "modified_at": modified,
        "authors": clean_authors(authors),
        # cut short at a notice, or declared not free (JSON-LD isAccessibleForFree: false)
        "paywalled": cleaned.paywalled or meta.accessible_for_free is False,
        "_extraction": path,
        "_events": events,
    }
