"""`scrapy crawlall`: the nightly job - every site, one process, one summary, a loud exit status.

Why one process for all sites: sites run side by side on one reactor (politeness is
per domain, so they do not slow each other), the near-duplicate index is shared, so
one agency story on two sites is caught the same night, and one summary covers the
night.  A failure stays within its site: an exception in a callback or a dead site
fails that site's verdict only, and a site that cannot even start is reported and
the others still run.  What one process cannot survive (a kill, an OOM) is covered by
the state: the next run resumes where this one stopped, without re-exporting.

Exit status: 0 every site finished well; 2 a usage error (a bad option or setting; nothing
was done); 3 at least one site failed (named in the summary and the log), or the state cannot
be used; 4 no network at all (no site host resolves; nothing was done); 75 another crawlall
holds the lock, or every site is being crawled by another run (nothing was done).  A site that
a single `scrapy crawl` is crawling right now is not run again: its row says so.
"""

from __future__ import annotations

import argparse
import logging
import math
import time
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from ..extensions.health import HealthCheck
from ..runlock import RunLock
from ..sites import all_profiles
from .checks import (
    EXIT_LOCKED, EXIT_NO_NETWORK, EXIT_RUN_FAILED, Refused, checked_config, checked_replay, checked_state, say,
    site_lock,
)
from .night import night_summary, save_night
from .preflight import no_network_message

logger = logging.getLogger(__name__)

def _budget(value: str) -> float:
    """--budget: seconds, a finite number >= 0 (0: no budget)."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: expected a number of seconds") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise argparse.ArgumentTypeError(f"{value!r}: expected 0 (no budget) or a positive number of seconds")
    return seconds


def _verdict(crawler):
    """The crawler's verdict, or None when it never got far enough to have one."""
    if crawler is None:
        return None
    try:
        health = crawler.get_extension(HealthCheck)
    except RuntimeError:  # the extension manager was never created: the site did not start
        return None
    return health.verdict if health is not None else None


COLUMNS = [("site", 12), ("ok", 4), ("pages", 6), ("items", 6), ("skipped", 8), ("dups", 5),
           ("dropped", 16), ("errors", 7), ("fallback", 9), ("secs", 6)]


