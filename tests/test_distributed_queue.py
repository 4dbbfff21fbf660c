"""The work queue against a real redis-server: leases, takeover, dead letters, idempotent enqueue."""

from __future__ import annotations

import threading
import time

import pytest

from newscrawl.distributed.connection import connect, round_trips
from newscrawl.distributed.keys import GROUP, Keys
from newscrawl.distributed.queue import WorkQueue
from newscrawl.distributed.queue_status import requeue_dead, status
from newscrawl.distributed.state import RedisStateStore
from tests.redisserver import redis_client, redis_server  # noqa: F401 - pytest fixtures

SITE = "dailyview"
URLS = [f"https://dailyview.net/article/{n}/" for n in range(1, 11)]


@pytest.fixture
def make_worker(redis_server):  # noqa: F811
    clients = []

    def make(worker_id: str, **kwargs) -> WorkQueue:
        client = connect(redis_server.url)
        clients.append(client)
        return WorkQueue(client, worker_id, [SITE], **kwargs)

    yield make
    for client in clients:
        client.close()


def _site(client) -> dict:
    return vars(status(client, SITE)[0])


def test_enqueue_is_idempotent_and_one_round_trip_per_batch(make_worker):
    q = make_worker("w1")
    before = round_trips(q.redis)
    assert q.enqueue(SITE, URLS) == 10
    assert round_trips(q.redis) - before == 1  # one script call for the whole batch
    assert q.enqueue(SITE, URLS) == 0
    assert q.enqueue(SITE, URLS[:3] + ["https://dailyview.net/article/11/"] * 2) == 1
    assert _site(q.redis)["queued"] == 11


def test_exported_and_done_urls_are_not_queued_again(make_worker):
    q = make_worker("w1")
    RedisStateStore(q.redis).mark_exported(URLS[0], SITE, "h0", "/data/a.jsonl")
    assert q.enqueue(SITE, URLS[:2]) == 1
    [lease] = q.lease(10)
    assert lease.url == URLS[1]
    q.ack(lease)
    assert q.enqueue(SITE, URLS[:2]) == 0  # done (acked) stays done
    assert _site(q.redis)["done"] == 1


def test_lease_then_ack_drains_the_queue(make_worker):
    q = make_worker("w1")
    q.enqueue(SITE, URLS, meta={"since": "2024-01-01"})
    leases = q.lease(count=4)
    assert [lease.url for lease in leases] == URLS[:4]
    assert leases[0].kind == "article" and leases[0].meta == {"since": "2024-01-01"} and leases[0].attempts == 0
    row = _site(q.redis)
    assert (row["queued"], row["leased"]) == (6, 4)
    assert [w for w, n, _ in row["workers"]] == ["w1"]
    rest = q.lease(count=100)
    assert len(rest) == 6
    assert not q.drained()  # nothing queued, but leases are outstanding
    q.ack(*leases, *rest)
    assert q.drained()
    assert _site(q.redis)["done"] == 10
    assert q.redis.xlen(Keys().stream(SITE)) == 0  # acked entries are deleted: the stream stays small


def test_a_blocking_lease_wakes_up_when_a_url_is_queued(make_worker):
    waiting, producer = make_worker("waiting"), make_worker("producer")
    assert waiting.lease(5) == []
    timer = threading.Timer(0.2, producer.enqueue, args=(SITE, URLS[:2]))
    timer.start()
    got = waiting.lease(5, block_ms=5000)
    timer.join()
    assert [x.url for x in got] in (URLS[:1], URLS[:2])  # woken by the first entry, or both
    assert waiting.in_flight and all(x.attempts == 0 for x in got)


def test_two_workers_never_get_the_same_url(make_worker):
    a, b = make_worker("a"), make_worker("b")
    a.enqueue(SITE, URLS)
    got_a = a.lease(5)
    got_b = b.lease(5)
    assert {x.url for x in got_a}.isdisjoint(x.url for x in got_b)
    assert {x.url for x in got_a + got_b} == set(URLS)
    assert a.lease(5) == [] and b.lease(5) == []


def test_an_expired_lease_is_taken_over_by_another_worker(make_worker):
    dead = make_worker("dead", lease_seconds=1)
    live = make_worker("live", lease_seconds=1)
    dead.enqueue(SITE, URLS[:3])
    assert len(dead.lease(3)) == 3  # ... and the worker dies without a word
    assert live.lease(3) == []      # not yet: the lease is fresh
    time.sleep(1.2)
    live._next_takeover = 0  # its next sweep is due now (it sweeps every lease_seconds/2)
    taken = live.lease(3)
    assert sorted(x.url for x in taken) == URLS[:3]
    assert all(x.attempts == 1 for x in taken)  # one earlier try without an outcome
    assert {w for w, n, _ in _site(live.redis)["workers"] if n} == {"live"}


