"""Fingerprints of article text: an exact hash, and (dedup) near-duplicate signatures."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

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


_MIX = 0x9E3779B1  # the golden-ratio multiplier: spreads code points over 64 bits


def shingle_hashes(text: str):
    """A 32-bit hash of every distinct character 4-gram, computed in numpy.

    datasketch hashes each shingle with SHA-1 in a Python loop (4 million calls for
    5,000 articles, the largest cost of a crawl); combining the code points of each
    4-gram with a multiply-add over a whole array is ~100x cheaper, and the MinHash
    scheme mixes the values again (fmix) before its permutations.
    """
    import numpy as np

    norm = normalise_text(text)
    if len(norm) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    points = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(points) - SHINGLE + 1
    mixed = points[:count].copy()
    with np.errstate(over="ignore"):  # wrapping uint64 arithmetic is the point
        for offset in range(1, SHINGLE):
            mixed = mixed * np.uint64(_MIX) + points[offset:offset + count]
    return np.unique((mixed ^ (mixed >> np.uint64(32))) & np.uint64(0xFFFFFFFF))


@lru_cache(maxsize=1)
def _permutations():
    """datasketch draws its permutations anew for every MinHash (a third of its cost): draw them once."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations


def minhash(text: str):
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashfunc=int, permutations=_permutations())
    hashes = shingle_hashes(text)
    if len(hashes):
        m.update_batch(hashes.tolist())
    return m


def minhash_to_bytes(m) -> bytes:
    return m.hashvalues.astype("<u8").tobytes()


def minhash_from_bytes(data: bytes):
    import numpy as np
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashvalues=np.frombuffer(data, dtype="<u8").astype(np.uint64))
