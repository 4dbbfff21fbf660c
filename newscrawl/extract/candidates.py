"""Candidates for the article of a page, and the choice between them.

- ``container``: the element holding most of the page's prose (container.py), cleaned later by
  our block and line rules;
- ``trafilatura``: trafilatura on an untouched copy of the page (its own boilerplate model).

Neither is trusted blindly; see choose_candidate for the evidence used.
"""

from __future__ import annotations

import copy
import logging

import lxml.html
import trafilatura
from lxml import etree

from ..sites.profile import SiteProfile
from .container import find_container
from .metadata import Metadata

logger = logging.getLogger(__name__)

MIN_PROSE_CHARS = 60


def _trafilatura_html(root, url: str | None, **options) -> str | None:
    doc = copy.deepcopy(root.getroottree().getroot())
    etree.strip_elements(doc, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    try:
        result = trafilatura.extract(
            doc, url=url, output_format="html", include_comments=False, include_tables=True,
            include_images=False, include_links=True, deduplicate=False, **options,
        )
    except Exception as exc:  # noqa: BLE001 - a library failure on one odd page must not lose the page
        logger.debug("trafilatura failed on %s: %r", url, exc)
        return None
    return result or None


def choose_candidate(root, url: str | None, meta: Metadata, profile: SiteProfile):
    from .generic import GenericBody, fragment_html

    found = find_container(root)
    if found is not None and found.stats.prose >= MIN_PROSE_CHARS:
        return GenericBody(fragment_html(found.element), "container", [])
    traf = _trafilatura_html(root, url)
    if traf:
        return GenericBody(traf, "trafilatura", [])
    if found is not None:
        return GenericBody(fragment_html(found.element), "container", [])
    return GenericBody(None, "none", ["no_text"])
