"""The article's title (stub)."""

from __future__ import annotations

from .article import clean_title


def choose_title(selector_title, meta, root, profile):
    return clean_title(selector_title or meta.title, profile, meta.site_name)
