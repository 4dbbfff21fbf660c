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
from ..items import DECLARED, EXPLAINED, PAGE_LINES, STRIP
from ..sites.profile import SiteProfile
from .events import Event
from .strip import fragment_lines, strip_lines

# A private item field (never exported: not in EXPORT_FIELDS; popped here): the clean step's result that
# ArticlePage already computed when it checked the container it chose. Cleaning is the costliest part of
# a page after parsing, and clean_body is pure: the same fragment, profile, title, articleBody and rule
# set give the same result, so the clean step takes it instead of computing it a second time
# (measured: docs/benchmarks.md, "Where the time goes").
CLEANED = "cleaned"


@dataclass(frozen=True)
class CleanedFragment:
    """One clean_body result and every input it was computed from."""

    fragment: str  # the very string that is the item's body_html
    profile: SiteProfile
    title: str | None
    declared: str | None
    disabled: frozenset[str]
    result: object  # newscrawl.clean.CleanResult

    def result_for(self, fragment: str, profile: SiteProfile, title: str | None, declared: str | None,
                   disabled: frozenset[str]):
        """The cached result when it was computed from these same inputs, else None (clean again)."""
        if (fragment is self.fragment or fragment == self.fragment) and title == self.title \
                and (declared or None) == (self.declared or None) and disabled == self.disabled \
                and (profile is self.profile or profile == self.profile):
            return self.result
        return None


def finish_article(item: dict, profile: SiteProfile, disabled: frozenset[str] = frozenset()) -> list[Event]:
    """Fill ``body``, ``authors``, ``content_hash`` (and ``paywalled``) from ``body_html``, in place.

    *disabled*: cleaning rule families left out, for measuring them (benchmarks/ablation.py); never in a crawl."""
    lines = item.pop(PAGE_LINES, None)
    explained = item.pop(EXPLAINED, None)
    fragment = item.pop("body_html", "") or ""
    declared = item.pop(DECLARED, None)
    cached = item.pop(CLEANED, None)
    result = None
    if cached is not None and lines is None:  # a traced page cleans again, with the trace on
        result = cached.result_for(fragment, profile, item.get("title"), declared, disabled)
    if result is None:
        result = clean_body(fragment, profile, item.get("title"), trace=lines is not None,
                            declared=declared, disabled=disabled)
    item["body"] = result.body
    if not item.get("authors") and result.authors:
        item["authors"] = clean_authors(result.authors)
    item.setdefault("authors", [])
    item["content_hash"] = content_hash(result.body)
    if result.paywalled:
        item["paywalled"] = True
    if lines is not None:
        item[STRIP] = strip_lines(lines, item.get("title"), result.body, result.trace, explained,
                                  fragment_lines(fragment))
    return [Event(keys.clean_rule(rule), count) for rule, count in result.removed.items()]
