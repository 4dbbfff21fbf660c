"""Sizes of every element of a tree, measured once, bottom-up, in one walk.

The tree rules (structure.py) decide on sizes - how much text an element holds, how much of it
is link text, how many prose paragraphs - and reading ``text_content()`` of every element for
each rule would cost the text of a subtree once per ancestor (quadratic on a page of 50,000
short paragraphs).  One ``iterwalk`` gives them all in linear time, plus the document order and
where each element's subtree ends, so that a rule pass can skip a dropped subtree by index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

# A removed block left in place (trace mode): it holds the removed text in an attribute, so that it
# adds nothing to any text, and the paragraph builder can report it where it was.
REMOVED_TAG = "nc-removed"

_SPACE_RE = re.compile(r"\s+")
_SPLIT_RE = re.compile(r"[\s_-]+")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_PROSE_CHARS = 60  # a <p> this long with few links is a prose paragraph (holds_article)
_PROSE_CAP = 3  # holds_article needs 3; counting further is useless


def _size(text: str | None) -> int:
    return len("".join(text.split())) if text else 0


def is_hidden(el) -> bool:
    """Not shown to a reader: display:none, visibility:hidden, the hidden attribute, aria-hidden."""
    style = (el.get("style") or "").replace(" ", "").lower()
    return (
        "display:none" in style
        or "visibility:hidden" in style
        or el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
    )


_ICON_RE = re.compile(r"emoji|smiley|icon|spacer|pixel", re.I)


def is_picture(img) -> bool:
    """An <img> shown as a picture: not an emoji, an icon or a tracking pixel (small or so named)."""
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().rstrip("px")
        if value.isdigit() and int(value) <= 40:
            return False
    return not _ICON_RE.search(f"{img.get('class', '')} {img.get('src', '')}")


def text_of(el) -> str:
    return " ".join(el.text_content().split())


def class_words(el) -> tuple[str, ...]:
    """The words of an element's class and id: split on spaces, "-" and "_", and camelCase apart
    ("ad_box" -> ad, box; "PromoSmall-items" -> promo, small, items)."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return ()
    return _words(f"{cls or ''} {ident or ''}")


@lru_cache(maxsize=4096)
def _words(value: str) -> tuple[str, ...]:
    # a page repeats its class names: each distinct one is split once
    return tuple(w for w in _SPLIT_RE.split(_CAMEL_RE.sub(" ", value).lower()) if w)


class Info:
    """The sizes of one element: a view on the Sizes arrays (made when asked, never stored)."""

    __slots__ = ("_sizes", "_i")

    def __init__(self, sizes: "Sizes", i: int) -> None:
        self._sizes, self._i = sizes, i

    chars = property(lambda self: self._sizes.chars[self._i])  # non-space characters (as text_content())
    link_chars = property(lambda self: self._sizes.link_chars[self._i])  # of which inside <a>
    links = property(lambda self: self._sizes.links[self._i])  # <a> with text, self included
    # <p> with >= 60 characters and < 20 % links (capped at 3), self included
    prose_paragraphs = property(lambda self: self._sizes.prose[self._i])
    images = property(lambda self: self._sizes.images[self._i])  # pictures, not icons
    # equal for two subtrees with the same text in the same nesting (keys=True only)
    key = property(lambda self: self._sizes.keys[self._i] if self._sizes.keys else 0)

    @property
    def link_density(self) -> float:
        chars = self.chars
        return self.link_chars / chars if chars else 0.0


@dataclass
class Sizes:
    """Per element, in parallel arrays of ints (no object per element: a large page stays cheap for
    the garbage collector, which otherwise rescans tens of thousands of small objects)."""

    order: list = field(default_factory=list)  # elements in document order (no comments, no markers)
    end: list = field(default_factory=list)  # end[i]: index of the last element of order[i]'s subtree
    index: dict = field(default_factory=dict)  # element -> its index in order
    parent: list = field(default_factory=list)  # parent[i]: index of order[i]'s parent, -1 for the root
    chars: list = field(default_factory=list)
    link_chars: list = field(default_factory=list)
    links: list = field(default_factory=list)
    prose: list = field(default_factory=list)
    images: list = field(default_factory=list)
    keys: list = field(default_factory=list)

    def of(self, el) -> Info:
        return Info(self, self.index[el])


def measure(root, keys: bool = False) -> Sizes:
    sizes = Sizes()
    order, end, index, parents = sizes.order, sizes.end, sizes.index, sizes.parent
    chars_of, link_of, links_of, prose_of, images_of = (sizes.chars, sizes.link_chars, sizes.links,
                                                        sizes.prose, sizes.images)
    key_of = sizes.keys
    interned: dict[tuple, int] = {}
    stack: list[tuple[int, list | None]] = []  # (index, child keys) of open elements
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event == "start":
            tag = el.tag
            if tag == REMOVED_TAG:
                walker.skip_subtree()
                continue
            i = len(order)
            order.append(el)
            end.append(i)
            parents.append(stack[-1][0] if stack else -1)
            index[el] = i
            text = el.text
            chars_of.append(len("".join(text.split())) if text else 0)
            link_of.append(0)
            links_of.append(0)
            prose_of.append(0)
            images_of.append(0)
            if keys:
                key_of.append(0)
            stack.append((i, ([_SPACE_RE.sub("", text)] if text else []) if keys else None))
        elif event == "end":
            tag = el.tag
            if tag == REMOVED_TAG:
                continue
            i, parts = stack.pop()
            chars = chars_of[i]
            if tag == "a":
                link_of[i] = chars
                if chars:
                    links_of[i] += 1
            elif tag == "img":
                if is_picture(el):
                    images_of[i] = 1
            elif tag == "p" and chars >= _PROSE_CHARS and link_of[i] < chars * 0.2:
                prose_of[i] = min(_PROSE_CAP, prose_of[i] + 1)
            if parts is not None:
                key_of[i] = interned.setdefault(tuple(parts), len(interned) + 1)
            end[i] = len(order) - 1
            if stack:
                j, parent_parts = stack[-1]
                tail = el.tail
                chars_of[j] += chars + (len("".join(tail.split())) if tail else 0)
                if link_of[i]:
                    link_of[j] += link_of[i]
                    links_of[j] += links_of[i]
                if images_of[i]:
                    images_of[j] += images_of[i]
                if prose_of[i]:
                    prose_of[j] = min(_PROSE_CAP, prose_of[j] + prose_of[i])
                if parent_parts is not None:
                    parent_parts.append(key_of[i])
                    if tail and tail.strip():
                        parent_parts.append(_SPACE_RE.sub("", tail))
        elif stack:
            # a comment's own text is not text, its tail is the parent's (as text_content() reads it)
            tail = el.tail
            if tail:
                chars_of[stack[-1][0]] += _size(tail)
                if keys and tail.strip():
                    stack[-1][1].append(_SPACE_RE.sub("", tail))
    return sizes
