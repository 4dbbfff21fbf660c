"""The history charts of the index page, drawn by matplotlib's SVG backend, inlined in the HTML.

Why matplotlib: it draws static SVG ahead of time (no JavaScript at all in the page, so it
works from file:// and nothing can run), it is the best-kept plotting library of the Python
world, and its SVG backend keeps text as text (``svg.fonttype: none``: no embedded glyphs)
and simplifies paths, which keeps a year of nights near a few hundred kB.  Vega-Lite would
need its JavaScript (~800 kB) inlined in every page, and would run it.

Figures are made with ``matplotlib.figure.Figure`` (no pyplot): no global figure manager and
no GUI backend, so this works in a crawl process and without a display.

Every line carries an SVG id (``set_gid``) saying what it is: ``history-<site>-<count>``,
``rate-<site>-<rate>``, ``duration-line``, and ``failed-<site>`` / ``duration-failed`` for the
markers of failed nights; the tests read them back.
"""

from __future__ import annotations

import io
import math
import re
from typing import Callable

from .errors import ReportUnavailable
from .summaries import Night

MARKERS_UP_TO = 60  # nights; with more, a marker per point costs more bytes than it tells
SECONDS_UP_TO = 180  # nights all shorter than this are drawn in seconds, else in minutes
FAILED = "#d62728"

# per site over the nights: (summary key, legend label, colour)
HISTORY = [("items", "items", "#1f77b4"), ("skipped_seen", "skipped (already seen)", "#7f7f7f"),
           ("duplicates", "duplicates", "#ff7f0e"), ("errors", "errors", "#d62728")]
# rates per site: (id, legend label, numerator key, denominator key, colour)
RATES = [("fallback", "fallback extraction / items", "fallback", "items", "#9467bd"),
         ("missing_published", "missing published_at / items", "missing_published", "items", "#8c564b"),
         ("missing_authors", "missing authors / items", "missing_authors", "items", "#e377c2"),
         ("replay_misses", "replay misses / pages", "replay_misses", "pages", "#17becf")]

RC = {
    "svg.fonttype": "none",        # text stays text: no glyph outlines in the file
    "path.simplify": True,
    "path.simplify_threshold": 0.3,
    "text.parse_math": False,      # a site key with "$" in it is a name, not TeX
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],  # the SVG repeats this list on every text
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.5,
    "legend.frameon": False,
}
NO_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}


def _matplotlib():
    try:
        import matplotlib
        import matplotlib.dates
        import matplotlib.figure
        import matplotlib.lines
        import matplotlib.ticker
    except ImportError as exc:
        raise ReportUnavailable.missing("matplotlib", exc) from None
    return matplotlib


