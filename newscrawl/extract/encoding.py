"""Decode a page right: HTTP header or <meta> charset first, a detector only when they fail.

Scrapy decodes from BOM, header and <meta> (``declared_text`` does the same with w3lib).  What it cannot see is a header
that lies (``charset=UTF-8`` over Shift_JIS bytes: WoW!Korea served Shift_JIS).  The
sign of a wrong charset is U+FFFD replacement characters; when they appear, the
other declared charsets and then a detector (charset-normalizer) get a chance, and
the decoding with the fewest replacements wins.  Mojibake is counted, never silent.

Two declarations can also be wrong without a single U+FFFD: a single-byte charset
(``ISO-8859-1``, a common server default) decodes any bytes, and a legacy charset may
decode UTF-8 bytes into plausible kanji.  So when the declared charset is single-byte over
non-ASCII bytes, or the bytes are valid UTF-8 under another name, the <meta> charset and
UTF-8 get the same chance (a tie goes against the doubtful one).  Byte order marks, a
leading one or stray ones inside the page (PHP includes saved with a BOM), are removed.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding, html_to_unicode, http_content_type_encoding, read_bom, resolve_encoding,
)

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# A page with fewer replacement characters than this per 10,000 characters only had a
# few broken bytes: keep it (replaced), count it.
_BROKEN_BYTES_PER_10K = 5


@dataclass
class Decoded:
    text: str
    encoding: str
    redecoded: bool = False  # the declared charset was wrong and another one was used
    invalid_bytes: int = 0  # replacement characters left in the final text
    boms: int = 0  # byte order marks: a leading one, or stray ones inside (included files); removed


def _auto_detect(body: bytes) -> str | None:
    for enc in ("ascii", "utf-8"):
        try:
            body.decode(enc)
        except UnicodeError:
            continue
        return resolve_encoding(enc)
    match = from_bytes(body[:200_000]).best()
    return resolve_encoding(match.encoding) if match else None


def declared_text(body: bytes, content_type: str = "") -> tuple[str, str]:
    """(encoding, text) as Scrapy's TextResponse reads them: BOM, HTTP charset, <meta>, then a guess.

    Written here on w3lib (the functions Scrapy itself uses) so that the page object needs no
    Scrapy response to decode a page.
    """
    encoding = (read_bom(body)[0] or http_content_type_encoding(content_type or "")
                or html_body_declared_encoding(body))
    if not encoding:
        encoding = html_to_unicode(content_type or "", body, auto_detect_fun=_auto_detect,
                                   default_encoding="ascii")[0]
    return encoding, html_to_unicode(f"charset={encoding}", body)[1]


def _norm(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _try(body: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return body.decode(encoding, errors="replace")
    except LookupError:
        return None


# The charsets Japanese sites write when they name a standard one.
_SUPERSETS = {"shift_jis": "cp932", "euc_jp": "euc_jis_2004"}
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _single_byte(encoding: str | None) -> bool:
    """ISO-8859-x, windows-125x: any byte decodes, so a wrong one shows no U+FFFD, only mojibake."""
    try:
        return len(bytes(range(0x80, 0x100)).decode(encoding or "", "replace")) == 0x80
    except LookupError:
        return False


def _utf8(body: bytes) -> bool:
    """Non-ASCII bytes that are valid UTF-8: legacy CJK text practically never is."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _doubtful(encoding: str | None, body: bytes) -> bool:
    """A declared charset that decodes without U+FFFD and may still be wrong (meta vs header)."""
    name = _norm(encoding)
    if name == "utf-8" or body.isascii():
        return False
    return _single_byte(name) or _utf8(body)


def _without_boms(decoded: Decoded, body: bytes) -> Decoded:
    leading = body.startswith(_BOMS)
    text = decoded.text
    stray = text.count("\ufeff")
    decoded.boms = stray + (1 if leading and not text.startswith("\ufeff") else 0)
    if stray:
        decoded.text = text.replace("\ufeff", "")
    return decoded


def decode(body: bytes, content_type: str = "", fallback_encoding: str = "") -> Decoded:
    """The page's text, from the declared charset or, when that visibly fails, a better one."""
    declared, text = declared_text(body, content_type)
    bad = text.count("\ufffd")
    if not bad and not _doubtful(declared, body):
        return _without_boms(Decoded(text, declared), body)
    candidates: list[str] = []
    meta = _META_CHARSET_RE.search(body[:4096])
    for name in (meta.group(1).decode("ascii", "ignore") if meta else None, fallback_encoding):
        if _norm(name):
            candidates.append(_norm(name))
    if bad:  # the detector only when the declared charset visibly fails
        guess = from_bytes(body[:200_000]).best()
        if guess is not None and _norm(guess.encoding):
            candidates.append(_norm(guess.encoding))
    utf8 = _utf8(body)
    if utf8:
        candidates.append("utf-8")
    # cp932 is the superset Windows-era Japanese sites actually write when they say Shift_JIS,
    # euc_jis_2004 the one EUC-JP pages with ① or ㈱ (NEC row 13) need
    candidates += [_SUPERSETS[c] for c in [*candidates, _norm(declared)] if c in _SUPERSETS]

    def score(decoded: str, enc: str | None) -> tuple[int, int]:
        # fewest replacement characters; on a tie, not a single-byte charset over non-ASCII
        # bytes, and not a legacy charset over bytes that are valid UTF-8
        wrong = (_single_byte(_norm(enc)) and not body.isascii()) or (utf8 and _norm(enc) != "utf-8")
        return decoded.count("\ufffd"), int(wrong)

    best_text, best_enc, best_score = text, declared, score(text, declared)
    for enc in candidates:
        decoded = _try(body, enc)
        if decoded is not None and score(decoded, enc) < best_score:
            best_text, best_enc, best_score = decoded, enc, score(decoded, enc)
    if best_enc == declared:
        return _without_boms(Decoded(text, declared, invalid_bytes=bad), body)
    if best_text.startswith("\ufeff") and body.startswith(_BOMS):
        best_text = best_text[1:]  # the leading BOM of the bytes, read by a codec that keeps it
    return _without_boms(Decoded(best_text, best_enc, redecoded=True, invalid_bytes=best_score[0]), body)


def is_mostly_broken(decoded: Decoded) -> bool:
    size = len(decoded.text) or 1
    return decoded.invalid_bytes * 10_000 / size > _BROKEN_BYTES_PER_10K * 20
