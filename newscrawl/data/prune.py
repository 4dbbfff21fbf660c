"""What `python -m newscrawl.data prune` removes, and the removing.

- ``runs/<stamp>.json`` and ``.html`` of nights that started more than N days ago (by the stamp in
  the name, export/names.py; by the file's time when the name has none). ``index.html`` stays: the
  next night (or `python -m newscrawl.report`) rebuilds it from the summaries that are left;
- empty ``<spider>/*.jsonl`` files, whatever their age (left by runs from before outputs were made
  on their first record: export/storage.py);
- ``<spider>/*.torn`` side files (the cut-off last line of a killed run, kept for a person to look
  at) older than N days;
- the state: articles, gone URLs and fingerprints not seen for ``state_days`` (default N), then
  VACUUM, which gives the freed pages back to the file system (a DELETE alone never shrinks it).

It never touches the exported JSONL records, and it does not run while a crawl holds a lock.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..export.names import parse_stamp
from ..runlock import RunLock
from ..state.store import StateStore

DAY = 86400.0


@dataclass
class Plan:
    runs: list[Path] = field(default_factory=list)
    empty_outputs: list[Path] = field(default_factory=list)
    torn: list[Path] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return self.runs + self.empty_outputs + self.torn


@dataclass
class Done:
    plan: Plan
    removed: int = 0  # files
    state_articles: int | None = None  # None: no state file
    state_bytes: tuple[int, int] | None = None  # size before, after


class Busy(RuntimeError):
    """A crawl holds a lock of the data folder; the message names the lock."""


def _started(path: Path) -> float:
    when = parse_stamp(path.stem)
    return when.timestamp() if when is not None else path.stat().st_mtime


def plan(data_dir: Path, keep_days: float, now: float | None = None) -> Plan:
    """The files to remove under *data_dir* (nothing is removed here)."""
    cutoff = (time.time() if now is None else now) - keep_days * DAY
    found = Plan()
    runs = data_dir / "runs"
    if runs.is_dir():
        found.runs = sorted(p for p in runs.iterdir() if p.is_file() and p.suffix in (".json", ".html")
                            and p.name != "index.html" and _started(p) < cutoff)
    for folder in sorted(p for p in data_dir.iterdir() if p.is_dir() and p.name not in ("runs", "state", "locks")) \
            if data_dir.is_dir() else []:
        found.empty_outputs += sorted(p for p in folder.glob("*.jsonl") if p.is_file() and p.stat().st_size == 0)
        found.torn += sorted(p for p in folder.glob("*.torn") if p.is_file() and p.stat().st_mtime < cutoff)
    return found


def _locks(data_dir: Path) -> list[RunLock]:
    """Every lock of the data folder, taken (Busy when a crawl holds one)."""
    paths = [data_dir / "crawlall.lock", *sorted((data_dir / "locks").glob("*.lock"))]
    taken: list[RunLock] = []
    for path in paths:
        if not path.exists():
            continue
        lock = RunLock(path)
        if not lock.acquire():
            for held in taken:
                held.release()
            holder = lock.holder()
            raise Busy(f"{path} is held by a running crawl (pid {holder.get('pid', '?')}, "
                       f"started {holder.get('started', '?')})")
        taken.append(lock)
    return taken


def prune(data_dir: Path, keep_days: float, state_path: Path, state_days: float, *, dry_run: bool = False,
          now: float | None = None) -> Done:
    """Remove what plan() finds and prune + VACUUM the state; *dry_run*: only say what would go.
    Busy when a crawl holds a lock; StateError when the state cannot be used."""
    locks = [] if dry_run else _locks(data_dir)
    try:
        done = Done(plan(data_dir, keep_days, now))
        if state_path.exists():
            before = state_path.stat().st_size
            store = StateStore(state_path, create=False)
            try:
                if dry_run:
                    cutoff = (time.time() if now is None else now) - state_days * DAY
                    done.state_articles = store.db.execute(
                        "SELECT COUNT(*) FROM articles WHERE last_seen < ?", (cutoff,)).fetchone()[0]
                else:
                    done.state_articles = store.prune(state_days)  # StateStore's clock: time.time()
                    store.vacuum()
            finally:
                store.close()  # the last connection's checkpoint is what shrinks the file after VACUUM
            if not dry_run:
                done.state_bytes = (before, state_path.stat().st_size)
        if not dry_run:
            for path in done.plan.files:
                try:
                    os.unlink(path)
                    done.removed += 1
                except FileNotFoundError:
                    pass
        return done
    finally:
        for lock in locks:
            lock.release()
