"""Publication and update times from what the page shows, when neither selectors nor metadata give one.

Japanese and Korean news pages print them next to the headline: ``2025年12月5日 16:13``,
``2025/12/05 11:00``, ``2025.12.05 11:00``, ``登録：2025-12-05 09:12``, ``入力 2025-12-05 15:04``,
``配信``/``更新`` labels, or a ``<time>`` element (with or without ``datetime``).  A page carries many
dates (related stories, rankings, comments), so only the ones printed close to the headline count:

1. ``<time>`` elements and microdata (``itemprop=datePublished/dateModified``), nearest to the headline;
2. short lines holding a full date, within a few blocks of the headline; a label before or after the
   date (配信, 公開, 更新, Updated ...) says whether it is the publication or the update;
3. htmldate without its extensive search (markup and URL only), for the day when nothing else is found.

The time of day is kept; a date without an offset is the site's time (profile.utc_offset).
"""

from __future__ import annotations

import copy
import logging
import re
import warnings
from dataclasses import dataclass

from ..sites.profile import SiteProfile
from .dates import iter_dates, parse_date
from .textblocks import page_blocks

logger = logging.getLogger(__name__)

NEAR_BLOCKS = 12  # how far from the headline (in text blocks) a date line may stand
MAX_LINE_CHARS = 120  # a longer block is prose that mentions a date, not a date line
_LABEL_WINDOW = 12  # characters around a date searched for its label

_MODIFIED_RE = re.compile(r"更新|修正|改訂|Updated?|Modified|Last\s+updated", re.I)
_PUBLISHED_RE = re.compile(r"配信|公開|掲載|登録|入力|投稿|作成|発行|発表|Published|Posted|Released", re.I)
_MODIFIED_ATTR_RE = re.compile(r"modif|updat", re.I)


@dataclass
class TextDates:
    published: str | None = None
    modified: str | None = None


@dataclass
class _Found:
    position: int  # block index in the page
    kind: str  # "published", "modified", "plain"
    iso: str


def _label(before: str, after: str) -> str:
    """published / modified / plain: the label just before the date, else the one just after it
    ("配信 2025/12/05 11:00", "2019年04月21日 12時00分更新"); *before* and *after* stop at the
    neighbouring dates, so that one date's label is never read for another."""
    before, after = before[-_LABEL_WINDOW:], after[:_LABEL_WINDOW]
    for text, nearest in ((before, lambda ms: ms[-1].end()), (after, lambda ms: -ms[0].start())):
        best = None
        for kind, pattern in (("modified", _MODIFIED_RE), ("published", _PUBLISHED_RE)):
            found = list(pattern.finditer(text))
            if found and (best is None or nearest(found) > best[0]):
                best = (nearest(found), kind)
        if best:
            return best[1]
    return "plain"


def _headline_position(blocks, headline: str | None) -> int | None:
    key = "".join(headline.split()) if headline else None
    first_h1 = None
    for i, block in enumerate(blocks):
        if key and "".join(block.text.split()) == key:
            return i
        if first_h1 is None and getattr(block.owner, "tag", None) == "h1":
            first_h1 = i
    return first_h1


def _from_markup(root, offset: str) -> list[tuple[object, str, str]]:
    """(element, kind, iso) of <time> elements and itemprop dates."""
    found = []
    for el in root.iter("time"):
        iso = parse_date(el.get("datetime"), offset) or parse_date(el.text_content(), offset)
        if iso:
            hint = f"{el.get('class', '')} {el.get('itemprop', '')} {el.get('id', '')}"
            kind = "modified" if _MODIFIED_ATTR_RE.search(hint) else "plain"
            found.append((el, kind, iso))
    for el in root.xpath("//*[@itemprop='datePublished' or @itemprop='dateModified']"):
        if el.tag == "time":
            continue
        iso = parse_date(el.get("content") or el.get("datetime") or el.text_content(), offset)
        if iso:
            found.append((el, "modified" if el.get("itemprop") == "dateModified" else "published", iso))
    return found


def dates_from_text(root, profile: SiteProfile, headline: str | None = None, url: str | None = None) -> TextDates:
    offset = profile.utc_offset
    blocks = page_blocks(root, keep_text=True).blocks
    anchor = _headline_position(blocks, headline)
    owner_position = {}
    for i, block in enumerate(blocks):
        owner_position.setdefault(block.owner, i)
    found: list[_Found] = []
    for el, kind, iso in _from_markup(root, offset):
        position = _position_of(el, owner_position)
        found.append(_Found(position if position is not None else 0, kind, iso))
    for i, block in enumerate(blocks):
        if len(block.text) > MAX_LINE_CHARS:
            continue  # prose that mentions a date
        dates = list(iter_dates(block.text, offset))
        if block.kind == "link" and sum(e - s for s, e, _i, _t in dates) < len(block.text) - _LABEL_WINDOW:
            continue  # a link to another story with its date; a date alone as a link is a permalink
        for k, (start, end, iso, _has_time) in enumerate(dates):
            before = block.text[dates[k - 1][1] if k else 0:start]
            after = block.text[end:dates[k + 1][0] if k + 1 < len(dates) else len(block.text)]
            found.append(_Found(i, _label(before, after), iso))
    result = _choose(found, anchor)
    if result.published is None:
        result.published = _htmldate(root, url, offset)
    return result


def _position_of(el, owner_position: dict) -> int | None:
    while el is not None:
        if el in owner_position:
            return owner_position[el]
        el = el.getparent()
    return None


def _choose(found: list[_Found], anchor: int | None) -> TextDates:
    if anchor is None:
        near = [f for f in found if f.kind != "plain"]  # without a headline only labelled dates count
        distance = lambda f: f.position  # noqa: E731 - the earliest
    else:
        near = [f for f in found if abs(f.position - anchor) <= NEAR_BLOCKS]
        # after the headline comes first at equal distance: the byline line sits under it
        distance = lambda f: (abs(f.position - anchor), f.position < anchor)  # noqa: E731
    near.sort(key=distance)
    published = next((f.iso for f in near if f.kind == "published"), None) \
        or next((f.iso for f in near if f.kind == "plain"), None)
    modified = next((f.iso for f in near if f.kind == "modified"), None)
    if published is None and modified is not None:
        # a page that prints only "…更新": that is the time the article went out as shown
        return TextDates(modified, modified)
    if published and modified and modified < published:
        published, modified = modified, published  # an update cannot precede the publication
    return TextDates(published, modified if modified != published else None)


def _htmldate(root, url: str | None, offset: str) -> str | None:
    try:
        import htmldate

        with warnings.catch_warnings():  # dateutil warns about time zone names it does not know
            warnings.simplefilter("ignore")
            day = htmldate.find_date(copy.deepcopy(root), extensive_search=False, original_date=True, url=url)
    except Exception as exc:  # noqa: BLE001 - a date guess must never cost the article
        logger.debug("htmldate failed on %s: %r", url, exc)
        return None
    return parse_date(day, offset) if day else None
