"""Politeness shared by all workers: one token bucket per host in Redis.

Slot times are Redis's own clock (TIME inside the script, plus the wait it gave), the clock
that enforces the rate, so the check is on the decisions themselves, not on how fast this
machine ran.
"""

from __future__ import annotations

import bisect
import multiprocessing
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newscrawl.distributed.connection import connect
from newscrawl.distributed.politeness import SharedPoliteness, host_rate
from newscrawl.distributed.queue import WorkQueue
from tests.distributed_site import distinct_page, lines, stats_of, worker
from tests.redisserver import redis_client, redis_server  # noqa: F401 - pytest fixtures

RATE = 4.0      # tokens a second: DOWNLOAD_DELAY 0.25
BURST = 1.0
SECONDS = 3.0
PROCESSES = 4


def _hammer(url: str, host: str, seconds: float, out) -> None:
    """One worker: reserve a slot as soon as the last one came, for *seconds*; every third time it
    also asks once more at once (a careless caller): that only reserves another, later slot."""
    polite = SharedPoliteness(connect(url), burst=BURST)
    grants, stop, n = [], time.monotonic() + seconds, 0
    while time.monotonic() < stop:
        n += 1
        for _ in range(2 if n % 3 == 0 else 1):
            wait = polite.acquire(host, RATE)
            grants.append(polite.last_decision_time + wait)  # when this slot is (Redis's clock)
        time.sleep(wait)
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
            assert j - i + 1 <= BURST + RATE * (span + 1e-3), (i, j, span)  # times are kept to the microsecond
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


def test_a_faster_caller_does_not_pull_the_slots_already_given_closer(redis_client):  # noqa: F811
    polite = SharedPoliteness(redis_client)
    slots = []
    for rate in (2.0, 2.0, 10.0, 2.0):  # the third caller has not read the Crawl-delay yet
        wait = polite.acquire("mixed.example", rate)
        slots.append(polite.last_decision_time + wait)
    gaps = [b - a for a, b in zip(slots, slots[1:])]
    assert all(gap >= 0.5 - 1e-3 for gap in gaps), gaps


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


# -- three `scrapy crawl` workers against one server that logs when each request came -----------------
class _Logged(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        owner = self.server.owner
        with owner.lock:
            owner.times.append((time.monotonic(), self.path))
        if self.path == "/robots.txt":
            body, kind = owner.robots.encode(), "text/plain"
        elif self.path.startswith("/a/"):
            body, kind = distinct_page(int(self.path.split("/")[2])).encode("utf-8"), "text/html; charset=UTF-8"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class TimedServer:
    """127.0.0.1 on a free port; ``times``: (monotonic time, path) of every request it got."""

    def __init__(self, robots: str) -> None:
        self.robots = robots
        self.times: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), _Logged)
        self.http.daemon_threads = True
        self.http.owner = self
        self.thread = threading.Thread(target=self.http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}{path}"

    def __enter__(self) -> "TimedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.http.shutdown()
        self.http.server_close()


def most_in_any_window(times: list[float], seconds: float) -> int:
    times = sorted(times)
    return max((bisect.bisect_right(times, t + seconds - 1e-9) - i for i, t in enumerate(times)), default=0)


def test_three_crawl_workers_together_keep_the_robots_crawl_delay_of_a_host(redis_server, tmp_path):  # noqa: F811
    articles = 20
    with TimedServer("User-agent: *\nCrawl-delay: 0.5\n") as server:  # 2 requests/s, whatever DOWNLOAD_DELAY says
        client = connect(redis_server.url)
        WorkQueue(client, "producer", ["news"]).enqueue("news", [server.url(f"/a/{n}") for n in range(articles)])
        client.close()
        settings = {"DOWNLOAD_DELAY": 0.1, "CONCURRENT_REQUESTS": 2, "NEWSCRAWL_LEASE_SECONDS": 10,
                    "NEWSCRAWL_ALLOWED_NETWORKS": "127.0.0.1/32"}  # the test server (loopback is refused otherwise)
        procs = [worker("news", redis_server.url, tmp_path / "data", tmp_path / f"w{i}.jsonl", settings=settings)
                 for i in range(3)]
        for i, proc in enumerate(procs):
            assert proc.wait(timeout=180) == 0, (tmp_path / f"w{i}.log").read_text()[-3000:]
        pages = [t for t, path in server.times if path.startswith("/a/")]
    assert len(pages) == articles
    assert len(lines(tmp_path.glob("w*.jsonl"))) == articles
    stats = [stats_of(tmp_path / f"w{i}.jsonl")["stats"] for i in range(3)]
    assert sum(1 for s in stats if s.get("newscrawl/queue/committed")) >= 2  # the work was shared
    assert sum(s.get("newscrawl/politeness/crawl_delay_hosts", 0) for s in stats) >= 1
    # over all workers: the mean rate (a bucket of burst 1 allows one request more than rate x time),
    # and at most rate x window + the burst in any window.  The slots are exact on Redis's clock; a
    # request leaves when its worker's reactor gets to it (later on a busy machine), so arrivals get
    # 5% and one request of slack.  Without the bucket, 20 pages come in a second or two; with
    # DOWNLOAD_DELAY's 10/s instead of the Crawl-delay, in two.
    span = max(pages) - min(pages)
    print(f"\n{len(pages)} pages in {span:.1f}s, at most {most_in_any_window(pages, 2.0)} in 2 s")
    assert (len(pages) - 1 - 1) / span <= 2.0 * 1.05
    assert most_in_any_window(pages, 2.0) <= 2 * 2 + 1 + 1
