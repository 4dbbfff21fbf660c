"""The work queue: one Redis Stream per site, one consumer group, leases that expire.

Life of a URL (every arrow is one Lua script: atomic, one round trip per batch):

    enqueue ──> queued ──lease (XREADGROUP / XAUTOCLAIM)──> leased by a worker
                  ^                                          │  │  │
                  └──── fail (attempts < K) <────────────────┘  │  └─ commit (commit.py) / ack ──> done
                        fail (attempts = K) ──> dead letter ─────┘
                        requeue_dead ──> queued again

- A URL is queued once: a hash per site (``q:{site}:urls``) remembers it while queued or
  leased (its entry id), done ("d") or dead ("x"); an exported URL (state) is not queued.
- A lease is an entry in the group's pending list.  The holder renews it (``heartbeat``:
  XCLAIM JUSTID on its own entries only); when it stops (its worker died), the entry goes
  idle and after ``lease_seconds`` any worker takes it over with XAUTOCLAIM.
- An entry leased more than K times without an outcome (its workers keep dying on it) is
  dead-lettered too, so one poison page cannot stall a queue for ever.
- Acks delete the entry (XACK + XDEL): a stream holds only queued and leased URLs, so
  ``drained`` is "every stream is empty".
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: redis-py is the [redis] extra, and a backfill on one machine runs without it
    import redis

from .keys import DEFAULT_PREFIX, GROUP, Keys, as_text

DEFAULT_LEASE_SECONDS = 300.0
DEFAULT_MAX_ATTEMPTS = 3
ENQUEUE_CHUNK = 1000  # URLs per script call: one round trip each, short enough not to stall Redis

_ENQUEUE = r"""
-- KEYS: stream, urls, counts, queue_sites   ARGV: articles key, site, group, kind, meta, url...
pcall(redis.call, 'XGROUP', 'CREATE', KEYS[1], ARGV[3], '0', 'MKSTREAM')
redis.call('SADD', KEYS[4], ARGV[2])
local added = 0
for i = 6, #ARGV do
  local url = ARGV[i]
  if redis.call('HEXISTS', KEYS[2], url) == 0 and redis.call('HEXISTS', ARGV[1], url) == 0 then
    local id = redis.call('XADD', KEYS[1], '*', 'url', url, 'kind', ARGV[4], 'meta', ARGV[5], 'attempts', '0')
    redis.call('HSET', KEYS[2], url, id)
    added = added + 1
  end
end
if added > 0 then redis.call('HINCRBY', KEYS[3], 'enqueued', added) end
return added
"""

# Move one entry to the dead letters (used by _LEASE and _FAIL).
_DEAD_LUA = r"""
local function to_dead(stream, urls, dead, id, f, attempts, err, worker)
  redis.call('XADD', dead, '*', 'url', f.url, 'kind', f.kind or 'article', 'meta', f.meta or '{}',
             'attempts', tostring(attempts), 'error', err, 'worker', worker)
  redis.call('XACK', stream, ARGV[1], id)
  redis.call('XDEL', stream, id)
  if redis.call('HGET', urls, f.url) == id then redis.call('HSET', urls, f.url, 'x') end
end
local function fields(flat)
  local f = {}
  for i = 1, #flat, 2 do f[flat[i]] = flat[i + 1] end
  return f
