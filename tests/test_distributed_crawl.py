"""`scrapy crawl` in distributed mode against a real redis-server: the command contract of
issue 16, exactly-once export with a worker SIGKILLed and Redis restarted, and the exit statuses.

Workers are real `scrapy crawl` processes over a replayed archive (tests/distributed_site.py),
sharing one data folder, each with its own -O shard.  The claim checked every time: the union
of the shards holds every article exactly once, and the queue agrees (done, nothing queued or
leased).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newscrawl.distributed.connection import connect
from newscrawl.distributed.progress import Snapshot, progress_line, rate_and_eta
from newscrawl.distributed.queue_status import status
from tests.distributed_site import build, lines, many_articles, stats_of, worker
from tests.helpers import ROOT
from tests.redisserver import redis_server  # noqa: F401 - pytest fixture

SITE = "dailyview"
FAST = {"NEWSCRAWL_LEASE_SECONDS": 5}  # a killed worker's leases go to the others within seconds
KILL_WRITES = {"ADDONS": json.dumps({"tests.faults.KillAfterWrites": 0})}


def queue_row(server):
    client = connect(server.url)
    try:
        rows = status(client, SITE)
    finally:
        client.close()
    return rows[0] if rows else None


def wait_until(condition, timeout: float = 120, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def finish(proc: subprocess.Popen, out: Path, timeout: float = 300) -> dict:
    code = proc.wait(timeout=timeout)
    assert code == 0, out.with_suffix(".log").read_text()[-3000:]
    return stats_of(out)


def assert_exactly_once(server, shards, expected: list[str]) -> list[dict]:
    records = lines(shards)
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)), f"{len(urls) - len(set(urls))} article(s) exported twice"
    assert set(urls) == set(expected), f"{len(set(expected) - set(urls))} article(s) lost"
    row = queue_row(server)
    assert (row.queued, row.leased, row.dead) == (0, 0, 0)
    return records


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("small")
    site, urls = many_articles(tmp / "small", 120)
    (tmp / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
    return build(site, tmp), tmp / "urls.txt", urls


# -- the command contract --------------------------------------------------------------------------------
def test_one_worker_queues_a_file_others_join_and_all_exit_0_when_drained(small_site, tmp_path, redis_server):  # noqa: F811
    warc, urls_file, urls = small_site
    data = tmp_path / "data"
    first = worker(SITE, redis_server.url, data, tmp_path / "out1.jsonl", "-a", f"urls_file={urls_file}",
                   warc=warc)
    wait_until(lambda: (row := queue_row(redis_server)) is not None and row.queued + row.leased + row.done > 0,
               what="the first worker to queue its file")
    joined = worker(SITE, redis_server.url, data, tmp_path / "out2.jsonl", warc=warc)
    default = worker(SITE, redis_server.url, data, tmp_path / "unused.jsonl", warc=warc, default_output=True)
    runs = {"out1": finish(first, tmp_path / "out1.jsonl"), "out2": finish(joined, tmp_path / "out2.jsonl"),
            "default": finish(default, tmp_path / "unused.jsonl")}
    worker_ids = {name: run["stats"]["newscrawl/queue/worker_id"] for name, run in runs.items()}
    assert len(set(worker_ids.values())) == 3  # one data folder, three workers, three ids
    # the default output is the worker's shard, <time>--<worker id>.jsonl (written if it got work)
    shards = sorted((data / SITE).glob("*.jsonl"))
    assert all(path.name.endswith(f"--{worker_ids['default']}.jsonl") for path in shards)
    assert runs["default"]["stats"].get("newscrawl/queue/shards", "").endswith(f"--{worker_ids['default']}.jsonl")
    assert_exactly_once(redis_server, [tmp_path / "out1.jsonl", tmp_path / "out2.jsonl", *shards], urls)
    committed = sum(run["stats"].get("newscrawl/queue/committed", 0) for run in runs.values())
    assert committed == len(urls) == sum(run["stats"].get("newscrawl/items/exported", 0) for run in runs.values())
    assert all(not run["verdict"]["failed"] for run in runs.values())

    # queueing again is idempotent: the same file adds nothing (every URL is exported) and the run is quiet
    again = finish(worker(SITE, redis_server.url, data, tmp_path / "out3.jsonl", "-a", f"urls_file={urls_file}",
                          warc=warc), tmp_path / "out3.jsonl")
    assert again["stats"].get("newscrawl/queue/enqueued", 0) == 0
    assert again["stats"].get("newscrawl/items/exported", 0) == 0 and not again["verdict"]["failed"]


def run_command(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "scrapy"), "crawl", SITE, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env)


def test_bad_distributed_settings_and_an_unreachable_redis_stop_before_anything_starts(small_site, tmp_path):
    from tests.redisserver import free_port

    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    replay = ("-s", f"NEWSCRAWL_REPLAY={small_site[0]}")  # no network check: Redis is what is checked
    bad_url = run_command(*replay, "-s", "NEWSCRAWL_REDIS_URL=http://:secret@127.0.0.1:1/0", env=env)
    assert bad_url.returncode == 2 and "secret" not in bad_url.stderr
    bad_id = run_command(*replay, "-s", f"NEWSCRAWL_REDIS_URL=redis://127.0.0.1:{free_port()}/0",
                         "-s", "NEWSCRAWL_WORKER_ID=../x", env=env)
    assert bad_id.returncode == 2
    nobody = run_command(*replay, "-s", f"NEWSCRAWL_REDIS_URL=redis://127.0.0.1:{free_port()}/0", env=env)
    assert nobody.returncode == 4, nobody.stderr[-2000:]
    assert "Traceback" not in nobody.stderr and "cannot reach Redis" in nobody.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "data" / "locks").exists() or not list((tmp_path / "data" / "locks").glob("worker-*"))


def test_a_worker_id_in_use_is_refused_with_75(small_site, tmp_path, redis_server):  # noqa: F811
    from newscrawl.distributed.worker import claim_worker_id

    _, held = claim_worker_id(tmp_path / "data" / "locks", explicit="w1")
    try:
        env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
        refused = run_command("-s", f"NEWSCRAWL_REPLAY={small_site[0]}", "-s", f"NEWSCRAWL_REDIS_URL={redis_server.url}",
                              "-s", "NEWSCRAWL_WORKER_ID=w1", env=env)
        assert refused.returncode == 75, refused.stderr[-2000:]
    finally:
        held.release()


def test_a_worker_whose_redis_goes_away_stops_with_4_and_its_work_is_not_lost(small_site, tmp_path,  # noqa: F811
                                                                             redis_server):
    warc, urls_file, urls = small_site
    data = tmp_path / "data"
    # slow enough to be caught mid-run: a pipeline that takes a while per record would do the same
    proc = worker(SITE, redis_server.url, data, tmp_path / "out1.jsonl", "-a", f"urls_file={urls_file}", warc=warc,
                  settings={"NEWSCRAWL_REDIS_WAIT": 1, "CONCURRENT_REQUESTS": 1})
    wait_until(lambda: len(lines([tmp_path / "out1.jsonl"])) >= 5, what="a few records")
    redis_server.stop()
    assert proc.wait(timeout=60) == 4, (tmp_path / "out1.log").read_text()[-3000:]
    stats = stats_of(tmp_path / "out1.jsonl")
    assert stats["stats"]["newscrawl/queue/redis_lost"] == 1 and stats["verdict"]["failed"]
    redis_server.start()  # the same AOF: the queue is as the worker left it
    rest = finish(worker(SITE, redis_server.url, data, tmp_path / "out2.jsonl", warc=warc), tmp_path / "out2.jsonl")
    assert rest["stats"]["newscrawl/queue/worker_id"] == stats["stats"]["newscrawl/queue/worker_id"]
    assert_exactly_once(redis_server, [tmp_path / "out1.jsonl", tmp_path / "out2.jsonl"], urls)


def test_a_worker_killed_between_write_and_commit_commits_its_line_when_it_starts_again(small_site, tmp_path,  # noqa: F811
                                                                                      redis_server):
    warc, urls_file, urls = small_site
    data = tmp_path / "data"
    killed = worker(SITE, redis_server.url, data, tmp_path / "out1.jsonl", "-a", f"urls_file={urls_file}", warc=warc,
                    settings={**KILL_WRITES, "FAULT_KILL_AFTER": 7})
    assert killed.wait(timeout=120) == -9  # its 7th line is on disk, not committed; its leases are still its own
    again = finish(worker(SITE, redis_server.url, data, tmp_path / "out2.jsonl", warc=warc), tmp_path / "out2.jsonl")
    assert_exactly_once(redis_server, [tmp_path / "out1.jsonl", tmp_path / "out2.jsonl"], urls)
    assert len(lines([tmp_path / "out1.jsonl"])) == 7
    assert again["stats"].get("newscrawl/queue/recovered") == 1  # nobody else had it: committed where it is


def test_a_request_lost_without_an_outcome_does_not_keep_the_queue_open(small_site, tmp_path, redis_server):  # noqa: F811
    warc, _, urls = small_site
    urls_file = tmp_path / "urls.txt"
    urls_file.write_text("\n".join(urls[:20]) + "\n", encoding="utf-8")  # 3 errors of 22: a good run
    run = finish(worker(SITE, redis_server.url, tmp_path / "data", tmp_path / "out.jsonl", "-a", f"urls_file={urls_file}",
                        warc=warc, settings={"ADDONS": json.dumps({"tests.distributed_site.DropRequests": 0}),
                                             "FAULT_DROP_SUFFIX": "/article/3/"}), tmp_path / "out.jsonl")
    assert run["stats"]["newscrawl/queue/no_outcome"] == 3  # tried NEWSCRAWL_MAX_ATTEMPTS times ...
    assert queue_row(redis_server).dead == 1  # ... then a dead letter, and the worker exits
    assert len(lines([tmp_path / "out.jsonl"])) == 19


# -- killed workers and a restarted Redis, at scale ---------------------------------------------------------
N = 2000


@pytest.fixture(scope="module")
def big_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("big")
    site, urls = many_articles(tmp / "big", N)
    (tmp / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
    return build(site, tmp), tmp / "urls.txt", urls


def test_three_workers_one_sigkilled_mid_run_and_restarted_export_every_article_once(big_site, tmp_path,  # noqa: F811
                                                                                      redis_server):
    warc, urls_file, urls = big_site
    data = tmp_path / "data"
    started = time.monotonic()
    a = worker(SITE, redis_server.url, data, tmp_path / "a.jsonl", "-a", f"urls_file={urls_file}", warc=warc,
               settings=FAST)
    wait_until(lambda: (row := queue_row(redis_server)) is not None and row.queued > 0, what="the queue")
    # b dies right after its 150th line is on disk and before that line's commit: the window that matters
    b = worker(SITE, redis_server.url, data, tmp_path / "b1.jsonl", warc=warc,
               settings={**FAST, **KILL_WRITES, "FAULT_KILL_AFTER": 150})
    c = worker(SITE, redis_server.url, data, tmp_path / "c.jsonl", warc=warc, settings=FAST)
    assert b.wait(timeout=300) == -9
    b2 = worker(SITE, redis_server.url, data, tmp_path / "b2.jsonl", warc=warc, settings=FAST)  # the same id
    runs = [finish(p, tmp_path / f"{name}.jsonl") for p, name in ((a, "a"), (c, "c"), (b2, "b2"))]
    elapsed = time.monotonic() - started
    shards = [tmp_path / f"{name}.jsonl" for name in ("a", "b1", "c", "b2")]
    assert_exactly_once(redis_server, shards, urls)
    restarted = runs[2]["stats"]
    # the line b wrote but never committed was settled when its id came back: committed, or set aside
    assert restarted.get("newscrawl/queue/recovered", 0) + restarted.get("newscrawl/queue/recovered_duplicates", 0) == 1
    trips = sum(run["stats"]["newscrawl/queue/redis_round_trips"] for run in runs)
    print(f"\n3 workers, {N} articles, one killed and restarted: {elapsed:.0f}s; "
          f"Redis round trips per article (the three finishing runs): {trips / N:.1f}")


def test_redis_restarted_mid_run_loses_nothing_and_doubles_nothing(small_site, tmp_path, redis_server):  # noqa: F811
    warc, urls_file, urls = small_site
    data = tmp_path / "data"
    # slow workers (50 ms per article): the restarts surely fall inside the run, never after a fast replay
    settings = {**FAST, "CONCURRENT_REQUESTS": 2, "NEWSCRAWL_REDIS_WAIT": 30,
                "ADDONS": json.dumps({"tests.faults.PauseAfterWrites": 0}), "FAULT_PAUSE": 0.05}
    procs = {"a": worker(SITE, redis_server.url, data, tmp_path / "a.jsonl", "-a", f"urls_file={urls_file}",
                         warc=warc, settings=settings)}
    wait_until(lambda: (row := queue_row(redis_server)) is not None and row.queued > 0, what="the queue")
    procs["b"] = worker(SITE, redis_server.url, data, tmp_path / "b.jsonl", warc=warc, settings=settings)
    outs = [tmp_path / f"{name}.jsonl" for name in procs]
    # b joins before the first restart (a worker that cannot reach Redis when it starts exits 4 at once)
    wait_until(lambda: len(lines([outs[1]])) >= 1, what="the second worker's first record")
    for hard, share in ((False, 4), (True, 2)):  # a clean SHUTDOWN, then SIGKILL (the AOF is fsynced always)
        wait_until(lambda: len(lines(outs)) >= len(urls) // share, what="records")
        redis_server.restart(hard=hard, down_for=0.5)
    runs = [finish(proc, tmp_path / f"{name}.jsonl") for name, proc in procs.items()]
    assert sum(run["stats"].get("newscrawl/queue/redis_outages", 0) for run in runs) >= 1  # they felt it
    assert_exactly_once(redis_server, outs, urls)


# -- the progress line -------------------------------------------------------------------------------------------
def test_the_progress_line_has_done_queued_rate_and_eta_over_all_workers():
    before = Snapshot(at=100.0, done=400, queued=600, leased=10, dead=1)
    now = Snapshot(at=160.0, done=700, queued=292, leased=8, dead=1)
    assert rate_and_eta(now, before) == (5.0, 60.0)
    assert rate_and_eta(now, None) == (None, None)
    line = progress_line("yonhap", "crawl-a-1", now, before, mine=230)
    assert "done 700" in line and "queued 292" in line and "5.0/s" in line and "ETA 60s" in line
    assert rate_and_eta(Snapshot(200.0, 700, 5, 0, 0), now) == (0.0, None)  # stalled: no ETA rather than a lie
