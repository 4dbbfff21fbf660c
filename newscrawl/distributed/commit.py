"""Exactly-once export across workers: the commit that follows a durable write.

A worker appends each record as one line to ITS OWN shard file and fsyncs it; then it
commits.  The commit is one Lua script, so it either happened entirely or not at all:

    the line at shard[offset_before:offset_after] holds URL u (queued as q)
    1. u already committed from this very line (same worker, shard, offset)  -> "already"
    2. q's queue entry is still outstanding (queued/leased), or q is a dead letter,
       or u was never committed at a revision >= this one                    -> "ok":
       mark u exported (worker, shard, offset), retire q's entry (XACK + XDEL),
       done + 1, the shard's committed offset = offset_after
    3. otherwise another worker committed u first (it took over our lease)   -> "duplicate":
       retire our lease, duplicates + 1, the shard's committed offset = offset_before;
       the caller cuts its line off again (shards.truncate_line), so no record is doubled.

A worker killed between its write and its commit leaves exactly one uncommitted line at
the end of its shard (writes and commits alternate).  Its lease expires and another
worker exports the URL again; when the killed worker id starts again,
shards.recover_shards reads every line after the shard's committed offset and commits it
here: "ok" if nobody did it meanwhile, else "duplicate" and the line moves to
``<shard>.dup``.  Either way the union of the shards holds the URL once.

Redis's clock (TIME) dates the rows: one clock for every machine.
"""

from __future__ import annotations

import redis

from .keys import DEFAULT_PREFIX, GROUP, Keys
from .state_lua import MARK_LUA

OK, ALREADY, DUPLICATE = "ok", "already", "duplicate"

_COMMIT = MARK_LUA + r"""
-- ARGV: prefix, group, url, queued_url, site, content_hash, shard, offset_before, offset_after,
--       modified_at, revision, worker, lease_id, queue (the queue's site when it is not the record's:
--       the generic spider's queue "news" holds every host's articles)
local P, group, url, qurl, site, shard = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[7]
local before, after, revision, worker, lease_id = ARGV[8], ARGV[9], tonumber(ARGV[11]), ARGV[12], ARGV[13]
local q = (ARGV[14] and ARGV[14] ~= '') and ARGV[14] or site
local stream, urls, counts = P .. 'q:' .. q, P .. 'q:' .. q .. ':urls', P .. 'q:' .. q .. ':counts'
local function retire(id)
  if id and id ~= '' then
    redis.call('XACK', stream, group, id)
    redis.call('XDEL', stream, id)
  end
end
redis.call('SADD', P .. 'worker:' .. worker .. ':shards', shard)
local raw = redis.call('HGET', P .. 'articles', url)
local row = raw and cjson.decode(raw)
if row and row.worker == worker and row.export_file == shard and tonumber(row.offset) == tonumber(before) then
  redis.call('HSET', P .. 'export_files', shard, after)
  return 'already'
end
local entry = redis.call('HGET', urls, qurl)
local outstanding = entry and entry ~= 'd' and entry ~= 'x'
if not outstanding and entry ~= 'x' and row and (tonumber(row.revision) or 1) >= revision then
  retire(lease_id)
  redis.call('HINCRBY', counts, 'duplicates', 1)
  redis.call('HSET', P .. 'export_files', shard, before)
  return 'duplicate'
end
local t = redis.call('TIME')
mark(P, url, site, ARGV[6], shard, ARGV[10], tostring(revision), t[1] .. '.' .. string.format('%06d', t[2]), worker, before)
if outstanding then retire(entry) end
if lease_id ~= entry then retire(lease_id) end
if entry then
  -- the exported row now answers "already done" for u; keep a marker only for a redirected q
  if qurl == url then redis.call('HDEL', urls, qurl) else redis.call('HSET', urls, qurl, 'd') end
end
redis.call('HINCRBY', counts, 'done', 1)
redis.call('HSET', P .. 'export_files', shard, after)
return 'ok'
"""


class Committer:
    """Commits written lines for one worker id (the consumer name of its queue)."""

    def __init__(self, client: redis.Redis, worker_id: str, *, prefix: str = DEFAULT_PREFIX) -> None:
        self.redis = client
        self.worker_id = worker_id
        self.keys = Keys(prefix)
        self._script = client.register_script(_COMMIT)

    def commit(self, item_url: str, site: str, content_hash: str | None, shard_path: str,
               offset_before: int, offset_after: int, *, revision: int = 1, modified_at: str | None = None,
               queued_url: str | None = None, lease_id: str | None = None, queue: str | None = None) -> bool:
        """After the line for *item_url* is durably in *shard_path* at [offset_before, offset_after):
        True = keep the line (committed now or before), False = another worker committed this URL
        first: cut the line off (shards.truncate_line).  *queued_url*: the URL as leased, when
        the record's URL differs (a redirect, a canonical link).  *queue*: the queue's site, when it
        is not the record's *site*."""
        return self.commit_status(item_url, site, content_hash, shard_path, offset_before, offset_after,
                                  revision=revision, modified_at=modified_at, queued_url=queued_url,
                                  lease_id=lease_id, queue=queue) != DUPLICATE

    def commit_status(self, item_url: str, site: str, content_hash: str | None, shard_path: str,
                      offset_before: int, offset_after: int, *, revision: int = 1,
                      modified_at: str | None = None, queued_url: str | None = None,
                      lease_id: str | None = None, queue: str | None = None) -> str:
        """The same as commit(), returning "ok", "already" or "duplicate"."""
        args = [self.keys.prefix, GROUP, item_url, queued_url or item_url, site, content_hash or "",
                str(shard_path), int(offset_before), int(offset_after), modified_at or "", int(revision or 1),
                self.worker_id, lease_id or "", queue or ""]
        reply = self._script(args=args)
        return reply.decode() if isinstance(reply, bytes) else str(reply)

    def register_shard(self, shard_path: str) -> None:
        """Remember the shard before its first line, so that recovery finds it after a kill."""
        self.redis.sadd(self.keys.worker_shards(self.worker_id), str(shard_path))

    def shards(self) -> list[str]:
        return sorted(x.decode() for x in self.redis.smembers(self.keys.worker_shards(self.worker_id)))

    def committed_offset(self, shard_path: str) -> int:
        value = self.redis.hget(self.keys.export_files, str(shard_path))
        return int(value) if value is not None else 0
