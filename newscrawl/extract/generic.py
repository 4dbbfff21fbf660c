"""The generic main-text path: for sites without a profile, and when a profile's selectors fail.

A pruning mistake must never cost the article, so nothing is removed from the page before the
article is found.  Several candidates are made from the untouched page and one is chosen on
evidence (candidates.py); the chosen fragment then goes through clean_body like a profile's
container, where boilerplate is removed block by block and line by line.

The page tree is never modified: the glue parses a page once and hands the same tree to
metadata, selectors and this path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from parsel import Selector

from ..sites.profile import SiteProfile, generic_profile
from .candidates import choose_candidate
from .metadata import Metadata, read_metadata


@dataclass
class GenericBody:
    html: str | None  # the article as an HTML fragment for clean_body; None: no article text found
    candidate: str  # which candidate was chosen ("container", "trafilatura", ...; "none")
    events: list[str] = field(default_factory=list)  # what the choice saw, as event names (stats)
    # trafilatura's own output when another candidate was chosen: for the glue to clean instead
    # should the chosen one clean down to (almost) nothing
    alternative: str | None = None


def generic_body(root, url: str | None, meta: Metadata | None = None,
                 profile: SiteProfile | None = None) -> GenericBody:
    """The article of a whole page (*root*: its lxml tree, not modified) as an HTML fragment."""
    if root is None or not isinstance(getattr(root, "tag", None), str):
        return GenericBody(None, "none", ["no_tree"])
    choice = choose_candidate(root, url, meta or Metadata(), profile or generic_profile("example.com"))
    return GenericBody(choice.html, choice.candidate, [f"candidate/{choice.candidate}", *choice.events],
                       choice.alternative)


def generic_body_html(page_html: str) -> str | None:
    """The old glue's entry point (a whole page as text): kept while extract/article.py calls it."""
    if not page_html or not page_html.strip():
        return None
    try:
        sel = Selector(text=page_html)
    except (etree.ParserError, ValueError):
        return None
    if sel.root is None or not isinstance(getattr(sel.root, "tag", None), str):
        return None
    return generic_body(sel.root, None, read_metadata(sel)).html


def fragment_html(element) -> str:
    return lxml.html.tostring(element, encoding="unicode")
