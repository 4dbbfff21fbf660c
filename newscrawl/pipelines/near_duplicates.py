"""The near-duplicate index: MinHash LSH in memory, seeded from the state's recent signatures.

One index per state file and process, so that sites crawled in one process (crawlall)
see each other's articles: the same agency story on two sites is caught the same night.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from ..fingerprints import NUM_PERM, Signature, band_rows, lsh_bands, minhash_from_bytes

logger = logging.getLogger(__name__)


class NearDuplicateIndex:
    _shared: ClassVar[dict[str, "NearDuplicateIndex"]] = {}

    def __init__(self, threshold: float, days: float) -> None:
        self.threshold = threshold
        self.days = days
        # the LSH only proposes candidates (at a lower bar); the estimated Jaccard decides.  Banding:
        # two signatures equal on all r rows of any one of b bands are candidates.
        b, r = lsh_bands(max(0.2, threshold - 0.2), NUM_PERM)
        self.rows = band_rows(b, r)
        self.buckets: list[dict[bytes, list[str]]] = [{} for _ in self.rows]
        self.signatures: dict[str, Signature] = {}
        self.order: dict[str, int] = {}  # url -> when it was added (ties go to the first)
        self.loaded = False

    @classmethod
    def shared(cls, key: str, threshold: float, days: float) -> "NearDuplicateIndex":
        index = cls._shared.get(key)
        if index is None or index.threshold != threshold:
            index = cls._shared[key] = cls(threshold, days)
        return index

    @classmethod
    def install(cls, key: str, index: "NearDuplicateIndex") -> None:
        """Make *index* the one shared(key, ...) hands out (distributed mode: the index in Redis)."""
        cls._shared[key] = index

    def load(self, store) -> None:
        if self.loaded or store is None:
            self.loaded = True
            return
        count = 0
        for url, blob in store.recent_signatures(self.days):
            if url not in self.signatures:
                self.add(url, minhash_from_bytes(blob))
                count += 1
        self.loaded = True
        logger.info("Near-duplicate index: %d signatures from the last %g days", count, self.days)

    def find(self, signature, url: str) -> str | None:
        """The most similar earlier article at or over the threshold; of equals, the first one added."""
        best, best_score = None, self.threshold
        for key in self._candidates(signature):
            if key == url:
                continue
            score = signature.jaccard(self.signatures[key])
            if score > best_score or (best is None and score >= best_score):
                best, best_score = key, score
        return best

    def add(self, url: str, signature) -> None:
        if url in self.signatures:
            return
        self.signatures[url] = signature
        self.order[url] = len(self.order)
        for (start, end), bucket in zip(self.rows, self.buckets):
            bucket.setdefault(signature.hashvalues[start:end].tobytes(), []).append(url)

    def _candidates(self, signature: Signature) -> list[str]:
        """Every article sharing a band with *signature*, in the order they were added."""
        found: set[str] = set()
        for (start, end), bucket in zip(self.rows, self.buckets):
            found.update(bucket.get(signature.hashvalues[start:end].tobytes(), ()))
        return sorted(found, key=self.order.__getitem__)
