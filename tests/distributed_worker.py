"""A worker process for the distributed tests: lease, "fetch", write to its shard, commit.

    python -m tests.distributed_worker REDIS_URL WORKER_ID SITE FOLDER INCARNATION
        [--lease-seconds S] [--die-after-write N] [--pause-after-write S]

It is the exporter's side of phase 2 without Scrapy: the record of a leased URL is written
with ShardWriter (line, fsync, commit).  ``--die-after-write N`` sends itself SIGKILL right
after the N-th line is on disk and before its commit: the exact kill the protocol must
survive.  It recovers its worker id's shards first, then works until the queue is drained,
riding out a Redis restart, and prints one JSON line of what it did.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import sys
import time
from pathlib import Path

from newscrawl.distributed.commit import Committer
from newscrawl.distributed.connection import UNREACHABLE, connect, round_trips, wait_for_redis
from newscrawl.distributed.queue import WorkQueue
from newscrawl.distributed.shards import ShardWriter, recover_shards, shard_name


class DyingCommitter(Committer):
    """Commits, except that it dies (SIGKILL) or stalls right before its N-th commit."""

    def __init__(self, *args, die_after: int = 0, pause: float = 0.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.die_after, self.pause, self.calls = die_after, pause, 0

    def commit(self, *args, **kwargs):
        self.calls += 1
        if self.die_after and self.calls == self.die_after:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.pause:
            time.sleep(self.pause)
        return super().commit(*args, **kwargs)


def record_for(url: str, site: str) -> dict:
    return {"url": url, "site": site, "title": url.rsplit("/", 2)[-2], "body": f"本文 {url}",
            "content_hash": hashlib.sha1(url.encode()).hexdigest(), "revision": 1}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("redis_url")
    parser.add_argument("worker_id")
    parser.add_argument("site")
    parser.add_argument("folder")
    parser.add_argument("incarnation")
    parser.add_argument("--lease-seconds", type=float, default=1.0)
    parser.add_argument("--die-after-write", type=int, default=0)
    parser.add_argument("--pause-after-write", type=float, default=0.0)
    parser.add_argument("--client-retries", type=int, default=None,
                        help="0: every connection error reaches this code (redis-py would retry it quietly)")
    args = parser.parse_args(argv)

    client = connect(args.redis_url, retries=args.client_retries)
    committer = DyingCommitter(client, args.worker_id, die_after=args.die_after_write, pause=args.pause_after_write)
    recovery = recover_shards(committer)
    queue = WorkQueue(client, args.worker_id, [args.site], lease_seconds=args.lease_seconds)
    writer = ShardWriter(committer, Path(args.folder) / shard_name(args.worker_id, args.incarnation))
    written = kept = outages = 0
    last_beat = time.monotonic()
    while True:
        try:
            leases = queue.lease(count=5, block_ms=100)
            if not leases:
                if queue.drained():
                    break
                continue
            for lease in leases:
                result = writer.write(record_for(lease.url, lease.site), site=lease.site, lease_id=lease.id)
                queue.forget(lease)
                written += 1
                kept += result.kept
                if time.monotonic() - last_beat > args.lease_seconds / 3:
                    queue.heartbeat()
                    last_beat = time.monotonic()
        except UNREACHABLE:
            # Redis restarts: wait for it, then carry on (every script is safe to send again)
            outages += 1
            if not wait_for_redis(client, 30):
                print("redis did not come back", file=sys.stderr)
                return 4
    writer.close()
    print(json.dumps({"worker": args.worker_id, "written": written, "kept": kept,
                      "duplicates": writer.duplicates, "recovered": recovery.committed,
                      "moved_to_dup": recovery.duplicates, "outages": outages + writer.outages,
                      "round_trips": round_trips(client)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
