"""The verdict findings of issue 15: no green night with nothing in it, reruns that stay quiet, the
network check for -a url, and a data folder that follows the working directory."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from newscrawl.commands.preflight import EXIT_NO_NETWORK
from newscrawl.config import resolve_data_dir
from newscrawl.extensions.health import Thresholds, judge
from newscrawl.replay.build import build_warc
from tests.helpers import ROOT, SCRAPY, SITE_FIXTURES, crawl
from tests.synthetic import make_site

EMPTY_FEED = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>ピッコン</title>'
              "</channel></rss>")


def _summary(**over) -> dict:
    base = {"finish_reason": "finished", "export_errors": 0, "state_errors": 0, "pipeline_errors": 0,
            "handler_errors": 0, "requests": 3, "sources_ok": 1, "candidates": 2, "pages": 3,
            "articles_requested": 2, "article_errors": 0, "errors": 0, "items": 2, "skipped_seen": 0,
            "dropped": {}, "missing_published": 0}
    return {**base, **over}


LIMITS = Thresholds(max_errors=50, max_error_ratio=0.2, max_missing_ratio=0.2, min_items=0, min_candidates=1,
                    discovery=True)


def test_judge_rules_for_discovery():
    assert judge(_summary(), LIMITS) == []
    # every source unusable: fails even with a candidate from elsewhere counted
    assert "no feed, sitemap or listing page could be used" in judge(_summary(sources_ok=0), LIMITS)
    # parsed, but no article URL in it
    assert any("0 candidate article URL(s) found, fewer than the minimum 1" in r
               for r in judge(_summary(candidates=0, articles_requested=0, items=0, pages=1), LIMITS))
    # a profile asking for more
    higher = Thresholds(50, 0.2, 0.2, 0, 5, True)
    assert any("fewer than the minimum 5" in r for r in judge(_summary(), higher))
    # a quiet night: every candidate exported before - no items, no failure, even below min_items
    quiet = _summary(items=0, skipped_seen=2, articles_requested=0, pages=1)
    assert judge(quiet, Thresholds(50, 0.2, 0.2, 3, 1, True)) == []
    # -a url / urls_file: no discovery, so no source to use
    given = Thresholds(50, 0.2, 0.2, 0, 1, False)
    assert judge(_summary(sources_ok=0, candidates=1, items=1), given) == []


def _feed_site(tmp: Path, feed: str) -> Path:
    site = make_site(tmp / "site", [1, 2])
    (site / "feed.xml").write_text(feed, encoding="utf-8")
    warc = tmp / "night.warc.gz"
    build_warc(warc, [site])
    return warc


# the synthetic dailyview site has a feed only: its sitemap and listing miss (errors allowed here)
LAX = {"NEWSCRAWL_MAX_AGE_DAYS": "0", "NEWSCRAWL_MAX_ERROR_RATIO": "1"}


def test_a_feed_that_parses_but_lists_nothing_fails_the_night(tmp_path):
    result = crawl(["dailyview"], tmp_path, warc=_feed_site(tmp_path, EMPTY_FEED), settings=LAX)
    assert result.returncode == 3 and result.records == []
    assert any("0 candidate article URL(s)" in r for r in result.verdict["reasons"])
    assert "Run OK" not in result.stderr


def test_min_candidates_can_be_lowered_for_a_site_that_may_be_silent(tmp_path):
    result = crawl(["dailyview"], tmp_path, warc=_feed_site(tmp_path, EMPTY_FEED),
                   settings={**LAX, "NEWSCRAWL_MIN_CANDIDATES": "0"})
    assert result.returncode == 0, result.verdict


def test_min_candidates_above_what_was_found_fails(tmp_path):
    warc = tmp_path / "night.warc.gz"
    build_warc(warc, [make_site(tmp_path / "site", [1, 2])])
    result = crawl(["dailyview"], tmp_path, warc=warc, settings={**LAX, "NEWSCRAWL_MIN_CANDIDATES": "3"})
    assert result.returncode == 3 and len(result.records) == 2
    assert any("2 candidate article URL(s) found, fewer than the minimum 3" in r for r in result.verdict["reasons"])


def test_a_night_whose_every_source_is_broken_fails(tmp_path):
    broken = tmp_path / "dailyview"
    broken.mkdir()
    (broken / "site.toml").write_text("\n".join(
        f'[[response]]\nurl = "{url}"\nbody = "<html><body>maintenance</body></html>"\ncontent_type = "text/html"\n'
        for url in ("https://dailyview.net/feed/", "https://dailyview.net/wp-sitemap.xml")), encoding="utf-8")
    warc = tmp_path / "night.warc.gz"
    build_warc(warc, [broken])
    result = crawl(["dailyview"], tmp_path, warc=warc, settings=LAX)
    assert result.returncode == 3
    assert "no feed, sitemap or listing page could be used" in result.verdict["reasons"]


@pytest.mark.parametrize("spider, how", [("dailyview", "url"), ("dailyview", "urls_file"), ("news", "url")])
def test_rerunning_exported_urls_is_a_quiet_night(spider, how, tmp_path):
    warc = tmp_path / "dv.warc.gz"
    build_warc(warc, [SITE_FIXTURES / "dailyview"])
    urls = ["https://dailyview.net/article/41235/", "https://dailyview.net/article/41207/"]
    (tmp_path / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
    args = ["-a", f"url={urls[0]}"] if how == "url" else ["-a", f"urls_file={tmp_path / 'urls.txt'}"]
    env = {"NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    for name in ("first", "again", "once more"):
        (tmp_path / name).mkdir()
        result = crawl([spider, *args], tmp_path / name, warc=warc, env=env)
        assert result.returncode == 0, (name, result.verdict)
        expected = (1 if how == "url" else 2) if name == "first" else 0
        assert len(result.records) == expected, name


OFFLINE_PROFILE = """key = "offline"
name = "A site that cannot resolve"
domains = ["newscrawl-test.invalid"]
article_urls = ['^https://newscrawl-test\\\\.invalid/a/\\\\d+$']
[discovery]
feeds = ["https://newscrawl-test.invalid/feed/"]
"""


@pytest.mark.parametrize("command", [["offline", "-a", "url=https://newscrawl-test.invalid/a/1"],
                                     ["news", "-a", "url=https://newscrawl-test.invalid/a/1"],
                                     ["news", "-a", "feed=https://newscrawl-test.invalid/feed/"]])
def test_given_urls_without_network_exit_4_with_one_line(command, tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "offline.toml").write_text(OFFLINE_PROFILE, encoding="utf-8")
    env = {**os.environ, "NEWSCRAWL_EXTRA_PROFILES": str(tmp_path / "profiles"),
           "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(name, None)
    proc = subprocess.run([SCRAPY, "crawl", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == EXIT_NO_NETWORK
    said = [line for line in proc.stderr.splitlines() if line.startswith("newscrawl:")]
    assert said == ["newscrawl: no network: cannot resolve newscrawl-test.invalid; check DNS and connectivity, "
                    "or replay an archive with -s NEWSCRAWL_REPLAY=FILE"]
    assert "Traceback" not in proc.stderr and "ERROR" not in proc.stderr


# -- where data goes ---------------------------------------------------------------------------------------
def test_the_data_folder_follows_the_working_directory_not_the_package(tmp_path, monkeypatch):
    from scrapy.settings import Settings

    monkeypatch.delenv("NEWSCRAWL_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir(Settings({"NEWSCRAWL_DATA_DIR": ""})) == (tmp_path / "data", False)
    monkeypatch.setenv("NEWSCRAWL_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(Settings({"NEWSCRAWL_DATA_DIR": ""})) == (tmp_path / "env", False)
    assert resolve_data_dir(Settings({"NEWSCRAWL_DATA_DIR": str(tmp_path / "set")}))[0] == tmp_path / "set"


def test_a_crawl_from_another_folder_writes_there(tmp_path):
    """As a scrapyd deployment or a non-editable install runs it: no scrapy.cfg, the settings module named."""
    warc = tmp_path / "dv.warc.gz"
    build_warc(warc, [SITE_FIXTURES / "dailyview"])
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "NEWSCRAWL_DATA_DIR"}
    env.update(SCRAPY_SETTINGS_MODULE="newscrawl.settings", PYTHONPATH=str(ROOT))
    proc = subprocess.run([SCRAPY, "crawl", "dailyview", "-s", f"NEWSCRAWL_REPLAY={warc}",
                           "-s", f"NEWSCRAWL_STATE={work / 'data' / 'state' / 'newscrawl.sqlite3'}",
                           "-s", "NEWSCRAWL_MAX_AGE_DAYS=0"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(list((work / "data" / "dailyview").glob("*.jsonl"))) == 1
    assert not list((ROOT / "newscrawl").rglob("*.jsonl"))  # nothing next to the package
