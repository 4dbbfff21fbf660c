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

from functools import lru_cache

from lxml import etree

from .measure import REMOVED_TAG

_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
    "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "tbody", "thead", "center",
    "address", "hr", "figure", "header", "footer",
})
_SECOND_LEVEL = frozenset({"co", "ne", "or", "ac", "go", "ed", "lg", "gr", "com", "net", "org", "edu", "gov"})
_SPACE_RE = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\ufeff]+")
_STRIP = " \u3000\t\r\n"


@dataclass
class Paragraph:
    text: str
    link_chars: int = 0
    removed: str | None = None  # the tree rule that removed this block (trace mode), None for text
    external_chars: int = 0  # of link_chars, those of links to another site (a cited source)
    code: bool = False  # preformatted text (<pre>): its lines are kept as they are, no line rule applies

    @property
    def link_ratio(self) -> float:
        size = len(self.text.replace(" ", ""))
        return self.link_chars / size if size else 0.0


class _Builder:
    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.external_chars = 0
        self.pending: list[Paragraph] = []  # removed inline pieces, reported after their paragraph

    def add(self, text: str | None, in_link: bool, external: bool = False) -> None:
        if text:
            self.parts.append(text)
            if in_link:
                size = len("".join(text.split()))
                self.link_chars += size
                if external:
                    self.external_chars += size

    def flush(self, code: bool = False) -> None:
        if code:  # a code block keeps its lines and their indentation
            lines = ("".join(self.parts).replace("\r\n", "\n").replace("\t", "    ")).split("\n")
            text = "\n".join(line.rstrip() for line in lines if line.strip())
        else:
            text = _SPACE_RE.sub(" ", "".join(self.parts)).strip(_STRIP)
        if text:
            self.paragraphs.append(Paragraph(text, self.link_chars, external_chars=self.external_chars, code=code))
        if self.pending:
            self.paragraphs.extend(self.pending)
            self.pending = []
        self.parts = []
        self.link_chars = 0
        self.external_chars = 0


@lru_cache(maxsize=1024)
def site_of(host: str) -> str:
    """The registrable part of a host, roughly: news.example.co.jp -> example.co.jp, www.a.com -> a.com."""
    labels = host.lower().rstrip(".").removeprefix("www.").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


_HOST_RE = re.compile(r"^(?:https?:)?//(?:[^@/?#]*@)?([^/:?#]+)", re.I)


def _is_external(href: str | None, own: frozenset[str]) -> bool:
    if not href:
        return False
    match = _HOST_RE.match(href)  # relative links (no host) are the site's own
    return bool(match) and site_of(match[1]) not in own


def to_paragraphs(root, own_hosts: tuple[str, ...] = ()) -> list[Paragraph]:
    """The paragraphs under *root*, in order: one walk (iterwalk, no recursion depth to run out of).

    *own_hosts* are the site's hosts: a link elsewhere is counted as external (a cited source)."""
    own = frozenset(site_of(h) for h in own_hosts if h)
    builder = _Builder()
    add, flush = builder.add, builder.flush
    link_depth = 0
    external_depth = 0
    links: list[bool] = []  # open <a> elements: external or not
    pre_depth = 0
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event == "start":
            tag = el.tag  # lxml.html's parser gives lower-case tag names
            if tag == REMOVED_TAG:  # what a tree rule removed, reported where it stood, line by line
                texts, rules = (el.get("text") or "").split("\n"), (el.get("rule") or "").split("\n")
                removed = [Paragraph(text, removed=rule) for text, rule in zip(texts, rules) if text]
                if el.get("tag") in _BLOCK_TAGS:
                    flush()
                    builder.paragraphs.extend(removed)
                else:  # an inline element (a reading, a tooltip): its paragraph goes on around it
                    builder.pending.extend(removed)
                walker.skip_subtree()
                continue
            if tag == "br":
                if pre_depth:
                    add("\n", False)
                else:
                    flush()
            elif tag in _BLOCK_TAGS:
                flush()
                if tag == "pre":
                    pre_depth += 1
            elif tag == "a":
                link_depth += 1
                external = bool(own) and _is_external(el.get("href"), own)
                links.append(external)
                external_depth += external
            if el.text:
                add(el.text, link_depth > 0, external_depth > 0)
        elif event == "end":
            tag = el.tag
            if tag == "a":
                if link_depth:
                    link_depth -= 1
                    external_depth -= links.pop()
            elif tag == "pre":
                flush(code=True)
                pre_depth -= 1
            elif tag in _BLOCK_TAGS:
                flush(code=pre_depth > 0)
            if el.tail and el is not root:
                add(el.tail, link_depth > 0, external_depth > 0)
        elif el.tail:  # a comment or processing instruction: only its tail is text
            add(el.tail, link_depth > 0, external_depth > 0)
    flush()
    return builder.paragraphs
