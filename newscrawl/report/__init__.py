"""HTML pages of the nightly runs: a report per night and a history page with charts (docs/report.md).

    write_run_report(summary, runs_dir) -> runs_dir/<run>.html, and rebuilds runs_dir/index.html
    rebuild_index(runs_dir)             -> runs_dir/index.html, from every *.json summary there
    python -m newscrawl.report [--runs DIR] [--open]   rebuilds every page from the summaries

A night's page has the stem of its JSON summary (<run>.json -> <run>.html): the summary's
"run" field, else its start time as crawlall names the file.  A summary file that cannot
be read is left out of the index with one warning line (and, given a Scrapy stats
collector, the counter ``newscrawl/report/unreadable_summary``).  When matplotlib or jinja2
is missing, both functions raise ReportUnavailable, whose one-line message says
``pip install 'newscrawl[report]'``.

matplotlib and jinja2 are imported only when a page is built, so importing this package
costs nothing and never fails.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .. import stats as keys
from .errors import ReportUnavailable
from .summaries import Night, UnreadableSummary, night_from_summary, parse_time, read_nights, sort_nights

__all__ = ["ReportUnavailable", "UnreadableSummary", "rebuild_index", "run_stem", "write_run_report"]

logger = logging.getLogger(__name__)
UNREADABLE_STAT = keys.key(keys.REPORT_UNREADABLE_SUMMARY)


def run_stem(summary: dict) -> str:
    """The file stem of a night: its "run", else its start time as crawlall spells it; never a path."""
    run = summary.get("run") if isinstance(summary.get("run"), str) else ""
    if not run:
        started = parse_time(summary.get("started"))
        run = started.strftime("%Y-%m-%dT%H-%M-%SZ") if started else "run"
    name = Path(run.replace("\\", "/")).name  # a "run" of "../x" must not write outside runs_dir
    return name if name and not name.startswith(".") else "run"


def write_run_report(summary: dict, runs_dir: Path, *, stats=None) -> Path:
    """Write runs_dir/<run>.html for *summary* and rebuild runs_dir/index.html; returns the night's page.

    The night is in the index even when its JSON is not written yet (or was written elsewhere).
    """
    from .pages import run_page, write_atomically

    runs_dir = Path(runs_dir)
    stem = run_stem(summary)
    night = night_from_summary(summary, stem)
    night.run = stem
    page = write_atomically(runs_dir / f"{stem}.html", run_page(night))
    _build_index(runs_dir, stats, extra=night)
    return page


def rebuild_index(runs_dir: Path, *, stats=None) -> Path:
    """Rebuild runs_dir/index.html from every readable *.json summary in *runs_dir*."""
    path, _ = _build_index(Path(runs_dir), stats)
    return path


def rebuild_all(runs_dir: Path, *, stats=None) -> tuple[Path, int, list[str]]:
    """Every night's page and the index, from the summaries: (index, pages written, unreadable files)."""
    from .pages import run_page, write_atomically

    nights, problems = read_nights(Path(runs_dir))
    for night in nights:
        write_atomically(Path(runs_dir) / f"{night.run}.html", run_page(night))
    path, problems = _build_index(Path(runs_dir), stats, nights=(nights, problems))
    return path, len(nights), problems


def _build_index(runs_dir: Path, stats, *, extra: Night | None = None,
                 nights: tuple[list[Night], list[str]] | None = None) -> tuple[Path, list[str]]:
    from .pages import index_page, write_atomically

    found, problems = nights if nights is not None else read_nights(runs_dir)
    for problem in problems:
        logger.warning("%s; left out of the index", problem)
        if stats is not None:
            stats.inc_value(UNREADABLE_STAT)
    if extra is not None and all(n.run != extra.run for n in found):
        found = sort_nights([*found, extra])
    linked = {n.run for n in found if (runs_dir / f"{n.run}.html").is_file()}
    return write_atomically(runs_dir / "index.html", index_page(found, linked, problems)), problems
