"""Extraction and cleaning in one call, exactly as a crawl does them (minus dedup/validate).

The clean pipeline uses ``clean_item``; tests and benchmarks use ``record_from_response``
to get a page's record without running a crawl.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapy.http import TextResponse

from ..clean import clean_body
from ..fingerprints import content_hash
from ..sites.profile import SiteProfile
from .article import clean_authors, extract_article
from .generic import generic_body_html

PRIVATE_FIELDS = ("body_html", "page_html", "extraction")
_MIN_BODY_CHARS = 20


@dataclass
class CleanReport:
    removed: dict[str, int] = field(default_factory=dict)
    fell_back: bool = False  # the profile's container cleaned to nothing: the generic path was used


def clean_item(item, profile: SiteProfile) -> CleanReport:
    """Turn ``body_html`` into ``body`` (in place), fill authors and content_hash."""
    report = CleanReport()
    title = item.get("title")
    result = clean_body(item.get("body_html") or "", profile, title)
    if len(result.body) < _MIN_BODY_CHARS and item.get("extraction") == "profile" and item.get("page_html"):
        fallback_html = generic_body_html(item["page_html"])
        if fallback_html:
            result = clean_body(fallback_html, profile, title)
            item["extraction"] = "fallback"
            report.fell_back = True
    report.removed = result.removed
    item["body"] = result.body
    if not item.get("authors") and result.authors:
        item["authors"] = clean_authors(result.authors)
    item.setdefault("authors", [])
    item["content_hash"] = content_hash(result.body)
    return report


def record_from_response(response: TextResponse, profile: SiteProfile, site: str | None = None) -> dict | None:
    extraction = extract_article(response, profile, site=site)
    if extraction.item is None:
        return None
    item = extraction.item
    clean_item(item, profile)
    record = dict(item)
    record["_extraction"] = item.get("extraction")
    for name in PRIVATE_FIELDS:
        record.pop(name, None)
    return record
