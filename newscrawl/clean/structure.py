"""Boilerplate removal on the HTML tree, by structure first and by words second.

Words alone are brittle (a sidebar gets a new heading and its whole list leaks), so
the rules look at shape: an element of a clutter kind, a heading followed by a list
of links, a block whose text is mostly links, a block printed twice.  The words in
vocabulary.py only add the blocks that look like text but are not the article.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from lxml import html as lxml_html
from lxml.cssselect import CSSSelector
from lxml.etree import _Comment, _ProcessingInstruction

from . import vocabulary as vocab

_SPLIT_RE = re.compile(r"[\s_-]+")
_BLOCK_TAGS = {"ul", "ol", "dl", "div", "section", "table", "article", "p"}
_LIST_TAGS = {"ul", "ol", "dl", "table"}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def text_of(el) -> str:
    return " ".join(el.text_content().split())


def _link_chars(el) -> int:
    return sum(len("".join(a.text_content().split())) for a in el.iter("a"))


def link_density(el) -> float:
    total = len("".join(el.text_content().split()))
    return _link_chars(el) / total if total else 0.0


def clutter_tokens(el) -> set[str]:
    """The clutter words in an element's class and id ("ad_box" -> {"ad"})."""
    value = f"{el.get('class', '')} {el.get('id', '')}".lower()
    if not value.strip():
        return set()
    return {token for token in _SPLIT_RE.split(value)
            if token in vocab.CLUTTER_TOKENS or token.startswith(vocab.CLUTTER_PREFIXES)}


def has_clutter_token(el) -> bool:
    return bool(clutter_tokens(el))


def _is_hidden(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return (
        "display:none" in style
        or "visibility:hidden" in style
        or el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
    )


def _is_heading_like(el) -> bool:
    if el.tag in _HEADING_TAGS:
        return True
    if el.tag not in {"p", "div", "span", "dt", "strong", "b", "em", "section"}:
        return False
    text = text_of(el)
    return 0 < len(text) <= 30 and not any(child.tag in _BLOCK_TAGS | _LIST_TAGS for child in el)


def _is_link_list(el) -> bool:
    links = [a for a in el.iter("a") if text_of(a)]
    return len(links) >= 2 and link_density(el) >= 0.5


def _drop(el) -> None:
    if el.getparent() is not None:
        el.drop_tree()


def _elements(root):
    return [el for el in root.iter() if not isinstance(el, (_Comment, _ProcessingInstruction)) and el is not root]


def remove_clutter(root, drop_selectors: tuple[str, ...] = ()) -> None:
    """Remove every non-article block under *root*, in place (root itself stays)."""
    total = len("".join(root.text_content().split())) or 1

    def holds_article(el) -> bool:
        # A wrapper that matches a clutter token ("l-main has-sidebar", "post share-on")
        # but holds most of the text, or several paragraphs of prose, is the article's
        # container, not clutter.
        if len("".join(el.text_content().split())) > total * 0.5:
            return True
        prose = 0
        for p in el.iter("p"):
            size = len("".join(p.text_content().split()))
            if size >= 60 and _link_chars(p) < size * 0.2:
                prose += 1
                if prose >= 3:
                    return True
        return False

    for selector in drop_selectors:
        for el in _css(selector)(root):
            if el is not root:
                _drop(el)
    for el in _elements(root):
        if el.getparent() is None:
            continue  # already removed with an ancestor
        if isinstance(el.tag, str) and el.tag.lower() in vocab.DROP_TAGS and not holds_article(el):
            _drop(el)
        elif _is_hidden(el) or (has_clutter_token(el) and not holds_article(el)):
            _drop(el)
    _remove_headed_lists(root)
    _remove_link_blocks(root, total)
    _remove_repeated_blocks(root)


def _following_elements(el):
    sib = el.getnext()
    while sib is not None:
        if isinstance(sib.tag, str):
            yield sib
        sib = sib.getnext()


def _remove_headed_lists(root) -> None:
    """A clutter heading and the list after it; any heading directly followed by a link list."""
    for el in _elements(root):
        if el.getparent() is None or not isinstance(el.tag, str) or not _is_heading_like(el):
            continue
        named = bool(vocab.CLUTTER_HEADING_RE.match(text_of(el)))
        following = list(_following_elements(el))
        if named:
            # the heading's block: following siblings up to the next heading, when they are link lists
            for sib in following:
                if _is_heading_like(sib) and not _is_link_list(sib):
                    break
                if _is_link_list(sib) or sib.tag in _LIST_TAGS:
                    _drop(sib)
                else:
                    break
            parent = el.getparent()
            _drop(el)
            if parent is not None and parent is not root and not text_of(parent):
                _drop(parent)
        elif following and _is_link_list(following[0]) and following[0].tag in _LIST_TAGS | {"div"}:
            _drop(following[0])
            _drop(el)


def _remove_link_blocks(root, total: int) -> None:
    """A list or block that is mostly links (3+) is navigation or a list of other articles."""
    for el in _elements(root):
        if el.getparent() is None or el.tag not in _BLOCK_TAGS - {"p"}:
            continue
        links = [a for a in el.iter("a") if text_of(a)]
        if len(links) >= 3 and link_density(el) >= 0.7:
            size = len("".join(el.text_content().split()))
            if size <= total * 0.5:
                _drop(el)


def _remove_repeated_blocks(root) -> None:
    """A block printed twice (the seed's こんな記事も読まれています) is clutter both times."""
    groups: dict[str, list] = defaultdict(list)
    for el in _elements(root):
        if el.tag in _LIST_TAGS | {"div", "section"}:
            key = text_of(el)
            if len(key) >= 30:
                groups[key].append(el)
    for elements in groups.values():
        if len(elements) < 2:
            continue
        members = set(elements)
        tops = [el for el in elements if not any(a in members for a in el.iterancestors())]
        if len(tops) >= 2:
            for el in tops:
                _drop(el)


@lru_cache(maxsize=512)
def _css(selector: str) -> CSSSelector:
    """A compiled selector: translating CSS to XPath costs more than running it."""
    return CSSSelector(selector)


def parse_fragment(markup: str):
    """Parse an HTML fragment (or document) into one element to clean."""
    return lxml_html.fragment_fromstring(markup, create_parent="div")
