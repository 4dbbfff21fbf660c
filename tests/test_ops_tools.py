"""Scrapy's own tools on our spiders (issue 15, finding 6): `scrapy parse` and `scrapy check`."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from newscrawl.replay.build import build_warc
from newscrawl.sites import all_profiles
from tests.helpers import ROOT, SCRAPY, SITE_FIXTURES, expected_records

DAILYVIEW_ARTICLE = "https://dailyview.net/article/41235/"


def scrapy(tmp: Path, *args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    """`scrapy ARGS` in the project folder, data going to tmp/data (which must stay absent)."""
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp / "data")}
    return subprocess.run([SCRAPY, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def printed_items(stdout: str) -> list[dict]:
    """The items `scrapy parse --nocolour` prints (a Python literal after '# Scraped Items')."""
    text = stdout.split("# Scraped Items", 1)[1].split("\n", 1)[1].split("# Requests", 1)[0]
    return ast.literal_eval(text)


@pytest.fixture(scope="module")
def all_sites_warc(tmp_path_factory) -> Path:
    warc = tmp_path_factory.mktemp("warc") / "sites.warc.gz"
    build_warc(warc, sorted(p for p in SITE_FIXTURES.iterdir() if (p / "site.toml").exists()))
    return warc


@pytest.mark.parametrize("spider", ["news", "dailyview"])
def test_scrapy_parse_gives_the_record_without_a_callback_and_writes_nothing(spider, tmp_path, all_sites_warc):
    proc = scrapy(tmp_path, "parse", f"--spider={spider}", "--nocolour", "-s", f"NEWSCRAWL_REPLAY={all_sites_warc}",
                  DAILYVIEW_ARTICLE)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "NotImplementedError" not in proc.stderr and "Traceback" not in proc.stderr
    [item] = printed_items(proc.stdout)
    expected = expected_records(SITE_FIXTURES / "dailyview")[DAILYVIEW_ARTICLE]
    assert item["url"] == DAILYVIEW_ARTICLE and item["body"] == expected["body"]
    assert item["site"] == ("dailyview" if spider == "dailyview" else "dailyview.net")
    assert "body_html" not in item and "extraction" not in item  # the public record, as exported
    assert not (tmp_path / "data").exists()  # no empty JSONL, no state, no lock
    assert "Run FAILED" not in proc.stderr  # a look at one page is not a night


def test_scrapy_parse_still_writes_where_o_says(tmp_path, all_sites_warc):
    out = tmp_path / "look.jsonl"
    proc = scrapy(tmp_path, "parse", "--spider=news", "-s", f"NEWSCRAWL_REPLAY={all_sites_warc}",
                  "-o", str(out), DAILYVIEW_ARTICLE)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.read_text(encoding="utf-8").count("\n") == 1 and not (tmp_path / "data").exists()


def test_scrapy_check_runs_one_contract_per_site_offline(tmp_path, all_sites_warc):
    listed = scrapy(tmp_path, "check", "--list")
    sites = [line for line in listed.stdout.splitlines() if line and not line.startswith(" ")]
    assert sorted(sites) == sorted([*all_profiles(), "news"])  # every spider has the contract ...
    proc = scrapy(tmp_path, "check", "-v", "-s", f"NEWSCRAWL_REPLAY={all_sites_warc}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"Ran {3 * len(all_profiles())} contracts" in proc.stderr and "\nOK" in proc.stderr
    for site in all_profiles():
        assert proc.stderr.count(f"[{site}] parse (@") == 3
    assert "[news]" not in proc.stderr  # ... but `news` has no site, so no sample and no request
    assert not (tmp_path / "data").exists()


def test_scrapy_check_fails_when_a_site_no_longer_gives_a_record(tmp_path):
    broken = tmp_path / "dailyview"
    shutil.copytree(SITE_FIXTURES / "dailyview", broken)
    for page in broken.glob("article_*.html"):  # a redesign: no title, no body where the profile looks
        page.write_text("<html><head><title></title></head><body><div id='app'></div></body></html>",
                        encoding="utf-8")
    warc = tmp_path / "broken.warc.gz"
    build_warc(warc, [broken])
    proc = scrapy(tmp_path, "check", "dailyview", "-s", f"NEWSCRAWL_REPLAY={warc}")
    assert proc.returncode == 1
    assert "FAILED" in proc.stderr and "[dailyview] parse" in proc.stderr


def test_scrapy_check_without_an_archive_says_so_in_one_line(tmp_path):
    proc = scrapy(tmp_path, "check", "dailyview")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "NEWSCRAWL_REPLAY" in proc.stderr


@pytest.mark.parametrize("mode, site, rendered", [("auto", "jsnews", True), ("off", "jsnews", False),
                                                  ("auto", "dailyview", False)])
def test_scrapy_check_requests_the_sample_as_a_night_would_render_it(monkeypatch, mode, site, rendered):
    """A site whose articles go through the browser has its contract checked on the rendered page."""
    from types import SimpleNamespace

    from scrapy.utils.test import get_crawler

    from newscrawl import contracts, meta
    from tests.helpers import newscrawl_settings
    from newscrawl.sites import get_profile
    from newscrawl.sites.profile import load_profile

    profile = (load_profile(ROOT / "tests/fixtures/browser/profiles/jsnews.toml") if site == "jsnews"
               else get_profile(site))
    url = f"https://{profile.domains[0]}/news/1.html"
    monkeypatch.setattr(contracts, "sample_article", lambda profile, replay: url)

    class Spider:
        def __init__(self):
            self.name, self.profile = profile.key, profile
            self.config = SimpleNamespace(replay=("night.warc.gz",))
            self.crawler = get_crawler(settings_dict=newscrawl_settings(NEWSCRAWL_BROWSER=mode))

        def parse(self, response):
            """@sample_article"""

    args = contracts.SampleArticle(Spider().parse).adjust_request_args({})
    assert args["url"] == url and bool(args["meta"].get(meta.BROWSER)) is rendered
