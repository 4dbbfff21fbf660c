"""The HTML report (newscrawl.report): reading summaries, the night's page, the history page, the CLI.

These tests read the pages as HTML (lxml); tests/test_report_browser.py renders them in Chromium.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import pytest

from newscrawl.report import ReportUnavailable, rebuild_index, run_stem, write_run_report
from newscrawl.report import charts
from newscrawl.report.__main__ import main
from newscrawl.report.pages import _environment
from newscrawl.report.strip import COLLAPSE_OUTSIDE_AFTER, OUTSIDE, blocks, removed_by_rule
from newscrawl.report.summaries import night_from_summary, parse_time, read_night
from tests.helpers import FIXTURES

REPORT = FIXTURES / "report"
SITES = ["chosun", "dailyview", "danmee", "hani", "joongang", "kbs", "kstyle", "sportsseoul", "wowkorea", "yonhap"]


def fixture(name: str) -> dict:
    return json.loads((REPORT / name).read_text(encoding="utf-8"))


def synthetic_summaries(nights: int, sites=SITES, seed: int = 17, start=datetime(2025, 1, 1, 18, 10)):
    """*nights* summaries as crawlall writes them, one a day, every site every night (deterministic)."""
    rnd = random.Random(seed)
    start = start.replace(tzinfo=timezone.utc)
    for day in range(nights):
        started = start + timedelta(days=day)
        rows = []
        for site in sites:
            items = rnd.randint(0, 40)
            rows.append({"site": site, "failed": items == 0, "reasons": ["0 items"] if items == 0 else [],
                         "finish_reason": "finished", "pages": items + rnd.randint(3, 12), "items": items,
                         "skipped_seen": rnd.randint(0, 120), "duplicates": rnd.randint(0, 4),
                         "errors": rnd.randint(0, 3), "fallback": rnd.randint(0, items),
                         "missing_published": rnd.randint(0, 1), "missing_authors": rnd.randint(0, items),
                         "replay_misses": 0, "dropped": {}, "seconds": round(rnd.uniform(5, 600), 1)})
        failed = [r["site"] for r in rows if r["failed"]]
        yield {"run": started.strftime("%Y-%m-%dT%H-%M-%SZ"), "started": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "seconds": round(rnd.uniform(300, 1800), 1), "ok": not failed, "failed_sites": failed, "sites": rows}


def write_summaries(runs: Path, summaries) -> list[dict]:
    runs.mkdir(parents=True, exist_ok=True)
    written = []
    for summary in summaries:
        (runs / f"{summary['run']}.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
        written.append(summary)
    return written


def html(path: Path):
    return lxml.html.fromstring(path.read_bytes())


class Stats:
    """The one method of Scrapy's stats collector the report uses."""

    def __init__(self):
        self.values = {}

    def inc_value(self, key, count=1):
        self.values[key] = self.values.get(key, 0) + count


# -- reading summaries -----------------------------------------------------------------------------
def test_an_old_summary_is_read_with_what_it_has():
    night = read_night(REPORT / "night_old.json")
    assert night.run == "night_old"  # no "run": the file's stem
    assert night.started == datetime(2025, 12, 3, 18, 10, tzinfo=timezone.utc)
    assert night.ok is True and night.reasons == [] and night.failed_sites == []
    dailyview = night.sites[0]
    assert dailyview.counts["items"] == 3 and dailyview.counts["skipped_seen"] == 1
    assert dailyview.counts["missing_authors"] is None  # not recorded then: unknown, not 0
    assert dailyview.samples == []


def test_a_mistyped_or_missing_count_is_unknown_not_zero():
    night = night_from_summary({"sites": [{"site": "a", "items": "12", "errors": True, "pages": 3},
                                          {"items": 4}, "not a site"]}, "x")
    assert [s.site for s in night.sites] == ["a"]  # entries without a site name are left out (and logged)
    counts = night.sites[0].counts
    assert counts["items"] is None and counts["errors"] is None and counts["pages"] == 3
    assert night.ok is True and night.started is None


def test_the_verdict_and_reasons_come_from_the_sites_when_the_summary_lacks_them():
    night = night_from_summary({"failed_sites": ["kbs"], "sites": [
        {"site": "kbs", "reasons": ["no page could be fetched"]}, {"site": "yonhap"}]}, "n")
    assert night.ok is False and night.failed_sites == ["kbs"]
    assert night.reasons == ["kbs: no page could be fetched"]


@pytest.mark.parametrize("text, expected", [
    ("2025-12-05T03-10-00+09-00", datetime(2025, 12, 4, 18, 10, tzinfo=timezone.utc)),  # a stem
    ("2025-12-04T18-10-00Z", datetime(2025, 12, 4, 18, 10, tzinfo=timezone.utc)),
    ("2025-12-04T18:10:00Z", datetime(2025, 12, 4, 18, 10, tzinfo=timezone.utc)),
    ("2025-12-04T18:10:00", datetime(2025, 12, 4, 18, 10, tzinfo=timezone.utc)),  # naive: UTC
    ("night_old", None), ("", None), (None, None)])
