"""Which mode a crawl runs in, and what each mode changes before the crawl's components exist.

- single machine (the default): everything as before; nothing here is used;
- a single-machine backfill (``-a since=`` without Redis): the walk runs through a local queue
  (local_queue.py), so that a killed walk resumes;
- distributed (``NEWSCRAWL_REDIS_URL``): the Redis queue, state and politeness.

In both queue modes the spider's ``start()`` is the queue's (source.py) and ``prepare`` adjusts
the settings, from the spider's ``from_crawler`` (the last moment they can change):

- every feed is appended to (``-O`` would truncate the shard a restarted worker must recover)
  and fsynced (a line is committed only once it is on disk);
- distributed: the default output is the worker's shard ``<time>--<worker id>.jsonl``; Scrapy's
  per-slot delay and AutoThrottle are switched off: the shared bucket applies DOWNLOAD_DELAY
  across all workers instead (politeness_mw.py);
- the verdict's minimums of items and candidates default to 0: a worker's share of a queue,
  or what is left of a resumed walk, may rightly be nothing (an explicit setting still wins).
"""

from __future__ import annotations

import re

from ..config import Config, build_config
from .worker import claim_process_worker_id

REDIS, LOCAL = "redis", "local"
STOP_REDIS_LOST = "redis_unreachable"  # the finish reason of a worker whose Redis did not come back (exit 4)
# DOWNLOAD_DELAY as configured, kept for the shared bucket once Scrapy's own delay is set to 0
SHARED_DELAY = "NEWSCRAWL_DISTRIBUTED_HOST_DELAY"
_CLIENT_ATTR = "_newscrawl_redis"


def queue_mode(config: Config, args) -> str | None:
    """"redis", "local" (a backfill on one machine) or None (a nightly run as always)."""
    if config.distributed:
        return REDIS
    if args is not None and getattr(args, "since", None) is not None:
        return LOCAL
    return None


def _override(settings, name: str, value) -> None:
    """Set *name* at least at spider priority, above nothing the user said explicitly for it here."""
    settings.set(name, value, priority=max(settings.getpriority(name) or 0, 30))


def _default(settings, name: str, value) -> None:
    """Set *name* unless the user set it (on the command line or in the spider)."""
    if (settings.getpriority(name) or 0) <= 20:  # 20 = project: settings.py's default
        settings.set(name, value, priority="spider")


def worker_id_of(config: Config) -> str:
    """This process's worker id (claimed once per process and data folder: worker.py)."""
    worker_id, _ = claim_process_worker_id(config.locks_dir, explicit=config.worker_id or None)
    return worker_id


def shard_output(uri: str, worker_id: str) -> str:
    """The default output with the worker id in its name: ``.../%(time)s--<worker id>.jsonl``."""
    if f"--{worker_id}" in uri:
        return uri
    return re.sub(r"(\.jsonl?)?$", lambda m: f"--{worker_id}{m.group(1) or ''}", uri, count=1)


def prepare(crawler, spider) -> str | None:
    """Adjust the settings for the spider's mode (see the module docstring); returns the mode."""
    settings = crawler.settings
    config = build_config(settings)
    mode = queue_mode(config, getattr(spider, "args", None))
    if mode is None:
        return None
    feeds = settings.getdict("FEEDS")
    worker_id = worker_id_of(config) if mode == REDIS else None
    rewritten = {}
    for uri, options in feeds.items():
        options = dict(options)
        if worker_id and settings.getpriority("FEEDS") <= 30:  # the default output (the spider set it)
            uri = shard_output(uri, worker_id)
        options["overwrite"] = False
        options["item_export_kwargs"] = {**(options.get("item_export_kwargs") or {}), "fsync": True}
        rewritten[uri] = options
    if rewritten:
        settings.set("FEEDS", rewritten, priority=settings.getpriority("FEEDS"))
    _default(settings, "NEWSCRAWL_MIN_ITEMS", 0)
    _default(settings, "NEWSCRAWL_MIN_CANDIDATES", 0)
    if mode == REDIS:
        if spider.name == "news":
            # the generic spider lets only the hosts of its own -a url/feed/sitemap through; a worker
            # takes whatever the queue holds (its lease of another host would be acked unfetched)
            spider.allowed_domains = []
        settings.set(SHARED_DELAY, settings.getfloat("DOWNLOAD_DELAY"), priority="cmdline")
        _override(settings, "DOWNLOAD_DELAY", 0)
        _override(settings, "AUTOTHROTTLE_ENABLED", False)
    return mode


def redis_of(crawler):
    """The crawl's one Redis client (state, queue, commit and politeness count round trips together)."""
    client = getattr(crawler, _CLIENT_ATTR, None)
    if client is None:
        from .connection import connect

        config = build_config(crawler.settings)
        # every command rides out a Redis restart for NEWSCRAWL_REDIS_WAIT seconds, counted and said
        # (connection.RidingRetry); past that, the command raises and the worker stops (crawl.py)
        client = connect(config.redis_url, ride_out=config.redis_wait)
        setattr(crawler, _CLIENT_ATTR, client)
    return client


def worker_lock(config: Config):
    """The crawl command's lock in distributed mode: this worker's own, not the site's.

    The workers of one queue share its work, on one machine or many, and may share a data folder:
    each holds the lock of its worker id (``<data>/locks/worker-<id>.lock``) instead of the site's.
    Checked first, so that nothing starts: Redis answers (else exit 4, one line) and the redis
    client is installed (else exit 2)."""
    from ..commands.checks import EXIT_LOCKED, EXIT_NO_NETWORK, EXIT_USAGE, Refused

    try:
        from .connection import UNREACHABLE, connect, redact
    except ImportError:
        raise Refused("newscrawl: distributed mode needs the redis client: pip install 'newscrawl[redis]'",
                      EXIT_USAGE) from None
    try:
        client = connect(config.redis_url, retries=0, connect_timeout=5.0)
    except ValueError as exc:
        raise Refused(f"newscrawl: NEWSCRAWL_REDIS_URL={redact(config.redis_url)}: {exc}", EXIT_USAGE) from None
    try:
        client.ping()
    except UNREACHABLE as exc:
        raise Refused(f"newscrawl: cannot reach Redis at {redact(config.redis_url)}: {exc}", EXIT_NO_NETWORK) from None
    finally:
        client.close()
    try:
        _, lock = claim_process_worker_id(config.locks_dir, explicit=config.worker_id or None)
    except (RuntimeError, OSError) as exc:
        raise Refused(f"newscrawl: {exc}; not starting", EXIT_LOCKED) from None
    return lock
