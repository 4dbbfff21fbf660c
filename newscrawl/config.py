"""A typed view of newscrawl's settings, built once per crawler and checked at start.

Defaults live in ``settings.py`` only; this module reads them without literal fallbacks and
turns a bad value into one ``ConfigError`` line *before* the crawl starts (exit status 2),
instead of an exception in the middle of the night.  Components get the view with
``config_of(crawler)``; it is built on first use and kept on the crawler, not in a global.

Where data goes (``data_dir``): the ``NEWSCRAWL_DATA_DIR`` setting, else the environment
variable of that name, else ``./data`` under the working directory.  It holds everything a
run writes: the JSONL output, the state, the run summaries and the locks.  A replay
(``NEWSCRAWL_REPLAY``) with no data folder named explicitly gets a throwaway folder instead,
so that replaying an archive never touches production data (docs/replay.md).
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

DATA_DIR_ENV = "NEWSCRAWL_DATA_DIR"
THROWAWAY_FLAG = "NEWSCRAWL_DATA_DIR_THROWAWAY"  # set by resolve_data_dir when it made a temp folder


class ConfigError(ValueError):
    """A setting has a value newscrawl cannot use; the message is the one line to print."""


@dataclass(frozen=True)
class DiscoveryCaps:
    """How many URLs one source, one listing walk and one run may queue (docs/bad-input.md)."""

    per_feed: int
    per_sitemap: int
    per_listing_walk: int
    per_run: int


@dataclass(frozen=True)
class Config:
    data_dir: Path
    data_dir_throwaway: bool
    state_path: Path | None  # None: the cross-run state is off
    ignore_state: bool
    refetch_hours: float
    gone_days: float
    replay: tuple[str, ...]
    record: str
    now: datetime | None  # NEWSCRAWL_NOW: the reference "now" (aware)
    max_age_days: float | None  # None: each profile's own
    drop_duplicates: bool
    near_dup_threshold: float
    near_dup_days: float
    max_page_bytes: int
    max_html_depth: int
    max_retry_after: float
    caps: DiscoveryCaps
    strict: bool
    max_errors: int
    max_error_ratio: float
    max_missing_ratio: float
    min_items: int | None  # None: each profile's own
    min_candidates: int | None  # None: each profile's own
    stats_file: str
    progress_interval: float
    report: bool
    # NEWSCRAWL_ALLOWED_NETWORKS: non-public networks requests may go to all the same (middlewares/addresses.py)
    allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    log_site: bool  # NEWSCRAWL_LOG_SITE: [<site>] on the log lines about a site (extensions/sitelog.py)
    # distributed mode (docs/distributed.md): "" = single machine, the SQLite state
    redis_url: str = ""
    lease_seconds: float = 300.0
    max_attempts: int = 3
    worker_id: str = ""  # "" = the first free slot <host>-<n> of the data folder
    redis_wait: float = 60.0  # seconds a worker waits for Redis to come back before it stops

    @property
    def distributed(self) -> bool:
        return bool(self.redis_url)

    @property
    def replaying(self) -> bool:
        return bool(self.replay)

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"

    @property
    def locks_dir(self) -> Path:
        return self.data_dir / "locks"

    def output_dir(self, spider_name: str) -> Path:
        return self.data_dir / spider_name


# -- reading values ------------------------------------------------------------------------------------
def _number(settings, name: str, kind=float, minimum: float | None = None, maximum: float | None = None,
            allow_empty: bool = False):
    raw = settings.get(name)
    if raw in (None, ""):
        if allow_empty:
            return None
        raise ConfigError(f"{name} is not set (settings.py gives every default)")
    try:
        value = kind(raw) if kind is float else int(str(raw).strip())
    except (TypeError, ValueError):
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name}={raw!r}: expected {what}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{name}={raw!r}: expected a finite number")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={raw!r}: must be at least {minimum:g}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name}={raw!r}: must be at most {maximum:g}")
    return value


def _bool(settings, name: str) -> bool:
    try:
        return settings.getbool(name)
    except ValueError:
        raise ConfigError(f"{name}={settings.get(name)!r}: expected 0/1, true/false") from None


def parse_now(raw: str | None, name: str = "NEWSCRAWL_NOW") -> datetime | None:
    """An ISO 8601 instant; a value without an offset is read as UTC (never a naive datetime)."""
    if raw in (None, ""):
        return None
    try:
        value = datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected an ISO 8601 time, e.g. 2025-12-05T12:00:00+09:00") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _paths(value) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(str(p).strip() for p in value if str(p).strip())
    return tuple(p.strip() for p in str(value or "").split(",") if p.strip())


def allowed_networks(settings) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """NEWSCRAWL_ALLOWED_NETWORKS: CIDR networks or single addresses (``127.0.0.1/32``, ``::1``)."""
    raw = settings.get("NEWSCRAWL_ALLOWED_NETWORKS")
    items = raw if isinstance(raw, (list, tuple)) else str(raw or "").split(",")
    networks = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(f"NEWSCRAWL_ALLOWED_NETWORKS: {item!r} is not a network "
                              f"(expected e.g. 127.0.0.1/32, 10.0.0.0/8 or ::1)") from None
    return tuple(networks)


def resolve_data_dir(settings) -> tuple[Path, bool]:
    """(the data folder, whether it is a throwaway one); decided once, then kept in the settings.

    Called by the spiders' update_settings and by crawlall before any crawler exists, so that the
    output default, the state, the runs and the locks all agree on one folder.
    """
    current = settings.get("NEWSCRAWL_DATA_DIR")
    if current:
        return Path(current), settings.getbool(THROWAWAY_FLAG)
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    if env:
        return Path(env), False
    replay = _paths(settings.get("NEWSCRAWL_REPLAY"))
    if replay and not settings.get("NEWSCRAWL_STATE") and not settings.getdict("FEEDS"):
        return Path(tempfile.mkdtemp(prefix="newscrawl-replay-")), True
    return Path.cwd() / "data", False


def pin_data_dir(settings) -> Path:
    """Resolve the data folder and write it back into *settings* (priority 'cmdline' if not frozen)."""
    path, throwaway = resolve_data_dir(settings)
    if settings.get("NEWSCRAWL_DATA_DIR") != str(path):
        settings.set("NEWSCRAWL_DATA_DIR", str(path), priority="cmdline")
        settings.set(THROWAWAY_FLAG, throwaway, priority="cmdline")
    return path


def _redis_url(settings) -> str:
    """NEWSCRAWL_REDIS_URL: empty (single machine) or a redis://, rediss:// or unix:// URL."""
    url = str(settings.get("NEWSCRAWL_REDIS_URL") or "").strip()
    if url and url.split("://", 1)[0].lower() not in ("redis", "rediss", "unix"):
        shown = re.sub(r"(//[^:@/]*:)[^@/]*@", r"\1***@", url)  # never print a password
        raise ConfigError(f"NEWSCRAWL_REDIS_URL={shown!r}: expected redis://[:password@]host:port/db, "
                          "rediss://... or unix:///path")
    return url