def test_times_of_summaries_and_stems(text, expected):
    assert parse_time(text) == expected


def test_the_run_stem_is_a_file_name_never_a_path():
    assert run_stem({"run": "2025-12-05T03-10-00+09-00"}) == "2025-12-05T03-10-00+09-00"
    assert run_stem({"started": "2025-12-04T18:10:00Z"}) == "2025-12-04T18-10-00Z"  # as crawlall names it
    assert run_stem({"run": "../../etc/passwd"}) == "passwd"
    assert run_stem({"run": ".."}) == "run" and run_stem({}) == "run"


# -- the strip diff --------------------------------------------------------------------------------
def test_strip_lines_group_into_blocks_by_rule():
    strip = fixture("night_failed.json")["sites"][0]["samples"][0]["strip"]
    found = blocks(strip)
    assert sum(len(b.lines) for b in found) == len(strip)  # every line shown once, in page order
    assert [line for b in found for line in b.lines] == [line["text"] for line in strip]
    ranking = next(b for b in found if "[ニュース] ランキング" in b.lines)
    assert not ranking.kept and ranking.rule == "tree:clutter_heading" and not ranking.collapsed
    assert len(ranking.lines) > 40  # the whole ranking / おすすめ / 話題 run is one block
    kept = [line for b in found if b.kept for line in b.lines]
    assert kept == [line["text"] for line in strip if line["kept"]] and len(kept) == 6
    outside = [b for b in found if b.rule == OUTSIDE]
    assert outside and all(b.collapsed == (len(b.lines) > COLLAPSE_OUTSIDE_AFTER) for b in outside)
    assert any(b.collapsed for b in outside)
    assert dict(removed_by_rule(strip))["line:credit"] == 2


def test_a_short_outside_run_is_not_collapsed():
    strip = [{"text": "menu", "kept": False, "rule": OUTSIDE}] * COLLAPSE_OUTSIDE_AFTER + [
        {"text": "本文", "kept": True, "rule": None}, {"text": "x", "kept": False, "rule": None}]
    found = blocks(strip)
    assert [(b.kept, b.rule, len(b.lines), b.collapsed) for b in found] == [
        (False, OUTSIDE, COLLAPSE_OUTSIDE_AFTER, False), (True, None, 1, False), (False, None, 1, False)]
    assert dict(removed_by_rule(strip)) == {OUTSIDE: COLLAPSE_OUTSIDE_AFTER, "(no rule)": 1}


# -- the night's page ------------------------------------------------------------------------------
def test_the_night_page_shows_verdict_table_samples_and_strip_diff(tmp_path):
    page = write_run_report(fixture("night_failed.json"), tmp_path)
    assert page == tmp_path / "2025-12-05T03-10-00+09-00.html"
    doc = html(page)
    assert doc.get_element_by_id("verdict").text_content().strip() == "FAILED: kbs"
    assert [li.text_content() for li in doc.cssselect("#reasons li")] == ["kbs: every article request failed (3 of 3)"]
    rows = {tr.get("data-site"): tr for tr in doc.cssselect("#site-table tbody tr")}
    assert list(rows) == ["dailyview", "kbs", "yonhap"]
    assert rows["kbs"].get("class") == "failed" and rows["dailyview"].get("class") == "ok"
    cells = [td.text_content().strip() for td in rows["dailyview"].cssselect("td")]
    assert cells[:6] == ["dailyview", "ok", "finished", "12", "4", "4"] and "no_title: 1" in cells

    sample = doc.cssselect("#site-dailyview .sample")[0]
    link = sample.cssselect("h3 a")[0]
    assert link.text_content() == "孫正義が先に面会要請、李大統領のAI戦略に“全面賭け”した真意"
    assert link.get("href") == "https://dailyview.net/article/41235/"
    assert "2025-12-05T15:20:00+09:00" in sample.cssselect(".meta")[0].text_content()
    assert "有馬侑之介" in sample.cssselect(".meta")[0].text_content()
    assert sample.cssselect("blockquote.body p")[0].text_content().startswith("韓国の李在明")

    ranking = [d for d in sample.cssselect(".diff .removed del") if d.text_content() == "[ニュース] ランキング"]
    assert len(ranking) == 1
    block = ranking[0].getparent().getparent()
    assert block.get("data-rule") == "tree:clutter_heading" and block.tag == "div"
    assert block.cssselect(".rule")[0].text_content() == "tree:clutter_heading"
    kept = [p.text_content() for p in sample.cssselect(".diff .kept p")]
    assert len(kept) == 6 and not sample.cssselect(".diff .kept del")
    collapsed = sample.cssselect(".diff details.removed")
    assert collapsed and all(d.get("data-rule") == OUTSIDE for d in collapsed)
    assert doc.cssselect("#site-yonhap .muted")[0].text_content() == "No samples recorded for this site."
    assert (tmp_path / "index.html").is_file()  # the index is rebuilt with the night