end
"""

_LEASE = _DEAD_LUA + r"""
-- KEYS: per site: stream, urls, dead (3 each)
-- ARGV: group, consumer, count, min_idle_ms (-1: no takeover this time), max_deliveries,
--       own (1: first take back this consumer's own pending entries, after a restart), cursors...
local group, me, want, min_idle, max_deliveries = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local out, cursors = {}, {}
local function take(s, stream, urls, dead, id, flat, deliveries)
  if deliveries > max_deliveries then
    local f = fields(flat)
    to_dead(stream, urls, dead, id, f, tonumber(f.attempts or 0),
            'leased ' .. (deliveries - 1) .. ' times without a result (its workers died or stalled)', me)
  else
    table.insert(out, {s, id, flat, deliveries})
  end
end
for s = 1, #KEYS / 3 do
  local stream, urls, dead = KEYS[3 * s - 2], KEYS[3 * s - 1], KEYS[3 * s]
  cursors[s] = ARGV[6 + s]
  if ARGV[6] == '1' then
    -- XCLAIM (not JUSTID) counts a delivery, so a page that kills its worker ends as a dead letter
    for _, p in ipairs(redis.call('XPENDING', stream, group, '-', '+', 1000, me)) do
      local c = redis.call('XCLAIM', stream, group, me, 0, p[1])
      if c[1] and c[1][2] then take(s, stream, urls, dead, p[1], c[1][2], tonumber(p[4]) + 1) end
    end
  end
  if min_idle >= 0 and #out < want then
    local r = redis.call('XAUTOCLAIM', stream, group, me, min_idle, cursors[s], 'COUNT', want - #out)
    cursors[s] = r[1]
    for _, e in ipairs(r[2]) do
      local p = redis.call('XPENDING', stream, group, e[1], e[1], 1)
      take(s, stream, urls, dead, e[1], e[2], tonumber(p[1][4]))
    end
  end
  if #out < want then
    local r = redis.call('XREADGROUP', 'GROUP', group, me, 'COUNT', want - #out, 'STREAMS', stream, '>')
    if r then
      for _, e in ipairs(r[1][2]) do table.insert(out, {s, e[1], e[2], 1}) end
    end
  end
end
return {out, cursors}
"""

_HEARTBEAT = r"""
-- KEYS[1]: stream   ARGV: group, consumer, ids...   renew only entries this consumer still holds
local renewed = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    table.insert(renewed, ARGV[i])
  end
end
return renewed
"""

_ACK = r"""
-- KEYS: stream, urls, counts   ARGV: group, (id, url)...   done without an exported record
for i = 2, #ARGV, 2 do
  local id, url = ARGV[i], ARGV[i + 1]
  redis.call('XACK', KEYS[1], ARGV[1], id)
  if redis.call('XDEL', KEYS[1], id) == 1 then redis.call('HINCRBY', KEYS[3], 'done', 1) end
  if redis.call('HGET', KEYS[2], url) == id then redis.call('HSET', KEYS[2], url, 'd') end
end
return 1
"""

_FAIL = _DEAD_LUA + r"""
-- KEYS: stream, urls, dead, counts   ARGV: group, id, url, kind, meta, attempts, max_attempts, error, worker
local stream, urls, dead, counts = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, url = ARGV[2], ARGV[3]
if redis.call('HGET', urls, url) ~= id then
  -- handled meanwhile (another worker took the lease over and finished): drop our copy only
  redis.call('XACK', stream, ARGV[1], id)
  return 'stale'
end
redis.call('HINCRBY', counts, 'failed', 1)
local attempts = tonumber(ARGV[6]) + 1
local f = {url = url, kind = ARGV[4], meta = ARGV[5]}
if attempts >= tonumber(ARGV[7]) then
  to_dead(stream, urls, dead, id, f, attempts, ARGV[8], ARGV[9])
  return 'dead'
end
local new = redis.call('XADD', stream, '*', 'url', url, 'kind', ARGV[4], 'meta', ARGV[5],
                       'attempts', tostring(attempts), 'error', ARGV[8])
redis.call('XACK', stream, ARGV[1], id)
redis.call('XDEL', stream, id)
redis.call('HSET', urls, url, new)
return 'retry'
"""

@dataclass
class Lease:
    id: str
    site: str
    url: str
    kind: str = "article"
    meta: dict = field(default_factory=dict)
    attempts: int = 0  # earlier tries: failures plus takeovers from workers that never finished
    leased_at: float = 0.0  # this worker's clock (monotonic): for its own timeouts only


def _lease_from(site: str, entry_id, flat: list, deliveries: int) -> Lease:
    f = {as_text(flat[i]): as_text(flat[i + 1]) for i in range(0, len(flat), 2)}
    try:
        meta = json.loads(f.get("meta") or "{}")
    except ValueError:
        meta = {}
    return Lease(as_text(entry_id), site, f["url"], f.get("kind", "article"), meta,
                 int(f.get("attempts") or 0) + max(0, int(deliveries) - 1), time.monotonic())


class WorkQueue:
    """One worker's handle on the queues of *sites* (consumer name = *worker_id*)."""

    def __init__(self, client: redis.Redis, worker_id: str, sites: list[str] | tuple[str, ...], *,
                 prefix: str = DEFAULT_PREFIX, lease_seconds: float = DEFAULT_LEASE_SECONDS,
                 max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> None:
        if not sites:
            raise ValueError("a worker serves at least one site")
        self.redis = client
        self.worker_id = worker_id
        self.sites = list(dict.fromkeys(sites))
        self.keys = Keys(prefix)
        self.lease_seconds = float(lease_seconds)
        self.max_attempts = int(max_attempts)
        self.in_flight: dict[tuple[str, str], Lease] = {}
        self._cursors = {site: "0-0" for site in self.sites}
        self._next_takeover = 0.0  # monotonic time of the next XAUTOCLAIM sweep
        self._own_history_read = False
        self._scripts = {name: client.register_script(src) for name, src in
                         (("enqueue", _ENQUEUE), ("lease", _LEASE), ("heartbeat", _HEARTBEAT),
                          ("ack", _ACK), ("fail", _FAIL))}
        self._ensure_groups()

    def _ensure_groups(self) -> None:
        """Create the sites' consumer groups and load the scripts, in one round trip."""
        from redis import ResponseError  # here: a WorkQueue exists only in distributed mode

        with self.redis.pipeline(transaction=False) as pipe:
            for script in self._scripts.values():
                pipe.script_load(script.script)
            for site in self.sites:
                pipe.xgroup_create(self.keys.stream(site), GROUP, id="0", mkstream=True)
                pipe.sadd(self.keys.queue_sites, site)
            for reply in pipe.execute(raise_on_error=False):
                if isinstance(reply, ResponseError) and "BUSYGROUP" not in str(reply):
                    raise reply

    # -- producing ------------------------------------------------------------------------------------
    def enqueue(self, site: str, urls, kind: str = "article", meta: dict | None = None) -> int:
        """Queue the URLs not yet queued, done, dead or exported; returns how many were added."""
        urls = list(dict.fromkeys(urls))
        keys = [self.keys.stream(site), self.keys.urls(site), self.keys.counts(site), self.keys.queue_sites]
        head = [self.keys.articles, site, GROUP, kind, json.dumps(meta or {}, ensure_ascii=False)]
        added = 0
        for start in range(0, len(urls), ENQUEUE_CHUNK):
            added += int(self._scripts["enqueue"](keys=keys, args=head + urls[start:start + ENQUEUE_CHUNK]))
        return added

    # -- consuming ------------------------------------------------------------------------------------
    def lease(self, count: int = 10, block_ms: int = 0) -> list[Lease]:
        """Up to *count* URLs for this worker: its own unfinished ones after a restart first,
        then (every lease_seconds/2) expired leases of dead workers, then new entries.
        With *block_ms*, waits that long for new entries when there are none."""
        leases: list[Lease] = []
        own = not self._own_history_read
        self._own_history_read = True
        now = time.monotonic()
        takeover = now >= self._next_takeover
        if takeover:
            self._next_takeover = now + max(self.lease_seconds / 2, 0.05)
        keys = [k for site in self.sites
                for k in (self.keys.stream(site), self.keys.urls(site), self.keys.dead(site))]
        args = [GROUP, self.worker_id, count, int(self.lease_seconds * 1000) if takeover else -1,
                self.max_attempts, "1" if own else "0", *(self._cursors[site] for site in self.sites)]
        found, cursors = self._scripts["lease"](keys=keys, args=args)
        for site, cursor in zip(self.sites, cursors):
            self._cursors[site] = as_text(cursor)
        leases += [_lease_from(self.sites[int(s) - 1], entry_id, flat, deliveries)
                   for s, entry_id, flat, deliveries in found]
        if not leases and block_ms > 0:
            streams = {self.keys.stream(site): ">" for site in self.sites}
            by_key = {self.keys.stream(site): site for site in self.sites}
            for key, entries in self.redis.xreadgroup(GROUP, self.worker_id, streams, count=count,
                                                      block=int(block_ms)) or []:
                leases += [_lease_from(by_key[as_text(key)], entry_id, _flatten(fields), 1)
                           for entry_id, fields in entries]
        for lease in leases:
            self.in_flight[(lease.site, lease.id)] = lease
        return leases

    def heartbeat(self) -> int:
        """Renew this worker's leases (call every lease_seconds/3 or more often); returns how many.
        A lease another worker has taken over is not taken back: it leaves the renewal set."""
        by_site: dict[str, list[str]] = {}
        for site, entry_id in self.in_flight:
            by_site.setdefault(site, []).append(entry_id)
        if not by_site:
            return 0
        with self.redis.pipeline(transaction=False) as pipe:
            for site, ids in by_site.items():
                self._scripts["heartbeat"](keys=[self.keys.stream(site)], args=[GROUP, self.worker_id, *ids],
                                           client=pipe)
            replies = pipe.execute()
        renewed = 0
        for (site, ids), kept in zip(by_site.items(), replies):
            kept = {as_text(x) for x in kept}
            renewed += len(kept)
            for entry_id in ids:
                if entry_id not in kept:
                    self.in_flight.pop((site, entry_id), None)
        return renewed

    def forget(self, lease: Lease) -> None:
        """This worker is done with the lease (commit.py retired it)."""
        self.in_flight.pop((lease.site, lease.id), None)

    def ack(self, *leases: Lease) -> None:
        """Done without an exported record (dropped, gone, a listing walked): one round trip for all."""
        by_site: dict[str, list[str]] = {}
        for lease in leases:
            by_site.setdefault(lease.site, []).extend([lease.id, lease.url])
            self.forget(lease)
        if not by_site:
            return
        with self.redis.pipeline(transaction=False) as pipe:
            for site, args in by_site.items():
                self._scripts["ack"](keys=[self.keys.stream(site), self.keys.urls(site), self.keys.counts(site)],
                                     args=[GROUP, *args], client=pipe)
            pipe.execute()

    def fail(self, lease: Lease, error: str) -> str:
        """One failed try: queued again, or after max_attempts a dead letter with *error*.
        Returns "retry", "dead" or "stale" (someone else finished it meanwhile)."""
        self.forget(lease)
        site = lease.site
        keys = [self.keys.stream(site), self.keys.urls(site), self.keys.dead(site), self.keys.counts(site)]
        args = [GROUP, lease.id, lease.url, lease.kind, json.dumps(lease.meta, ensure_ascii=False),
                lease.attempts, self.max_attempts, str(error)[:500], self.worker_id]
        return as_text(self._scripts["fail"](keys=keys, args=args))

    def drained(self) -> bool:
        """Nothing queued and no lease outstanding (of any worker) for this worker's sites."""
        with self.redis.pipeline(transaction=False) as pipe:
            for site in self.sites:
                pipe.xlen(self.keys.stream(site))
            return not any(pipe.execute())


def _flatten(fields) -> list:
    """redis-py gives stream fields as a dict; the scripts give a flat list."""
    if isinstance(fields, dict):
        return [x for pair in fields.items() for x in pair]
    return list(fields)
