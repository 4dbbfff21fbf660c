"""A page as text blocks, in one linear pass: what each element holds of prose and of clutter.

A *block* is a run of text between two block boundaries (a block element's start or end, a
``<br>``), as a reader sees paragraphs.  Each block is sorted by its shape only, never by its words:

- ``link``: mostly link text (navigation, lists of other articles);
- ``prose``: sentence punctuation (。！？ or a Latin full stop) and enough characters to be a sentence;
- ``other``: the rest (headings, dates, labels, captions, buttons).

Every element then carries the sums of the blocks inside it, so that "the element that holds
most of the prose and little else" is a single argmax (container.py).  The pass is one walk with
``lxml.etree.iterwalk`` (no recursion, so no depth limit, and no per-element re-scan: linear).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ..clean.measure import class_words, is_hidden

# Never visible text (ruby readings rt/rp would break Japanese words apart).
SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "head", "title", "rt", "rp", "iframe", "object",
    "canvas", "select", "option", "textarea", "button", "math", "video", "audio", "map",
})
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
    "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "tbody", "thead", "tfoot",
    "center", "address", "hr", "figure", "figcaption", "header", "footer", "nav", "aside", "form",
    "body", "html", "caption", "fieldset", "details", "summary", "dialog", "menu",
})
_SPACE_RE = re.compile(r"\s+")
# Sentence ends: CJK full stops and marks, a Latin full stop/mark followed by a space or the end.
_SENTENCE_RE = re.compile(r"[。！？]|[.!?](?=\s|$|[\"'”’)])")

PROSE_MIN_CHARS = 12
LONG_RUN_CHARS = 100  # a run this long is prose even without a full stop (Thai writes none)
LINK_RATIO = 0.5
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# class/id words of blocks whose text is not the article even when it reads like prose (comments,
# cookie notices, related stories, footers).  Their text still counts inside them, so an article
# wrapped in an odd class is found all the same; it only stops counting for the elements above.
# Tokens, not substrings (readability.js's lists are substrings and catch "header" in "subheader").
DEMOTE_TOKENS = frozenset({
    "comment", "comments", "footer", "gdpr", "cookie", "cookies", "consent", "sidebar", "side", "related",
    "ranking", "recommend", "recommended", "breadcrumb", "breadcrumbs", "menu", "nav", "navi", "navigation",
    "pager", "pagination", "share", "sns", "social", "banner", "sponsor", "promo", "widget", "popup",
    "modal", "masthead", "rss", "disqus", "outbrain", "taboola", "ad", "ads", "copyright",
})
KEEP_TOKENS = frozenset({"article", "body", "content", "entry", "main", "post", "story", "text", "honbun", "kiji"})
DEMOTE_TAGS = frozenset({"nav", "aside", "footer", "form"})


@dataclass
class Stats:
    """Sums over the blocks inside one element (its own text and all descendants')."""

    prose: int = 0  # characters in prose blocks
    link: int = 0  # characters in link blocks
    other: int = 0  # characters in other blocks
    sentences: int = 0  # sentence ends in prose blocks
    blocks: int = 0  # prose blocks

    @property
    def chars(self) -> int:
        return self.prose + self.link + self.other

    def add(self, other: "Stats") -> None:
        self.prose += other.prose
        self.link += other.link
        self.other += other.other
        self.sentences += other.sentences
        self.blocks += other.blocks


@dataclass
class Block:
    text: str
    kind: str  # "prose", "link", "other"
    owner: object  # the innermost block element holding it
    chars: int = 0  # non-space characters


@dataclass
class PageBlocks:
    blocks: list[Block] = field(default_factory=list)
    stats: dict = field(default_factory=dict)  # element -> Stats (block elements only)
    demoted: set = field(default_factory=set)  # block elements that are, or are inside, a demoted one


def class_tokens(el) -> set[str]:
    return set(class_words(el))


def is_demoted(el, tag: str) -> bool:
    if tag in DEMOTE_TAGS:
        return True
    tokens = class_tokens(el)
    return bool(tokens & DEMOTE_TOKENS) and not tokens & KEEP_TOKENS


def classify(chars: int, link_chars: int, sentences: int, heading: bool = False) -> str:
    if link_chars and link_chars >= chars * LINK_RATIO:
        return "link"
    if heading:
        return "other"
    if (sentences and chars >= PROSE_MIN_CHARS) or (chars >= LONG_RUN_CHARS and not link_chars):
        return "prose"
    return "other"


class _Run:
    __slots__ = ("parts", "link_chars")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.link_chars = 0

    def add(self, text: str | None, in_link: bool) -> None:
        if text:
            self.parts.append(text)
            if in_link:
                self.link_chars += len(_SPACE_RE.sub("", text))


def page_blocks(root, keep_text: bool = False) -> PageBlocks:
    """Blocks and per-element sums of *root* (not modified).  With keep_text, the blocks' text too."""
    result = PageBlocks()
    stats = result.stats
    stack: list = []  # open block elements
    link_depth = 0
    heading_depth = 0
    demoted = result.demoted
    run = _Run()

    def flush() -> None:
        nonlocal run
        if not run.parts:
            return
        text = "".join(run.parts)
        chars = len(_SPACE_RE.sub("", text))
        if chars and stack:
            owner = stack[-1]
            sentences = len(_SENTENCE_RE.findall(text)) if chars >= PROSE_MIN_CHARS else 0
            kind = classify(chars, run.link_chars, sentences, heading_depth > 0)
            s = stats[owner]
            if kind == "prose":
                s.prose += chars
                s.sentences += sentences
                s.blocks += 1
            elif kind == "link":
                s.link += chars
            else:
                s.other += chars
            if keep_text:
                result.blocks.append(Block(" ".join(text.split()), kind, owner, chars))
        run = _Run()

    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event in ("comment", "pi"):
            run.add(el.tail, link_depth > 0)
            continue
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in SKIP_TAGS or is_hidden(el):
                walker.skip_subtree()
                # the end event still comes: mark the element so that end only adds its tail
                stats.setdefault(el, None)
                continue
            if tag == "br":
                flush()
            elif tag in BLOCK_TAGS or el is root:
                flush()
                stack.append(el)
                stats[el] = Stats()
                if is_demoted(el, tag) or (len(stack) > 1 and stack[-2] in demoted):
                    demoted.add(el)
            if tag == "a":
                link_depth += 1
            elif tag in HEADING_TAGS:
                heading_depth += 1
            run.add(el.text, link_depth > 0)
        else:
            if el in stats and stats[el] is None:  # skipped subtree
                del stats[el]
                run.add(el.tail, link_depth > 0)
                continue
            if stack and stack[-1] is el:
                flush()  # before leaving a heading or a link: the run is still inside it
                stack.pop()
                if el in demoted and (not stack or stack[-1] not in demoted):
                    # the outermost demoted element: its prose stops counting from here up
                    mine = stats[el]
                    mine.other += mine.prose
                    mine.prose = mine.sentences = mine.blocks = 0
                if stack:
                    stats[stack[-1]].add(stats[el])
            if tag == "a":
                link_depth -= 1
            elif tag in HEADING_TAGS:
                heading_depth -= 1
            run.add(el.tail, link_depth > 0)
    flush()
    return result
