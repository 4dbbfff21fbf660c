"""The near-duplicate index shared by every worker: LSH band buckets as Redis sets.

The same interface as newscrawl/pipelines/near_duplicates.py's NearDuplicateIndex
(load, find, add), so the dedup pipeline can hold either.  newscrawl/fingerprints.py makes the
MinHash signatures and chooses the bands (b bands of r rows for the threshold); Redis
holds, per band, the set of URLs whose band hashes alike, and the signatures.

Why not datasketch's own Redis storage (``MinHashLSH(storage_config={'type': 'redis'})``):
read in datasketch 2.0's lsh.py and storage.py, it costs 2b+3 round trips per insert
(b = 16 bands at the default threshold: 35) and b per query, one client and connection pool per band (an insertion
session re-creates them all when it flushes), it keeps no signatures (the Jaccard that
decides needs them) and it has no notion of age (NEWSCRAWL_NEAR_DUP_DAYS).  Here an insert
is one pipelined round trip and a query one Lua call that returns the candidates with their
signatures, limited to the window.
"""

from __future__ import annotations

import hashlib
import time
from functools import lru_cache

import numpy as np
import redis

from ..fingerprints import NUM_PERM, band_rows, lsh_bands, minhash_from_bytes, minhash_to_bytes
from .keys import DEFAULT_PREFIX, Keys

_QUERY = r"""
-- KEYS: the b band sets   ARGV: fp key, fp_seen key, cutoff, url to leave out
local seen = {}
local out = {}
for _, key in ipairs(KEYS) do
  for _, url in ipairs(redis.call('SMEMBERS', key)) do
    if not seen[url] and url ~= ARGV[4] then
      seen[url] = true
      local when = redis.call('ZSCORE', ARGV[2], url)
      if when and tonumber(when) >= tonumber(ARGV[3]) then
        local sig = redis.call('HGET', ARGV[1], url)
        if sig then table.insert(out, url); table.insert(out, sig) end
      end
    end
  end
end
return out
"""


@lru_cache(maxsize=8)
def band_layout(threshold: float, num_perm: int = NUM_PERM) -> tuple[str, tuple[tuple[int, int], ...]]:
    """("{b}x{r}", row ranges) for *threshold*: the single-machine index's bands (fingerprints.lsh_bands)."""
    b, r = lsh_bands(threshold, num_perm)
    return f"{b}x{r}", band_rows(b, r)


def _band_digests(hashvalues: np.ndarray, ranges) -> list[bytes]:
    return [hashlib.blake2b(hashvalues[start:end].astype("<u8").tobytes(), digest_size=8).digest()
            for start, end in ranges]


def band_keys_for(keys: Keys, layouts: list[str], signature: bytes) -> list[str]:
    """Every band set a stored signature sits in, for each band layout in use (prune, reset)."""
    values = np.frombuffer(signature, dtype="<u8")
    out = []
    for layout in layouts:
        b, r = (int(x) for x in layout.split("x"))
        ranges = band_rows(b, r)
        out += [keys.lsh_band(layout, i, d) for i, d in enumerate(_band_digests(values, ranges))]
    return out


class SharedNearDuplicateIndex:
    def __init__(self, client: redis.Redis, threshold: float, days: float, *, prefix: str = DEFAULT_PREFIX) -> None:
        self.redis = client
        self.keys = Keys(prefix)
        self.threshold = threshold
        self.days = days
        # as in the single-machine index: the LSH proposes at a lower bar, the Jaccard decides
        self.layout, self.ranges = band_layout(max(0.2, threshold - 0.2))
        self._query = client.register_script(_QUERY)
        self.loaded = False

    def load(self, store=None) -> None:
        """Nothing to load: the index lives in Redis (kept for the pipeline's interface)."""
        self.loaded = True

    def _band_keys(self, signature) -> list[str]:
        return [self.keys.lsh_band(self.layout, i, d)
                for i, d in enumerate(_band_digests(signature.hashvalues, self.ranges))]

    def find(self, signature, url: str) -> str | None:
        cutoff = time.time() - self.days * 86400
        flat = self._query(keys=self._band_keys(signature),
                           args=[self.keys.fp, self.keys.fp_seen, repr(cutoff), url])
        best, best_score = None, self.threshold
        for i in range(0, len(flat), 2):
            score = signature.jaccard(minhash_from_bytes(flat[i + 1]))
            if score >= best_score:
                best, best_score = flat[i].decode(), score
        return best

    def add(self, url: str, signature, site: str = "", now: float | None = None) -> None:
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.fp, url, minhash_to_bytes(signature))
            pipe.zadd(self.keys.fp_seen, {url: time.time() if now is None else now})
            if site:
                pipe.hset(self.keys.fp_site, url, site)
            pipe.sadd(self.keys.lsh_configs, self.layout)
            for key in self._band_keys(signature):
                pipe.sadd(key, url)
            pipe.execute()
