"""Boilerplate removal on the HTML tree, by structure first and by words second.

Words alone are brittle (a sidebar gets a new heading and its whole list leaks), so
the rules look at shape: an element of a clutter kind, a heading followed by a list
of links, a block whose text is mostly links, a block printed twice.  The words in
vocabulary.py only add the blocks that look like text but are not the article.

Every rule is one pass in document order over sizes measured once, bottom-up (measure.py):
no rule reads an element's text again for each ancestor or sibling, so the cost stays linear
in the page size whatever its shape (50,000 short paragraphs included).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from lxml import html as lxml_html
from lxml.cssselect import CSSSelector

from . import vocabulary as vocab
from .measure import REMOVED_TAG, Sizes, class_words, is_hidden, measure, text_of
from .paragraphs import to_paragraphs

_BLOCK_TAGS = {"ul", "ol", "dl", "div", "section", "table", "article", "p"}
_LIST_TAGS = {"ul", "ol", "dl", "table"}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_REPEAT_TAGS = frozenset({"ul", "ol", "dl", "table", "div", "section"})
_HEADING_LIKE_TAGS = {"p", "div", "span", "dt", "strong", "b", "em", "section"}
_HEADING_MAX_CHARS = 30
# a picture with a few words (its caption, credit, "クリックして拡大"): a figure written without <figure>
_FIGURE_TAGS = {"div", "p", "table", "tbody", "tr", "td", "li", "ul", "dl", "dt", "dd", "center", "section"}
_CAPTION_MAX_CHARS = 100
_SENTENCE_END_RE = re.compile(r"[。！？]\s*$")


def clutter_tokens(el) -> set[str]:
    """The clutter words in an element's class and id ("ad_box" -> {"ad"})."""
    words = class_words(el)
    return _clutter_words(words) if words else set()


@lru_cache(maxsize=4096)
def _clutter_words(words: tuple[str, ...]) -> set[str]:
    return {token for token in words if token in vocab.CLUTTER_TOKENS or token.startswith(vocab.CLUTTER_PREFIXES)}


def has_clutter_token(el) -> bool:
    return bool(clutter_tokens(el))


class Remover:
    """Drops elements, counting each by rule; with a trace, leaves a marker holding the text in place."""

    def __init__(self, root, trace: bool = False) -> None:
        self.root = root
        self.trace = trace
        self.counts: dict[str, int] = {}

    def drop(self, el, rule: str) -> None:
        parent = el.getparent()
        if parent is None or el is self.root:
            return
        self.counts[rule] = self.counts.get(rule, 0) + 1
        if not self.trace:
            el.drop_tree()
            return
        # its paragraphs, each with this rule (or the rule of a block removed inside it before)
        lines = [(p.text.replace("\n", " "), p.removed or f"tree:{rule}") for p in to_paragraphs(el)]
        marker = el.makeelement(REMOVED_TAG, {"text": "\n".join(t for t, _r in lines),
                                              "rule": "\n".join(r for _t, r in lines), "tag": el.tag})
        marker.tail = el.tail
        parent.replace(el, marker)


class _Tree:
    """The tree's sizes, measured once and kept true through the passes: a dropped subtree's sizes
    are taken off its ancestors (a walk up per drop), so no pass measures the tree again."""

    _REMEASURE_DROPS = 2000  # past this many drops in one pass, measuring again is cheaper

    def __init__(self, root) -> None:
        self.root = root
        self.sizes = measure(root)
        self.gone = bytearray(len(self.sizes.order))  # 1 at the root of every dropped subtree
        self.marked: dict[int, str] = {}
        self._current = -1
        self._resume = 0

    @property
    def current(self) -> int:
        """The index of the element the walk is at."""
        return self._current

    def walk(self):
        """Elements in document order, not dropped and not marked; a mark skips what it holds."""
        order, end, gone, marked = self.sizes.order, self.sizes.end, self.gone, self.marked
        i = 0
        while i < len(order):
            if gone[i] or i in marked:
                i = end[i] + 1
                continue
            self._current, self._resume = i, i + 1
            yield order[i]
            i = self._resume

    def mark(self, el, rule: str) -> None:
        i = self.sizes.index.get(el)
        if i is None or el is self.root:
            return
        self.marked.setdefault(i, rule)
        if i <= self._current:  # the current element or one of its ancestors: skip what it holds
            self._resume = max(self._resume, self.sizes.end[i] + 1)

    def apply(self, remover: "Remover") -> None:
        """Drop the marked elements (outermost first) and take their sizes off their ancestors."""
        sizes, covered, dropped = self.sizes, -1, []
        for i in sorted(self.marked):
            if i <= covered:
                continue  # inside a subtree dropped already
            remover.drop(sizes.order[i], self.marked[i])
            self.gone[i] = 1
            dropped.append(i)
            covered = sizes.end[i]
        self.marked = {}
        self._current, self._resume = -1, 0
        if len(dropped) > self._REMEASURE_DROPS:
            self.__init__(self.root)
            return
        chars, link_chars, links, images, parent = (sizes.chars, sizes.link_chars, sizes.links, sizes.images,
                                                    sizes.parent)
        for i in dropped:
            c, lc, n, im = chars[i], link_chars[i], links[i], images[i]
            p = parent[i]
            while p >= 0:
                chars[p] -= c
                link_chars[p] -= lc
                links[p] -= n
                images[p] -= im
                p = parent[p]


