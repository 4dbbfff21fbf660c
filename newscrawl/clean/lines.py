"""Boilerplate removal on paragraphs: what only the text shows.

Order matters: shortcodes are stripped first (a paragraph may be only a shortcode),
then the body is cut at its end markers (コメント0, the writer's e-mail line), then
single clutter lines go (credits, related-link lines, copyright, share labels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import vocabulary as vocab
from .paragraphs import Paragraph

_NAME_LINE_RE = re.compile(r"^[^\s。、「」!！?？.,:：]{2,12}(?:\s[^\s。、「」!！?？.,:：]{1,12})?$")


@dataclass
class LineRules:
    drop: tuple[re.Pattern, ...] = ()
    end: tuple[re.Pattern, ...] = ()
    trailing: tuple[re.Pattern, ...] = ()
    author: tuple[re.Pattern, ...] = ()


@dataclass
class LinesResult:
    paragraphs: list[str]
    authors: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)


def _count(result: LinesResult, reason: str) -> None:
    result.removed[reason] = result.removed.get(reason, 0) + 1


def clean_lines(paragraphs: list[Paragraph], rules: LineRules) -> LinesResult:
    result = LinesResult(paragraphs=[])
    kept: list[str] = []
    for para in paragraphs:
        text = para.text
        if vocab.SHORTCODE_RE.search(text):
            text = vocab.SHORTCODE_RE.sub("", text).strip(" \u3000")
            _count(result, "shortcode")
            if not text:
                continue
        if para.link_ratio >= 0.8 and para.link_chars > 0:
            _count(result, "link_line")  # ・<a>title</a>, 【関連】<a>…</a>: a pointer to another article
            continue
        if any(r.search(text) for r in vocab.END_LINE_RES + rules.end):
            _count(result, "end_marker")
            break
        if vocab.EMAIL_LINE_RE.match(text):
            # "有馬侑之介 / arimay@kangnamtimesjp.com": the writer's sign-off ends the article
            if kept and _NAME_LINE_RE.match(kept[-1]):
                result.authors.append(kept.pop())
            _count(result, "email_line")
            break
        author = _author_from(text, rules.author + vocab.AUTHOR_LINE_RES)
        if author:
            if not vocab.ORGANISATION_RE.search(author):
                result.authors.append(author)
            _count(result, "author_line")
            continue
        if any(r.search(text) for r in vocab.DROP_LINE_RES + rules.drop) or vocab.CLUTTER_HEADING_RE.match(text):
            _count(result, "clutter_line")
            continue
        kept.append(text)
    while kept and any(r.search(kept[-1]) for r in rules.trailing):
        kept.pop()
        _count(result, "trailing_line")
    result.paragraphs = kept
    return result


def _author_from(text: str, patterns) -> str | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            name = match.groupdict().get("name")
            return name.strip() if name else None
    return None
