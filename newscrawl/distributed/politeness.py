"""Politeness per host across every worker: a token bucket in Redis.

Scrapy's DOWNLOAD_DELAY and AutoThrottle hold per process, so N workers would hit a site
N times as hard.  Here all workers draw from one bucket per host: it refills at
``rate`` tokens a second up to ``burst``; a request takes a token or is told how long to
wait.  The script reads Redis's clock (TIME), not the workers': machines whose clocks
disagree still share one rate.

    rate = host_rate(DOWNLOAD_DELAY, robots.txt crawl-delay)   # 1 / the larger delay
    wait = politeness.acquire(host, rate)                      # 0.0: go now; else go after wait s
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: redis-py is the [redis] extra, and a backfill on one machine runs without it
    import redis

from .keys import DEFAULT_PREFIX, Keys

DEFAULT_BURST = 1.0

_TAKE = r"""
-- KEYS[1]: the host's bucket   ARGV: rate (tokens/s), burst
-- Reserves the next slot: returns {seconds until it ("0" = now), Redis time of the decision}.
-- The bucket may go below zero: each waiting request holds its own slot, 1/rate after the one
-- before, so a request asks once and goes at its time (no retry storm between workers, first
-- come first served).
-- Workers may ask with different rates (one has not read the host's robots.txt Crawl-delay yet):
-- the slowest rate asked for holds while the bucket lives, so that no caller's faster refill
-- moves the slots already given out closer together.
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'rate')
local tokens, ts = tonumber(b[1]), tonumber(b[2])
if not tokens or not ts then tokens, ts = burst, now end
if tonumber(b[3]) then rate = math.min(rate, tonumber(b[3])) end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate) - 1
local wait = 0
if tokens < 0 then wait = -tokens / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now), 'rate', tostring(rate))
-- a bucket left alone refills to full: after that it is the same as no bucket at all
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return {tostring(wait), string.format('%.6f', now)}
"""


def host_rate(download_delay: float, crawl_delay: float | None = None) -> float | None:
    """Requests per second for one host: 1 / max(DOWNLOAD_DELAY, crawl-delay); None = no limit."""
    delay = max(float(download_delay or 0), float(crawl_delay or 0))
    return 1.0 / delay if delay > 0 else None


class SharedPoliteness:
    def __init__(self, client: redis.Redis, *, prefix: str = DEFAULT_PREFIX, burst: float = DEFAULT_BURST) -> None:
        self.redis = client
        self.keys = Keys(prefix)
        self.burst = max(1.0, float(burst))
        self._take = client.register_script(_TAKE)
        self.last_decision_time = 0.0  # Redis's clock at the last call (tests check grants against it)

    def acquire(self, host: str, rate: float | None, burst: float | None = None) -> float:
        """Reserve the next slot for *host*: 0.0 = go now, else go after that many seconds.  The slot
        is this caller's: it must not ask again (asking again reserves another, later one)."""
        if not rate:
            return 0.0
        wait, when = self._take(keys=[self.keys.bucket(host.lower())],
                                args=[repr(float(rate)), repr(float(burst or self.burst))])
        self.last_decision_time = float(when)
        return float(wait)

    def wait_for(self, host: str, rate: float | None, *, sleep=time.sleep, burst: float | None = None) -> None:
        """Block until this caller's slot for *host* comes (for threads and scripts; the crawl uses
        acquire() with the reactor's own timer instead)."""
        wait = self.acquire(host, rate, burst)
        if wait > 0:
            sleep(wait)