def remove_clutter(root, drop_selectors: tuple[str, ...] = (), remover: Remover | None = None,
                   disabled: frozenset[str] = frozenset()) -> Remover:
    """Remove every non-article block under *root*, in place (root itself stays).

    *disabled* names rule families to leave out (benchmarks measure each family so)."""
    remover = remover or Remover(root)
    total = len("".join(root.text_content().split())) or 1  # before any removal: the container's text
    if drop_selectors:
        chosen = {el for selector in drop_selectors for el in _css(selector)(root) if el is not root}
        for el in chosen:  # the outermost ones: the others go with them
            if not any(a in chosen for a in el.iterancestors()):
                remover.drop(el, "selector")
    tree = _Tree(root)
    sizes = tree.sizes
    chars, prose, images = sizes.chars, sizes.prose, sizes.images

    def holds_article(i: int) -> bool:
        # A wrapper that matches a clutter token ("l-main has-sidebar", "post share-on")
        # but holds most of the text, or several paragraphs of prose, is the article's
        # container, not clutter.
        return chars[i] > total * 0.5 or prose[i] >= 3

    rule_tag, rule_hidden = "clutter_tag" not in disabled, "hidden" not in disabled
    rule_figure, rule_class = "figure_like" not in disabled, "clutter_class" not in disabled
    for el in tree.walk():
        tag = el.tag
        if el is root or not isinstance(tag, str):
            continue
        i = tree.current
        if tag in vocab.DROP_TAGS:
            if rule_tag and not holds_article(i):
                tree.mark(el, "clutter_tag")
                continue
        if rule_hidden and is_hidden(el):
            tree.mark(el, "hidden")
        elif rule_figure and images[i] and tag in _FIGURE_TAGS and chars[i] <= _CAPTION_MAX_CHARS and not prose[i]:
            tree.mark(el, "figure_like")  # a picture with a few words: its caption, its credit
        elif rule_class and tag != "blockquote" and has_clutter_token(el) and not holds_article(i):
            # a quotation is text whatever its class ("twitter-tweet": an embedded post the story quotes)
            tree.mark(el, "clutter_class")
    tree.apply(remover)
    if "clutter_heading" not in disabled or "headed_links" not in disabled:
        _remove_headed_lists(tree, remover, disabled)
    if "link_block" not in disabled:
        _remove_link_blocks(tree, total, remover)
    if "repeated_block" not in disabled:
        _remove_repeated_blocks(tree, remover)
    return remover


def _is_heading_like(el, sizes: Sizes) -> bool:
    tag = el.tag
    if tag in _HEADING_TAGS:
        return True
    if tag not in _HEADING_LIKE_TAGS:
        return False
    chars = sizes.of(el).chars
    return 0 < chars <= _HEADING_MAX_CHARS and not any(
        isinstance(child.tag, str) and child.tag in _BLOCK_TAGS | _LIST_TAGS for child in el) \
        and not _SENTENCE_END_RE.search(text_of(el))  # "資料を公開します。" is a sentence, not a heading


def _is_link_list(el, sizes: Sizes) -> bool:
    info = sizes.of(el)
    return info.links >= 2 and info.link_density >= 0.5


