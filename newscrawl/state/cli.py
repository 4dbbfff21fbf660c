"""`python -m newscrawl.state`: look at and maintain the cross-run state.

    python -m newscrawl.state show                 # per-site counts, first and last seen
    python -m newscrawl.state reset SITE           # forget a site: its articles are collected again
    python -m newscrawl.state prune --days 365     # forget articles not seen for N days, then VACUUM
    python -m newscrawl.state repair               # rebuild a lost or damaged state from the exported JSONL
    python -m newscrawl.state --state PATH ...     # another state file (default: NEWSCRAWL_STATE, else
                                                   # <data dir>/state/newscrawl.sqlite3)

Exit status: 0 done; 2 bad arguments; 3 the state cannot be used (one line says why; `repair` fixes it);
75 a crawl holds a lock of the data folder (reset, prune and repair never run under a crawl: try again after it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from ..runlock import Busy, hold_every_lock
from .store import StateError, StateStore

EXIT_USAGE, EXIT_STATE, EXIT_LOCKED = 2, 3, 75


def _data_dir() -> Path:
    return Path(os.environ.get("NEWSCRAWL_DATA_DIR", "").strip() or Path.cwd() / "data")


def _default_path() -> str:
    """NEWSCRAWL_STATE (environment), else <data dir>/state/newscrawl.sqlite3 as a crawl resolves it."""
    return os.environ.get("NEWSCRAWL_STATE") or str(_data_dir() / "state" / "newscrawl.sqlite3")


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M") if ts else "-"


def repair(state: Path, data_dir: Path) -> tuple[int, int, Path | None]:
    """Set a damaged state aside (never deleted) and rebuild one from every export file under *data_dir*.

    Returns (files read, articles marked, where the old file went). The gone list and the near-duplicate
    fingerprints cannot be rebuilt from the JSONL: the next nights fill them again.
    """
    from .extension import read_records, repair_torn_tail

    moved = None
    if state.exists():
        moved = state.with_name(f"{state.name}.broken-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}")
        state.rename(moved)
        for suffix in ("-wal", "-shm"):
            side = state.with_name(state.name + suffix)
            if side.exists():
                side.rename(moved.with_name(moved.name + suffix))
    store = StateStore(state)
    files = marked = 0
    try:
        for path in sorted(data_dir.glob("*/*.jsonl")):
            repair_torn_tail(path)
            key = str(path.resolve())
            rows = [(r["url"], r.get("site") or path.parent.name, r.get("content_hash"), key, r.get("modified_at"),
                     int(r.get("revision") or 1)) for r, _ in read_records(path)]
            marked += store.mark_many(rows)
            store.set_scanned_bytes(key, path.stat().st_size)
            files += 1
    finally:
        store.close()
    return files, marked, moved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.state", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", default=None, help="state file (default: NEWSCRAWL_STATE or <data dir>/state/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("show", help="per-site counts")
    reset = sub.add_parser("reset", help="forget every article of one site")
    reset.add_argument("site")
    prune = sub.add_parser("prune", help="forget articles not seen for N days, then give the space back")
    prune.add_argument("--days", type=float, required=True)
    fix = sub.add_parser("repair", help="rebuild the state from the exported JSONL (a damaged one is set aside)")
    fix.add_argument("--data-dir", default=None, help="where the exports are (default: NEWSCRAWL_DATA_DIR or ./data)")
    args = parser.parse_args(argv)
    path = Path(args.state or _default_path())
    if args.command == "show":  # a look changes nothing: no lock needed
        return _run(args, path)
    try:
        locks = hold_every_lock(Path(getattr(args, "data_dir", None) or _data_dir()))
    except Busy as exc:
        print(f"newscrawl: {exc}; the state is not changed while a crawl runs (try again after it)", file=sys.stderr)
        return EXIT_LOCKED
    try:
        return _run(args, path)
    finally:
        for lock in locks:
            lock.release()


def _run(args, path: Path) -> int:
    if args.command == "repair":
        files, marked, moved = repair(path, Path(args.data_dir) if args.data_dir else _data_dir())
        if moved:
            print(f"the old state was set aside as {moved}")
        print(f"rebuilt {path}: {marked} articles from {files} export files")
        return 0
    if args.command == "prune" and not args.days > 0:
        print("newscrawl: --days must be a positive number", file=sys.stderr)
        return EXIT_USAGE
    try:
        store = StateStore(path, create=False)
    except StateError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_STATE
    try:
        if args.command == "show":
            rows = store.counts()
            print(f"{'site':<16}{'articles':>10}  {'first seen (UTC)':<18}{'last seen (UTC)':<18}")
            for site, count, first, last in rows:
                print(f"{site:<16}{count:>10}  {_when(first):<18}{_when(last):<18}")
            print(f"{'total':<16}{sum(r[1] for r in rows):>10}")
        elif args.command == "reset":
            removed = store.reset_site(args.site)
            print(f"reset {args.site}: {removed} articles forgotten")
        elif args.command == "prune":
            before = path.stat().st_size
            removed = store.prune(args.days)
            store.vacuum()
            print(f"pruned {removed} articles not seen for {args.days:g} days "
                  f"({before // 1024} KiB -> {path.stat().st_size // 1024} KiB)")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
