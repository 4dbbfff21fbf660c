"""Fingerprints of article text: an exact hash, and (dedup) near-duplicate signatures."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import numpy as np

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
MIN_CHARS = 80  # shorter texts are too small to call near-duplicates


_MIX = 0x9E3779B1  # the golden-ratio multiplier: spreads code points over 64 bits


def shingle_hashes(text: str):
    """A 32-bit hash of every distinct character 4-gram, computed in numpy.

    datasketch hashes each shingle with SHA-1 in a Python loop (4 million calls for
    5,000 articles, the largest cost of a crawl); combining the code points of each
    4-gram with a multiply-add over a whole array is ~100x cheaper, and the MinHash
    scheme mixes the values again (fmix) before its permutations.
    """
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


# MinHash and LSH by hand, bit for bit what datasketch 2.0 computes with scheme "affine32", seed 1
# (signatures stored by earlier versions stay valid; tests/test_near_duplicates.py holds datasketch's
# own values): datasketch's package import pulls in scipy for one numerical integral (choosing the
# LSH bands), 0.7 s of every crawl's 2.5 s start-up, and its hashing was already bypassed above.
_EMPTY = np.uint32(0xFFFFFFFF)  # the value of a permutation that saw no shingle
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """NUM_PERM affine maps h -> a*h + b mod 2^32 (odd a: each a bijection), drawn once from seed 1."""
    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser: spreads the shingle hashes before the affine maps."""
    s1, m1, s2, m2, s3 = _FMIX32
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    return hv ^ (hv >> s3)


class Signature:
    """A MinHash signature: NUM_PERM minima; the share of equal minima estimates the Jaccard."""

    __slots__ = ("hashvalues",)

    def __init__(self, hashvalues: np.ndarray) -> None:
        self.hashvalues = hashvalues

    def jaccard(self, other: "Signature") -> float:
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / len(self.hashvalues)


def minhash(text: str) -> Signature:
    hashes = shingle_hashes(text)
    if not len(hashes):
        return Signature(np.full(NUM_PERM, _EMPTY, dtype=np.uint32))
    a, b = _permutations()
    with np.errstate(over="ignore"):  # wrapping uint32 arithmetic is the point
        hv = _fmix32(hashes.astype(np.uint32).reshape(-1, 1))
        return Signature((hv * a + b).min(axis=0))


def minhash_to_bytes(m: Signature) -> bytes:
    return m.hashvalues.astype("<u8").tobytes()  # 8 bytes a value: the stored format


def minhash_from_bytes(data: bytes) -> Signature:
    return Signature(np.frombuffer(data, dtype="<u8").astype(np.uint32))


@lru_cache(maxsize=16)
def lsh_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(b bands, r rows) minimising false positives + false negatives around *threshold*, equally
    weighted, as datasketch's MinHashLSH chooses them.  The integrands are polynomials of degree
    <= num_perm, which a Gauss-Legendre rule of num_perm points integrates exactly."""
    nodes, weights = np.polynomial.legendre.leggauss(num_perm)

    def integral(f, lo: float, hi: float) -> float:
        return (hi - lo) / 2 * float(np.dot(weights, f((hi - lo) / 2 * nodes + (hi + lo) / 2)))

    best, chosen = float("inf"), (1, 1)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            false_pos = integral(lambda s: 1 - (1 - s ** r) ** b, 0.0, threshold)
            false_neg = integral(lambda s: (1 - s ** r) ** b, threshold, 1.0)
            if 0.5 * false_pos + 0.5 * false_neg < best:
                best, chosen = 0.5 * false_pos + 0.5 * false_neg, (b, r)
    return chosen


def band_rows(bands: int, rows: int) -> tuple[tuple[int, int], ...]:
    """The signature slices of the bands: (start, end) of each run of *rows* values."""
    return tuple((i * rows, (i + 1) * rows) for i in range(bands))
