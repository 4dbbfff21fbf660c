"""Dates from the visible text (stub)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TextDates:
    published: str | None = None
    modified: str | None = None


def dates_from_text(root, profile) -> TextDates:
    return TextDates()
