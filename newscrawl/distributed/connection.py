"""One Redis client per worker, with its round trips counted.

The issue asks for Redis round trips per article.  They are counted where they happen:
each time the client sends a request and waits for the answer (one command, one
pipeline, one Lua script call).  redis-py's connection hands every such send to
``send_packed_command``; the connection handshake and health-check PINGs are not counted
(they are per connection, not per article).

The client speaks RESP2 (``protocol=2``): every reply shape this package parses is the
one Redis documents for every server version (redis-py 8 would pick RESP3).
"""

from __future__ import annotations

import logging
import re
import threading
import time

import redis
from redis.backoff import ExponentialBackoff, ExponentialWithJitterBackoff
from redis.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.retry import Retry

logger = logging.getLogger(__name__)

# what a Redis that does not answer (or refuses us) raises: the CLI and the workers turn
# these into one line and an exit status, never a traceback
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
               redis.exceptions.AuthenticationError)


class RoundTrips:
    """A thread-safe counter of requests sent to Redis (one per command, pipeline or script call)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def add(self) -> None:
        with self._lock:
            self.count += 1


def _counting(base: type, counter: RoundTrips) -> type:
    class CountingConnection(base):
        _handshake = False

        def on_connect_check_health(self, *args, **kwargs):
            self._handshake = True  # HELLO, CLIENT SETINFO, SELECT: once per connection, not counted
            try:
                return super().on_connect_check_health(*args, **kwargs)
            finally:
                self._handshake = False

        def send_packed_command(self, command, check_health=True):
            if check_health and not self._handshake:  # health-check PINGs pass check_health=False
                counter.add()
            return super().send_packed_command(command, check_health=check_health)

    return CountingConnection


class RidingRetry(Retry):
    """redis-py's Retry, counting and saying the attempts that failed (``client.outages``).

    A crawl's client rides out a Redis restart inside redis-py: every component that reads or
    writes the shared state (the skip middleware, dedup) waits for it the same way, instead of
    failing its record; every command newscrawl sends is safe to send twice (the scripts check
    before they write: commit answers "already", enqueue skips what is queued)."""

    def __init__(self, seconds: float, counter: "RoundTrips", url: str) -> None:
        # waits of 0.1 s doubling up to 1 s (no jitter: the total is about *seconds*): a restart
        # of a second costs a second, and a Redis gone for good is given up on in time
        retries = max(1, int(seconds) + 4)
        super().__init__(ExponentialBackoff(base=0.05, cap=1.0), retries)
        self.counter = counter
        self.url = url
        self.seconds = seconds

    def __deepcopy__(self, memo):
        # redis-py gives each connection a deep copy of its retry: they all count into one counter
        # (a shallow copy: ExponentialBackoff holds no state between calls, so sharing it is safe)
        copy = RidingRetry.__new__(RidingRetry)
        copy.__dict__.update(self.__dict__)
        return copy

    def call_with_retry(self, do, fail, is_retryable=None, with_failure_count=False):
        def counted(error, failures=None):
            self.counter.add()
            if failures == 1:
                logger.warning("Redis at %s does not answer (%s): trying again for up to %gs",
                               self.url, error, self.seconds)
            return fail(error, failures) if with_failure_count else fail(error)

        return super().call_with_retry(do, counted, is_retryable, with_failure_count=True)


def redact(url: str) -> str:
    """The URL without its password, for log lines and error messages."""
    return re.sub(r"(//[^:@/]*:)[^@/]*@", r"\1***@", url)


def connect(url: str, *, socket_timeout: float | None = 30.0, connect_timeout: float = 5.0,
            retries: int | None = None, ride_out: float | None = None) -> redis.Redis:
    """A client for *url* (redis://, rediss://, unix://) whose ``round_trips`` counts its requests.

    Raises ValueError for a URL redis-py cannot read.  Nothing is sent until the first command.
    *socket_timeout* must stay above the longest blocking read (lease(block_ms=...)).
    *retries*: reconnections per command on a connection error (default: redis-py's, 10 with a
    backoff up to 1 s; the CLI uses 0 so that an unreachable Redis is reported at once).
    *ride_out*: instead, keep trying for about that many seconds, counting (``client.outages``)
    and saying it (a crawl: RidingRetry).
    """
    counter = RoundTrips()
    outages = RoundTrips()
    scheme = url.split("://", 1)[0].lower()
    base = {"rediss": SSLConnection, "unix": UnixDomainSocketConnection}.get(scheme, Connection)
    options = {}
    if ride_out is not None:
        options["retry"] = RidingRetry(ride_out, outages, redact(url))
    elif retries is not None:
        options["retry"] = Retry(ExponentialWithJitterBackoff(base=0.05, cap=1.0), retries)
    client = redis.Redis.from_url(url, connection_class=_counting(base, counter), protocol=2,
                                  socket_timeout=socket_timeout,
                                  socket_connect_timeout=connect_timeout, **options)
    client.round_trips = counter
    client.outages = outages  # failed attempts a RidingRetry sent again
    client.newscrawl_url = redact(url)
    return client


def wait_for_redis(client: redis.Redis, timeout: float, *, sleep=time.sleep) -> bool:
    """PING until Redis answers (a restart, a failover) or *timeout* seconds pass; True if it answered.

    A worker calls this when a command raised one of UNREACHABLE, then carries on: every
    script is safe to send again (enqueue, ack and commit check before they write)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return bool(client.ping())
        except UNREACHABLE:
            if time.monotonic() >= deadline:
                return False
            sleep(0.2)


def round_trips(client: redis.Redis) -> int:
    counter = getattr(client, "round_trips", None)
    return counter.count if counter is not None else 0
