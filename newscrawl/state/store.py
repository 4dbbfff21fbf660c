"""The embedded state: one SQLite file (WAL mode) for all sites.

One row per canonical article URL: site, first/last seen, content hash, the export
file that holds it, its modified_at and revision.  Lookups are primary-key probes, so
they stay fast and the crawler's memory flat with millions of rows (the page cache
is bounded; nothing is loaded into Python sets).  Two spiders of one process each
open their own connection; WAL lets one write while the other reads, and
busy_timeout makes a writer wait instead of failing.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    content_hash TEXT,
    export_file TEXT,
    modified_at TEXT,
    revision INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS articles_site ON articles(site, first_seen);
CREATE INDEX IF NOT EXISTS articles_hash ON articles(content_hash);
CREATE TABLE IF NOT EXISTS gone (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    status INTEGER NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fingerprints (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    seen REAL NOT NULL,
    signature BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fingerprints_seen ON fingerprints(seen);
CREATE TABLE IF NOT EXISTS export_files (
    path TEXT PRIMARY KEY,
    scanned_bytes INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS aliases (
    alias TEXT PRIMARY KEY,
    url TEXT NOT NULL
) WITHOUT ROWID;
"""
TABLES = ("articles", "gone", "fingerprints", "export_files", "aliases")


class StateError(RuntimeError):
    """The state file cannot be used (empty, not SQLite, damaged, unreadable); the message is one line."""


@dataclass
class ArticleState:
    url: str
    site: str
    first_seen: float
    last_seen: float
    content_hash: str | None
    export_file: str | None
    modified_at: str | None
    revision: int


def _refusal(path: Path, what: str) -> StateError:
    return StateError(f"newscrawl: the state {path} {what}; not using it (nothing was reset). "
                      "Rebuild it from the exported JSONL with `python -m newscrawl.state repair`, "
                      "or move it away to start from nothing")


