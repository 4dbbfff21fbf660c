"""Authors from the page itself when neither selectors nor metadata name them (stub)."""

from __future__ import annotations


def authors_from_page(root) -> list[str]:
    return []
