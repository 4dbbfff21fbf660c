"""Distributed mode: many workers, one Redis (issue 16; docs/distributed.md).

- connection.py       connect(url): a redis-py client that counts its round trips
- keys.py             every Redis key name, under one prefix
- queue.py            WorkQueue: enqueue, lease, heartbeat, ack, fail, drained
- queue_status.py     status (per site), requeue_dead
- commit.py           Committer: the exactly-once commit after a durable write
- shards.py           ShardWriter (write, fsync, commit), recover_shards after a kill
- worker.py           claim_worker_id: stable across restarts, unique per data folder
- state.py            RedisStateStore: newscrawl/state/store.py's interface over Redis
- state_lua.py        its Lua scripts (one atomic call per multi-key write)
- near_duplicates.py  SharedNearDuplicateIndex: LSH band buckets in Redis
- politeness.py       SharedPoliteness: a token bucket per host for all workers
- transfer.py         state-import / state-export between SQLite and Redis
- cli.py              python -m newscrawl.queue

Nothing here imports redis unless distributed mode is used: ``redis`` is the optional
extra ``newscrawl[redis]``.
"""
