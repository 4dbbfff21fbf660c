"""Politeness shared by all workers: one token bucket per host in Redis.

Grant times are Redis's own clock (TIME inside the script), the clock that enforces the
rate, so the check is on the decisions themselves, not on how fast this machine ran.
"""

from __future__ import annotations

import multiprocessing
import time

import pytest

from newscrawl.distributed.connection import connect
from newscrawl.distributed.politeness import SharedPoliteness, host_rate
from tests.redisserver import redis_client, redis_server  # noqa: F401 - pytest fixtures

RATE = 4.0      # tokens a second: DOWNLOAD_DELAY 0.25
BURST = 1.0
SECONDS = 3.0
PROCESSES = 4


def _hammer(url: str, host: str, seconds: float, out) -> None:
    """One worker: ask for a token as soon as the last answer allows, for *seconds*."""
    polite = SharedPoliteness(connect(url), burst=BURST)
    grants, stop = [], time.monotonic() + seconds
    while time.monotonic() < stop:
        wait = polite.acquire(host, RATE)
        if wait <= 0:
            grants.append(polite.last_decision_time)
        else:
            time.sleep(min(wait, 0.05))  # and sometimes earlier than told: the bucket must still hold
    out.put(grants)


def test_host_rate_is_one_over_the_larger_delay():
    assert host_rate(0.5) == 2.0
    assert host_rate(0.5, crawl_delay=4) == 0.25  # robots.txt asks for more: it wins
    assert host_rate(2, crawl_delay=1) == 0.5
    assert host_rate(0, None) is None  # no delay configured: no bucket


def test_workers_together_keep_one_hosts_rate(redis_server):  # noqa: F811
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_hammer, args=(redis_server.url, "www.yna.co.kr", SECONDS, out))
             for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    grants = sorted(t for _ in procs for t in out.get(timeout=60))
    for p in procs:
        p.join(timeout=30)
    assert len(grants) >= 3
    # in every stretch of time between two grants, no more grants than the rate allows, plus the burst
    for i in range(len(grants)):
        for j in range(i + 1, len(grants)):
            span = grants[j] - grants[i]
            assert j - i + 1 <= BURST + RATE * span + 1e-6, (i, j, span)
    # and the workers together did use the rate (not starved): at least half of it over the run
    span = grants[-1] - grants[0]
    assert len(grants) - 1 >= 0.5 * RATE * span


def test_hosts_have_their_own_buckets_and_no_delay_means_no_wait(redis_client):  # noqa: F811
    polite = SharedPoliteness(redis_client)
    assert polite.acquire("a.example", 1.0) == 0.0
    wait = polite.acquire("a.example", 1.0)
    assert 0 < wait <= 1.0
    assert polite.acquire("b.example", 1.0) == 0.0  # another host is not slowed by the first
    assert polite.acquire("a.example", None) == 0.0


def test_an_idle_bucket_goes_away(redis_client):  # noqa: F811
    polite = SharedPoliteness(redis_client)
    polite.acquire("idle.example", 10.0)
    ttl = redis_client.pttl("newscrawl:bucket:idle.example")
    assert 0 < ttl <= 1100  # full again after burst / rate = 0.1 s; then it is the same as no bucket


@pytest.mark.parametrize("rate", [0.5, 2.0])
def test_the_wait_is_what_the_rate_says(redis_client, rate):  # noqa: F811
    polite = SharedPoliteness(redis_client)
    assert polite.acquire("w.example", rate) == 0.0
    granted_at = polite.last_decision_time
    wait = polite.acquire("w.example", rate)
    elapsed = polite.last_decision_time - granted_at  # on Redis's clock
    assert wait == pytest.approx(1 / rate - elapsed, abs=1e-3)
