"""The generic main-text path: for sites without a profile, and when a profile's selectors fail.

trafilatura is the strongest open extractor, but it does not know Japanese news
pages: it keeps a ランキング list or a twice-printed こんな記事も読まれています block
when they look like prose.  So the page is pruned first with our structural rules
(clean/structure.py), then trafilatura picks the main text out of what is left,
keeping links so that the line rules can still see related-article lines.
"""

from __future__ import annotations

import lxml.html
import trafilatura

from ..clean.structure import remove_clutter

_MIN_CHARS = 40


def _prune(page_html: str):
    doc = lxml.html.document_fromstring(page_html)
    body = doc.find("body")
    remove_clutter(body if body is not None else doc)
    return doc


def generic_body_html(page_html: str) -> str | None:
    """The main text of a whole page as an HTML fragment, or None when there is none."""
    if not page_html or not page_html.strip():
        return None
    try:
        doc = _prune(page_html)
    except (lxml.etree.ParserError, ValueError):
        return None
    pruned = lxml.html.tostring(doc, encoding="unicode")
    for options in ({}, {"favor_recall": True}):
        result = trafilatura.extract(
            pruned, output_format="html", include_comments=False, include_tables=True,
            include_images=False, include_links=True, deduplicate=False, **options,
        )
        if result and len("".join(lxml.html.fromstring(result).text_content().split())) >= _MIN_CHARS:
            return result
    return None
