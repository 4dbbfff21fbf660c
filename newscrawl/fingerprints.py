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


# -- near duplicates -------------------------------------------------------------------------------
# MinHash over character 4-gram shingles: Japanese has no spaces, so word shingles do
# not work; 4 characters are specific enough that two articles on one topic share few.
SHINGLE = 4
NUM_PERM = 64
SCHEME = "affine32"  # stored signatures must be read back with the scheme that made them
MIN_CHARS = 80  # shorter texts are too small to call near-duplicates


def shingles(text: str) -> set[bytes]:
    norm = normalise_text(text)
    return {norm[i:i + SHINGLE].encode("utf-8") for i in range(max(len(norm) - SHINGLE + 1, 0))}


def minhash(text: str):
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    grams = shingles(text)
    if grams:
        m.update_batch(list(grams))
    return m


def minhash_to_bytes(m) -> bytes:
    return m.hashvalues.astype("<u8").tobytes()


def minhash_from_bytes(data: bytes):
    import numpy as np
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashvalues=np.frombuffer(data, dtype="<u8").astype(np.uint64))