def _worker_id(settings) -> str:
    """NEWSCRAWL_WORKER_ID goes into file names and Redis key names: a safe alphabet only."""
    value = str(settings.get("NEWSCRAWL_WORKER_ID") or "").strip()
    if value and not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", value):
        raise ConfigError(f"NEWSCRAWL_WORKER_ID={value!r}: use letters, digits, '.', '_' and '-'")
    return value


def build_config(settings) -> Config:
    """The checked view of *settings*; ConfigError names the first bad value."""
    data_dir, throwaway = resolve_data_dir(settings)
    state_on = _bool(settings, "NEWSCRAWL_STATE_ENABLED")
    state = settings.get("NEWSCRAWL_STATE") or str(data_dir / "state" / "newscrawl.sqlite3")
    max_age = _number(settings, "NEWSCRAWL_MAX_AGE_DAYS", minimum=0, allow_empty=True)
    threshold = _number(settings, "NEWSCRAWL_NEAR_DUP_THRESHOLD", minimum=0.05, maximum=1.0)
    replay = _paths(settings.get("NEWSCRAWL_REPLAY"))
    return Config(
        data_dir=data_dir,
        data_dir_throwaway=throwaway,
        state_path=Path(state) if state_on else None,
        ignore_state=_bool(settings, "NEWSCRAWL_IGNORE_STATE"),
        refetch_hours=_number(settings, "NEWSCRAWL_REFETCH_HOURS", minimum=0),
        gone_days=_number(settings, "NEWSCRAWL_GONE_DAYS", minimum=0),
        replay=replay,
        record=str(settings.get("NEWSCRAWL_RECORD") or ""),
        now=parse_now(settings.get("NEWSCRAWL_NOW")),
        max_age_days=max_age,
        drop_duplicates=_bool(settings, "NEWSCRAWL_DROP_DUPLICATES"),
        near_dup_threshold=threshold,
        near_dup_days=_number(settings, "NEWSCRAWL_NEAR_DUP_DAYS", minimum=0),
        max_page_bytes=_number(settings, "NEWSCRAWL_MAX_PAGE_BYTES", int, minimum=0),
        max_html_depth=_number(settings, "NEWSCRAWL_MAX_HTML_DEPTH", int, minimum=8),
        max_retry_after=_number(settings, "NEWSCRAWL_MAX_RETRY_AFTER", minimum=0),
        caps=DiscoveryCaps(
            per_feed=_number(settings, "NEWSCRAWL_MAX_FEED_ENTRIES", int, minimum=1),
            per_sitemap=_number(settings, "NEWSCRAWL_MAX_SITEMAP_ENTRIES", int, minimum=1),
            per_listing_walk=_number(settings, "NEWSCRAWL_MAX_LISTING_LINKS", int, minimum=1),
            per_run=_number(settings, "NEWSCRAWL_MAX_ARTICLES_PER_RUN", int, minimum=1),
        ),
        strict=_bool(settings, "NEWSCRAWL_STRICT"),
        max_errors=_number(settings, "NEWSCRAWL_MAX_ERRORS", int, minimum=0),
        max_error_ratio=_number(settings, "NEWSCRAWL_MAX_ERROR_RATIO", minimum=0, maximum=1),
        max_missing_ratio=_number(settings, "NEWSCRAWL_MAX_MISSING_RATIO", minimum=0, maximum=1),
        min_items=_number(settings, "NEWSCRAWL_MIN_ITEMS", int, minimum=0, allow_empty=True),
        min_candidates=_number(settings, "NEWSCRAWL_MIN_CANDIDATES", int, minimum=0, allow_empty=True),
        stats_file=str(settings.get("NEWSCRAWL_STATS_FILE") or ""),
        progress_interval=_number(settings, "NEWSCRAWL_PROGRESS_INTERVAL", minimum=0),
        report=_bool(settings, "NEWSCRAWL_REPORT"),
        allowed_networks=allowed_networks(settings),
        log_site=_bool(settings, "NEWSCRAWL_LOG_SITE"),
        redis_url=_redis_url(settings),
        lease_seconds=_number(settings, "NEWSCRAWL_LEASE_SECONDS", minimum=0.1),
        max_attempts=_number(settings, "NEWSCRAWL_MAX_ATTEMPTS", int, minimum=1),
        worker_id=_worker_id(settings),
        redis_wait=_number(settings, "NEWSCRAWL_REDIS_WAIT", minimum=0),
    )


_ATTR = "_newscrawl_config"


def config_of(crawler) -> Config:
    """The crawler's config, built once (the crawler's settings are frozen by then)."""
    config = getattr(crawler, _ATTR, None)
    if config is None:
        config = build_config(crawler.settings)
        setattr(crawler, _ATTR, config)
    return config
