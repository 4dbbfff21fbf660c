"""The work queue of a single-machine backfill: WorkQueue's interface over one SQLite file.

A backfill of years is long; a kill must not restart its walk from the first page.  The walk
therefore runs through a queue on both kinds of machine: on many machines the Redis queue
(queue.py), on one this file (``<data>/state/backfill-queue.sqlite3``), so that the spider's
side (source.py) is the same code.  A page is marked done only after the links it gave are
queued, so a resumed walk reads no finished page again, and every article found but not yet
exported is still queued.

One process uses the file at a time (the crawl holds the site's lock), so a lease is just a
row in state "l": when a run starts, leases left by a killed run go back to "q".  Exactly-once
export stays the single-machine state's business (newscrawl/state/): an article exported
before its lease was settled is skipped by the state when it comes round again.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from .queue import DEFAULT_MAX_ATTEMPTS, Lease

SCHEMA = """
CREATE TABLE IF NOT EXISTS queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    meta TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,   -- q queued, l leased, d done, x dead
    error TEXT,
    UNIQUE (site, url)
);
CREATE INDEX IF NOT EXISTS queue_state ON queue (site, state, id);
"""
QUEUED, LEASED, DONE, DEAD = "q", "l", "d", "x"


class LocalQueue:
    """One process's queue of *sites* in a SQLite file (the interface of queue.WorkQueue)."""

    def __init__(self, path: str | Path, sites: list[str] | tuple[str, ...], *, worker_id: str = "local",
                 max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)
        self.sites = list(dict.fromkeys(sites))
        self.worker_id = worker_id
        self.max_attempts = int(max_attempts)
        self.in_flight: dict[tuple[str, str], Lease] = {}
        marks = ",".join("?" * len(self.sites))
        # the run that leased these was killed (we hold the site's lock): they are queued again
        self.requeued = self.db.execute(f"UPDATE queue SET state = '{QUEUED}' WHERE state = '{LEASED}'"
                                        f" AND site IN ({marks})", self.sites).rowcount

    def close(self) -> None:
        self.db.close()

    def enqueue(self, site: str, urls, kind: str = "article", meta: dict | None = None) -> int:
        rows = [(site, url, kind, json.dumps(meta or {}, ensure_ascii=False)) for url in dict.fromkeys(urls)]
        before = self.db.total_changes
        self.db.execute("BEGIN")
        self.db.executemany(f"INSERT OR IGNORE INTO queue (site, url, kind, meta, state) VALUES (?, ?, ?, ?, '{QUEUED}')",
                            rows)
        self.db.execute("COMMIT")
        return self.db.total_changes - before

    def lease(self, count: int = 10, block_ms: int = 0) -> list[Lease]:
        marks = ",".join("?" * len(self.sites))
        rows = self.db.execute(f"SELECT id, site, url, kind, meta, attempts FROM queue WHERE state = '{QUEUED}'"
                               f" AND site IN ({marks}) ORDER BY id LIMIT ?", [*self.sites, int(count)]).fetchall()
        if rows:
            self.db.executemany(f"UPDATE queue SET state = '{LEASED}' WHERE id = ?", [(r[0],) for r in rows])
        leases = [Lease(str(i), site, url, kind, json.loads(meta or "{}"), attempts, time.monotonic())
                  for i, site, url, kind, meta, attempts in rows]
        for lease in leases:
            self.in_flight[(lease.site, lease.id)] = lease
        return leases

    def heartbeat(self) -> int:
        return len(self.in_flight)  # nobody else takes our leases over: nothing to renew

    def forget(self, lease: Lease) -> None:
        self.in_flight.pop((lease.site, lease.id), None)

    def ack(self, *leases: Lease) -> None:
        for lease in leases:
            self.forget(lease)
        self.db.executemany(f"UPDATE queue SET state = '{DONE}' WHERE id = ?", [(int(x.id),) for x in leases])

    def commit_done(self, lease: Lease) -> None:
        """The lease's record was written and marked in the state: done."""
        self.ack(lease)

    def fail(self, lease: Lease, error: str) -> str:
        self.forget(lease)
        attempts = lease.attempts + 1
        state = DEAD if attempts >= self.max_attempts else QUEUED
        self.db.execute("UPDATE queue SET state = ?, attempts = ?, error = ? WHERE id = ?",
                        (state, attempts, str(error)[:500], int(lease.id)))
        return "dead" if state == DEAD else "retry"

    def drained(self) -> bool:
        marks = ",".join("?" * len(self.sites))
        row = self.db.execute(f"SELECT 1 FROM queue WHERE state IN ('{QUEUED}', '{LEASED}') AND site IN ({marks})"
                              " LIMIT 1", self.sites).fetchone()
        return row is None

    def counts(self, site: str) -> dict[str, int]:
        """queued, leased, done, dead of one site (the progress line)."""
        out = {"queued": 0, "leased": 0, "done": 0, "dead": 0}
        names = {QUEUED: "queued", LEASED: "leased", DONE: "done", DEAD: "dead"}
        for state, n in self.db.execute("SELECT state, COUNT(*) FROM queue WHERE site = ? GROUP BY state", (site,)):
            out[names[state]] = n
        return out
