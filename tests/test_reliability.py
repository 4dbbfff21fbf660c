"""Nothing lost, ever, and every failure loud (issue 11): each finding's regression test.

The disk-full nights are in test_disk_full.py, the discovery caps, naive dates and ports in
test_discovery.py, the address and browser checks in test_security*.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.replay.build import build_warc
from newscrawl.runlock import RunLock
from tests.fixtures.bad.pages import Served, page, write_warc
from tests.helpers import ROOT, SCRAPY, SITE_FIXTURES, crawl, site_warc
from tests.synthetic import make_site

PYTHON = str(Path(sys.executable))
FEED_ONLY = {"NEWSCRAWL_MAX_AGE_DAYS": "0", "NEWSCRAWL_MAX_ERROR_RATIO": "1"}


def _one_line(stderr: str) -> str:
    """The single newscrawl: line of a refused run (and no traceback anywhere)."""
    assert "Traceback" not in stderr, stderr[-2000:]
    lines = [line for line in stderr.splitlines() if line.startswith("newscrawl:")]
    assert len(lines) == 1, stderr[-2000:]
    return lines[0]


# -- finding 2: a lone surrogate ----------------------------------------------------------------------------
def test_a_lone_surrogate_is_replaced_and_the_record_written(tmp_path):
    url = "https://hangul-times.test/news/7/"
    person = '"author": {"@type": "Person", "name": "'
    html = page(url).replace(person, person + "\\udc00")
    assert "\\udc00" in html  # a JSON escape: json.loads gives a lone surrogate, as real JSON-LD can
    warc = write_warc(tmp_path / "s.warc.gz", [Served.html(url, html)])
    result = crawl(["news", "-a", f"url={url}"], tmp_path, warc=warc)
    assert result.returncode == 0, result.stderr[-2000:]
    (record,) = result.records
    assert "\ufffd" in record["authors"][0]
    assert result.stats["newscrawl/export/unencodable_replaced"] == 1
    assert result.verdict["summary"]["export_errors"] == 0


# -- finding 3: pipeline errors --------------------------------------------------------------------------------
def test_a_pipeline_error_fails_the_night_and_the_articles_come_back(tmp_path):
    warc = tmp_path / "site.warc.gz"
    build_warc(warc, [make_site(tmp_path / "site", [1, 2, 3, 4, 5])])
    broken = crawl(["dailyview"], tmp_path, warc=warc, out=tmp_path / "night1.jsonl", settings={
        **FEED_ONLY, "ADDONS": json.dumps({"tests.faults.StateDiskFull": 0})},
        env={"NEWSCRAWL_DATA_DIR": str(tmp_path / "data")})
    assert broken.returncode == 3
    assert broken.stats["newscrawl/errors/pipeline"] == 5 and broken.records == []
    assert any("pipeline failed on 5" in r for r in broken.verdict["reasons"])
    again = crawl(["dailyview"], tmp_path, warc=warc, out=tmp_path / "night2.jsonl", settings=FEED_ONLY,
                  env={"NEWSCRAWL_DATA_DIR": str(tmp_path / "data")})
    assert again.returncode == 0 and len(again.records) == 5  # nothing was marked: all five come back


# -- finding 5: one run per site ----------------------------------------------------------------------------------
def test_a_second_run_of_the_same_site_exits_75_naming_the_holder(tmp_path):
    lock = RunLock(tmp_path / "data" / "locks" / "dailyview.lock")
    assert lock.acquire()
    try:
        result = crawl(["dailyview"], tmp_path, warc=site_warc("dailyview", tmp_path), settings=FEED_ONLY)
        line = _one_line(result.stderr)
        assert result.returncode == 75 and result.records == []
        assert "another run of dailyview" in line and str(os.getpid()) in line
        # crawlall leaves the locked site to the run that holds it and crawls the others
        warc = tmp_path / "two.warc.gz"
        build_warc(warc, [SITE_FIXTURES / "dailyview", SITE_FIXTURES / "hani"])
        env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
        proc = subprocess.run([SCRAPY, "crawlall", "--sites", "dailyview,hani", "-s", f"NEWSCRAWL_REPLAY={warc}",
                               "-s", "NEWSCRAWL_MAX_AGE_DAYS=0", "--summary", str(tmp_path / "s.json")],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
        summary = json.loads((tmp_path / "s.json").read_text())
        rows = {r["site"]: r for r in summary["sites"]}
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert rows["dailyview"].get("locked") and rows["hani"]["items"] == 3
        assert list((tmp_path / "data" / "dailyview").glob("*.jsonl")) == []
    finally:
        lock.release()


# -- finding 10: crawlall reports instead of crashing ------------------------------------------------------------------
def test_a_site_that_cannot_start_is_reported_and_the_others_run(tmp_path):
    warc = tmp_path / "two.warc.gz"
    build_warc(warc, [SITE_FIXTURES / "dailyview", SITE_FIXTURES / "hani"])
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([SCRAPY, "crawlall", "--sites", "dailyview,hani", "-s", f"NEWSCRAWL_REPLAY={warc}",
                           "-s", "NEWSCRAWL_MAX_AGE_DAYS=0", "-s", 'ADDONS={"tests.faults.FailToStart": 0}',
                           "-s", "FAULT_SITE=dailyview"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 3 and "Traceback" not in proc.stdout
    (run,) = (tmp_path / "data" / "runs").glob("*.json")
    rows = {r["site"]: r for r in json.loads(run.read_text())["sites"]}
    assert rows["dailyview"]["failed"] and "cannot start" in rows["dailyview"]["reasons"][0]
    assert not rows["hani"]["failed"] and rows["hani"]["items"] == 3
    assert any(line.startswith("FAILED dailyview") for line in proc.stdout.splitlines())


def test_a_summary_that_cannot_be_written_goes_to_stderr(tmp_path):
    warc = site_warc("hani", tmp_path)
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([SCRAPY, "crawlall", "--sites", "hani", "-s", f"NEWSCRAWL_REPLAY={warc}",
                           "-s", "NEWSCRAWL_MAX_AGE_DAYS=0", "--summary", "/dev/full"],  # ENOSPC on write
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    start = proc.stderr.index("here it is:") + len("here it is:")
    summary = json.loads(proc.stderr[start:proc.stderr.index("\nnewscrawl: run FAILED")])
    assert summary["sites"][0]["items"] == 3


# -- finding 11: one line and a documented exit status, never a traceback -----------------------------------------
@pytest.mark.parametrize("args, settings, expected", [
    (["dailyview", "-a", "urls_file=/nonexistent/urls.txt"], {}, "no such file"),
    (["news", "-a", "url=notaurl"], {}, "expected an http(s) URL"),
    (["news", "-a", "url=https://a..b/"], {}, "not a usable URL"),
    (["news", "-a", f"url=https://{'x' * 70}.test/"], {}, "not a usable URL"),
    (["news", "-a", "url=http://[::1/"], {}, "not a usable URL"),
    (["nosuchsite"], {}, "no spider 'nosuchsite'"),
    (["dailyview"], {"NEWSCRAWL_NEAR_DUP_THRESHOLD": "2"}, "NEWSCRAWL_NEAR_DUP_THRESHOLD='2'"),
    (["dailyview"], {"NEWSCRAWL_MAX_AGE_DAYS": "abc"}, "NEWSCRAWL_MAX_AGE_DAYS='abc'"),
    (["dailyview"], {"NEWSCRAWL_NOW": "yesterday"}, "NEWSCRAWL_NOW='yesterday'"),
    (["dailyview", "-a", "max_age_days=abc"], {}, "max_age_days='abc'"),
    (["dailyview", "-a", "colour=blue"], {}, "unknown argument"),
    (["dailyview"], {"NEWSCRAWL_BROWSER": "bogus"}, "NEWSCRAWL_BROWSER='bogus'"),
])
def test_usage_errors_are_one_line_and_exit_2(tmp_path, args, settings, expected):
    result = crawl(args, tmp_path, warc=site_warc("dailyview", tmp_path), settings=settings)
    assert result.returncode == 2 and result.records == [] and result.stats == {}
    assert expected in _one_line(result.stderr)


@pytest.mark.parametrize("budget", ["-5", "nan", "inf", "soon"])
def test_crawlall_budget_must_be_a_number_of_seconds(tmp_path, budget):
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([SCRAPY, "crawlall", "--budget", budget], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and "--budget" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "data").exists()


def test_crawlall_whose_lock_cannot_be_made_says_so_and_exits_3(tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "afile" / "data")}
    proc = subprocess.run([SCRAPY, "crawlall", "--sites", "dailyview", "-s", f"NEWSCRAWL_STATE={tmp_path / 's.sqlite3'}",
                           "-s", f"NEWSCRAWL_REPLAY={site_warc('dailyview', tmp_path)}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3 and "Traceback" not in proc.stderr and "crawlall.lock" in _one_line(proc.stderr)


# -- finding 12: a cut or damaged state is refused, never silently reset; repair rebuilds it ------------------------
@pytest.mark.parametrize("damage", [b"", b"this is not a database" * 100], ids=["zero-bytes", "garbage"])
def test_a_damaged_state_is_refused_then_repaired_from_the_jsonl(tmp_path, damage):
    data = tmp_path / "data"
    env = {"NEWSCRAWL_DATA_DIR": str(data)}
    (tmp_path / "a").mkdir()
    first = crawl(["dailyview"], tmp_path / "a", warc=site_warc("dailyview", tmp_path), settings=FEED_ONLY,
                  env=env, out=data / "dailyview" / "night1.jsonl")
    assert first.returncode == 0 and len(first.records) == 4
    state = data / "state" / "newscrawl.sqlite3"
    for side in ("-wal", "-shm"):
        state.with_name(state.name + side).unlink(missing_ok=True)
    state.write_bytes(damage)

    refused = crawl(["dailyview"], tmp_path, warc=site_warc("dailyview", tmp_path), settings=FEED_ONLY, env=env)
    assert refused.returncode == 3 and refused.records == []
    assert "python -m newscrawl.state repair" in _one_line(refused.stderr)
    assert state.read_bytes() == damage  # not reset, not touched

    show = subprocess.run([PYTHON, "-m", "newscrawl.state", "--state", str(state), "show"], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, **env})
    assert show.returncode == 3 and "Traceback" not in show.stderr and len(show.stderr.splitlines()) == 1

    fixed = subprocess.run([PYTHON, "-m", "newscrawl.state", "--state", str(state), "repair"], cwd=ROOT,
                           capture_output=True, text=True, env={**os.environ, **env})
    assert fixed.returncode == 0 and "4 articles" in fixed.stdout
    assert list(state.parent.glob("newscrawl.sqlite3.broken-*"))  # the damaged file is kept, set aside
    night = crawl(["dailyview"], tmp_path, warc=site_warc("dailyview", tmp_path), settings=FEED_ONLY, env=env)
    assert night.returncode == 0 and night.records == [] and night.stats["newscrawl/state/skipped"] == 4


@pytest.mark.parametrize("toml, expected, command", [
    ('key = "broken"\nname = "Broken"\ndomains = ["broken.example"]\narticle_urls = ["("]\n', "bad regex",
     ["crawl", "dailyview"]),
    ('key = "broken"\nname = \n', "broken.toml", ["crawl", "dailyview"]),
    ('key = "other"\nname = "Broken"\ndomains = ["broken.example"]\narticle_urls = ["/a/"]\n',
     "differs from the file name", ["crawlall"]),
], ids=["regex", "toml", "key"])
def test_a_broken_site_profile_stops_every_command_with_one_line_and_exit_2(tmp_path, toml, expected, command):
    extra = tmp_path / "profiles"
    extra.mkdir()
    (extra / "broken.toml").write_text(toml, encoding="utf-8")
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data"), "NEWSCRAWL_EXTRA_PROFILES": str(extra)}
    proc = subprocess.run([SCRAPY, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and expected in _one_line(proc.stderr)
    assert not (tmp_path / "data").exists()
