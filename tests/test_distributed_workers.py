"""Worker processes against a real redis-server: SIGKILL between write and commit, Redis restarts.

Each worker is tests/distributed_worker.py (the queue, the shard and the commit without
Scrapy).  The claim checked every time: the union of the shards holds every URL exactly once,
and the queue agrees (done = N, nothing queued, leased or dead).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from newscrawl.distributed.connection import connect
from newscrawl.distributed.queue import WorkQueue
from newscrawl.distributed.queue_status import status
from tests.helpers import ROOT
from tests.redisserver import redis_server  # noqa: F401 - pytest fixture

SITE = "dailyview"
N = 600
URLS = [f"https://dailyview.net/article/{n}/" for n in range(1, N + 1)]


def start(server, worker_id: str, folder: Path, incarnation: str, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "tests.distributed_worker", server.url, worker_id, SITE, str(folder), incarnation,
           "--lease-seconds", "1", *extra]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


def enqueue_all(server) -> None:
    client = connect(server.url)
    assert WorkQueue(client, "producer", [SITE]).enqueue(SITE, URLS) == N
    client.close()


def assert_every_url_once(server, folder: Path) -> list[str]:
    urls = [json.loads(line)["url"] for path in sorted(folder.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(urls) == len(set(urls)), f"{len(urls) - len(set(urls))} URL(s) exported twice"
    assert set(urls) == set(URLS), f"{len(set(URLS) - set(urls))} URL(s) lost"
    client = connect(server.url)
    row = status(client, SITE)[0]
    client.close()
    assert (row.done, row.queued, row.leased, row.dead) == (N, 0, 0, 0)
    return urls


def lines_in(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_three_workers_one_killed_between_write_and_commit_and_restarted_at_once(redis_server, tmp_path):  # noqa: F811
    enqueue_all(redis_server)
    folder = tmp_path / "shards"
    folder.mkdir()
    victim = start(redis_server, "w2", folder, "1", "--die-after-write", "40", "--pause-after-write", "0.002")
    others = [start(redis_server, w, folder, "1", "--pause-after-write", "0.002") for w in ("w1", "w3")]
    victim.wait(timeout=60)
    assert victim.returncode == -9  # SIGKILL, right after its 40th line was fsynced
    restarted = start(redis_server, "w2", folder, "2")  # the same worker id, before its leases expire
    results = [finish(p) for p in [*others, restarted]]
    assert results[2]["recovered"] + results[2]["moved_to_dup"] == 1  # the uncommitted line was settled
    assert_every_url_once(redis_server, folder)
    # round trips per article over all workers: lease batches of 5 + one commit each (+ polls at the end)
    per_article = sum(r["round_trips"] for r in results) / N
    print(f"Redis round trips per article (lease batches of 5 + commit): {per_article:.2f}")
    assert per_article < 2.0, per_article


def test_a_worker_that_stays_down_has_its_line_moved_out_when_it_comes_back(redis_server, tmp_path):  # noqa: F811
    enqueue_all(redis_server)
    folder = tmp_path / "shards"
    folder.mkdir()
    victim = start(redis_server, "w2", folder, "1", "--die-after-write", "30", "--pause-after-write", "0.002")
    others = [start(redis_server, w, folder, "1") for w in ("w1", "w3")]
    victim.wait(timeout=60)
    assert victim.returncode == -9
    for proc in others:  # they take the dead worker's leases over once they expire, and drain the queue
        finish(proc)
    restarted = finish(start(redis_server, "w2", folder, "2"))
    assert (restarted["recovered"], restarted["moved_to_dup"]) == (0, 1)
    assert len(list(folder.glob("*.dup"))) == 1
    assert_every_url_once(redis_server, folder)


def test_redis_restarted_mid_run_loses_nothing_and_doubles_nothing(redis_server, tmp_path):  # noqa: F811
    enqueue_all(redis_server)
    folder = tmp_path / "shards"
    folder.mkdir()
    # no quiet retries inside redis-py: every outage reaches the worker's and ShardWriter's own handling
    workers = [start(redis_server, w, folder, "1", "--pause-after-write", "0.003", "--client-retries", "0")
               for w in ("w1", "w2", "w3")]
    for hard in (False, True):  # a clean SHUTDOWN, then a SIGKILL of redis-server (the AOF is fsynced always)
        deadline = time.monotonic() + 60
        target = N // 4 if not hard else N // 2
        while sum(lines_in(p) for p in folder.glob("*.jsonl")) < target and time.monotonic() < deadline:
            time.sleep(0.02)
        redis_server.restart(hard=hard, down_for=0.5)
    results = [finish(proc) for proc in workers]
    assert sum(r["outages"] for r in results) >= 1  # the restarts were felt
    assert_every_url_once(redis_server, folder)
