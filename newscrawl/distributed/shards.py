"""Each worker's own JSONL shard: write, fsync, commit; and recovery after a kill.

``ShardWriter`` is the whole write path of one record (the order that makes it safe):
append one complete line, flush, fsync, then commit.py's commit; a "duplicate" answer
cuts the line off again.  An exporter that writes its own file does the same with
``truncate_line``.

``recover_shards`` runs when a worker id starts (before it leases or writes): for every
shard that worker id wrote, it sets a torn last line aside (``<shard>.torn``, as the
single-machine state does), then commits each line after the shard's committed offset.
Lines another worker committed first move to ``<shard>.dup`` (never silently deleted).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..state.extension import repair_torn_tail
from .commit import DUPLICATE, Committer
from .connection import UNREACHABLE, wait_for_redis

logger = logging.getLogger(__name__)


def shard_name(worker_id: str, started: str) -> str:
    """``<UTC time>--<worker id>.jsonl``: the worker id is in the name, and names sort by time."""
    return f"{started}--{worker_id}.jsonl"


def _fsync(fh) -> None:
    try:
        os.fsync(fh.fileno())
    except (AttributeError, OSError, ValueError):
        pass  # not a real file (a pipe): nothing to sync


def truncate_line(fh, offset_before: int) -> None:
    """Cut the line written at *offset_before* off an open binary file (after a "duplicate").

    The position is moved back too: a file opened "wb" (``-O``) would otherwise leave a hole
    of zero bytes before its next line; one opened "ab" writes at the end anyway."""
    fh.flush()
    fh.truncate(offset_before)
    fh.seek(offset_before)
    _fsync(fh)


@dataclass
class WriteResult:
    kept: bool
    offset_before: int
    offset_after: int


class ShardWriter:
    """Appends records to one shard with the exactly-once commit (one worker, one file).

    A commit whose answer is lost (Redis restarts, the network drops) is sent again until
    Redis answers: the script tells "already" from new, so a line is never cut off after it
    was committed, and no new line is written while the last one's fate is unknown (only
    the last line of a shard may be uncommitted: recovery relies on it)."""

    def __init__(self, committer: Committer, path: str | Path, *, fsync: bool = True,
                 redis_wait: float = 60.0) -> None:
        self.committer = committer
        self.path = Path(path).resolve()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        committer.register_shard(str(self.path))
        self.fh = self.path.open("ab")
        self.fsync = fsync
        self.redis_wait = redis_wait
        self.duplicates = 0
        self.outages = 0  # commits Redis did not answer (sent again once it did)
        self._unanswered: tuple | None = None  # the last line's commit, while Redis did not answer

    def _commit(self, before: int, after: int, kwargs: dict) -> bool:
        self._unanswered = (before, after, kwargs)
        while True:
            try:
                kept = self.committer.commit(**kwargs, offset_before=before, offset_after=after)
                break
            except UNREACHABLE:
                self.outages += 1
                if not wait_for_redis(self.committer.redis, self.redis_wait):
                    raise  # the line stays, uncommitted and last: the next write or recovery settles it
        self._unanswered = None
        if not kept:
            truncate_line(self.fh, before)
            self.duplicates += 1
        return kept

    def write(self, record: dict, *, site: str, queued_url: str | None = None,
              lease_id: str | None = None) -> WriteResult:
        if self._unanswered is not None:
            self._commit(*self._unanswered)
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        before = self.fh.tell()
        self.fh.write(line)
        self.fh.flush()
        if self.fsync:
            _fsync(self.fh)
        after = self.fh.tell()
        kept = self._commit(before, after, dict(
            item_url=record["url"], site=site, content_hash=record.get("content_hash"), shard_path=str(self.path),
            revision=int(record.get("revision") or 1), modified_at=record.get("modified_at"),
            queued_url=queued_url, lease_id=lease_id))
        return WriteResult(kept, before, after)

    def close(self) -> None:
        self.fh.close()


@dataclass
class Recovery:
    """What recover_shards did (the caller turns it into stats: newscrawl/distributed/...)."""
    committed: int = 0        # lines nobody had committed: committed now
    duplicates: int = 0       # lines another worker committed first: moved to <shard>.dup
    torn: int = 0             # shards whose last line was cut off by the kill (<shard>.torn)
    unreadable: int = 0       # lines that are not a JSON record with a url (left in place)
    stranded: int = 0         # duplicates followed by committed lines: cannot be cut (left, logged)
    shards: list[str] = field(default_factory=list)


def _tail_lines(path: Path, start: int) -> list[tuple[int, int, bytes]]:
    out = []
    with path.open("rb") as fh:
        fh.seek(start)
        pos = start
        for line in fh:
            out.append((pos, pos + len(line), line))
            pos += len(line)
    return out


def recover_shard(committer: Committer, path: str | Path, site: str | None = None,
                  report: Recovery | None = None, queue: str | None = None) -> Recovery:
    report = report or Recovery()
    path = Path(path)
    key = str(path.resolve())
    if not path.exists():
        return report
    report.shards.append(key)
    if repair_torn_tail(path):
        report.torn += 1
        logger.warning("Shard %s ended with a partial line (a killed worker): moved to %s.torn", path, path.name)
    start = committer.committed_offset(key)
    if path.stat().st_size < start:
        # the shard was cut back after its committed offset was stored (a duplicate cut off
        # right before a kill): nothing after it to recover
        start = path.stat().st_size
    results = []
    for before, after, line in _tail_lines(path, start):
        try:
            record = json.loads(line)
            url = record["url"]
        except (ValueError, KeyError, TypeError):
            report.unreadable += 1
            logger.error("Shard %s: the line at byte %d is not a record with a url; left in place", path, before)
            results.append((before, after, line, "unreadable"))
            continue
        status = committer.commit_status(url, record.get("site") or site or "", record.get("content_hash"), key,
                                         before, after, revision=int(record.get("revision") or 1),
                                         modified_at=record.get("modified_at"), queue=queue)
        results.append((before, after, line, status))
        if status != DUPLICATE:
            report.committed += status == "ok"
    # duplicates can be cut only from the end: after a kill there is one uncommitted line, the last
    cut = len(results)
    while cut and results[cut - 1][3] == DUPLICATE:
        cut -= 1
    moved = results[cut:]
    if moved:
        with path.with_name(path.name + ".dup").open("ab") as dup:
            for _, _, line, _ in moved:
                dup.write(line)
            dup.flush()
            _fsync(dup)
        with path.open("rb+") as fh:
            truncate_line(fh, moved[0][0])
        report.duplicates += len(moved)
        logger.warning("Shard %s: %d line(s) another worker exported first moved to %s.dup",
                       path, len(moved), path.name)
    stranded = sum(1 for r in results[:cut] if r[3] == DUPLICATE)
    if stranded:
        report.stranded += stranded
        logger.error("Shard %s: %d duplicate line(s) before committed lines cannot be cut off; "
                     "consumers keep one record per url", path, stranded)
    return report


def recover_shards(committer: Committer, paths: list[str | Path] | None = None,
                   site: str | None = None, queue: str | None = None) -> Recovery:
    """Recover every shard of the committer's worker id (default: those it registered).
    *queue*: the queue's site when it is not the records' (the generic spider's "news")."""
    report = Recovery()
    for path in (paths if paths is not None else committer.shards()):
        recover_shard(committer, path, site, report, queue)
    if report.committed or report.duplicates:
        logger.warning("Recovered worker %s: %d line(s) committed, %d duplicate(s) moved out",
                       committer.worker_id, report.committed, report.duplicates)
    return report


def worker_shard_paths(folder: str | Path, worker_id: str) -> list[Path]:
    """The shards named for *worker_id* in *folder* (shard_name), oldest first."""
    folder = Path(folder)
    return sorted(folder.glob(f"*--{worker_id}.jsonl")) if folder.is_dir() else []
