"""A night's record: the JSON summary under <data dir>/runs/ and its HTML report (newscrawl/report/).

Used by `crawlall` (every night) and by a single `scrapy crawl` with NEWSCRAWL_REPORT=1.  The summary
is the night's record: if it cannot be written (a full disk), it goes to stderr instead - never lost,
never a traceback - and the night fails.  The HTML report is a view of it: a report that cannot be
built (matplotlib missing) is one warning line and does not change the exit status.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

logger = logging.getLogger(__name__)


def run_stem(started: float) -> str:
    """The file stem of a night's summary and report."""
    return time.strftime("%Y-%m-%dT%H-%M-%SZ", time.gmtime(started))


def night_summary(rows: list[dict], started: float, data_dir: Path) -> dict:
    failed = [r["site"] for r in rows if r.get("failed")]
    return {
        "run": run_stem(started),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 1),
        "ok": not failed,
        "failed_sites": failed,
        "data_dir": str(data_dir),
        "sites": rows,
    }


def save_night(summary: dict, out: Path, report: bool = True) -> bool:
    """Write the summary to *out* (and the HTML report beside it); False when the summary could not be
    written (it was printed to stderr instead)."""
    text = json.dumps(summary, ensure_ascii=False, indent=1)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"newscrawl: cannot write the summary {out} ({exc.strerror or exc}); here it is:", file=sys.stderr)
        print(text, file=sys.stderr)
        return False
    print(f"summary: {out}")
    if report:
        write_report(summary, out.parent)
    return True


def write_report(summary: dict, runs_dir: Path) -> Path | None:
    from ..report import ReportUnavailable, write_run_report

    try:
        page = write_run_report(summary, runs_dir)
    except ReportUnavailable as exc:
        logger.warning("No HTML report for this night: %s", exc)
        return None
    except OSError as exc:
        logger.warning("No HTML report for this night: cannot write it (%s)", exc.strerror or exc)
        return None
    print(f"report: {page}")
    return page
