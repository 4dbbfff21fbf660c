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
from ..items import DECLARED, EXPLAINED, PAGE_LINES, STRIP
from ..sites.profile import SiteProfile
from .events import Event
from .strip import fragment_lines, strip_lines





def finish_article(item: dict, profile: SiteProfile, disabled: frozenset[str] = frozenset()) -> list[Event]:
    """Fill ``body``, ``authors``, ``content_hash`` (and ``paywalled``) from ``body_html``, in place.

    *disabled*: cleaning rule families left out, for measuring them (benchmarks/ablation.py); never in a crawl."""
    lines = item.pop(PAGE_LINES, None)
    explained = item.pop(EXPLAINED, None)
    fragment = item.pop("body_html", "") or ""
    result = clean_body(fragment, profile, item.get("title"), trace=lines is not None,
                        declared=item.pop(DECLARED, None), disabled=disabled)
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
