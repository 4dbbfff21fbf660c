"""Boilerplate removal on paragraphs: what only the text shows.

Order matters: shortcodes are stripped first (a paragraph may be only a shortcode),
then the body is cut at its end markers (コメント0, the writer's e-mail line), then
single clutter lines go (credits, related-link lines, copyright, share labels,
paywall notices).  Every paragraph's fate is recorded (rule name or None) for the trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import vocabulary as vocab
from .paragraphs import Paragraph

_NAME_LINE_RE = re.compile(r"^[^\s。、「」!！?？.,:：]{2,12}(?:\s[^\s。、「」!！?？.,:：]{1,12})?$")
# A line whose link text is an address ("https://code.visualstudio.com/") cites a source: it is the
# text's own reference, not a pointer to another article of the site.
_URL_TEXT_RE = re.compile(r"^(?:https?://|www\.)\S+$")
_PROSE_END_RE = re.compile(r"[。！？!?.]\s*$")
_SENTENCE_RE = re.compile(r"[。！？]|[.!?](?:\s|$)")
_LABEL_MAX_CHARS = 10  # 【第1回】, ・, ■, 関連:, ※本記事


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
    paywalled: bool = False
    fates: list[tuple[str, str | None]] = field(default_factory=list)  # every paragraph: (text, rule or None)


def _from_start(pattern: str) -> str:
    """A pattern to try once, at the start of the line: anchored ones as they are, others after a
    lazy skip.  One attempt per line instead of one per character and alternative."""
    return pattern[1:] if pattern.startswith("^") else f".*?(?:{pattern})"


_PAYWALL = re.compile("|".join(f"(?:{_from_start(r.pattern)})" for r in vocab.PAYWALL_LINE_RES))
_PAYWALL_KEYS = vocab.PAYWALL_KEYWORDS  # every notice holds one of them: no regex on other lines
_GENERIC_END = re.compile("|".join(f"(?:{r.pattern})" for r in vocab.END_LINE_RES))


def _is_paywall_notice(text: str) -> bool:
    return any(key in text for key in _PAYWALL_KEYS) and _PAYWALL.match(text) is not None


@lru_cache(maxsize=16)
def family_pattern(disabled: frozenset[str] = frozenset()) -> re.Pattern | None:
    """All line families in one alternation, tried at the start of the line (``match``); the match's
    group names the family."""
    parts = [f"(?P<{name}>{'|'.join(f'(?:{_from_start(p)})' for p in patterns)})"
             for name, patterns in vocab.LINE_FAMILIES.items() if name not in disabled]
    return re.compile("|".join(parts)) if parts else None


def _count(result: LinesResult, reason: str) -> None:
    result.removed[reason] = result.removed.get(reason, 0) + 1


def clean_lines(paragraphs: list[Paragraph], rules: LineRules, disabled: frozenset[str] = frozenset()) -> LinesResult:
    result = LinesResult(paragraphs=[])
    fates = result.fates
    kept: list[tuple[str, int]] = []  # (text, index in fates)
    families = family_pattern(disabled)
    generic_end = () if "end_marker" in disabled else (_GENERIC_END,)
    paywall = "paywall" not in disabled
    last_paywall = -1
    ended = False

    def drop(text: str, reason: str) -> None:
        _count(result, reason)
        fates.append((text, f"line:{reason}"))

    for para in paragraphs:
        if ended:
            fates.append((para.text, "line:after_end"))
            continue
        if para.removed:
            fates.append((para.text, para.removed))
            continue
        if para.code:  # a code block is the article's own text, whatever it looks like
            fates.append((para.text, None))
            kept.append((para.text, len(fates) - 1))
            continue
        text = para.text
        if vocab.SHORTCODE_RE.search(text):
            text = vocab.SHORTCODE_RE.sub("", text).strip(" \u3000")
            _count(result, "shortcode")
            if not text:
                fates.append((para.text, "line:shortcode"))
                continue
        if "link_line" not in disabled and _is_link_line(para, text):
            drop(text, "link_line")  # ・<a>title</a>, 【関連】<a>…</a>: a pointer to another article
            continue
        if any(r.search(text) for r in generic_end + rules.end):
            drop(text, "end_marker")
            ended = True
            continue
        if vocab.EMAIL_LINE_RE.match(text) and "email_line" not in disabled:
            # "有馬侑之介 / arimay@kangnamtimesjp.com": the writer's sign-off ends the article
            if kept and _NAME_LINE_RE.match(kept[-1][0]):
                name, at = kept.pop()
                result.authors.append(name)
                fates[at] = (name, "line:author_line")
            drop(text, "email_line")
            ended = True
            continue
        author = None if "author_line" in disabled else _author_from(text, rules.author + vocab.AUTHOR_LINE_RES)
        if author:
            if not vocab.ORGANISATION_RE.search(author):
                result.authors.append(author)
            drop(text, "author_line")
            continue
        if paywall and _is_paywall_notice(text):
            drop(text, "paywall")
            last_paywall = len(fates) - 1
            continue
        match = families.match(text) if families is not None else None
        if match:
            drop(text, match.lastgroup)
            continue
        if any(r.search(text) for r in rules.drop):
            drop(text, "site_line")
            continue
        if "clutter_heading" not in disabled and vocab.CLUTTER_HEADING_RE.match(text):
            drop(text, "clutter_heading")
            continue
        fates.append((text, None))
        kept.append((text, len(fates) - 1))
    while kept and any(r.search(kept[-1][0]) for r in rules.trailing):
        text, at = kept.pop()
        fates[at] = (text, "line:trailing_line")
        _count(result, "trailing_line")
    # cut short: a paywall notice with no prose of the article after it
    if last_paywall >= 0:
        result.paywalled = not any(rule is None and _PROSE_END_RE.search(text) and len(text) >= 40
                                   for text, rule in fates[last_paywall + 1:])
    result.paragraphs = [text for text, _at in kept]
    return result


def _is_link_line(para: Paragraph, text: str) -> bool:
    """A pointer to another article of the site: ・<a>title</a>, 【第1回】<a>title</a> ※本記事.

    Mostly link text, or a link with only a short label around it.  A link to another site
    (a cited source) or one that reads as an address is the text's own reference and stays."""
    own_links = para.link_chars - para.external_chars
    if own_links <= 0 or _URL_TEXT_RE.match(text):
        return False
    size = len(text.replace(" ", ""))
    label = size - para.link_chars
    return own_links >= 0.8 * size or (own_links >= 0.5 * size and label <= _LABEL_MAX_CHARS
                                       and not _SENTENCE_RE.search(text))


def _author_from(text: str, patterns) -> str | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            name = match.groupdict().get("name")
            return name.strip() if name else None
    return None
