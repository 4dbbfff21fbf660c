"""Every Redis key newscrawl uses, in one place (all under one prefix, default ``newscrawl:``).

Shared state (newscrawl/distributed/state.py)
    {p}articles            HASH  url -> JSON of the article row (+ worker, shard offset)
    {p}sites               SET   sites that have articles
    {p}first:{site}        ZSET  url -> first_seen   (counts; the refetch window)
    {p}last:{site}         ZSET  url -> last_seen    (prune)
    {p}hash:{sha1}         ZSET  url -> first_seen   (exact-text duplicates: url_with_hash)
    {p}gone                HASH  url -> JSON {site, status, first_seen, last_seen}
    {p}fp                  HASH  url -> MinHash signature (bytes)
    {p}fp_seen             ZSET  url -> seen
    {p}fp_site             HASH  url -> site
    {p}lsh:{b}x{r}:{i}:{h} SET   urls whose band i hashes to h (near-duplicate candidates)
    {p}lsh_configs         SET   the "{b}x{r}" band layouts in use (so that prune finds their sets)
    {p}export_files        HASH  shard path -> bytes committed (recovery reads after this offset)
    {p}worker:{id}:shards  SET   the shard files a worker wrote (recovery after its restart)
Work queue (newscrawl/distributed/queue.py)
    {p}q:sites             SET    sites that have a queue
    {p}q:{site}            STREAM url, kind, meta (JSON), attempts; consumer group "workers"
    {p}q:{site}:urls       HASH   url -> its stream entry id while queued or leased, "d" done, "x" dead
    {p}q:{site}:dead       STREAM dead letters: url, kind, meta, attempts, error, worker
    {p}q:{site}:counts     HASH   done, failed, duplicates, enqueued
Politeness (newscrawl/distributed/politeness.py)
    {p}bucket:{host}       HASH   tokens, ts (expires when full again)

Lua scripts build some of these names from their arguments, so the layout needs a single
Redis (or a primary with replicas / Sentinel), not Redis Cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PREFIX = "newscrawl:"
GROUP = "workers"  # the one consumer group of every site's stream


def as_text(value) -> str:
    """A key, member or field as redis-py returns it (bytes), as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class Keys:
    prefix: str = DEFAULT_PREFIX

    # -- shared state -------------------------------------------------------------------------------
    @property
    def articles(self) -> str:
        return self.prefix + "articles"

    @property
    def sites(self) -> str:
        return self.prefix + "sites"

    def first(self, site: str) -> str:
        return f"{self.prefix}first:{site}"

    def last(self, site: str) -> str:
        return f"{self.prefix}last:{site}"

    def content_hash(self, digest: str) -> str:
        return f"{self.prefix}hash:{digest}"

    @property
    def gone(self) -> str:
        return self.prefix + "gone"

    @property
    def fp(self) -> str:
        return self.prefix + "fp"

    @property
    def fp_seen(self) -> str:
        return self.prefix + "fp_seen"

    @property
    def fp_site(self) -> str:
        return self.prefix + "fp_site"

    def lsh_band(self, layout: str, band: int, digest: bytes) -> str:
        return f"{self.prefix}lsh:{layout}:{band}:{digest.hex()}"

    @property
    def lsh_configs(self) -> str:
        return self.prefix + "lsh_configs"

    @property
    def export_files(self) -> str:
        return self.prefix + "export_files"

    def worker_shards(self, worker_id: str) -> str:
        return f"{self.prefix}worker:{worker_id}:shards"

    # -- work queue ---------------------------------------------------------------------------------
    @property
    def queue_sites(self) -> str:
        return self.prefix + "q:sites"

    def stream(self, site: str) -> str:
        return f"{self.prefix}q:{site}"

    def urls(self, site: str) -> str:
        return f"{self.prefix}q:{site}:urls"

    def dead(self, site: str) -> str:
        return f"{self.prefix}q:{site}:dead"

    def counts(self, site: str) -> str:
        return f"{self.prefix}q:{site}:counts"

    # -- politeness ---------------------------------------------------------------------------------
    def bucket(self, host: str) -> str:
        return f"{self.prefix}bucket:{host}"