def format_table(rows: list[dict]) -> str:
    def cell(row, name):
        value = row.get(name)
        if name == "dropped":
            return ",".join(f"{k}:{v}" for k, v in sorted((value or {}).items())) or "0"
        if name == "ok":
            return "FAIL" if row.get("failed") else ("lock" if row.get("locked") else "ok")
        if name == "dups":
            return str(row.get("duplicates", 0))
        if name == "skipped":
            return str(row.get("skipped_seen", 0))
        if name == "secs":
            return "-" if row.get("seconds") is None else f"{row['seconds']:.1f}"
        return str(value if value is not None else 0)

    lines = ["  ".join(f"{name:<{width}}" for name, width in COLUMNS)]
    for row in rows:
        lines.append("  ".join(f"{cell(row, name):<{width}}" for name, width in COLUMNS))
    for row in rows:
        for reason in row.get("reasons", []):
            lines.append(f"FAILED {row['site']}: {reason}")
        if row.get("locked"):
            lines.append(f"NOT RUN {row['site']}: {row.get('note', 'locked by another run')}")
    return "\n".join(lines)


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Run every site (the nightly job); exit non-zero when any site failed"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--sites", default="", help="comma-separated site keys (default: every site)")
        parser.add_argument("--exclude", default="", help="comma-separated site keys to leave out")
        parser.add_argument("--budget", type=_budget, default=0,
                            help="time budget in seconds for the whole run (each site is closed when it is spent)")
        parser.add_argument("--summary", default="", help="write the JSON summary here (default: data/runs/)")

    def _sites(self, opts) -> list[str]:
        known = list(all_profiles())
        wanted = [s.strip() for s in opts.sites.split(",") if s.strip()] or known
        excluded = {s.strip() for s in opts.exclude.split(",") if s.strip()}
        unknown = [s for s in wanted + sorted(excluded) if s not in known]
        if unknown:
            raise UsageError(f"unknown site(s): {', '.join(unknown)}; known: {', '.join(known)}", print_help=False)
        return [s for s in wanted if s not in excluded]

    def run(self, args, opts) -> None:
        if args:
            raise UsageError("crawlall takes no positional arguments (use --sites)")
        assert self.crawler_process is not None and self.settings is not None
        sites = self._sites(opts)
        try:
            config = checked_config(self.settings)
            checked_replay(config)
            checked_state(config)
            if not config.replaying:
                message = no_network_message([all_profiles()[site] for site in sites])
                if message:
                    raise Refused(message, EXIT_NO_NETWORK)
        except Refused as refused:
            say(refused.message)
            self.exitcode = refused.status
            return
        lock = RunLock(config.data_dir / "crawlall.lock")
        if not lock.acquire():
            holder = lock.holder()
            say(f"newscrawl: another run is in progress (pid {holder.get('pid', '?')}, "
                f"started {holder.get('started', '?')}); not starting.")
            self.exitcode = EXIT_LOCKED
            return
        if lock.previous and lock.previous.get("pid"):
            logger.warning("Stale lock from a run that is gone (pid %s, started %s): taken over; "
                           "this run resumes from the state", lock.previous.get("pid"), lock.previous.get("started"))
        site_locks, locked = {}, {}
        try:
            for site in sites:
                try:
                    site_locks[site] = site_lock(config, site)
                except Refused as refused:
                    locked[site] = refused.message.removeprefix("newscrawl: ")
                    logger.warning("Site %s not run: %s", site, locked[site])
            if locked and not site_locks:
                say("newscrawl: every site is being crawled by another run; not starting")
                self.exitcode = EXIT_LOCKED
                return
            stale = lock.previous if lock.previous and lock.previous.get("pid") else None
            self._run_sites([s for s in sites if s in site_locks], locked, opts, config, stale)
        finally:
            for site_lock_ in site_locks.values():
                site_lock_.release()
            lock.release()

    def _run_sites(self, sites: list[str], locked: dict, opts, config, stale: dict | None = None) -> None:
        if opts.budget:
            self.settings.set("CLOSESPIDER_TIMEOUT", opts.budget, priority="cmdline")
        self.settings.set("NEWSCRAWL_REPORT", True, priority="cmdline")  # every night gets its report
        started = time.time()
        crawlers, bootstrap_errors = {}, {}
        for site in sites:
            try:
                crawler = self.crawler_process.create_crawler(site)
                deferred = self.crawler_process.crawl(crawler)
            except Exception as exc:  # noqa: BLE001 - one site that cannot start must not stop the others
                bootstrap_errors[site] = f"did not start: {exc}"
                logger.error("Site %s did not start: %s", site, exc)
                continue
            self._on_failure(deferred, site, bootstrap_errors)
            crawlers[site] = crawler
        self.crawler_process.start()

        rows = []
        for site in [*sites, *locked]:
            if site in locked:
                rows.append({"site": site, "failed": False, "locked": True, "reasons": [],
                             "note": locked[site]})
                continue
            verdict = _verdict(crawlers.get(site))
            if verdict is None:
                reason = bootstrap_errors.get(site, "the crawl did not report a result")
                rows.append({"site": site, "failed": True, "reasons": [reason]})
            else:
                rows.append({**verdict.summary, "failed": verdict.failed, "reasons": verdict.reasons})
        summary = night_summary(rows, started, config.data_dir)
        if stale:
            summary["stale_lock"] = stale  # the run this one took over from: it was killed, this night resumed
        print(format_table(rows))
        out = Path(opts.summary) if opts.summary else config.runs_dir / f"{summary['run']}.json"
        failed = summary["failed_sites"]
        if not save_night(summary, out):
            failed = failed or ["(summary)"]
        if failed:
            say(f"newscrawl: run FAILED for {', '.join(failed)}")
            self.exitcode = EXIT_RUN_FAILED

    @staticmethod
    def _on_failure(running, site: str, errors: dict) -> None:
        """Record a crawl that crashed; *running* is a Deferred or an asyncio Task (Scrapy's choice)."""
        def record(message: str) -> None:
            errors[site] = f"crashed: {message}"
            logger.error("Site %s crashed: %s", site, message)

        if hasattr(running, "addErrback"):
            running.addErrback(lambda failure: record(failure.getErrorMessage()))
        else:
            running.add_done_callback(
                lambda task: record(repr(task.exception())) if not task.cancelled() and task.exception() else None)
