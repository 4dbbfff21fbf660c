"""The crawl's state in distributed mode: RedisStateStore and the shared near-duplicate index.

StateExtension (newscrawl/state/extension.py) opens this instead of the SQLite file when
NEWSCRAWL_REDIS_URL is set, so that every component that asks for the state (the skip
middleware, the gone middleware, dedup) reads and writes the one all workers share.  Exporting
is not marked here: the distributed commit (commit.py) marks a URL and retires its queue entry
in one atomic script.
"""

from __future__ import annotations

from ..config import config_of
from .mode import redis_of


def open_shared_state(crawler):
    """The RedisStateStore of the crawl (on its one Redis client), with the dedup pipeline's
    near-duplicate index swapped for the shared one."""
    from ..pipelines.near_duplicates import NearDuplicateIndex
    from .near_duplicates import SharedNearDuplicateIndex
    from .state import RedisStateStore

    config = config_of(crawler)
    client = redis_of(crawler)
    # DedupPipeline takes NearDuplicateIndex.shared(<state path>) (one index per state and process):
    # under that key it gets the index in Redis, so near-duplicates are found across workers as they
    # are added, not only those loaded at start
    key = str(config.state_path or "memory")
    NearDuplicateIndex.install(key, SharedNearDuplicateIndex(client, config.near_dup_threshold,
                                                             config.near_dup_days))
    return RedisStateStore(client)