def test_heartbeat_keeps_a_slow_lease_and_never_steals_one_back(make_worker):
    slow = make_worker("slow", lease_seconds=1)
    other = make_worker("other", lease_seconds=1)
    slow.enqueue(SITE, URLS[:1])
    [lease] = slow.lease(1)
    for _ in range(5):  # 1.5 s of work, renewed every 0.3 s
        time.sleep(0.3)
        assert slow.heartbeat() == 1
        other._next_takeover = 0
        assert other.lease(1) == []
    time.sleep(1.2)  # the slow worker stalls: its lease expires and is taken over
    other._next_takeover = 0
    [taken] = other.lease(1)
    assert taken.id == lease.id
    assert slow.heartbeat() == 0  # not taken back
    pending = other.redis.xpending_range(Keys().stream(SITE), GROUP, "-", "+", 10)
    assert [p["consumer"] for p in pending] == [b"other"]


def test_failed_url_is_retried_then_dead_lettered_with_its_last_error(make_worker):
    q = make_worker("w1", max_attempts=3)
    q.enqueue(SITE, URLS[:1])
    outcomes = []
    for attempt in range(3):
        [lease] = q.lease(1)
        assert lease.attempts == attempt
        outcomes.append(q.fail(lease, f"HTTP 503 (try {attempt + 1})"))
    assert outcomes == ["retry", "retry", "dead"]
    assert q.lease(1) == [] and q.drained()
    row = _site(q.redis)
    assert (row["dead"], row["failed"], row["done"]) == (1, 3, 0)
    [(_, letter)] = q.redis.xrange(Keys().dead(SITE))
    assert letter[b"url"] == URLS[0].encode() and letter[b"error"] == b"HTTP 503 (try 3)"
    assert letter[b"attempts"] == b"3" and letter[b"worker"] == b"w1"
    assert q.enqueue(SITE, URLS[:1]) == 0  # a dead URL is not queued again by enqueue ...
    assert requeue_dead(q.redis, SITE) == 1  # ... but by requeue-dead, with its attempts from 0
    [again] = q.lease(1)
    assert again.url == URLS[0] and again.attempts == 0
    assert _site(q.redis)["dead"] == 0


def test_a_url_whose_workers_keep_dying_ends_as_a_dead_letter(make_worker):
    workers = [make_worker(f"w{i}", lease_seconds=0.3, max_attempts=3) for i in range(5)]
    workers[0].enqueue(SITE, URLS[:1])
    assert len(workers[0].lease(1)) == 1  # and dies
    taken = []
    for w in workers[1:]:
        time.sleep(0.4)
        w._next_takeover = 0
        taken.append(len(w.lease(1)))  # each takes it over, then dies too
    assert taken == [1, 1, 0, 0]  # leased 3 times without an outcome: the 4th takeover dead-letters it
    row = _site(workers[0].redis)
    assert row["dead"] == 1 and workers[0].drained()
    [(_, letter)] = workers[0].redis.xrange(Keys().dead(SITE))
    assert b"without a result" in letter[b"error"]


def test_a_restarted_worker_takes_back_its_own_unfinished_leases_first(make_worker):
    first = make_worker("host-1")
    first.enqueue(SITE, URLS[:4])
    held = {x.id for x in first.lease(2)}  # killed with these two in hand
    again = make_worker("host-1")  # the same worker id after its restart
    got = again.lease(1)
    assert held <= {x.id for x in got}
    assert all(x.attempts == 1 for x in got if x.id in held)


def test_fail_of_a_lease_someone_else_finished_changes_nothing(make_worker):
    a, b = make_worker("a", lease_seconds=0.3), make_worker("b", lease_seconds=0.3)
    a.enqueue(SITE, URLS[:1])
    [stale] = a.lease(1)
    time.sleep(0.4)
    b._next_takeover = 0
    [fresh] = b.lease(1)
    b.ack(fresh)
    assert a.fail(stale, "timeout") == "stale"
    row = _site(a.redis)
    assert (row["done"], row["failed"], row["dead"], row["queued"]) == (1, 0, 0, 0)


def test_status_of_an_empty_redis_lists_nothing(redis_client):  # noqa: F811
    assert status(redis_client) == []


def test_a_missing_redis_server_skips_unless_ci_requires_it(monkeypatch):
    import tests.redisserver as rs

    monkeypatch.setattr(rs, "redis_server_binary", lambda: None)
    monkeypatch.delenv("NEWSCRAWL_REQUIRE_REDIS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="redis-server is not installed"):
        rs.require_redis_server()
    monkeypatch.setenv("NEWSCRAWL_REQUIRE_REDIS", "1")
    with pytest.raises(pytest.fail.Exception, match="NEWSCRAWL_REQUIRE_REDIS=1"):
        rs.require_redis_server()
