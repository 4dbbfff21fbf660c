"""Watching and repairing the work queue: status per site, dead letters back into their queues.

Used by ``python -m newscrawl.queue status`` and ``requeue-dead`` (cli.py); a worker's progress
line can call status() too.  Reads are one pipelined round trip per site.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from .keys import DEFAULT_PREFIX, GROUP, Keys, as_text

_REQUEUE_DEAD = r"""
-- KEYS: stream, urls, dead   ARGV: articles key, group, count   one chunk of dead letters back
pcall(redis.call, 'XGROUP', 'CREATE', KEYS[1], ARGV[2], '0', 'MKSTREAM')
local moved = 0
for _, e in ipairs(redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', tonumber(ARGV[3]))) do
  local f = {}
  for i = 1, #e[2], 2 do f[e[2][i]] = e[2][i + 1] end
  redis.call('XDEL', KEYS[3], e[1])
  if redis.call('HEXISTS', ARGV[1], f.url) == 0 then  -- exported meanwhile: nothing to do again
    local id = redis.call('XADD', KEYS[1], '*', 'url', f.url, 'kind', f.kind, 'meta', f.meta, 'attempts', '0')
    redis.call('HSET', KEYS[2], f.url, id)
    moved = moved + 1
  else
    redis.call('HDEL', KEYS[2], f.url)
  end
end
return moved
"""


def queue_sites(client: redis.Redis, prefix: str = DEFAULT_PREFIX) -> list[str]:
    return sorted(as_text(x) for x in client.smembers(Keys(prefix).queue_sites))


def requeue_dead(client: redis.Redis, site: str | None = None, *, prefix: str = DEFAULT_PREFIX) -> int:
    """Put dead letters back in their queues (attempts from 0); returns how many."""
    keys = Keys(prefix)
    script = client.register_script(_REQUEUE_DEAD)
    moved = 0
    for name in ([site] if site else queue_sites(client, prefix)):
        while client.xlen(keys.dead(name)):
            moved += int(script(keys=[keys.stream(name), keys.urls(name), keys.dead(name)],
                                args=[keys.articles, GROUP, 500]))
    return moved


@dataclass
class SiteStatus:
    site: str
    queued: int
    leased: int
    workers: list[tuple[str, int, float]]  # (worker, leases, seconds since its oldest renewal)
    done: int
    failed: int
    dead: int
    duplicates: int


def status(client: redis.Redis, site: str | None = None, *, prefix: str = DEFAULT_PREFIX,
           sample: int = 10000) -> list[SiteStatus]:
    """Per site: queued (not yet leased), leased (by worker, with the idle time of its stalest
    lease: it grows only when the worker stopped renewing), done, failed tries, dead letters.
    Lease ages are read from the first *sample* pending entries of each site."""
    keys = Keys(prefix)
    sites = [site] if site else queue_sites(client, prefix)
    out = []
    for name in sites:
        with client.pipeline(transaction=False) as pipe:
            pipe.xlen(keys.stream(name))
            pipe.xpending_range(keys.stream(name), GROUP, "-", "+", sample)
            pipe.xlen(keys.dead(name))
            pipe.hgetall(keys.counts(name))
            pipe.xpending(keys.stream(name), GROUP)
            length, pending, dead, counts, summary = pipe.execute(raise_on_error=False)
        if isinstance(pending, redis.ResponseError):  # no group yet: nothing was ever leased
            pending, summary = [], {"pending": 0, "consumers": []}
        ages: dict[str, float] = {}
        for entry in pending:
            worker = as_text(entry["consumer"])
            ages[worker] = max(ages.get(worker, 0.0), entry["time_since_delivered"] / 1000)
        workers = sorted((as_text(c["name"]), int(c["pending"]), ages.get(as_text(c["name"]), 0.0))
                         for c in summary.get("consumers") or [])
        counts = {as_text(k): int(v) for k, v in counts.items()}
        leased = int(summary.get("pending") or 0)
        out.append(SiteStatus(name, int(length) - leased, leased, workers, counts.get("done", 0),
                              counts.get("failed", 0), int(dead), counts.get("duplicates", 0)))
    return out
