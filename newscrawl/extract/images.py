"""The article's own pictures: URL, caption and credit."""

from __future__ import annotations

import re

from ..clean.structure import clutter_tokens
from ..clean.vocabulary import CREDIT_RES

_SRC_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-echo", "src")
_CAPTION_XPATH = (
    ".//figcaption | .//*[contains(@class,'caption')] | .//*[contains(@class,'cap')] "
    "| .//*[contains(@class,'txt')] | .//*[contains(@class,'desc')]"
)
_TRAILING_PUNCT = " \u3000=＝/／:：|｜-"


def split_credit(text: str | None) -> tuple[str | None, str | None]:
    """``ソウル市内の様子=5日、ソウル(聯合ニュース)`` -> (``ソウル市内の様子=5日、ソウル``, ``聯合ニュース``)."""
    if not text:
        return None, None
    text = " ".join(text.split())
    for pattern in CREDIT_RES:
        match = pattern.search(text)
        if match:
            credit = match.group(1).strip(" \u3000)）")
            caption = (text[: match.start()] + text[match.end():]).strip(_TRAILING_PUNCT)
            return caption or None, credit or None
    return text or None, None


def _src(img, urljoin) -> str | None:
    for attr in _SRC_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            url = urljoin(value)
            if url.startswith(("http://", "https://")):
                return url
    return None


def images_from(containers, urljoin) -> list[dict]:
    """One record per container (a figure-like element or a bare <img>), first picture each."""
    images: list[dict] = []
    seen: set[str] = set()
    for el in containers:
        img = el if el.tag == "img" else next(el.iter("img"), None)
        if img is None:
            continue
        url = _src(img, urljoin)
        if not url or url in seen:
            continue
        seen.add(url)
        caption, credit = None, None
        if el.tag != "img":
            nodes = el.xpath(_CAPTION_XPATH)
            texts = [t for t in (" ".join(n.text_content().split()) for n in nodes) if t]
            full_text = " ".join(el.text_content().split()) or None
            # the caption, then a credit printed beside it (写真提供=… in its own element)
            caption, credit = split_credit(texts[0] if texts else full_text)
            if credit is None:
                credit = next((c for c in (split_credit(t)[1] for t in texts[1:] + [full_text]) if c), None)

        images.append({"url": url, "caption": caption, "credit": credit})
    return images


_PICTURE_TOKENS = {"photo", "gallery", "caption", "credit"}
_NOT_PHOTO_RE = re.compile(r"avatar|gravatar|logo|icon|emoji|spacer|pixel|badge|banner", re.IGNORECASE)


def _is_icon(img) -> bool:
    src = (img.get("src") or img.get("data-src") or "").lower()
    width = re.sub(r"\D", "", img.get("width") or "") or "999"
    return (src.endswith((".svg", ".gif")) or int(width) < 80
            or bool(_NOT_PHOTO_RE.search(f"{src} {img.get('class', '')}")))


def _in_clutter(el, scope) -> bool:
    """Inside an author box, a share bar, a related list...: not the article's picture."""
    for ancestor in el.iterancestors():
        if ancestor is scope:
            return False
        if clutter_tokens(ancestor) - _PICTURE_TOKENS or ancestor.tag in {"aside", "nav", "footer", "header", "a"}:
            return True
    return False


def default_containers(body_el) -> list:
    """Figures inside the body, then pictures that stand outside any figure."""
    figures = [f for f in body_el.xpath(
        ".//figure | .//*[contains(@class,'image-area')] | .//*[contains(@class,'photo')]")
        if not _in_clutter(f, body_el)]
    loose = [img for img in body_el.iter("img")
             if not any(img in f.iter("img") for f in figures) and not _is_icon(img)
             and not _in_clutter(img, body_el)]
    return [f for f in figures if not any(_is_icon(i) for i in f.iter("img"))] + loose
