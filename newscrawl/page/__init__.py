"""The page object: one article response to the article item and its events (no crawl machinery).

    result = ArticlePage(PageInputs(url, body, {"content-type": ...}), profile).to_item()
    events = finish_article(result.item, profile)      # what the clean pipeline does next

``page_record`` runs both, for tests, benchmarks and notebooks: the same two calls the crawl makes.
"""

from __future__ import annotations

from ..sites.profile import SiteProfile
from .article import ArticlePage, PageInputs, PageLimits, PageResult
from .events import Event, counts, names
from ..items import PRIVATE_FIELDS
from .finish import finish_article

__all__ = ["ArticlePage", "Event", "counts", "PageInputs", "PageLimits", "PageResult", "finish_article", "names",
           "page_record", "PRIVATE_FIELDS"]


def page_record(url: str, body: bytes | str, profile: SiteProfile, content_type: str = "text/html; charset=utf-8",
                **kwargs) -> tuple[dict | None, list[Event]]:
    """(the record as the clean pipeline leaves it, every event), or (None, events) when skipped.

    *kwargs* go to ArticlePage (clock, limits, trace; disabled also goes to the clean step)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    result = ArticlePage(PageInputs(url, body, {"content-type": content_type}), profile, **kwargs).to_item()
    if result.item is None:
        return None, result.events
    return result.item, result.events + finish_article(result.item, profile, kwargs.get("disabled", frozenset()))
