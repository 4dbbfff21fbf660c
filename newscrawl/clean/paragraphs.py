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

from lxml.etree import _Comment, _ProcessingInstruction

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


def _walk(el, builder: _Builder, in_link: bool) -> None:
    if isinstance(el, (_Comment, _ProcessingInstruction)):
        builder.add(el.tail, in_link)
        return
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    block = tag in _BLOCK_TAGS
    if tag == "br":
        builder.flush()
    elif block:
        builder.flush()
    link = in_link or tag == "a"
    builder.add(el.text, link)
    for child in el:
        _walk(child, builder, link)
    if block:
        builder.flush()
    builder.add(el.tail, in_link)


def to_paragraphs(root) -> list[Paragraph]:
    builder = _Builder()
    builder.add(root.text, False)
    for child in root:
        _walk(child, builder, False)
    builder.flush()
    return builder.paragraphs
