"""The two pages: a night's report (<run>.html) and the history (index.html), from Jinja2 templates.

Jinja2 with autoescape on: titles, bodies, URLs, reasons and rule names come from the web
(or from a summary file anyone could edit), and with autoescape every value is escaped
unless the template says otherwise - which it says only for matplotlib's SVG.  A link is
made only of an http(s) URL; any other scheme (javascript:, data:) is shown as text.
The pages also carry a Content-Security-Policy that allows no script and no fetch at all:
if escaping ever failed, the browser would still run nothing and load nothing.
"""

from __future__ import annotations

import functools
import os
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from . import charts
from .errors import ReportUnavailable
from .strip import blocks, removed_by_rule
from .summaries import COUNTS, Night

BODY_LINES = 4  # the first lines of a sample's body shown above its strip diff


@functools.cache  # one environment per process: the CLI renders hundreds of night pages
def _environment():
    try:
        import jinja2
        from markupsafe import Markup
    except ImportError as exc:
        raise ReportUnavailable.missing("jinja2", exc) from None
    env = jinja2.Environment(loader=jinja2.PackageLoader("newscrawl.report", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=format_count, seconds=format_seconds, when=format_time, slug=charts.slug)
    return env, Markup


def safe_href(url: str) -> str:
    """*url* when it is an http(s) URL with a host, else '' (no link is made)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme.lower() in {"http", "https"} and parts.netloc else ""


def format_count(value) -> str:
    return "–" if value is None else f"{value:.0f}"


def format_seconds(value) -> str:
    if value is None:
        return "–"
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def format_time(value: datetime | None) -> str:
    return "time unknown" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def write_atomically(path: Path, text: str) -> Path:
    """Write through a temporary file and a rename: a reader never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # (mkstemp would make it 0600)
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def _first_lines(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.strip()][:BODY_LINES]


def run_page(night: Night) -> str:
    """The HTML of one night: verdict and reasons, the per-site table, samples and their strip diffs."""
    env, _ = _environment()
    sites = []
    for site in night.sites:
        samples = [{"sample": s, "href": safe_href(s.url), "lines": _first_lines(s.body),
                    "blocks": blocks(s.strip), "removed": removed_by_rule(s.strip),
                    "kept": sum(1 for line in s.strip if line["kept"])} for s in site.samples]
        sites.append({"row": site, "samples": samples})
    return env.get_template("run.html.j2").render(
        night=night, sites=sites, counts=COUNTS, built=datetime.now(timezone.utc))


def index_page(nights: list[Night], linked: set[str], problems: list[str]) -> str:
    """The HTML of the history: the charts over every night with a known time, and a row per night."""
    env, markup = _environment()
    timed = [n for n in nights if n.started is not None]
    sites = sorted({s.site for n in timed for s in n.sites})
    svgs = {}
    if timed and sites:
        svgs = {"history": charts.history_svg(timed, sites), "rates": charts.rates_svg(timed, sites)}
    if timed:
        svgs["duration"] = charts.duration_svg(timed)
    rows = [{"night": n, "href": f"{n.run}.html" if n.run in linked else "",
             "total_items": sum(s.counts["items"] or 0 for s in n.sites),
             "total_errors": sum(s.counts["errors"] or 0 for s in n.sites)} for n in reversed(nights)]
    return env.get_template("index.html.j2").render(
        rows=rows, sites=sites, untimed=len(nights) - len(timed), problems=problems,
        svgs={name: markup(svg) for name, svg in svgs.items()},  # matplotlib's own SVG
        built=datetime.now(timezone.utc))
