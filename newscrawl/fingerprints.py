"""Fingerprints of article text: an exact hash, and (dedup) near-duplicate signatures."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE_RE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """NFKC (full-width/half-width agree), no whitespace: equal text gives an equal string."""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))


def content_hash(body: str) -> str:
    return hashlib.sha1(normalise_text(body).encode("utf-8")).hexdigest()
