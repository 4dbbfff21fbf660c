"""`python -m newscrawl.queue`: watch and maintain the distributed queue and state.

    python -m newscrawl.queue status --redis URL [--site S]        per site: queued, leased, done, failed, dead
    python -m newscrawl.queue requeue-dead --redis URL [--site S]  dead letters back into their queues
    python -m newscrawl.queue state-import --redis URL [--state PATH]   SQLite state -> Redis
    python -m newscrawl.queue state-export --redis URL [--state PATH]   Redis state -> SQLite
    python -m newscrawl.queue recover --redis URL --worker ID [SHARD ...]
                                    commit (or set aside) the last lines of a dead worker's shards

Exit status: 0 done; 2 bad arguments; 4 Redis cannot be reached (or answered with an error).
"""

from __future__ import annotations

import argparse
import os
import sys

import redis

from .connection import UNREACHABLE, connect, redact
from .keys import DEFAULT_PREFIX

EXIT_OK, EXIT_USAGE, EXIT_REDIS = 0, 2, 4


def _age(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


def _status(client, args) -> int:
    from .queue_status import status

    rows = status(client, args.site, prefix=args.prefix)
    print(f"{'site':<16}{'queued':>9}{'leased':>8}{'done':>9}{'failed':>8}{'dead':>7}{'dups':>6}  leases by worker (idle)")
    for row in rows:
        workers = ", ".join(f"{w}: {n} ({_age(age)})" for w, n, age in row.workers if n) or "-"
        print(f"{row.site:<16}{row.queued:>9}{row.leased:>8}{row.done:>9}{row.failed:>8}{row.dead:>7}"
              f"{row.duplicates:>6}  {workers}")
    if not rows:
        print("(no queue yet)" if not args.site else f"(no queue for {args.site})")
    return EXIT_OK


def _requeue(client, args) -> int:
    from .queue_status import requeue_dead

    moved = requeue_dead(client, args.site, prefix=args.prefix)
    print(f"requeued {moved} dead letter(s)" + (f" of {args.site}" if args.site else ""))
    return EXIT_OK


def _state_path(args) -> str:
    if args.state:
        return args.state
    from ..state.cli import _default_path

    return _default_path()


def _transfer(client, args) -> int:
    from ..state.store import StateStore
    from .state import RedisStateStore
    from .transfer import export_state, import_state

    path = _state_path(args)
    if args.command == "state-import" and not os.path.exists(path):
        print(f"newscrawl: no state file at {path}", file=sys.stderr)
        return EXIT_USAGE
    sqlite = StateStore(path)
    try:
        target = RedisStateStore(client, prefix=args.prefix)
        if args.command == "state-import":
            print(import_state(sqlite, target, near_dup_threshold=args.near_dup_threshold).line(f"{path} -> Redis"))
        else:
            print(export_state(target, sqlite).line(f"Redis -> {path}"))
    finally:
        sqlite.close()
    return EXIT_OK


def _recover(client, args) -> int:
    from .commit import Committer
    from .shards import recover_shards

    committer = Committer(client, args.worker, prefix=args.prefix)
    report = recover_shards(committer, args.shards or None)
    print(f"worker {args.worker}: {len(report.shards)} shard(s), {report.committed} line(s) committed, "
          f"{report.duplicates} duplicate(s) moved to .dup, {report.torn} torn tail(s) set aside, "
          f"{report.unreadable} unreadable line(s), {report.stranded} stranded duplicate(s)")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.queue", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--redis", required=True, metavar="URL", help="redis://HOST:PORT/DB")
    common.add_argument("--prefix", default=DEFAULT_PREFIX, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("status", parents=[common], help="per site: queued, leased, done, failed, dead")
    p.add_argument("--site")
    p = sub.add_parser("requeue-dead", parents=[common], help="put dead letters back in their queues")
    p.add_argument("--site")
    for name, text in (("state-import", "SQLite state -> Redis"), ("state-export", "Redis state -> SQLite")):
        p = sub.add_parser(name, parents=[common], help=text)
        p.add_argument("--state", help="SQLite state file (default: NEWSCRAWL_STATE or data/state/)")
        p.add_argument("--near-dup-threshold", type=float, default=0.6, help=argparse.SUPPRESS)
    p = sub.add_parser("recover", parents=[common], help="commit or set aside a dead worker's last lines")
    p.add_argument("--worker", required=True)
    p.add_argument("shards", nargs="*", help="shard files (default: those the worker registered)")
    return parser


COMMANDS = {"status": _status, "requeue-dead": _requeue, "state-import": _transfer,
            "state-export": _transfer, "recover": _recover}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # exits 2 with argparse's usage line on bad arguments
    try:
        client = connect(args.redis, retries=0)
    except ValueError as exc:
        print(f"newscrawl: bad Redis URL {redact(args.redis)}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](client, args)
    except UNREACHABLE as exc:
        print(f"newscrawl: cannot reach Redis at {redact(args.redis)}: {exc}", file=sys.stderr)
        return EXIT_REDIS
    except redis.exceptions.RedisError as exc:
        print(f"newscrawl: Redis at {redact(args.redis)} answered with an error: {exc}", file=sys.stderr)
        return EXIT_REDIS
    finally:
        client.close()
