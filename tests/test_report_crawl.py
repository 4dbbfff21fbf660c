"""The night report from real crawls: crawlall over replayed fixtures on three nights, opened in Chromium.

Night 1 exports every fixture article, night 2 is quiet (all seen), night 3 loses one site's archive
(a failed night).  Each night writes data/runs/<run>.json and .html and rebuilds index.html; the
dailyview samples carry the strip diff, where the seed page's 「[ニュース] ランキング」 block is struck out.
Screenshots of both pages are saved under the test's tmp folder.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from newscrawl.replay.build import build_warc
from tests.helpers import ROOT, SCRAPY, SITE_FIXTURES
from tests.test_report_browser import assert_clean, chromium, visit  # noqa: F401 - chromium is a fixture

pytestmark = pytest.mark.browser
SITES = ["dailyview", "hani", "kbs"]


def _night(tmp, warc, n: int):
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp / "data")}
    return subprocess.run([SCRAPY, "crawlall", "--sites", ",".join(SITES), "-s", f"NEWSCRAWL_REPLAY={warc}",
                           "-s", "NEWSCRAWL_MAX_AGE_DAYS=0"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report-nights")
    full, partial = tmp / "full.warc.gz", tmp / "partial.warc.gz"
    build_warc(full, [SITE_FIXTURES / s for s in SITES])
    build_warc(partial, [SITE_FIXTURES / s for s in SITES if s != "kbs"])
    codes = [_night(tmp, full, 1).returncode, _night(tmp, full, 2).returncode, _night(tmp, partial, 3).returncode]
    return tmp, codes


def test_every_night_writes_its_summary_and_page(nights):
    tmp, codes = nights
    assert codes == [0, 0, 3]
    runs = tmp / "data" / "runs"
    summaries = sorted(runs.glob("*.json"))
    assert len(summaries) == 3 and sorted(p.stem for p in runs.glob("*.html") if p.name != "index.html") == \
        [p.stem for p in summaries]
    first = json.loads(summaries[0].read_text())
    dailyview = next(r for r in first["sites"] if r["site"] == "dailyview")
    assert len(dailyview["samples"]) == 3
    strip = [line for sample in dailyview["samples"] for line in sample["strip"]]
    assert any(line["text"] == "[ニュース] ランキング" and not line["kept"] for line in strip)
    assert any(line["kept"] for line in strip)
    for sample in dailyview["samples"]:  # every kept line is body text
        kept = "".join(line["text"] for line in sample["strip"] if line["kept"])
        assert "".join(sample["body"].split())[:40] in "".join(kept.split())


def test_the_pages_of_real_nights_in_chromium(chromium, nights):  # noqa: F811
    tmp, _ = nights
    runs = tmp / "data" / "runs"
    night = sorted(runs.glob("*.html"))[0]

    def inspect_night(page):
        ranking = page.locator(".diff .removed del", has_text="[ニュース] ランキング")
        return {"ranking": ranking.count(), "decoration": ranking.first.evaluate(
            "e => getComputedStyle(e).textDecorationLine") if ranking.count() else None}

    events = visit(chromium, night, tmp / "night.png", inspect_night)
    assert_clean(events, night)
    assert events["found"]["ranking"] >= 1 and events["found"]["decoration"] == "line-through"

    index = runs / "index.html"
    events = visit(chromium, index, tmp / "index.png",
                   lambda page: page.locator("#night-table tbody tr").count())
    assert_clean(events, index)
    assert events["found"] == 3
    assert (tmp / "night.png").stat().st_size > 10_000 and (tmp / "index.png").stat().st_size > 10_000