def _next_element(el):
    """The next sibling element, past comments and the markers of removed blocks (trace mode)."""
    sib = el.getnext()
    while sib is not None and (not isinstance(sib.tag, str) or sib.tag == REMOVED_TAG):
        sib = sib.getnext()
    return sib


def _remove_headed_lists(tree: _Tree, remover: Remover, disabled: frozenset[str] = frozenset()) -> None:
    """A clutter heading and the list after it; any heading directly followed by a link list."""
    root, walk, sizes = tree.root, tree, tree.sizes
    emptied: dict[int, int] = {}  # parent index -> characters of its children marked for removal
    for el in walk.walk():
        if el is root or not _is_heading_like(el, sizes):
            continue
        # a heading's words are short: a long "heading" is prose and never a clutter label
        named = ("clutter_heading" not in disabled and sizes.of(el).chars <= 60
                 and bool(vocab.CLUTTER_HEADING_RE.match(text_of(el))))
        first = _next_element(el)
        if named:
            # the heading's block: following siblings up to the next heading, when they are link lists
            parent = el.getparent()
            gone = [el]
            sib = first
            while sib is not None:
                if _is_heading_like(sib, sizes) and not _is_link_list(sib, sizes):
                    break
                if _is_link_list(sib, sizes) or sib.tag in _LIST_TAGS:
                    gone.append(sib)
                else:
                    break
                sib = _next_element(sib)
            for item in gone:
                walk.mark(item, "clutter_heading")
            if parent is not None and parent is not root and parent in sizes.index:
                p = sizes.index[parent]
                emptied[p] = emptied.get(p, 0) + sum(sizes.of(item).chars for item in gone)
                if sizes.chars[p] - emptied[p] <= 0:  # nothing left in it but tails of nothing
                    walk.mark(parent, "clutter_heading")
        elif ("headed_links" not in disabled and first is not None and _is_link_list(first, sizes)
              and first.tag in _LIST_TAGS | {"div"}):
            walk.mark(first, "headed_links")
            walk.mark(el, "headed_links")
    walk.apply(remover)


def _remove_link_blocks(tree: _Tree, total: int, remover: Remover) -> None:
    """A list or block that is mostly links (3+) is navigation or a list of other articles."""
    for el in tree.walk():
        if el is tree.root or el.tag not in _BLOCK_TAGS - {"p"}:
            continue
        info = tree.sizes.of(el)
        if info.links >= 3 and info.link_density >= 0.7 and info.chars <= total * 0.5:
            tree.mark(el, "link_block")
    tree.apply(remover)


def _remove_repeated_blocks(tree: _Tree, remover: Remover) -> None:
    """A block printed twice (the seed's こんな記事も読まれています) is clutter both times."""
    root = tree.root
    # two copies have the same size: without two candidates of one size there is nothing to compare
    order, end, chars, gone = tree.sizes.order, tree.sizes.end, tree.sizes.chars, tree.gone
    seen: set[int] = set()
    twins, i = False, 1  # 0 is the root
    while i < len(order) and not twins:
        if gone[i]:
            i = end[i] + 1
            continue
        if chars[i] >= 30 and order[i].tag in _REPEAT_TAGS:
            twins = chars[i] in seen
            seen.add(chars[i])
        i += 1
    if not twins:
        return
    sizes = measure(root, keys=True)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, el in enumerate(sizes.order):
        if el is not root and el.tag in _LIST_TAGS | {"div", "section"} and sizes.chars[i] >= 30:
            groups[sizes.keys[i]].append(i)
    marked: set[int] = set()
    for indices in groups.values():
        if len(indices) < 2:
            continue
        # the outermost copies only: one copy inside another is no second printing
        tops, covered = [], -1
        for i in indices:  # in document order
            if i > covered:
                tops.append(i)
                covered = sizes.end[i]
        if len(tops) >= 2:
            marked.update(tops)
    covered = -1
    for i in sorted(marked):
        if i > covered:
            remover.drop(sizes.order[i], "repeated_block")
            covered = sizes.end[i]


@lru_cache(maxsize=512)
def _css(selector: str) -> CSSSelector:
    """A compiled selector: translating CSS to XPath costs more than running it."""
    return CSSSelector(selector)


def parse_fragment(markup: str):
    """Parse an HTML fragment (or document) into one element to clean."""
    return lxml_html.fragment_fromstring(markup, create_parent="div")
