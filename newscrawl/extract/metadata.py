"""Structured metadata: JSON-LD (NewsArticle and kin), OpenGraph, <meta>.

Used for every field the profile's selectors leave empty, and as the whole of the
metadata on a site without a profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extruct.jsonld import JsonLdExtractor
from parsel import Selector

_ARTICLE_TYPES = {"NewsArticle", "Article", "BlogPosting", "ReportageNews", "AnalysisNewsArticle",
                  "OpinionNewsArticle", "WebPage"}
_jsonld = JsonLdExtractor()


@dataclass
class Metadata:
    title: str | None = None
    site_name: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical: str | None = None
    # each title source apart, for choose_title (``title`` above is the first of them, for the old glue)
    og_title: str | None = None
    twitter_title: str | None = None
    headline: str | None = None  # JSON-LD
    html_title: str | None = None  # <title>
    application_name: str | None = None
    publisher: str | None = None  # JSON-LD publisher name
    description: str | None = None  # og:description, else <meta name=description>
    article_body: str | None = None  # JSON-LD articleBody
    accessible_for_free: bool | None = None  # JSON-LD isAccessibleForFree (False: a paywalled article)


def _names(value: Any) -> list[str]:
    """Author values as JSON-LD writes them: a string, a Person, a list of either."""
    if value is None:
        return []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    if isinstance(value, dict):
        kinds = value.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "Organization" in kinds or "NewsMediaOrganization" in kinds:
            return []
        value = value.get("name")
    name = " ".join(str(value).split()) if value else ""
    # a profile URL, an e-mail or a placeholder where the name should be
    if not name or "://" in name or "@" in name or name.lower() in ("no author", "admin", "unknown"):
        return []
    return [name]


def _article_objects(data: list[Any]):
    for obj in data:
        if isinstance(obj, dict) and "@graph" in obj:
            yield from _article_objects(obj["@graph"])
        elif isinstance(obj, list):
            yield from _article_objects(obj)
        elif isinstance(obj, dict):
            kinds = obj.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if _ARTICLE_TYPES.intersection(k for k in kinds if isinstance(k, str)):
                yield obj


def _jsonld_article(sel: Selector) -> dict[str, Any]:
    try:
        data = _jsonld.extract_items(sel.root)
    except Exception:  # noqa: BLE001 - broken JSON-LD on a page is common; the page still counts
        return {}
    found = list(_article_objects(data))
    # prefer a NewsArticle over a generic WebPage
    found.sort(key=lambda o: o.get("@type") == "WebPage")
    return found[0] if found else {}


def _meta_map(sel: Selector) -> dict[str, str]:
    """Every <meta property|name=... content=...>, first value per name (one XPath, not one per name)."""
    found: dict[str, str] = {}
    for meta in sel.root.iter("meta"):
        key = meta.get("property") or meta.get("name")
        value = meta.get("content")
        if key and value and value.strip() and key not in found:
            found[key] = " ".join(value.split())
    return found


def _first(metas: dict[str, str], *names: str) -> str | None:
    return next((metas[n] for n in names if n in metas), None)


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [" ".join(str(v).split()) for v in value if str(v).strip()]


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _publisher(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _free(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _html_title(root) -> str | None:
    # the head's <title> (found without a search of the whole document), else the first anywhere
    found = root.find("head/title") if root is not None else None
    if found is None and root is not None:
        found = next(root.iter("title"), None)
    return " ".join(found.text_content().split()) or None if found is not None else None


def read_metadata(sel: Selector) -> Metadata:
    ld = _jsonld_article(sel)
    metas = _meta_map(sel)
    section = ld.get("articleSection")
    if isinstance(section, list):
        section = section[0] if section else None
    html_title = _html_title(sel.root)
    return Metadata(
        og_title=_first(metas, "og:title"),
        twitter_title=_first(metas, "twitter:title"),
        headline=_text(ld.get("headline")),
        html_title=html_title,
        application_name=_first(metas, "application-name"),
        publisher=_publisher(ld.get("publisher")),
        description=_first(metas, "og:description", "description", "twitter:description"),
        article_body=_text(ld.get("articleBody")) if isinstance(ld.get("articleBody"), str) else None,
        accessible_for_free=_free(ld.get("isAccessibleForFree")),
        title=_first(metas, "og:title", "twitter:title") or (ld.get("headline") or None) or html_title,
        site_name=_first(metas, "og:site_name", "application-name"),
        published=ld.get("datePublished") or _first(metas, "article:published_time", "pubdate", "publishdate",
                                                     "date", "dc.date", "DC.date.issued"),
        modified=ld.get("dateModified") or _first(metas, "article:modified_time", "og:updated_time"),
        authors=_names(ld.get("author")) or _names(_first(metas, "author", "article:author")),
        section=(section if isinstance(section, str) else None) or _first(metas, "article:section"),
        tags=[t for t in sel.xpath("//meta[@property='article:tag']/@content").getall() if t.strip()]
        or _tags(ld.get("keywords")),
        canonical=sel.xpath("//link[@rel='canonical']/@href").get(),
    )
