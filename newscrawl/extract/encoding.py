"""Decode a page right: HTTP header or <meta> charset first, a detector only when they fail.

Scrapy already decodes from BOM, header and <meta>.  What it cannot see is a header
that lies (``charset=UTF-8`` over Shift_JIS bytes: WoW!Korea served Shift_JIS).  The
sign of a wrong charset is U+FFFD replacement characters; when they appear, the
other declared charsets and then a detector (charset-normalizer) get a chance, and
the decoding with the fewest replacements wins.  Mojibake is counted, never silent.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes
from scrapy.http import TextResponse

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# A page with fewer replacement characters than this per 10,000 characters only had a
# few broken bytes: keep it (replaced), count it.
_BROKEN_BYTES_PER_10K = 5


@dataclass
class Decoded:
    response: TextResponse
    encoding: str
    redecoded: bool = False  # the declared charset was wrong and another one was used
    invalid_bytes: int = 0  # replacement characters left in the final text


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


def decode(response: TextResponse, fallback_encoding: str = "") -> Decoded:
    text = response.text
    bad = text.count("\ufffd")
    if not bad:
        return Decoded(response, response.encoding)
    body = response.body
    candidates: list[str] = []
    meta = _META_CHARSET_RE.search(body[:4096])
    for name in (meta.group(1).decode("ascii", "ignore") if meta else None, fallback_encoding):
        if _norm(name):
            candidates.append(_norm(name))
    guess = from_bytes(body[:200_000]).best()
    if guess is not None and _norm(guess.encoding):
        candidates.append(_norm(guess.encoding))
    # cp932 is the superset Windows-era Japanese sites actually write when they say Shift_JIS
    candidates += ["cp932" for c in list(candidates) if c == "shift_jis"]
    best_text, best_enc, best_bad = text, response.encoding, bad
    for enc in candidates:
        decoded = _try(body, enc)
        if decoded is not None and decoded.count("\ufffd") < best_bad:
            best_text, best_enc, best_bad = decoded, enc, decoded.count("\ufffd")
    if best_enc == response.encoding:
        return Decoded(response, response.encoding, invalid_bytes=bad)
    fixed = response.replace(body=best_text.encode("utf-8"), encoding="utf-8")
    return Decoded(fixed, best_enc, redecoded=True, invalid_bytes=best_bad)


def is_mostly_broken(decoded: Decoded) -> bool:
    size = len(decoded.response.text) or 1
    return decoded.invalid_bytes * 10_000 / size > _BROKEN_BYTES_PER_10K * 20
