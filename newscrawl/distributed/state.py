"""The cross-run state in Redis: the same interface as newscrawl/state/store.py's StateStore.

Workers on several machines share it, so "each article once" holds across machines as it
holds across nights on one.  Every write that touches more than one key is one Lua script
(atomic, one round trip); reads are single commands.  The key layout is in keys.py.

Differences from SQLite, on purpose:
- an article row also remembers which worker committed it and at which byte offset of
  which shard (newscrawl/distributed/commit.py needs it to tell its own line from another's);
- times are Unix seconds as in SQLite; ``now`` may be given as in SQLite, else the
  client's clock (commit.py uses Redis's clock instead: one clock for every worker).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator

import redis

from ..state.store import ArticleState
from . import state_lua as lua
from .keys import DEFAULT_PREFIX, Keys

CHUNK = 500  # URLs per maintenance script call: keeps each call short (Redis runs one at a time)
PREFETCH_SECONDS = 30.0  # how long a prefetched answer stands in for asking Redis again
PREFETCH_MAX = 20000


def _s(value) -> str:
    return "" if value is None else str(value)


def row_from_json(url: str, raw: bytes | str | None) -> ArticleState | None:
    if raw is None:
        return None
    o = json.loads(raw)
    return ArticleState(url, o["site"], float(o["first_seen"]), float(o["last_seen"]), o.get("content_hash"),
                        o.get("export_file"), o.get("modified_at"), int(o.get("revision") or 1))


class RedisStateStore:
    """StateStore's interface over Redis.  *client*: a redis.Redis (see connection.connect)."""

    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_PREFIX) -> None:
        self.redis = client
        self.keys = Keys(prefix)
        self.prefix = prefix
        self._mark = client.register_script(lua.MARK)
        self._mark_many = client.register_script(lua.MARK_MANY)
        self._touch = client.register_script(lua.TOUCH)
        self._forget = client.register_script(lua.FORGET)
        self._mark_gone = client.register_script(lua.MARK_GONE)
        self._put = client.register_script(lua.PUT)
        # url -> (monotonic time, article row, gone row): see prefetch()
        self._prefetched: dict[str, tuple[float, bytes | None, bytes | None]] = {}

    # -- one round trip for the questions a leased article is asked ----------------------------------
    def prefetch(self, urls) -> None:
        """Read the article rows and gone rows of *urls* in one round trip; for PREFETCH_SECONDS,
        get() and gone_status() answer from it (the queue asks, then the skip middleware and dedup
        ask the same again: 4 round trips saved per article).  A stale "not exported" is harmless:
        the commit finds the row and the line is cut; our own writes forget the URL at once."""
        urls = list(dict.fromkeys(u for u in urls if u))
        if not urls:
            return
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.hmget(self.keys.articles, urls)
            pipe.hmget(self.keys.gone, urls)
            rows, gone = pipe.execute()
        now = time.monotonic()
        if len(self._prefetched) > PREFETCH_MAX:
            self._prefetched.clear()
        for url, row, dead in zip(urls, rows, gone):
            self._prefetched[url] = (now, row, dead)

    def forget_prefetched(self, *urls: str) -> None:
        for url in urls:
            self._prefetched.pop(url, None)

    def _fresh(self, url: str):
        entry = self._prefetched.get(url)
        if entry is not None and time.monotonic() - entry[0] <= PREFETCH_SECONDS:
            return entry
        return None

    def close(self) -> None:
        self.redis.close()

    # -- articles ---------------------------------------------------------------------------------
    def get(self, url: str) -> ArticleState | None:
        entry = self._fresh(url)
        return row_from_json(url, entry[1] if entry else self.redis.hget(self.keys.articles, url))

    def raw(self, url: str) -> dict | None:
        """The stored row with its commit fields (worker, export_file, offset), for commit.py."""
        raw = self.redis.hget(self.keys.articles, url)
        return json.loads(raw) if raw is not None else None

    def __contains__(self, url: str) -> bool:
        return bool(self.redis.hexists(self.keys.articles, url))

    def mark_exported(self, url: str, site: str, content_hash: str | None, export_file: str | None,
                      modified_at: str | None = None, revision: int = 1, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self.forget_prefetched(url)
        self._mark(args=[self.prefix, url, site, _s(content_hash), _s(export_file), _s(modified_at),
                         str(int(revision)), repr(float(now))])

    def url_with_hash(self, content_hash: str, other_than: str) -> str | None:
        """The first URL exported with this exact text, other than *other_than*."""
        for url in self.redis.zrange(self.keys.content_hash(content_hash), 0, 1):
            url = url.decode()
            if url != other_than:
                return url
        return None

    def touch(self, url: str, now: float | None = None) -> None:
        self.forget_prefetched(url)
        self._touch(args=[self.prefix, url, repr(float(time.time() if now is None else now))])

    def mark_many(self, rows: list[tuple[str, str, str | None, str | None, str | None, int]]) -> int:
        """Bulk insert (url, site, hash, file, modified_at, revision) rows not yet known; returns how many."""
        now, added = repr(time.time()), 0
        for start in range(0, len(rows), CHUNK):
            args = [self.prefix, now]
            for url, site, digest, file, modified, revision in rows[start:start + CHUNK]:
                args += [url, site, _s(digest), _s(file), _s(modified), str(int(revision or 1))]
            added += int(self._mark_many(args=args))
        return added

    def put_articles(self, rows: Iterable[ArticleState]) -> tuple[int, int]:
        """Import rows with their own times (state-import); returns (added, updated)."""
        added = updated = 0
        batch: list[str] = []

        def flush() -> None:
            nonlocal added, updated, batch
            if batch:
                a, u = self._put(args=[self.prefix, *batch])
                added, updated, batch = added + int(a), updated + int(u), []

        for r in rows:
            batch += [r.url, r.site, repr(float(r.first_seen)), repr(float(r.last_seen)), _s(r.content_hash),
                      _s(r.export_file), _s(r.modified_at), str(int(r.revision or 1))]
            if len(batch) >= CHUNK * 8:
                flush()
        flush()
        return added, updated

    def iter_articles(self) -> Iterator[ArticleState]:
        for url, raw in self.redis.hscan_iter(self.keys.articles, count=CHUNK):
            yield row_from_json(url.decode(), raw)

    # -- gone URLs (404/410) --------------------------------------------------------------------------
    def mark_gone(self, url: str, site: str, status: int) -> None:
        self.forget_prefetched(url)
        self._mark_gone(args=[self.prefix, url, site, str(int(status)), repr(time.time())])

    def put_gone(self, url: str, site: str, status: int, first_seen: float, last_seen: float) -> None:
        """Import one gone URL with its own times (the later observation wins)."""
        raw = self.redis.hget(self.keys.gone, url)
        if raw is not None:
            o = json.loads(raw)
            first_seen = min(first_seen, float(o["first_seen"]))
            if float(o["last_seen"]) >= last_seen:
                status, last_seen = int(o["status"]), float(o["last_seen"])
        self.redis.hset(self.keys.gone, url, json.dumps({"site": site, "status": int(status),
                                                         "first_seen": first_seen, "last_seen": last_seen}))

    def iter_gone(self) -> Iterator[tuple[str, str, int, float, float]]:
        """(url, site, status, first_seen, last_seen) of every gone URL."""
        for url, raw in self.redis.hscan_iter(self.keys.gone, count=CHUNK):
            o = json.loads(raw)
            yield url.decode(), o["site"], int(o["status"]), float(o["first_seen"]), float(o["last_seen"])

    def gone_status(self, url: str, max_age_days: float) -> int | None:
        entry = self._fresh(url)
        raw = entry[2] if entry else self.redis.hget(self.keys.gone, url)
        if raw is None:
            return None
        o = json.loads(raw)
        if time.time() - float(o["first_seen"]) <= max_age_days * 86400:
            return int(o["status"])
        return None

    # -- near-duplicate signatures --------------------------------------------------------------------
    def add_signature(self, url: str, site: str, signature: bytes, now: float | None = None) -> None:
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.fp, url, signature)
            pipe.zadd(self.keys.fp_seen, {url: time.time() if now is None else now})
            pipe.hset(self.keys.fp_site, url, site)
            pipe.execute()

    def recent_signatures(self, days: float) -> Iterator[tuple[str, bytes]]:
        """(url, signature) seen in the last *days*, oldest first (read in chunks)."""
        cutoff = time.time() - days * 86400
        offset = 0
        while True:
            urls = self.redis.zrangebyscore(self.keys.fp_seen, cutoff, "+inf", start=offset, num=CHUNK)
            if not urls:
                return
            for url, blob in zip(urls, self.redis.hmget(self.keys.fp, urls)):
                if blob is not None:
                    yield url.decode(), blob
            offset += len(urls)

    def iter_signatures(self) -> Iterator[tuple[str, str, float, bytes]]:
        """(url, site, seen, signature) of every stored signature."""
        batch: list[tuple[bytes, float]] = []

        def flush():
            urls = [url for url, _ in batch]
            for (url, seen), blob, site in zip(batch, self.redis.hmget(self.keys.fp, urls),
                                               self.redis.hmget(self.keys.fp_site, urls)):
                if blob is not None:
                    yield url.decode(), (site or b"").decode(), float(seen), blob

        for pair in self.redis.zscan_iter(self.keys.fp_seen, count=CHUNK):
            batch.append(pair)
            if len(batch) >= CHUNK:
                yield from flush()
                batch = []
        if batch:
            yield from flush()

    def forget_signatures(self, urls: list[str]) -> None:
        """Drop signatures and their LSH band entries (near_duplicates.py adds the bands)."""
        from .near_duplicates import band_keys_for

        for start in range(0, len(urls), CHUNK):
            chunk = urls[start:start + CHUNK]
            blobs = self.redis.hmget(self.keys.fp, chunk)
            layouts = [x.decode() for x in self.redis.smembers(self.keys.lsh_configs)]
            with self.redis.pipeline(transaction=True) as pipe:
                for url, blob in zip(chunk, blobs):
                    if blob is not None:
                        for key in band_keys_for(self.keys, layouts, blob):
                            pipe.srem(key, url)
                pipe.hdel(self.keys.fp, *chunk)
                pipe.zrem(self.keys.fp_seen, *chunk)
                pipe.hdel(self.keys.fp_site, *chunk)
                pipe.execute()

    # -- export files already read back (recovery after a kill) ---------------------------------------
    def scanned_bytes(self, path: str) -> int:
        value = self.redis.hget(self.keys.export_files, path)
        return int(value) if value is not None else 0

    def set_scanned_bytes(self, path: str, size: int) -> None:
        self.redis.hset(self.keys.export_files, path, int(size))

    # -- maintenance ----------------------------------------------------------------------------------
    def sites(self) -> list[str]:
        return sorted(x.decode() for x in self.redis.smembers(self.keys.sites))

    def counts(self) -> list[tuple[str, int, float, float]]:
        sites = self.sites()
        with self.redis.pipeline(transaction=False) as pipe:
            for site in sites:
                pipe.zcard(self.keys.first(site))
                pipe.zrange(self.keys.first(site), 0, 0, withscores=True)
                pipe.zrange(self.keys.last(site), -1, -1, withscores=True)
            replies = pipe.execute()
        rows = []
        for i, site in enumerate(sites):
            count, first, last = replies[3 * i:3 * i + 3]
            if count:
                rows.append((site, int(count), first[0][1], last[0][1]))
        return rows

    def _forget_urls(self, urls: Iterable[bytes], mode: str, value: str) -> int:
        removed, batch = 0, []
        for url in urls:
            batch.append(url)
            if len(batch) >= CHUNK:
                removed += int(self._forget(args=[self.prefix, mode, value, *batch]))
                batch = []
        if batch:
            removed += int(self._forget(args=[self.prefix, mode, value, *batch]))
        return removed

    def _gone_matching(self, keep) -> list[str]:
        return [url.decode() for url, raw in self.redis.hscan_iter(self.keys.gone, count=CHUNK)
                if keep(json.loads(raw))]

    def _delete_gone(self, urls: list[str]) -> None:
        for start in range(0, len(urls), CHUNK):
            self.redis.hdel(self.keys.gone, *urls[start:start + CHUNK])

    def reset_site(self, site: str) -> int:
        # zrange over a snapshot: the script re-checks each row, so a concurrent write is not lost
        urls = self.redis.zrange(self.keys.first(site), 0, -1)
        removed = self._forget_urls(urls, "site", site)
        self._delete_gone(self._gone_matching(lambda o: o.get("site") == site))
        fps = [url.decode() for url, s in self.redis.hscan_iter(self.keys.fp_site, count=CHUNK) if s.decode() == site]
        self.forget_signatures(fps)
        return removed

    def prune(self, days: float) -> int:
        cutoff = time.time() - days * 86400
        removed = 0
        for site in self.sites():
            urls = self.redis.zrangebyscore(self.keys.last(site), "-inf", f"({cutoff!r}")
            removed += self._forget_urls(urls, "before", repr(cutoff))
        self._delete_gone(self._gone_matching(lambda o: float(o.get("last_seen", 0)) < cutoff))
        old = [url.decode() for url in self.redis.zrangebyscore(self.keys.fp_seen, "-inf", f"({cutoff!r}")]
        self.forget_signatures(old)
        return removed
