"""The clean step: the article's HTML fragment becomes the body text (the clean pipeline's function).

One pure function, so that the crawl (pipelines/clean.py), the tests and the benchmarks run the
same code after ArticlePage: boilerplate out (ads, ranking/recommended/related blocks, share
widgets, shortcodes, credits, bylines), authors from the byline lines when the page gave none,
the content hash, and the paywall flag.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import stats as keys
from ..clean import clean_body
from ..extract.selectors import clean_authors
from ..fingerprints import content_hash
from ..items import EXPLAINED, PAGE_LINES, STRIP
from ..sites.profile import SiteProfile
from .events import Event
from .strip import fragment_lines, strip_lines

# A private item field (never exported: not in EXPORT_FIELDS): the result of the clean step that
# ArticlePage already computed when it checked the profile's container. Cleaning is the costliest part
# of a page after parsing, and it is pure: the same fragment, profile and title give the same result,
# so the clean step takes it instead of computing it twice (measured: docs/benchmarks.md).
CLEANED = "cleaned"


@dataclass(frozen=True)
class CleanedFragment:
    fragment: str  # the very string that is the item's body_html
    profile: SiteProfile
    title: str | None
    result: object  # newscrawl.clean.CleanResult

    def result_for(self, fragment: str, profile: SiteProfile, title: str | None):
        """The cached result when it was computed from these same inputs, else None."""
        if (fragment is self.fragment or fragment == self.fragment) and title == self.title \
                and (profile is self.profile or profile == self.profile):
            return self.result
        return None


def _clean(fragment: str, profile: SiteProfile, title: str | None, trace: bool):
    if trace:
        try:
            return clean_body(fragment, profile, title, trace=True)
        except TypeError:  # clean rules without a trace: the strip falls back to its own matching
            pass
    return clean_body(fragment, profile, title)


def finish_article(item: dict, profile: SiteProfile) -> list[Event]:
    """Fill ``body``, ``authors``, ``content_hash`` (and ``paywalled``) from ``body_html``, in place."""
    lines = item.pop(PAGE_LINES, None)
    explained = item.pop(EXPLAINED, None)
    fragment = item.pop("body_html", "") or ""
    cached = item.pop(CLEANED, None)
    result = cached.result_for(fragment, profile, item.get("title")) if cached is not None and lines is None else None
    if result is None:
        result = _clean(fragment, profile, item.get("title"), trace=lines is not None)
    item["body"] = result.body
    if not item.get("authors") and result.authors:
        item["authors"] = clean_authors(result.authors)
    item.setdefault("authors", [])
    item["content_hash"] = content_hash(result.body)
    if getattr(result, "paywalled", False):
        item["paywalled"] = True
    if lines is not None:
        item[STRIP] = strip_lines(lines, item.get("title"), result.body, getattr(result, "trace", None), explained,
                                  fragment_lines(fragment))
    return [Event(keys.clean_rule(rule), count) for rule, count in result.removed.items()]
