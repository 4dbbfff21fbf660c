"""Move the cross-run state between SQLite (one machine) and Redis (many), both ways.

``state-import`` before the first distributed run, so that what one machine exported is
not exported again by the workers; ``state-export`` to go back to single-machine mode.
Both merge instead of overwrite (first_seen = earliest, last_seen = latest, the other
fields from the higher revision), so running either twice changes nothing the second time.

Moved: articles, gone URLs, near-duplicate signatures (indexed into the shared LSH bands
on import).  Not moved: ``export_files``, which says how far one machine's JSONL files were
read back; it means nothing on another machine (the shards keep their own offsets).
The SQLite side is written with SQL on StateStore's tables (newscrawl/state/store.py's
schema) because StateStore has no method that keeps a row's own times.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fingerprints import minhash_from_bytes
from ..state.store import ArticleState, StateStore
from .near_duplicates import SharedNearDuplicateIndex
from .state import RedisStateStore

BATCH = 2000


@dataclass
class TransferCounts:
    articles_read: int = 0
    articles_added: int = 0
    articles_updated: int = 0
    gone: int = 0
    signatures: int = 0

    def line(self, direction: str) -> str:
        return (f"{direction}: {self.articles_read} articles read, {self.articles_added} added, "
                f"{self.articles_updated} updated; {self.gone} gone URLs; {self.signatures} signatures")


def import_state(sqlite: StateStore, target: RedisStateStore, *, near_dup_threshold: float = 0.6) -> TransferCounts:
    counts = TransferCounts()
    cursor = sqlite.db.execute("SELECT url, site, first_seen, last_seen, content_hash, export_file, modified_at,"
                               " revision FROM articles")
    while rows := cursor.fetchmany(BATCH):
        counts.articles_read += len(rows)
        added, updated = target.put_articles(ArticleState(*row) for row in rows)
        counts.articles_added += added
        counts.articles_updated += updated
    for url, site, status, first, last in sqlite.db.execute(
            "SELECT url, site, status, first_seen, last_seen FROM gone").fetchall():
        target.put_gone(url, site, status, first, last)
        counts.gone += 1
    index = SharedNearDuplicateIndex(target.redis, near_dup_threshold, days=0, prefix=target.prefix)
    for url, site, seen, blob in sqlite.db.execute("SELECT url, site, seen, signature FROM fingerprints"):
        index.add(url, minhash_from_bytes(bytes(blob)), site=site, now=seen)
        counts.signatures += 1
    return counts


def export_state(source: RedisStateStore, sqlite: StateStore) -> TransferCounts:
    counts = TransferCounts()
    db = sqlite.db
    before = db.total_changes
    db.execute("BEGIN")
    for row in source.iter_articles():
        counts.articles_read += 1
        known = db.execute("SELECT 1 FROM articles WHERE url = ?", (row.url,)).fetchone()
        db.execute(
            "INSERT INTO articles (url, site, first_seen, last_seen, content_hash, export_file, modified_at, revision)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(url) DO UPDATE SET"
            "  site = CASE WHEN excluded.revision > revision OR (excluded.revision = revision"
            "         AND excluded.last_seen > last_seen) THEN excluded.site ELSE site END,"
            "  content_hash = CASE WHEN excluded.revision > revision OR (excluded.revision = revision"
            "         AND excluded.last_seen > last_seen) THEN excluded.content_hash ELSE content_hash END,"
            "  export_file = CASE WHEN excluded.revision > revision OR (excluded.revision = revision"
            "         AND excluded.last_seen > last_seen) THEN excluded.export_file ELSE export_file END,"
            "  modified_at = CASE WHEN excluded.revision > revision OR (excluded.revision = revision"
            "         AND excluded.last_seen > last_seen) THEN excluded.modified_at ELSE modified_at END,"
            "  revision = MAX(revision, excluded.revision),"
            "  first_seen = MIN(first_seen, excluded.first_seen),"
            "  last_seen = MAX(last_seen, excluded.last_seen)"
            " WHERE excluded.revision != revision OR excluded.last_seen > last_seen"
            "  OR excluded.first_seen < first_seen",
            (row.url, row.site, row.first_seen, row.last_seen, row.content_hash, row.export_file,
             row.modified_at, row.revision))
        if not known:
            counts.articles_added += 1
    counts.articles_updated = db.total_changes - before - counts.articles_added
    for url, site, status, first, last in source.iter_gone():
        db.execute("INSERT INTO gone (url, site, status, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
                   " ON CONFLICT(url) DO UPDATE SET"
                   "  status = CASE WHEN excluded.last_seen > last_seen THEN excluded.status ELSE status END,"
                   "  first_seen = MIN(first_seen, excluded.first_seen),"
                   "  last_seen = MAX(last_seen, excluded.last_seen)",
                   (url, site, status, first, last))
        counts.gone += 1
    for url, site, seen, blob in source.iter_signatures():
        db.execute("INSERT INTO fingerprints (url, site, seen, signature) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT(url) DO UPDATE SET seen = MAX(seen, excluded.seen),"
                   "  signature = CASE WHEN excluded.seen > seen THEN excluded.signature ELSE signature END",
                   (url, site, seen, blob))
        counts.signatures += 1
    db.execute("COMMIT")
    return counts
