"""A profile's selectors applied to a page, and the small text rules of the fields they give.

Selectors are CSS as parsel understands them, with the ``::text`` and ``::attr(name)``
pseudo-elements; every selector field of a profile is a list and the first that finds
something wins (old and new markup side by side after a redesign).
"""

from __future__ import annotations

import re

from parsel import Selector


_PSEUDO_RE = re.compile(r"::(text|attr\([^)]*\))$")
_AUTHOR_NOISE_RE = re.compile(r"^(?:文|写真|記者|By)\s*[=＝:：]?\s*|\s*(?:記者|特派員)$")
_MIN_BODY_CHARS = 20  # a container with less text is not the article (an empty wrapper)


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


def clean_authors(names: list[str]) -> list[str]:
    cleaned = [_AUTHOR_NOISE_RE.sub("", _norm(n)).strip() for n in names]
    return list(dict.fromkeys(n for n in cleaned if n))
