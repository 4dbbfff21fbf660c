"""python -m newscrawl.report [--runs DIR] [--open]: rebuild every night's page and the index.

DIR defaults to $NEWSCRAWL_DATA_DIR/runs, else ./data/runs.  Exit status: 0 every summary
was read; 1 some summaries could not be read (each named on stderr; the pages were built
without them); 2 usage: no such folder, or matplotlib/jinja2 not installed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import webbrowser
from contextlib import contextmanager
from pathlib import Path

from . import rebuild_all
from .errors import ReportUnavailable

EXIT_UNREADABLE = 1
EXIT_USAGE = 2


def default_runs_dir() -> Path:
    data = os.environ.get("NEWSCRAWL_DATA_DIR")
    return Path(data) / "runs" if data else Path("data") / "runs"


@contextmanager
def _warnings_to_stderr():
    """The package's warnings (an unreadable summary) as this command's stderr lines, each once."""
    logger = logging.getLogger("newscrawl.report")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("newscrawl.report: %(message)s"))
    propagate, logger.propagate = logger.propagate, False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.report",
                                     description="Rebuild the HTML report pages from the nightly JSON summaries.")
    parser.add_argument("--runs", type=Path, default=None,
                        help="folder of the summaries (default: $NEWSCRAWL_DATA_DIR/runs, else data/runs)")
    parser.add_argument("--open", action="store_true", help="open index.html in the web browser afterwards")
    args = parser.parse_args(argv)
    runs = args.runs or default_runs_dir()
    if not runs.is_dir():
        print(f"newscrawl.report: no such folder: {runs}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with _warnings_to_stderr():
            index, written, problems = rebuild_all(runs)
    except ReportUnavailable as exc:
        print(f"newscrawl.report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{written} night pages and {index}")
    if args.open:
        webbrowser.open(index.resolve().as_uri())
    return EXIT_UNREADABLE if problems else 0


if __name__ == "__main__":
    sys.exit(main())
