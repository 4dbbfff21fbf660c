"""One call from an article container's HTML to clean body text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..sites.profile import SiteProfile, TextRules
from .lines import LineRules, clean_lines
from .paragraphs import to_paragraphs
from .structure import parse_fragment, remove_clutter


@dataclass
class CleanResult:
    body: str
    authors: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)


@lru_cache(maxsize=64)
def line_rules(text: TextRules) -> LineRules:
    compile_all = lambda patterns: tuple(re.compile(p) for p in patterns)  # noqa: E731
    return LineRules(
        drop=compile_all(text.drop_lines),
        end=compile_all(text.end_markers),
        trailing=compile_all(text.trailing_lines),
        author=compile_all(text.author_lines),
    )


def clean_body(body_html: str, profile: SiteProfile) -> CleanResult:
    root = parse_fragment(body_html)
    remove_clutter(root, profile.selectors.drop)
    lines = clean_lines(to_paragraphs(root), line_rules(profile.text))
    return CleanResult(body="\n\n".join(lines.paragraphs), authors=lines.authors, removed=lines.removed)
