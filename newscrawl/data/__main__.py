"""`python -m newscrawl.data prune --keep-days N [--state-days D] [--data-dir DIR] [--dry-run]`

Exit status: 0 done; 2 a bad option (nothing done); 3 the state cannot be used (nothing done);
75 a crawl holds a lock of the data folder (nothing done: try again after the night).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from ..config import DATA_DIR_ENV
from ..state.store import StateError
from .prune import Busy, prune

EXIT_USAGE, EXIT_FAILED, EXIT_LOCKED = 2, 3, 75


def _days(value: str) -> float:
    try:
        days = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of days") from None
    if not math.isfinite(days) or days < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: keep at least 1 day")
    return days


def _longest_max_age() -> float:
    from ..sites import all_profiles

    return max((p.discovery.max_age_days for p in all_profiles().values()), default=0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("prune", help="remove old run summaries, empty outputs, old .torn files; prune the state")
    cmd.add_argument("--keep-days", type=_days, required=True, help="keep everything of the last N days")
    cmd.add_argument("--state-days", type=_days, default=None,
                     help="forget articles not seen for D days (default: --keep-days)")
    cmd.add_argument("--data-dir", type=Path, default=None,
                     help=f"the data folder (default: ${DATA_DIR_ENV}, else ./data)")
    cmd.add_argument("--state", type=Path, default=None,
                     help="the state file (default: $NEWSCRAWL_STATE, else <data dir>/state/newscrawl.sqlite3)")
    cmd.add_argument("--dry-run", action="store_true", help="say what would be removed, remove nothing")
    args = parser.parse_args(argv)

    data_dir = args.data_dir or Path(os.environ.get(DATA_DIR_ENV, "").strip() or Path.cwd() / "data")
    state = args.state or Path(os.environ.get("NEWSCRAWL_STATE", "").strip() or data_dir / "state" / "newscrawl.sqlite3")
    state_days = args.state_days or args.keep_days
    floor = _longest_max_age()
    if state_days < floor:
        # an article a feed still lists (up to max_age_days old) would be forgotten, then exported again
        print(f"newscrawl: the state would forget articles not seen for {state_days:g} days (--state-days, "
              f"default --keep-days), less than the longest discovery max_age_days ({floor:g}): articles still "
              f"in a feed would be collected again; give --state-days {floor:g} or more", file=sys.stderr)
        return EXIT_USAGE
    if not data_dir.is_dir():
        print(f"newscrawl: no data folder {data_dir}", file=sys.stderr)
        return EXIT_USAGE
    try:
        done = prune(data_dir, args.keep_days, state, state_days, dry_run=args.dry_run)
    except Busy as exc:
        print(f"newscrawl: not pruning: {exc}; try again after the night", file=sys.stderr)
        return EXIT_LOCKED
    except StateError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED

    verb = "would remove" if args.dry_run else "removed"
    plan = done.plan
    if args.dry_run:
        for path in plan.files:
            print(f"would remove {path}")
    print(f"{verb} {len(plan.runs)} run file(s) older than {args.keep_days:g} days, "
          f"{len(plan.empty_outputs)} empty output(s), {len(plan.torn)} .torn file(s)")
    if done.state_articles is None:
        print(f"no state at {state}")
    elif args.dry_run:
        print(f"would forget {done.state_articles} article(s) not seen for {state_days:g} days, then VACUUM {state}")
    else:
        before, after = done.state_bytes
        print(f"forgot {done.state_articles} article(s) not seen for {state_days:g} days; "
              f"VACUUM {state}: {before} -> {after} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