def test_the_night_is_in_the_index_before_its_json_is_written(tmp_path):
    write_run_report(fixture("night_failed.json"), tmp_path)
    rows = html(tmp_path / "index.html").cssselect("#night-table tbody tr")
    assert len(rows) == 1
    assert rows[0].cssselect("a")[0].get("href") == "2025-12-05T03-10-00+09-00.html"
    shutil.copy(REPORT / "night_failed.json", tmp_path / "2025-12-05T03-10-00+09-00.json")
    write_run_report(fixture("night_failed.json"), tmp_path)  # written first, then reported: still one row
    assert len(html(tmp_path / "index.html").cssselect("#night-table tbody tr")) == 1


# -- escaping --------------------------------------------------------------------------------------
def test_web_values_are_escaped_and_no_link_is_made_of_javascript(tmp_path):
    page = write_run_report(fixture("night_xss.json"), tmp_path)
    for path in (page, tmp_path / "index.html"):
        doc = html(path)
        assert not doc.cssselect("script, iframe, img"), path.name
        assert not [e for e in doc.iter() if isinstance(e.tag, str) and any(a.startswith("on") for a in e.attrib)]
        assert not [a for a in doc.cssselect("a") if not a.get("href", "").startswith(("https:", "#", "20", "index"))]
    doc = html(page)
    assert doc.cssselect(".sample h3")[0].text_content() == "<script>alert(1)</script>"  # shown as text
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script" not in (tmp_path / "index.html").read_text(encoding="utf-8")  # the site key in the SVG too
    hostile = doc.cssselect(".sample h3 a")
    assert [a.get("href") for a in hostile] == ["https://example.jp/a?x=1&y=\"><script>alert('href')</script>"]
    assert doc.cssselect(".rule")[0].text_content() == "<b onmouseover=alert('rule')>tree:x</b>"


# -- the history page ------------------------------------------------------------------------------
def _svg_line(doc, gid: str):
    found = doc.xpath(f"//*[@id='{gid}']")
    assert len(found) == 1, gid
    return found[0]


def test_the_history_has_a_point_per_night_for_every_site(tmp_path):
    write_summaries(tmp_path, synthetic_summaries(30))
    doc = html(rebuild_index(tmp_path))
    for site in SITES:
        for key, _, _ in charts.HISTORY:
            line = _svg_line(doc, f"history-{charts.slug(site)}-{key}")
            assert len(line.xpath(".//*[local-name()='use']")) == 30, (site, key)
        for key, *_ in charts.RATES:
            assert _svg_line(doc, f"rate-{charts.slug(site)}-{key}") is not None
    assert len(_svg_line(doc, "duration-line").xpath(".//*[local-name()='use']")) == 30
    assert len(doc.cssselect("#night-table tbody tr")) == 30


def test_a_night_a_site_did_not_run_is_a_gap_not_a_zero(tmp_path):
    summaries = list(synthetic_summaries(5, ["dailyview", "kbs"]))
    summaries[2]["sites"] = [s for s in summaries[2]["sites"] if s["site"] != "kbs"]
    del summaries[3]["sites"][0]["items"]  # dailyview's items not recorded that night
    write_summaries(tmp_path, summaries)
    doc = html(rebuild_index(tmp_path))
    assert len(_svg_line(doc, "history-kbs-items").xpath(".//*[local-name()='use']")) == 4
    assert len(_svg_line(doc, "history-dailyview-items").xpath(".//*[local-name()='use']")) == 4
    assert len(_svg_line(doc, "history-dailyview-errors").xpath(".//*[local-name()='use']")) == 5


def test_failed_nights_are_marked_on_the_site_and_duration_charts(tmp_path):
    summaries = write_summaries(tmp_path, synthetic_summaries(30, ["dailyview", "kbs"]))
    doc = html(rebuild_index(tmp_path))
    for site in ("dailyview", "kbs"):
        failed = sum(1 for s in summaries for row in s["sites"] if row["site"] == site and row["failed"])
        marks = doc.xpath(f"//*[@id='failed-{site}']//*[local-name()='use']")
        assert len(marks) == failed and failed > 0
    failed_nights = sum(1 for s in summaries if not s["ok"])
    assert len(doc.xpath("//*[@id='duration-failed']//*[local-name()='use']")) == failed_nights


