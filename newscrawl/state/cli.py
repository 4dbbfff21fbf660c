"""`python -m newscrawl.state`: look at and maintain the cross-run state.

    python -m newscrawl.state show                 # per-site counts, first and last seen
    python -m newscrawl.state reset SITE           # forget a site: its articles are collected again
    python -m newscrawl.state prune --days 365     # forget articles not seen for N days
    python -m newscrawl.state --state PATH ...     # another state file (default: NEWSCRAWL_STATE)
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timezone

from .store import StateStore


def _default_path() -> str:
    """NEWSCRAWL_STATE (environment), else <data dir>/state/newscrawl.sqlite3 as a crawl resolves it."""
    if os.environ.get("NEWSCRAWL_STATE"):
        return os.environ["NEWSCRAWL_STATE"]
    from pathlib import Path

    data_dir = os.environ.get("NEWSCRAWL_DATA_DIR", "").strip() or str(Path.cwd() / "data")
    return str(Path(data_dir) / "state" / "newscrawl.sqlite3")


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M") if ts else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.state", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", default=None, help="state file (default: NEWSCRAWL_STATE or data/state/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("show", help="per-site counts")
    reset = sub.add_parser("reset", help="forget every article of one site")
    reset.add_argument("site")
    prune = sub.add_parser("prune", help="forget articles not seen for N days")
    prune.add_argument("--days", type=float, required=True)
    args = parser.parse_args(argv)

    store = StateStore(args.state or _default_path())
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
            if args.days <= 0:
                print("--days must be positive", file=sys.stderr)
                return 2
            removed = store.prune(args.days)
            print(f"pruned {removed} articles not seen for {args.days:g} days")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
