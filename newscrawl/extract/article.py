"""One article page to one Article item, in layers.

1. the profile's selectors (fields and the body container);
2. structured metadata (JSON-LD, OpenGraph, <meta>) for every field still empty;
3. the generic main-text path for the body when the selectors found none.

Cleaning the body is not done here: the item carries the container's HTML to the
clean pipeline (pipelines/clean.py), so that every body - profile or fallback - goes
through the same boilerplate rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from parsel import Selector
from scrapy.http import TextResponse

from ..items import Article
from ..sites.profile import SiteProfile
from ..urls import choose_canonical
from .dates import parse_date, utc_now_iso
from .generic import generic_body_html
from .images import default_containers, images_from
from .metadata import read_metadata

_PSEUDO_RE = re.compile(r"::(text|attr\([^)]*\))$")
_TITLE_SEPARATORS = r"[|｜\-–—:：/／]"
_AUTHOR_NOISE_RE = re.compile(r"^(?:文|写真|記者|By)\s*[=＝:：]?\s*|\s*(?:記者|特派員)$")
_MIN_BODY_CHARS = 20


@dataclass
class Extraction:
    item: Article | None
    path: str  # "profile", "fallback" (profile selectors found nothing), "generic" (no profile), "none"


def _norm(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _values(sel: Selector, selector: str) -> list[str]:
    """Texts a selector gives: pseudo-element values as they are, elements as their full text."""
    found = sel.css(selector)
    if _PSEUDO_RE.search(selector):
        return [v for v in (_norm(x) for x in found.getall()) if v]
    return [v for v in (_norm(x.xpath("string()").get()) for x in found) if v]


def first_value(sel: Selector, selectors: tuple[str, ...]) -> str | None:
    for selector in selectors:
        values = _values(sel, selector)
        if values:
            return " ".join(values) if selector.endswith("::text") else values[0]
    return None


def all_values(sel: Selector, selectors: tuple[str, ...]) -> list[str]:
    for selector in selectors:
        values = _values(sel, selector)
        if values:
            return list(dict.fromkeys(values))
    return []


def first_element(sel: Selector, selectors: tuple[str, ...]):
    for selector in selectors:
        for found in sel.css(selector):
            if len(_norm(found.xpath("string()").get())) >= _MIN_BODY_CHARS:
                return found.root
    return None


def clean_title(title: str | None, profile: SiteProfile, site_name: str | None) -> str | None:
    if not title:
        return None
    title = _norm(title)
    for pattern in profile.text.title_suffixes:
        title = re.sub(f"(?:{pattern})$", "", title).strip()
    for pattern in profile.text.title_prefixes:
        title = re.sub(f"^(?:{pattern})", "", title).strip()
    for name in filter(None, {site_name, profile.name if profile.key != "news" else None}):
        escaped = re.escape(name)
        title = re.sub(rf"\s*{_TITLE_SEPARATORS}\s*{escaped}\s*$", "", title)
        title = re.sub(rf"^{escaped}\s*{_TITLE_SEPARATORS}\s*", "", title)
    return title.strip() or None


def clean_authors(names: list[str]) -> list[str]:
    cleaned = [_AUTHOR_NOISE_RE.sub("", _norm(n)).strip() for n in names]
    return list(dict.fromkeys(n for n in cleaned if n))


def extract_article(response: TextResponse, profile: SiteProfile, site: str | None = None) -> Extraction:
    sel = response.selector
    meta = read_metadata(sel)
    pick = profile.selectors

    body_el = first_element(sel, pick.body) if pick.body else None
    if body_el is not None:
        path = "profile"
        body_html = lxml.html.tostring(body_el, encoding="unicode")
    else:
        path = "fallback" if pick.body else "generic"
        body_html = generic_body_html(response.text)
        if body_html is None:
            return Extraction(None, "none")

    if pick.images:
        containers = [el.root for s in pick.images for el in sel.css(s)]
    else:
        scope = body_el
        if scope is None:
            articles = sel.css("article, main")
            scope = articles[0].root if articles else None
        containers = default_containers(scope) if scope is not None else []
    images = images_from(containers, response.urljoin)

    offset = profile.utc_offset
    item = Article(
        url=choose_canonical(response.url, meta.canonical, profile),
        site=site or profile.key,
        title=clean_title(first_value(sel, pick.title) or meta.title, profile, meta.site_name),
        published_at=parse_date(first_value(sel, pick.published), offset) or parse_date(meta.published, offset),
        modified_at=parse_date(first_value(sel, pick.modified), offset) or parse_date(meta.modified, offset),
        authors=clean_authors(all_values(sel, pick.authors) or meta.authors),
        section=first_value(sel, pick.section) or meta.section,
        tags=all_values(sel, pick.tags) or list(dict.fromkeys(meta.tags)),
        images=images,
        lang=profile.lang,
        fetched_at=utc_now_iso(),
        body_html=body_html,
        page_html=response.text if path == "profile" else None,
        extraction=path,
    )
    return Extraction(item, path)
