"""Authors from the page itself, when neither the profile's selectors nor the metadata name them.

Where pages print the writer, most trusted first:

1. microdata and link relations: ``itemprop="author"`` (its ``name`` inside), ``rel="author"``;
2. byline boxes: the smallest element whose class or id says writer / author / byline / reporter,
   with a short text (``<span class="author">田中宏昌</span>``, ``By Jane Doe``, ``[田中宏昌，ITmedia]``);
3. a ``○○記者`` line or ``記者：○○`` label near the top or the end of the text;
4. a ``mailto:`` sign-off: the link's text when it is a name, else the line before it.

Organisations (編集部, ニュース, 新聞, News ...) are not people and are left out.
"""

from __future__ import annotations

import re

from ..clean.vocabulary import AUTHOR_LINE_RES, ORGANISATION_RE

_BYLINE_TOKENS = frozenset({"author", "authors", "byline", "writer", "writers", "reporter", "reporters",
                            "journalist", "kisya", "kisha", "contributor"})
_SPLIT_RE = re.compile(r"[\s_-]+")
_EDGE_SYMBOLS = " 　・:：|｜●○■□◆◇▲△▼▽★☆*＊-–—>＞»/／"
_MAX_NAMES = 4
_MAX_BYLINE_CHARS = 60
_NOISE_RE = re.compile(
    r"^(?:by|text|文|写真|撮影|取材|取材・文|文・写真|記者|筆者|執筆者?|著者|作者|reporter)\s*[=＝:：・/]?\s*"
    r"|\s*(?:記者|特派員|編集委員|論説委員)$",
    re.I,
)
_BRACKETS_RE = re.compile(r"^[\[［(（【]\s*|\s*[\]］)）】]$")
_NAME_SPLIT_RE = re.compile(r"\s*(?:[、，,/／&]|\band\b)\s*")
_NAME_RE = re.compile(r"^[^\d\s@。!！?？:：=＝《》\[\]［］()（）<>][^\d@。!！?？:：=＝《》\[\]［］()（）<>]{0,38}"
                      r"[^\d\s@。!！?？:：=＝《》\[\]［］()（）<>]$")
# words of a byline box that are not a name: its labels, links and buttons
_NOT_NAME_RE = re.compile(
    r"\b(?:e-?mail|author|authors|archive|rss|feed|contact|editors?|staff|name|share|follow|twitter|facebook|"
    r"view|more|posted|profile|subscribe|newsletter|wire|news|agency|press|team|desk|correspondent)\b"
    r"|投诉|评论|网友|記事一覧|プロフィール|一覧|フォロー|メール|問い合わせ|お問い合わせ",
    re.I,
)
_LATIN_NAME_RE = re.compile(r"^(?:[A-Z][\w'’.-]*|de|da|di|la|le|van|von|der|den|bin|al|y)(?:\s+(?:[A-Z][\w'’.-]*|de|da|di|"
                            r"la|le|van|von|der|den|bin|al|y)){0,4}$")
_DATE_TAIL_RE = re.compile(r"\s+(?:on\s+)?(?:\d|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|20\d\d).*$")
_LABEL_ONLY_RE = re.compile(r"^(?:author|by|writer|reporter|記者|著者|筆者|執筆者|投稿者|文)$", re.I)


def _norm(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _tokens(el) -> set[str]:
    value = f"{el.get('class', '')} {el.get('id', '')}".lower()
    return set(_SPLIT_RE.split(value)) - {""}


def split_names(text: str) -> list[str]:
    """'[田中宏昌，ITmedia]' -> ['田中宏昌']; 'By Jane Doe and John Roe' -> ['Jane Doe', 'John Roe']."""
    text = _BRACKETS_RE.sub("", _norm(text))
    names = []
    for part in _NAME_SPLIT_RE.split(text):
        part = _NOISE_RE.sub("", part.strip().strip(_EDGE_SYMBOLS)).strip(_EDGE_SYMBOLS)
        part = _DATE_TAIL_RE.sub("", _NOISE_RE.sub("", part)).strip().strip(_EDGE_SYMBOLS)
        if is_name(part):
            names.append(part)
    return list({n.casefold(): n for n in reversed(names)}.values())[::-1]


def is_name(part: str) -> bool:
    """A person's name as bylines print it: no digits, labels, outlets or sentences."""
    if not part or not _NAME_RE.match(part) or ORGANISATION_RE.search(part) or _LABEL_ONLY_RE.match(part):
        return False
    if _NOT_NAME_RE.search(part) or _looks_like_site(part):
        return False
    if part.isascii():  # a Latin-script name has a given name and a family name
        return len(part.split()) >= 2 and bool(_LATIN_NAME_RE.match(part) or (part.isupper() and len(part.split()) <= 4))
    if all(c.isascii() or c.isalpha() and ord(c) < 0x2E80 for c in part):  # Latin letters with accents
        return 2 <= len(part.split()) <= 5
    return len(part) <= 20 and len(part.split()) <= 3


def _looks_like_site(part: str) -> bool:
    # "ITmedia", "Yonhap": a Latin word without a space next to a Japanese name is the outlet
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9.!]*", part)) and part[0].isupper() and any(c.isupper() for c in part[1:])


def _microdata(root) -> list[str]:
    names = []
    for el in root.xpath("//*[@itemprop='author']"):
        inner = el.xpath(".//*[@itemprop='name']")
        value = (inner[0].get("content") or inner[0].text_content()) if inner else (el.get("content") or el.text_content())
        names += split_names(value)
    for el in root.xpath("//a[@rel='author']"):
        names += split_names(el.text_content())
    return names


def _byline_boxes(root) -> list[str]:
    boxes = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "meta", "link", "body", "html"):
            continue
        if _tokens(el) & _BYLINE_TOKENS:
            text = _norm(el.text_content())
            if 0 < len(text) <= _MAX_BYLINE_CHARS:
                boxes.append(el)
    # the innermost boxes: an author box often wraps a name box
    members = set(boxes)
    innermost = [el for el in boxes if not any(d in members for d in el.iterdescendants())]
    names = []
    for el in innermost:
        names = split_names(el.text_content())
        if names:
            return names  # the first byline on the page is the article's; later ones are related stories'
    return []


def _reporter_lines(root) -> list[str]:
    for el in root.iter("p", "div", "span", "li", "dd", "address"):
        text = _norm(el.text_content())
        if not text or len(text) > _MAX_BYLINE_CHARS or len(el) > 3:
            continue
        for pattern in AUTHOR_LINE_RES:
            match = pattern.search(text)
            if match and match.groupdict().get("name"):
                names = split_names(match["name"])
                if names:
                    return names
    return []


def _mailto(root) -> list[str]:
    for a in root.xpath("//a[starts-with(@href, 'mailto:')]"):
        names = split_names(a.text_content())
        if names and "@" not in a.text_content():
            return names
        previous = a.getprevious()
        before = _norm(a.getparent().text if previous is None else previous.tail) if a.getparent() is not None else ""
        names = split_names(before)
        if names:
            return names
    return []


def authors_from_page(root) -> list[str]:
    """Names of the article's writers printed on the page (*root* is not modified); [] when none."""
    if root is None:
        return []
    for finder in (_microdata, _byline_boxes, _reporter_lines, _mailto):
        names = list({n.casefold(): n for n in reversed(finder(root))}.values())[::-1]
        if names:
            return names[:_MAX_NAMES]
    return []