def test_one_panel_per_site_and_no_empty_panel(tmp_path):
    write_summaries(tmp_path, synthetic_summaries(3, ["dailyview", "kbs", "yonhap"]))
    doc = html(rebuild_index(tmp_path))
    for chart in ("chart-history", "chart-rates"):
        panels = doc.get_element_by_id(chart).xpath(".//*[local-name()='g'][starts-with(@id, 'axes_')]")
        assert len(panels) == 3, chart


def test_rates_divide_by_items_or_pages_and_have_no_value_without_them():
    night = night_from_summary({"sites": [{"site": "a", "items": 5, "fallback": 2, "pages": 0, "replay_misses": 1},
                                          {"site": "b", "items": 0, "fallback": 0}]}, "n")
    assert charts._rate(night, "a", "fallback", "items") == 0.4
    for site, top, bottom in (("a", "replay_misses", "pages"), ("b", "fallback", "items"),
                              ("a", "missing_authors", "items"), ("c", "fallback", "items")):
        rate = charts._rate(night, site, top, bottom)
        assert rate != rate, (site, top)  # NaN: a gap, not a 0 % night


def test_a_year_of_ten_sites_stays_small(tmp_path):
    write_summaries(tmp_path, synthetic_summaries(365))
    index = rebuild_index(tmp_path)
    size = index.stat().st_size
    assert size < 1.2e6, size
    doc = html(index)
    assert len(doc.cssselect("#night-table tbody tr")) == 365
    assert len(doc.xpath("//*[local-name()='svg']")) == 3
    assert not doc.xpath("//*[local-name()='font' or local-name()='font-face' or local-name()='image']")
    assert len(doc.xpath("//*[local-name()='svg']//*[local-name()='text']")) > 50  # text as text, not glyph paths


def test_nights_without_a_time_are_listed_but_not_charted(tmp_path):
    write_summaries(tmp_path, synthetic_summaries(3, ["dailyview"]))
    (tmp_path / "manual.json").write_text(json.dumps({"sites": [{"site": "dailyview", "items": 1}]}))
    doc = html(rebuild_index(tmp_path))
    assert len(doc.cssselect("#night-table tbody tr")) == 4
    assert len(_svg_line(doc, "history-dailyview-items").xpath(".//*[local-name()='use']")) == 3


# -- unreadable summaries and the command line -----------------------------------------------------
def test_a_corrupt_summary_is_left_out_with_a_warning_and_a_counter(tmp_path):
    for name in ("night_old.json", "night_failed.json", "corrupt.json"):
        shutil.copy(REPORT / name, tmp_path / name)
    stats = Stats()
    doc = html(rebuild_index(tmp_path, stats=stats))
    assert len(doc.cssselect("#night-table tbody tr")) == 2
    assert "corrupt.json" in doc.get_element_by_id("problems").text_content()
    assert stats.values == {"newscrawl/report/unreadable_summary": 1}


def test_cli_rebuilds_every_page_and_exits_1_on_an_unreadable_summary(tmp_path, capsys):
    for name in ("night_old.json", "corrupt.json"):
        shutil.copy(REPORT / name, tmp_path / name)
    shutil.copy(REPORT / "night_failed.json", tmp_path / "2025-12-05T03-10-00+09-00.json")
    assert main(["--runs", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "corrupt.json" in err[0] and "Traceback" not in err[0]
    assert sorted(p.name for p in tmp_path.glob("*.html")) == [
        "2025-12-05T03-10-00+09-00.html", "index.html", "night_old.html"]
    links = [a.get("href") for a in html(tmp_path / "index.html").cssselect("#night-table a")]
    assert links == ["2025-12-05T03-10-00+09-00.html", "night_old.html"]  # newest first


def test_cli_defaults_to_the_data_dir_and_opens_the_index(tmp_path, monkeypatch, capsys):
    write_summaries(tmp_path / "runs", synthetic_summaries(2, ["dailyview"]))
    monkeypatch.setenv("NEWSCRAWL_DATA_DIR", str(tmp_path))
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    assert main(["--open"]) == 0
    assert opened == [(tmp_path / "runs" / "index.html").as_uri()]
    assert capsys.readouterr().err == ""


def test_cli_usage_errors_exit_2_with_one_line(tmp_path, capsys):
    assert main(["--runs", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such folder" in err[0]
    assert main(["--runs", str(tmp_path)]) == 0  # an empty folder: an index saying there is nothing yet
    assert "No summaries yet" in (tmp_path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("module", ["matplotlib", "jinja2"])
def test_a_missing_library_is_one_line_saying_what_to_install(tmp_path, monkeypatch, capsys, module):
    write_summaries(tmp_path, synthetic_summaries(2, ["dailyview"]))
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    _environment.cache_clear()  # (the templates' environment is kept once made)
    assert main(["--runs", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'newscrawl[report]'" in err[0] and module in err[0]
    with pytest.raises(ReportUnavailable):
        rebuild_index(tmp_path)
    _environment.cache_clear()
