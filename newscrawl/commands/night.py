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
from datetime import datetime, timezone
from pathlib import Path

from ..export.names import DEFAULT_OFFSET, night_offset, stamp
from ..sites import all_profiles

logger = logging.getLogger(__name__)


def run_stem(started: float, utc_offset: str = DEFAULT_OFFSET) -> str:
    """The file stem of a night's summary and report: the same stamp as the night's JSONL outputs, the
    local start in the sites' zone (export/names.py): the 03:10 KST night of the 5th is 2025-12-05T03-10-00+09-00."""
    return stamp(datetime.fromtimestamp(started, timezone.utc), utc_offset)


def _zone(rows: list[dict]) -> str:
    """The zone the night's sites share (their profiles'), the default one for sites without a profile."""
    profiles = all_profiles()
    known = [profiles[r["site"]] for r in rows if r.get("site") in profiles]
    return night_offset(known) if known else DEFAULT_OFFSET


def night_summary(rows: list[dict], started: float, data_dir: Path) -> dict:
    failed = [r["site"] for r in rows if r.get("failed")]
    return {
        "run": run_stem(started, _zone(rows)),
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
