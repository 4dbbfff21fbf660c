"""A cleaned HTML tree to paragraphs of text.

Every block element and every ``<br>`` ends a paragraph (Korean CMSs write
paragraphs as ``<br><br>``).  Whitespace inside a paragraph collapses to one space.
Each paragraph remembers how much of it was link text, so that the line rules can
recognise a related-article line (``・<a>title</a>``, ``【関連】<a>…</a>``) by its
shape rather than by its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .measure import REMOVED_TAG

_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
    "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "tbody", "thead", "center",
    "address", "hr", "figure", "header", "footer",
})
_SPACE_RE = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\ufeff]+")
_STRIP = " \u3000\t\r\n"


@dataclass
class Paragraph:
    text: str
    link_chars: int = 0
    removed: str | None = None  # the tree rule that removed this block (trace mode), None for text

    @property
    def link_ratio(self) -> float:
        size = len(self.text.replace(" ", ""))
        return self.link_chars / size if size else 0.0


class _Builder:
    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.parts: list[str] = []
        self.link_chars = 0

    def add(self, text: str | None, in_link: bool) -> None:
        if text:
            self.parts.append(text)
            if in_link:
                self.link_chars += len(_SPACE_RE.sub("", text))

    def flush(self) -> None:
        text = _SPACE_RE.sub(" ", "".join(self.parts)).strip(_STRIP)
        if text:
            self.paragraphs.append(Paragraph(text, self.link_chars))
        self.parts = []
        self.link_chars = 0


def to_paragraphs(root) -> list[Paragraph]:
    """The paragraphs under *root*, in order: one walk (iterwalk, no recursion depth to run out of)."""
    builder = _Builder()
    link_depth = 0
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event in ("comment", "pi"):
            builder.add(el.tail, link_depth > 0)
            continue
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if tag == REMOVED_TAG:  # a block a tree rule removed, reported where it stood
                builder.flush()
                if el.get("text"):
                    builder.paragraphs.append(Paragraph(el.get("text"), removed=el.get("rule")))
                walker.skip_subtree()
                continue
            if tag == "br" or tag in _BLOCK_TAGS:
                builder.flush()
            if tag == "a":
                link_depth += 1
            builder.add(el.text, link_depth > 0)
            continue
        if tag == "a" and link_depth:
            link_depth -= 1
        if tag in _BLOCK_TAGS:
            builder.flush()
        if el is not root:
            builder.add(el.tail, link_depth > 0)
    builder.flush()
    return builder.paragraphs
