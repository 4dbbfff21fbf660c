"""A worker's id: stable across its restarts, unique among the workers sharing a data folder.

The single-machine rule "one run per site at a time" (data/*.lock) does not hold for the
workers of one queue: several may run on one machine and share its data folder.  Each
takes the first free numbered slot, ``<host>-1``, ``<host>-2``, ... , holding the slot's
lock file (flock: the kernel drops it when the process dies).  A worker restarted after a
kill therefore gets its old id back (the lowest free slot), finds its own shards and its
own unfinished leases, and recovers them.  NEWSCRAWL_WORKER_ID names a worker explicitly.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

from ..runlock import RunLock

MAX_SLOTS = 256


def default_host() -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname().split(".")[0]) or "worker"


def valid_worker_id(worker_id: str) -> bool:
    """Worker ids go into file names and Redis key names: letters, digits, '.', '_', '-'."""
    return bool(re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", worker_id))


def claim_worker_id(lock_dir: str | Path, host: str | None = None,
                    explicit: str | None = None) -> tuple[str, RunLock]:
    """(worker id, its held lock).  *explicit*: that id, or ValueError if invalid, or
    RuntimeError if another live process holds it."""
    lock_dir = Path(lock_dir)
    if explicit:
        if not valid_worker_id(explicit):
            raise ValueError(f"invalid worker id {explicit!r}: use letters, digits, '.', '_' and '-'")
        lock = RunLock(lock_dir / f"worker-{explicit}.lock")
        if not lock.acquire():
            raise RuntimeError(f"worker id {explicit} is in use by {lock.holder() or 'another process'}")
        return explicit, lock
    host = host or default_host()
    for slot in range(1, MAX_SLOTS + 1):
        worker_id = f"{host}-{slot}"
        lock = RunLock(lock_dir / f"worker-{worker_id}.lock")
        if lock.acquire():
            return worker_id, lock
    raise RuntimeError(f"all {MAX_SLOTS} worker slots of {host} in {lock_dir} are taken")


# One worker id per process and data folder: the crawl command claims it (its per-worker lock,
# commands/checks.py site_lock), the spider names its shard with it and the queue extension
# leases with it; all three must get the same id, and the slot's lock is held once.
_PROCESS_IDS: dict[tuple[str, str], tuple[str, RunLock]] = {}


def claim_process_worker_id(lock_dir: str | Path, host: str | None = None,
                            explicit: str | None = None) -> tuple[str, RunLock]:
    """claim_worker_id, once per process: later calls for the same folder get the same held id."""
    key = (str(Path(lock_dir).resolve()), explicit or "")
    held = _PROCESS_IDS.get(key)
    if held is not None and held[1].held:  # still held (not released)
        return held
    held = _PROCESS_IDS[key] = claim_worker_id(lock_dir, host, explicit)
    return held
