"""The clean step: the article's HTML fragment becomes the body text (the clean pipeline's function).

One pure function, so that the crawl (pipelines/clean.py), the tests and the benchmarks run the
same code after ArticlePage: boilerplate out (ads, ranking/recommended/related blocks, share
widgets, shortcodes, credits, bylines), authors from the byline lines when the page gave none,
the content hash, and the paywall flag.
"""

from __future__ import annotations

from .. import stats as keys
from ..clean import clean_body
from ..extract.selectors import clean_authors
from ..fingerprints import content_hash
from ..sites.profile import SiteProfile
from .events import Event

PRIVATE_FIELDS = ("body_html", "extraction")  # working fields between ArticlePage and export


def finish_article(item: dict, profile: SiteProfile) -> list[Event]:
    """Fill ``body``, ``authors``, ``content_hash`` (and ``paywalled``) from ``body_html``, in place."""
    result = clean_body(item.pop("body_html", "") or "", profile, item.get("title"))
    item["body"] = result.body
    if not item.get("authors") and result.authors:
        item["authors"] = clean_authors(result.authors)
    item.setdefault("authors", [])
    item["content_hash"] = content_hash(result.body)
    if getattr(result, "paywalled", False):
        item["paywalled"] = True
    return [Event(keys.clean_rule(rule), count) for rule, count in result.removed.items()]
