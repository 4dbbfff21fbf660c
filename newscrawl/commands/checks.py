"""What `crawl` and `crawlall` check before a crawler exists: one line and an exit status, never a
traceback in the middle of the night.

Exit statuses (README, docs/nightly.md): 0 good; 2 usage (a bad setting or argument, an unknown
spider); 3 the run failed (or the state cannot be used); 4 no network; 75 another run of the same
site holds its lock.
"""

from __future__ import annotations

import sys

from ..config import Config, ConfigError, build_config, pin_data_dir
from ..replay.sources import ArchiveError, check_sources
from ..runlock import RunLock
from ..spiders.args import ArgumentError, SpiderArgs, parse_args
from ..state.store import StateError, StateStore
from .preflight import EXIT_NO_NETWORK  # noqa: F401 - re-exported: one definition of each status

EXIT_USAGE = 2
EXIT_RUN_FAILED = 3
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later


class Refused(Exception):
    """The run does not start: ``message`` is the one line, ``status`` the exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def say(message: str) -> None:
    print(message, file=sys.stderr)


def checked_config(settings) -> Config:
    """The settings' checked view; the data folder is decided here once (a replay's throwaway one too)."""
    try:
        pin_data_dir(settings)
        return build_config(settings)
    except ConfigError as exc:
        raise Refused(f"newscrawl: {exc}", EXIT_USAGE) from None


def checked_args(spargs: dict) -> SpiderArgs:
    try:
        return parse_args(**spargs)
    except ArgumentError as exc:
        raise Refused(f"newscrawl: {exc}", EXIT_USAGE) from None


def checked_spider(name: str, known: list[str]) -> None:
    if name not in known:
        raise Refused(f"newscrawl: no spider {name!r}; known: {', '.join(sorted(known))}", EXIT_USAGE)


def checked_replay(config: Config) -> None:
    """NEWSCRAWL_REPLAY names files (or folders, WACZ) that exist and start as WARCs: else exit 2."""
    if not config.replaying:
        return
    try:
        check_sources(config.replay)
    except ArchiveError as exc:
        raise Refused(f"newscrawl: {exc}", EXIT_USAGE) from None


def checked_state(config: Config) -> None:
    if config.state_path is None or config.distributed:  # distributed: the state is in Redis
        return
    try:
        StateStore(config.state_path).close()
    except StateError as exc:
        raise Refused(str(exc), EXIT_RUN_FAILED) from None


def site_lock(config: Config, site: str) -> RunLock:
    """One run per site at a time: the lock ``<data dir>/locks/<site>.lock``, taken or Refused(75).
    Distributed mode: the workers of a site share its queue; each holds its own worker lock instead."""
    if config.distributed:
        from ..distributed.mode import worker_lock

        return worker_lock(config)
    lock = RunLock(config.locks_dir / f"{site}.lock")
    try:
        taken = lock.acquire()
    except OSError as exc:
        raise Refused(f"newscrawl: cannot take the lock {lock.path} ({exc.strerror or exc})", EXIT_RUN_FAILED) from None
    if not taken:
        holder = lock.holder()
        raise Refused(f"newscrawl: another run of {site} is in progress (pid {holder.get('pid', '?')}, "
                      f"{holder.get('command', 'a crawl')}, started {holder.get('started', '?')}); not starting",
                      EXIT_LOCKED)
    return lock
