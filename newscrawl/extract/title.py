"""The article's title: the headline a reader sees, without the site's name around it.

Sources, most trusted first: the profile's title selector; og:title, twitter:title and the
JSON-LD headline; the page's <title>.  Site names are stripped where they stand after or before a
separator (``… - 産経ニュース``, ``…｜日テレNEWS``, ``…：朝日新聞デジタル``, ``TechCrunch | …``): the
names come from og:site_name, application-name, the JSON-LD publisher, the profile, and the host
(``phpspot.org`` names ``…:phpspot開発日誌``).  The visible headline (h1, else h2/h3) decides when
the metadata carries more than the headline: a heading that is the title minus a site name, or
(for a page with only a <title>) the heading closest to it, is the title.  Kickers such as
``【速報】`` are part of the headline and stay.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ..sites.profile import SiteProfile
from .metadata import Metadata

_SEPARATORS = r"(?:\s+[|｜\-–—/／»·•]+\s+|\s*[|｜–—／»]\s*|\s*[:：_]\s*|\s+[-]\s*|\s*[-]\s+)"
_SPLIT_RE = re.compile(r"\s+[|｜\-–—/／»·•]+\s+|\s*[|｜–—／»]\s*|\s*_\s*")
_HEADING_TAGS = ("h1", "h2", "h3")
_MAX_HEADING_CHARS = 300
_SIMILAR = 0.6  # bigram Dice of a heading to the <title> for it to be the headline


def _norm(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _dice(a: str, b: str) -> float:
    ga = Counter(a[i:i + 2] for i in range(len(a) - 1))
    gb = Counter(b[i:i + 2] for i in range(len(b) - 1))
    total = sum(ga.values()) + sum(gb.values())
    return 2 * sum((ga & gb).values()) / total if total else 0.0


def _host_label(profile: SiteProfile) -> str | None:
    host = (profile.canonical_host or (profile.domains[0] if profile.domains else "")).lower()
    labels = [x for x in host.removeprefix("www.").split(".") if x]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in {"co", "ne", "or", "ac", "go", "com", "net"}:
        labels = labels[:-2]
    elif len(labels) >= 2:
        labels = labels[:-1]
    label = labels[-1] if labels else ""
    return label if len(label) >= 3 else None


def strip_site_names(title: str, names: list[str]) -> str:
    """The title without a site name at its end or start, where a separator sets it off."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        escaped = re.escape(name)
        stripped = re.sub(rf"{_SEPARATORS}{escaped}\s*$", "", title)
        stripped = re.sub(rf"^\s*{escaped}{_SEPARATORS}", "", stripped)
        if stripped.strip() and stripped != title:
            title = stripped.strip()
    return title


def _strip_profile(title: str, profile: SiteProfile) -> str:
    for pattern in profile.text.title_suffixes:
        title = re.sub(f"(?:{pattern})$", "", title).strip()
    for pattern in profile.text.title_prefixes:
        title = re.sub(f"^(?:{pattern})", "", title).strip()
    return title


def _headings(root) -> list[str]:
    found: list[str] = []
    for tag in _HEADING_TAGS:
        for el in root.iter(tag):
            text = _norm(el.text_content())
            if text and len(text) <= _MAX_HEADING_CHARS and text not in found:
                found.append(text)
    return found


def _part_of(heading: str, title: str) -> bool:
    """The heading is the title with something set off before or after it (a site name, a section)."""
    h, t = _key(heading), _key(title)
    return len(h) >= 0.4 * len(t) and (t.startswith(h) or t.endswith(h))


def _segments(title: str) -> list[str]:
    return [s.strip() for s in _SPLIT_RE.split(title) if s and s.strip()]


def _site_like(segment: str, names: list[str], label: str | None) -> bool:
    key = _key(segment)
    return any(_key(n) and (_key(n) in key or key in _key(n)) for n in names) or bool(label and label in key)


def _strip_site_segment(title: str, names: list[str], label: str | None) -> str:
    """A first or last segment that names the site in other words ("…｜朝日新聞デジタル" when
    og:site_name says "朝日新聞デジタル：朝日新聞社のニュースサイト") goes too."""
    segments = _segments(title)
    if len(segments) < 2:
        return title
    for edge in (segments[-1], segments[0]):
        if _site_like(edge, names, label):
            rest = title.replace(edge, "", 1) if edge == segments[0] else title[: title.rfind(edge)]
            rest = rest.strip(" |｜-–—/／»·•_")
            if len(rest) >= 0.4 * len(title):
                return rest.strip()
    return title


def choose_title(selector_title: str | None, meta: Metadata, root, profile: SiteProfile) -> str | None:
    if selector_title:
        return _strip_profile(_norm(selector_title), profile) or None
    names = [n for n in (meta.site_name, meta.application_name, meta.publisher,
                         profile.name if profile.key != "news" else None) if n]
    label = _host_label(profile)
    headings = _headings(root) if root is not None else []
    declared = next((_norm(t) for t in (meta.og_title, meta.twitter_title, meta.headline) if t and t.strip()), "")
    if declared:
        title = _strip_site_segment(strip_site_names(_strip_profile(declared, profile), names), names, label)
        exact = next((h for h in headings if _key(h) == _key(title)), None)
        if exact:
            return exact
        part = max((h for h in headings if _part_of(h, title)), key=len, default=None)
        return part or title or None
    page_title = _norm(meta.html_title)
    if not page_title:
        return headings[0] if headings else None
    title = strip_site_names(_strip_profile(page_title, profile), names)
    for heading in headings:
        if _key(heading) == _key(title):
            return heading
    part = max((h for h in headings if _part_of(h, title)), key=len, default=None)
    if part:
        return part
    segments = _segments(title)
    for segment in sorted(segments, key=len, reverse=True):  # the longest segment is the headline's
        for heading in headings:  # a heading holding it ("■ <segment>")
            if len(segment) >= 10 and _key(segment) in _key(heading) and len(segment) >= 0.5 * len(heading):
                return heading
        break
    close = max(headings, key=lambda h: _dice(_key(h), _key(title)), default=None)
    if close and _dice(_key(close), _key(title)) >= _SIMILAR:
        return close
    if len(segments) > 1:
        kept = [s for s in segments if not _site_like(s, names, label)]
        if kept and len(kept) < len(segments):
            return " ".join(kept) if len(kept) == 1 else title
    # "<title>:<site>" with a colon (no space): the part that is not the host's name
    colon = re.split(r"\s*[:：]\s*", title)
    if len(colon) == 2 and label:
        kept = [s for s in colon if not _site_like(s, names, label)]
        if len(kept) == 1:
            return kept[0]
    return title or None
