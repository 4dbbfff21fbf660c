"""The report's pages rendered by a real Chromium (Debian's, headless, through Playwright).

Each page is opened from file:// as a user would: no console error, no page error, no
request leaving file://, every chart visible and drawn, the strip diff's ランキング block
struck out under its rule, hostile values shown as text with nothing run; a full-page
screenshot of each page is saved under the test's tmp_path.

Without a Chromium these tests are skipped, unless NEWSCRAWL_REQUIRE_BROWSER=1 (CI): then
they fail.  Playwright runs in a worker thread: its sync API refuses a thread whose asyncio
loop is running, and pytest-twisted runs the asyncio reactor in this one.
"""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from newscrawl.browser.executable import find_browser
from newscrawl.report import rebuild_index, write_run_report
from tests.test_report import REPORT, fixture, synthetic_summaries, write_summaries

pytestmark = pytest.mark.browser

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync"]
NIGHT = "2025-12-05T03-10-00+09-00"


@pytest.fixture(scope="module")
def chromium() -> str:
    choice = find_browser()
    if choice is None:
        message = "no Chromium found (apt-get install chromium, or set NEWSCRAWL_BROWSER_EXECUTABLE)"
        if os.environ.get("NEWSCRAWL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"NEWSCRAWL_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return choice.path


def _visit(executable: str, page_file: Path, screenshot: Path, inspect) -> dict:
    """Open *page_file* in headless Chromium, run inspect(page), save a full-page screenshot."""
    from playwright.sync_api import sync_playwright

    events = {"console_errors": [], "page_errors": [], "dialogs": [], "requests": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: m.type == "error" and events["console_errors"].append(m.text))
            page.on("pageerror", lambda e: events["page_errors"].append(str(e)))
            page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
            page.on("request", lambda r: events["requests"].append(r.url))
            page.goto(page_file.resolve().as_uri(), wait_until="load")
            events["found"] = inspect(page)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return events


def visit(executable: str, page_file: Path, screenshot: Path, inspect) -> dict:
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(_visit, executable, page_file, screenshot, inspect).result(timeout=120)


def assert_clean(events: dict, page_file: Path) -> None:
    assert events["console_errors"] == [] and events["page_errors"] == [] and events["dialogs"] == []
    assert events["requests"] == [page_file.resolve().as_uri()]  # nothing fetched but the page itself


CHARTS_JS = """() => [...document.querySelectorAll('figure.chart > svg')].map(svg => {
    const box = svg.getBoundingClientRect();
    const style = getComputedStyle(svg);
    return {id: svg.parentElement.id, width: box.width, height: box.height,
            visible: style.visibility !== 'hidden' && style.display !== 'none',
            drawn: svg.querySelectorAll('path, line, use').length};
})"""


def test_the_night_page_in_chromium(chromium, tmp_path):
    page_file = write_run_report(fixture("night_failed.json"), tmp_path / "runs")

    def inspect(page):
        ranking = page.locator(".diff .removed del", has_text="[ニュース] ランキング")
        block = ranking.locator("xpath=../..")
        return {
            "verdict": page.locator("#verdict").inner_text(),
            "failed_rows": page.locator("#site-table tr.failed").evaluate_all("rows => rows.map(r => r.dataset.site)"),
            "ranking_count": ranking.count(),
            "ranking_visible": ranking.is_visible(),
            "ranking_decoration": ranking.evaluate("e => getComputedStyle(e).textDecorationLine"),
            "ranking_rule": block.get_attribute("data-rule"),
            "rule_label_visible": block.locator(".rule").is_visible(),
            "rule_label": block.locator(".rule").inner_text(),
            "kept_struck": page.locator(".diff .kept del").count(),
            "kept_first": page.locator(".diff .kept p").first.inner_text(),
            "collapsed_open": page.locator(".diff details.removed[open]").count(),
            "collapsed": page.locator(".diff details.removed").count(),
        }

    events = visit(chromium, page_file, tmp_path / "night.png", inspect)
    assert_clean(events, page_file)
    found = events["found"]
    assert found["verdict"] == "FAILED: kbs" and found["failed_rows"] == ["kbs"]
    assert found["ranking_count"] == 1 and found["ranking_visible"]
    assert found["ranking_decoration"] == "line-through"
    assert found["ranking_rule"] == "tree:clutter_heading" and found["rule_label_visible"]
    assert found["rule_label"] == "tree:clutter_heading"
    assert found["kept_struck"] == 0 and found["kept_first"].startswith("韓国の李在明")
    assert found["collapsed"] > 0 and found["collapsed_open"] == 0  # outside_article runs folded away
    assert (tmp_path / "night.png").stat().st_size > 10_000


def test_the_history_page_in_chromium(chromium, tmp_path):
    runs = tmp_path / "runs"
    write_summaries(runs, synthetic_summaries(30, ["dailyview", "kbs", "yonhap"], start=datetime(2025, 11, 5, 18, 10)))
    shutil.copy(REPORT / "night_failed.json", runs / f"{NIGHT}.json")
    write_run_report(fixture("night_failed.json"), runs)
    index = rebuild_index(runs)

    def inspect(page):
        return {"charts": page.evaluate(CHARTS_JS),
                "points": page.evaluate("() => document.getElementById('history-dailyview-items')"
                                        ".querySelectorAll('use').length"),
                "rows": page.locator("#night-table tbody tr").count(),
                "link": page.locator("#night-table tbody tr a").first.get_attribute("href")}

    events = visit(chromium, index, tmp_path / "index.png", inspect)
    assert_clean(events, index)
    found = events["found"]
    assert [c["id"] for c in found["charts"]] == ["chart-history", "chart-rates", "chart-duration"]
    for chart in found["charts"]:
        assert chart["visible"] and chart["width"] > 300 and chart["height"] > 100 and chart["drawn"] > 10, chart
    assert found["points"] == 31 and found["rows"] == 31  # 30 synthetic nights and the fixture's
    assert found["link"] == f"{NIGHT}.html"
    assert (tmp_path / "index.png").stat().st_size > 10_000


def test_hostile_values_show_as_text_and_run_nothing(chromium, tmp_path):
    runs = tmp_path / "runs"
    summary = fixture("night_xss.json")
    (runs).mkdir()
    (runs / f"{summary['run']}.json").write_text(json.dumps(summary), encoding="utf-8")
    night = write_run_report(summary, runs)

    def inspect_night(page):
        title = page.get_by_text("<script>alert(1)</script>", exact=True)
        return {"hrefs": page.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))"),"title_visible": title.is_visible(),
                "title_tags": title.evaluate_all("found => found.map(e => e.tagName)"),
                "scripts": page.locator("script, iframe, img").count(),
                "rule": page.locator(".rule").first.inner_text(),
                "site": page.locator("#site-table td.name a").first.inner_text()}

    events = visit(chromium, night, tmp_path / "xss-night.png", inspect_night)
    assert_clean(events, night)
    found = events["found"]
    assert found["title_visible"] and found["title_tags"] == ["H3"] and found["scripts"] == 0
    assert found["rule"] == "<b onmouseover=alert('rule')>tree:x</b>"
    assert found["site"] == "<img src=x onerror=alert('site')>"
    assert all(href.startswith(("https:", "#", "index.html")) for href in found["hrefs"]), found["hrefs"]

    index = runs / "index.html"
    events = visit(chromium, index, tmp_path / "xss-index.png",
                   lambda page: page.locator("script, iframe, img").count())
    assert_clean(events, index)
    assert events["found"] == 0
