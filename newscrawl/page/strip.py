"""What the cleaning removed, line by line: the strip diff of the night report (docs/report.md).

Only for the few sample articles of a night (the spider asks ArticlePage for a trace of its first
pages): the page's visible text as lines, in page order, each either kept (it is in the exported
body) or struck out with the rule that removed it - a line rule of the clean step, a tree rule that
removed its block, ``title`` for the headline, or ``outside_article`` for page text the extraction
did not take (navigation, sidebars).  This is how a user trusts the cleaning, or catches it eating an
article.  Bounded: at most MAX_LINES lines of at most MAX_CHARS characters each.
"""

from __future__ import annotations

import copy
import re

from lxml.etree import _Comment, _ProcessingInstruction

from ..clean.paragraphs import to_paragraphs

MAX_LINES = 400
MAX_CHARS = 300
_INVISIBLE = {"head", "script", "style", "noscript", "template", "svg", "iframe", "select", "rt", "rp"}
_SPACE_RE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE_RE.sub("", text)


def page_lines(root) -> list[str]:
    """The page's visible text, block by block (the same paragraph rules the clean step uses)."""
    body = root.find(".//body")
    tree = copy.deepcopy(body if body is not None else root)
    for el in list(tree.iter()):
        if isinstance(el, (_Comment, _ProcessingInstruction)) or (isinstance(el.tag, str) and el.tag in _INVISIBLE):
            if el.getparent() is not None:
                el.drop_tree()
    return [p.text for p in to_paragraphs(tree)][:MAX_LINES]


def fragment_lines(fragment: str) -> list[str]:
    """The article container's text lines, before cleaning (what the clean step had to work on)."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # noqa: BLE001 - an unparsable fragment only loses the report's labels
        return []
    return page_lines(root)


def strip_lines(lines: list[str], title: str | None, body: str, clean_trace, explained,
                container: list[str] = ()) -> list[dict]:
    """[{text, kept, rule}] for every page line; *clean_trace*: (text, rule|None) of the clean step,
    *explained*: (block text, rule) of the tree rules over the whole page, *container*: the lines of the
    article container (a line there that the body lacks was removed by the clean step: ``clean``)."""
    kept = [_norm(p) for p in body.split("\n\n") if p.strip()]
    kept_set = set(kept)
    removed = {_norm(text): rule for text, rule in clean_trace or () if rule}
    blocks = [(_norm(text), rule) for text, rule in explained or () if text and text.strip()]
    title_norm = _norm(title or "")
    in_container = {_norm(line) for line in container}
    out = []
    for line in lines:
        n = _norm(line)
        if not n:
            continue
        if n in kept_set or any(len(p) >= 10 and p in n for p in kept):
            out.append({"text": line[:MAX_CHARS], "kept": True, "rule": None})
            continue
        if title_norm and n == title_norm:
            rule = "title"
        elif n in removed:
            rule = removed[n]
        elif n in in_container:
            rule = "clean"
        else:
            rule = next((r for block, r in blocks if n in block), "outside_article")
        out.append({"text": line[:MAX_CHARS], "kept": False, "rule": rule})
    return out
