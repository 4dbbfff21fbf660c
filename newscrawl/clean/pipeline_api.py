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
    paywalled: bool = False


@lru_cache(maxsize=64)
def line_rules(text: TextRules) -> LineRules:
    compile_all = lambda patterns: tuple(re.compile(p) for p in patterns)  # noqa: E731
    return LineRules(
        drop=compile_all(text.drop_lines),
        end=compile_all(text.end_markers),
        trailing=compile_all(text.trailing_lines),
        author=compile_all(text.author_lines),
    )


def _same_text(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def clean_body(body_html: str, profile: SiteProfile, title: str | None = None) -> CleanResult:
    root = parse_fragment(body_html)
    # the profile's picture containers hold captions and credits, never article text
    remove_clutter(root, profile.selectors.drop + profile.selectors.images)
    lines = clean_lines(to_paragraphs(root), line_rules(profile.text))
    # a container that starts above the headline repeats it: the title is not body text
    while title and lines.paragraphs and _same_text(lines.paragraphs[0], title):
        lines.paragraphs.pop(0)
        lines.removed["title_line"] = lines.removed.get("title_line", 0) + 1
    return CleanResult(body="\n\n".join(lines.paragraphs), authors=lines.authors, removed=lines.removed)
