"""The queue's progress line: done, queued, rate and ETA over all workers (every 60 s by default).

    queue yonhap: done 700 (worker crawl-a-1: 230), queued 492, leased 7, dead 1; 11.2/s over all workers; ETA 45s

The rate is the queue's (every worker's commits and acks between two lines), so each worker's
log tells how far the whole backfill is; ETA = (queued + leased) / rate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snapshot:
    at: float  # monotonic seconds
    done: int
    queued: int
    leased: int
    dead: int


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600}h"


def rate_and_eta(now: Snapshot, previous: Snapshot | None) -> tuple[float | None, float | None]:
    """(URLs settled per second since *previous*, seconds left at that rate); None when unknown."""
    if previous is None or now.at <= previous.at:
        return None, None
    rate = max(0, now.done - previous.done) / (now.at - previous.at)
    left = now.queued + now.leased
    if not left:
        return rate, 0.0
    return rate, (left / rate if rate > 0 else None)


def progress_line(site: str, worker_id: str, now: Snapshot, previous: Snapshot | None, mine: int) -> str:
    rate, eta = rate_and_eta(now, previous)
    shown_rate = "rate unknown yet" if rate is None else f"{rate:.1f}/s over all workers"
    shown_eta = "?" if eta is None else duration(eta)
    return (f"queue {site}: done {now.done} (worker {worker_id}: {mine}), queued {now.queued}, "
            f"leased {now.leased}, dead {now.dead}; {shown_rate}; ETA {shown_eta}")