class StateStore:
    """*create*: make a new state file when there is none (a crawl); False: the file must exist (the CLI)."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        existed = self.path.exists()
        if existed and self.path.stat().st_size == 0:
            # a state cut to 0 bytes (a full disk, a bad copy) is not a new state: silently starting
            # afresh would lose the gone list and the fingerprints and trust the JSONL alone
            raise _refusal(self.path, "is empty (0 bytes)")
        if not existed and not create:
            raise StateError(f"newscrawl: no state at {self.path}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA busy_timeout=30000")
            if existed:
                self._check()
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable against a killed process (the case that matters here); an OS crash
            # can lose the last commits, which the next run recovers from the JSONL files.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except StateError:
            raise
        except sqlite3.DatabaseError as exc:
            raise _refusal(self.path, f"cannot be used ({exc})") from None
        except OSError as exc:
            raise _refusal(self.path, f"cannot be opened ({exc.strerror or exc})") from None

    def _check(self) -> None:
        """An existing file must be a readable newscrawl state: SQLite, its tables there, not damaged."""
        try:
            names = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            result = self.db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise _refusal(self.path, f"is not a SQLite database ({exc})") from None
        if result and result[0] != "ok":
            raise _refusal(self.path, f"is damaged ({result[0]})")
        if "articles" not in names:
            raise _refusal(self.path, "is not a newscrawl state (no articles table)")

    def close(self) -> None:
        self.db.close()

    # -- articles ---------------------------------------------------------------------------------
    def get(self, url: str) -> ArticleState | None:
        """The article's row, found by its canonical URL or by another name it went by (an alias)."""
        row = self.db.execute(
            "SELECT url, site, first_seen, last_seen, content_hash, export_file, modified_at, revision "
            "FROM articles WHERE url = ?", (url,)).fetchone()
        if row is None:
            row = self.db.execute(
                "SELECT a.url, a.site, a.first_seen, a.last_seen, a.content_hash, a.export_file, a.modified_at,"
                " a.revision FROM aliases AS x JOIN articles AS a ON a.url = x.url WHERE x.alias = ?",
                (url,)).fetchone()
        return ArticleState(*row) if row else None

    def __contains__(self, url: str) -> bool:
        return self.get(url) is not None

    def add_aliases(self, url: str, aliases: list[str]) -> None:
        """Other names of an exported article (as discovered, before a redirect): skipped under them too."""
        rows = [(alias, url) for alias in aliases if alias and alias != url]
        if rows:
            self.db.executemany("INSERT OR REPLACE INTO aliases (alias, url) VALUES (?, ?)", rows)

    def mark_exported(self, url: str, site: str, content_hash: str | None, export_file: str | None,
                      modified_at: str | None = None, revision: int = 1, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self.db.execute(
            "INSERT INTO articles (url, site, first_seen, last_seen, content_hash, export_file, modified_at, revision)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(url) DO UPDATE SET last_seen = excluded.last_seen, content_hash = excluded.content_hash,"
            " export_file = excluded.export_file, modified_at = excluded.modified_at, revision = excluded.revision",
            (url, site, now, now, content_hash, export_file, modified_at, revision))

    def url_with_hash(self, content_hash: str, other_than: str) -> str | None:
        """The first URL exported with this exact text, other than *other_than*."""
        row = self.db.execute(
            "SELECT url FROM articles WHERE content_hash = ? AND url != ? ORDER BY first_seen LIMIT 1",
            (content_hash, other_than)).fetchone()
        return row[0] if row else None

    def touch(self, url: str, now: float | None = None) -> None:
        self.db.execute("UPDATE articles SET last_seen = ? WHERE url = ?", (time.time() if now is None else now, url))

    def mark_many(self, rows: list[tuple[str, str, str | None, str | None, str | None, int]]) -> int:
        """Bulk insert (url, site, hash, file, modified_at, revision) rows not yet known; returns how many."""
        now = time.time()
        before = self.db.total_changes
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT OR IGNORE INTO articles (url, site, first_seen, last_seen, content_hash, export_file,"
            " modified_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(u, s, now, now, h, f, m, r) for u, s, h, f, m, r in rows])
        self.db.execute("COMMIT")
        return self.db.total_changes - before

    # -- gone URLs (404/410): not asked again every night ------------------------------------------
    def mark_gone(self, url: str, site: str, status: int) -> None:
        now = time.time()
        self.db.execute(
            "INSERT INTO gone (url, site, status, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(url) DO UPDATE SET status = excluded.status, last_seen = excluded.last_seen",
            (url, site, status, now, now))

    def gone_status(self, url: str, max_age_days: float) -> int | None:
        row = self.db.execute("SELECT status, first_seen FROM gone WHERE url = ?", (url,)).fetchone()
        if row and time.time() - row[1] <= max_age_days * 86400:
            return row[0]
        return None

    # -- near-duplicate signatures --------------------------------------------------------------------
    def add_signature(self, url: str, site: str, signature: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO fingerprints (url, site, seen, signature) VALUES (?, ?, ?, ?)",
                        (url, site, time.time(), signature))

    def recent_signatures(self, days: float):
        cutoff = time.time() - days * 86400
        return self.db.execute("SELECT url, signature FROM fingerprints WHERE seen >= ? ORDER BY seen",
                               (cutoff,))

    # -- export files already read back (recovery after a kill) ---------------------------------------
    def scanned_bytes(self, path: str) -> int:
        row = self.db.execute("SELECT scanned_bytes FROM export_files WHERE path = ?", (path,)).fetchone()
        return row[0] if row else 0

    def set_scanned_bytes(self, path: str, size: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO export_files (path, scanned_bytes) VALUES (?, ?)", (path, size))

    # -- maintenance ----------------------------------------------------------------------------------
    def counts(self) -> list[tuple[str, int, float, float]]:
        return self.db.execute(
            "SELECT site, COUNT(*), MIN(first_seen), MAX(last_seen) FROM articles GROUP BY site ORDER BY site"
        ).fetchall()

    def reset_site(self, site: str) -> int:
        self.db.execute("DELETE FROM aliases WHERE url IN (SELECT url FROM articles WHERE site = ?)", (site,))
        cur = self.db.execute("DELETE FROM articles WHERE site = ?", (site,))
        self.db.execute("DELETE FROM gone WHERE site = ?", (site,))
        self.db.execute("DELETE FROM fingerprints WHERE site = ?", (site,))
        return cur.rowcount

    def prune(self, days: float) -> int:
        cutoff = time.time() - days * 86400
        cur = self.db.execute("DELETE FROM articles WHERE last_seen < ?", (cutoff,))
        self.db.execute("DELETE FROM aliases WHERE url NOT IN (SELECT url FROM articles)")
        self.db.execute("DELETE FROM gone WHERE last_seen < ?", (cutoff,))
        self.db.execute("DELETE FROM fingerprints WHERE seen < ?", (cutoff,))
        return cur.rowcount

    def vacuum(self) -> None:
        """Give the space of deleted rows back to the file system (prune alone never shrinks the file)."""
        self.db.execute("VACUUM")  # rewrites into the WAL...
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # ...which the checkpoint writes back: smaller now