def slug(site: str) -> str:
    """A site key as it appears in SVG ids (letters, digits, '_' and '-' only)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", site)


def _value(night: Night, site: str, key: str) -> float:
    for row in night.sites:
        if row.site == site:
            value = row.counts.get(key)
            return math.nan if value is None else value
    return math.nan  # the site did not run that night: a gap in its line, not a zero


def _rate(night: Night, site: str, numerator: str, denominator: str) -> float:
    top, bottom = _value(night, site, numerator), _value(night, site, denominator)
    if math.isnan(top) or math.isnan(bottom) or bottom <= 0:
        return math.nan  # nothing to divide by: no rate that night
    return top / bottom


def _failed(night: Night, site: str) -> bool:
    return any(row.site == site and row.failed for row in night.sites)


def _to_svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=NO_METADATA)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]  # inline in HTML: no XML declaration, no DOCTYPE


def _date_axis(mpl, ax) -> None:
    locator = mpl.dates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mpl.dates.ConciseDateFormatter(locator))


def _small_multiples(nights: list[Night], sites: list[str], salt: str,
                     draw: Callable, legend: list[tuple[str, str]], percent: bool) -> str:
    mpl = _matplotlib()
    with mpl.rc_context({**RC, "svg.hashsalt": salt}):  # a salt per chart: SVG ids unique in the page
        columns = 2 if len(sites) > 1 else 1
        rows = math.ceil(len(sites) / columns)
        figure = mpl.figure.Figure(figsize=(10, 0.6 + 1.6 * rows), layout="constrained")
        axes = list(figure.subplots(rows, columns, sharex=True, squeeze=False).flat)
        x = [n.started for n in nights]
        marker = "o" if len(nights) <= MARKERS_UP_TO else None
        for ax, site in zip(axes, sites):
            draw(ax, site, x, marker)
            ax.set_title(site, loc="left")
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=3, integer=not percent))
            if percent:
                ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
            _date_axis(mpl, ax)
        for ax in axes[len(sites):]:  # the grid's cell left over after the last site
            ax.set_visible(False)
        handles = [mpl.lines.Line2D([], [], color=color, label=label) for label, color in legend]
        figure.legend(handles=handles, loc="outside upper left", ncols=len(handles))
        return _to_svg(figure)


def history_svg(nights: list[Night], sites: list[str]) -> str:
    """Per site over the nights: items, skipped as already seen, duplicates, errors (failed nights: x)."""
    def draw(ax, site, x, marker):
        for key, label, color in HISTORY:
            (line,) = ax.plot(x, [_value(n, site, key) for n in nights], color=color, lw=1,
                              marker=marker, markersize=2.5)
            line.set_gid(f"history-{slug(site)}-{key}")
        failed = [(t, _value(n, site, "items")) for t, n in zip(x, nights) if _failed(n, site)]
        if failed:
            (line,) = ax.plot([t for t, _ in failed], [0 if math.isnan(v) else v for _, v in failed],
                              linestyle="none", marker="x", color=FAILED, markersize=5, clip_on=False)
            line.set_gid(f"failed-{slug(site)}")

    legend = [(label, color) for _, label, color in HISTORY] + [("failed night", FAILED)]
    return _small_multiples(nights, sites, "history", draw, legend, percent=False)


def rates_svg(nights: list[Night], sites: list[str]) -> str:
    """Per site over the nights: fallback, missing published_at, missing authors, replay misses (shares)."""
    def draw(ax, site, x, marker):
        for key, _, top, bottom, color in RATES:
            (line,) = ax.plot(x, [_rate(n, site, top, bottom) for n in nights], color=color, lw=1,
                              marker=marker, markersize=2.5)
            line.set_gid(f"rate-{slug(site)}-{key}")

    legend = [(label, color) for _, label, _, _, color in RATES]
    return _small_multiples(nights, sites, "rates", draw, legend, percent=True)


def duration_svg(nights: list[Night]) -> str:
    """The night's duration in minutes, or seconds when every night was short (failed nights: x)."""
    mpl = _matplotlib()
    with mpl.rc_context({**RC, "svg.hashsalt": "duration"}):
        figure = mpl.figure.Figure(figsize=(10, 2.2), layout="constrained")
        ax = figure.subplots()
        x = [n.started for n in nights]
        seconds = [math.nan if n.seconds is None else n.seconds for n in nights]
        longest = max((s for s in seconds if not math.isnan(s)), default=0)
        unit, per = ("minutes", 60) if longest >= SECONDS_UP_TO else ("seconds", 1)
        minutes = [s / per for s in seconds]
        marker = "o" if len(nights) <= MARKERS_UP_TO else None
        (line,) = ax.plot(x, minutes, color="#1f77b4", lw=1, marker=marker, markersize=2.5)
        line.set_gid("duration-line")
        failed = [(t, m) for t, m, n in zip(x, minutes, nights) if n.ok is False]
        if failed:
            (line,) = ax.plot([t for t, _ in failed], [0 if math.isnan(m) else m for _, m in failed],
                              linestyle="none", marker="x", color=FAILED, markersize=5, clip_on=False)
            line.set_gid("duration-failed")
        ax.set_ylabel(unit)
        ax.set_ylim(bottom=0)
        _date_axis(mpl, ax)
        return _to_svg(figure)
