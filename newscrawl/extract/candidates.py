"""Candidates for the article of a page, and the choice between them.

- ``container``: the element holding most of the page's prose (container.py), cleaned later by
  our block and line rules;
- ``trafilatura``: trafilatura on an untouched copy of the page (its own boilerplate model, with
  its own fallbacks to readability and jusText).

Neither is trusted blindly.  trafilatura's text is located in the page: when it lies inside one
tight element (its *container*), the two containers are compared - ours is widened to trafilatura's
when that one holds ours plus more of the article (a story interrupted by link lists), narrowed to
it when ours only adds the headline zone around it, and kept when ours holds more of the article
(trafilatura stops at an ad slot or a table).  trafilatura's own output is used as it is only when
the page has no prose block for a container at all.
"""

from __future__ import annotations

import copy
import logging
from collections import Counter
from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml import etree

from ..sites.profile import SiteProfile
from .container import Container, find_container, score
from .metadata import Metadata
from .textblocks import PageBlocks, page_blocks

logger = logging.getLogger(__name__)

MIN_PROSE_CHARS = 60  # a container with less prose than this is no evidence of an article
MAX_ELEMENTS = 20_000  # above this trafilatura is not run (its cost grows fast; real pages have < 5,000)
MATCH_MIN_CHARS = 8  # blocks shorter than this are not located in trafilatura's text ("Tweet", "1")
MAPPED_SHARE = 0.5  # trafilatura's text is located when this share of it is found in the page's blocks
HELD_SHARE = 0.8  # trafilatura's container holds this share of its located text
TIGHT = 1.6  # ... and at most this many times as much text as that
NARROW_SHARE = 0.0  # ours is narrowed to trafilatura's when that loses no prose (only headline zone, links)
DESCRIPTION_MIN_CHARS = 30  # a shorter og:description says nothing about where the article is
DESCRIPTION_MARGIN = 0.3  # one candidate holds this much more of the description than the other
WIDEN_GAIN = 0.5  # ours is widened to trafilatura's when that holds this much more prose (+50 %)


@dataclass
class Choice:
    html: str | None
    candidate: str
    events: list[str]
    alternative: str | None = None  # trafilatura's own output when another candidate was chosen


def _trafilatura_html(root, url: str | None, events: list[str] | None = None, **options) -> str | None:
    # a copy: trafilatura prunes the tree it is given, and the glue's tree serves other steps
    doc = copy.deepcopy(root.getroottree().getroot())
    etree.strip_elements(doc, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    try:
        result = trafilatura.extract(
            doc, url=url, output_format="html", include_comments=False, include_tables=True,
            include_images=False, include_links=True, deduplicate=False, **options,
        )
    except Exception as exc:  # noqa: BLE001 - a library failure on one odd page must not lose the page
        logger.warning("trafilatura failed on %s (%s): the page's own container is used", url, type(exc).__name__)
        if events is not None:
            events.append("trafilatura_error")
        return None
    return result or None


def _squeeze(text: str) -> str:
    return "".join(text.split())


def trafilatura_container(blocks: PageBlocks, text: str):
    """The smallest element holding most of *text* (trafilatura's output) and little else, or None."""
    wanted = _squeeze(text)
    if not wanted:
        return None
    held: dict = {}
    located = 0
    for block in blocks.blocks:
        if block.chars < MATCH_MIN_CHARS or _squeeze(block.text) not in wanted:
            continue
        located += block.chars
        el = block.owner
        while el is not None:
            held[el] = held.get(el, 0) + block.chars
            el = el.getparent()
    if located < MAPPED_SHARE * len(wanted):
        return None
    best = None
    for el, chars in held.items():
        if chars >= HELD_SHARE * located and el in blocks.stats:
            if best is None or blocks.stats[el].chars < blocks.stats[best].chars:
                best = el
    if best is None or blocks.stats[best].chars > TIGHT * located:
        return None
    return best


def _inside(el, ancestor) -> bool:
    return any(a is ancestor for a in el.iterancestors())


def choose_candidate(root, url: str | None, meta: Metadata, profile: SiteProfile) -> Choice:
    blocks = page_blocks(root, keep_text=True)
    found: Container | None = find_container(root, blocks)
    ours = found.element if found is not None and found.stats.prose >= MIN_PROSE_CHARS else None
    events: list[str] = []
    traf_html = None
    if len(blocks.stats) > MAX_ELEMENTS:
        events.append("huge_page")
    else:
        traf_html = _trafilatura_html(root, url, events)
    theirs = None
    if traf_html:
        theirs = trafilatura_container(blocks, lxml.html.fromstring(traf_html).text_content())
    pick, name = _decide(ours, theirs, blocks, meta.description)
    if pick is not None:
        return Choice(lxml.html.tostring(pick, encoding="unicode"), name, events, traf_html)
    if traf_html:
        return Choice(traf_html, "trafilatura", events)
    if found is not None:
        return Choice(lxml.html.tostring(found.element, encoding="unicode"), "container", events)
    return Choice(None, "none", events + ["no_text"])


def _holds(el, text: str) -> float:
    """Share of *text*'s character bigrams found in *el*'s text (how much of a summary it holds)."""
    want, have = _squeeze(text), _squeeze(el.text_content())
    grams = Counter(want[i:i + 2] for i in range(len(want) - 1))
    found = Counter(have[i:i + 2] for i in range(len(have) - 1))
    total = sum(grams.values())
    return sum((grams & found).values()) / total if total else 0.0


def _decide(ours, theirs, blocks: PageBlocks, description: str | None = None):
    if theirs is None:
        return ours, "container"
    if ours is None or ours is theirs:
        return theirs, "container" if ours is theirs else "trafilatura_container"
    stats = blocks.stats
    if _inside(ours, theirs):
        if stats[theirs].prose >= (1 + WIDEN_GAIN) * stats[ours].prose:
            return theirs, "widened"  # trafilatura's article holds ours and much more of it
        return ours, "container"
    if _inside(theirs, ours):
        extra = stats[ours].prose - stats[theirs].prose
        if extra <= NARROW_SHARE * stats[ours].prose:
            return theirs, "narrowed"  # ours adds only the headline zone (headline, byline, links)
        return ours, "container"
    # two different places: the page's own summary (og:description) says which holds the article
    if description and len(_squeeze(description)) >= DESCRIPTION_MIN_CHARS:
        mine, other = _holds(ours, description), _holds(theirs, description)
        if abs(mine - other) >= DESCRIPTION_MARGIN:
            return (ours, "container") if mine > other else (theirs, "trafilatura_container")
    return (ours, "container") if score(stats[ours]) >= score(stats[theirs]) else (theirs, "trafilatura_container")
