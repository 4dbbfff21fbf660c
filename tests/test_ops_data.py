"""Tidy data (issue 15, finding 4): one time format in every name, on the night's local date; no empty
JSONL for a quiet night; `python -m newscrawl.data prune` for what only grew."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newscrawl.export.names import night_offset, parse_stamp, stamp, uri_params
from newscrawl.replay.build import build_warc
from newscrawl.runlock import RunLock
from newscrawl.sites import get_profile
from newscrawl.state.store import StateStore
from tests.helpers import ROOT, SCRAPY, SITE_FIXTURES, crawl, read_jsonl

PYTHON = str(Path(SCRAPY).parent / "python")
STAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d[+-]\d\d-\d\d$")  # the one format
KST = timezone(timedelta(hours=9))


# -- names ---------------------------------------------------------------------------------------------
def test_the_0310_kst_night_of_december_5_is_filed_under_december_5():
    night = datetime(2025, 12, 4, 18, 10, tzinfo=timezone.utc)  # = 2025-12-05 03:10 KST
    assert stamp(night, "+09:00") == "2025-12-05T03-10-00+09-00"
    assert parse_stamp("2025-12-05T03-10-00+09-00") == night == parse_stamp("2025-12-05T03-10-00+0900")
    assert stamp(night.replace(tzinfo=None), "+09:00") == "2025-12-05T03-10-00+09-00"  # naive is UTC


def test_older_spellings_are_still_read():
    assert parse_stamp("2025-12-04T18-10-00+00-00") == datetime(2025, 12, 4, 18, 10, tzinfo=timezone.utc)  # Scrapy
    assert parse_stamp("2025-12-04T18-10-00Z") == datetime(2025, 12, 4, 18, 10, tzinfo=timezone.utc)  # old runs
    assert parse_stamp("index") is None and parse_stamp("2025-13-40T99-00-00+0900") is None


def test_feed_time_is_the_spiders_local_stamp():
    class Spider:
        profile = get_profile("yonhap")

    before = datetime.now(timezone.utc).replace(microsecond=0)
    params = uri_params({"name": "yonhap", "time": "2025-12-04T18-10-00+00-00"}, Spider())
    after = datetime.now(timezone.utc)
    assert params["name"] == "yonhap" and STAMP_RE.match(params["time"]) and params["time"].endswith("+09-00")
    assert before <= parse_stamp(params["time"]) <= after
    assert uri_params({}, object())["time"].endswith("+09-00")  # the generic spider: the default zone
    assert night_offset([get_profile("yonhap"), get_profile("kbs")]) == "+09:00"


# -- nights --------------------------------------------------------------------------------------------
def run(tmp: Path, *args: str, warc: Path) -> subprocess.CompletedProcess:
    """`scrapy ARGS` replaying *warc* into tmp/data, with the default outputs (no -O)."""
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp / "data")}
    return subprocess.run([SCRAPY, *args, "-s", f"NEWSCRAWL_REPLAY={warc}", "-s", "NEWSCRAWL_MAX_AGE_DAYS=0"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def test_outputs_and_summaries_share_one_format_and_a_quiet_night_leaves_no_empty_file(tmp_path):
    warc = tmp_path / "night.warc.gz"
    build_warc(warc, [SITE_FIXTURES / "dailyview", SITE_FIXTURES / "hani"])
    before = datetime.now(timezone.utc).replace(microsecond=0)
    first = run(tmp_path, "crawlall", "--sites", "dailyview,hani", warc=warc)
    after = datetime.now(timezone.utc)
    assert first.returncode == 0, first.stderr[-2000:]
    names = {site: sorted(p.stem for p in (tmp_path / "data" / site).glob("*.jsonl")) for site in ("dailyview", "hani")}
    [summary_path] = (tmp_path / "data" / "runs").glob("*.json")
    for stem in [*names["dailyview"], *names["hani"], summary_path.stem]:
        assert STAMP_RE.match(stem), stem
        assert stem.endswith("+09-00")  # the sites' zone: named by the night's local date
        assert before - timedelta(seconds=1) <= parse_stamp(stem) <= after
        assert stem[:10] == parse_stamp(stem).astimezone(KST).date().isoformat()
    assert json.loads(summary_path.read_text())["run"] == summary_path.stem  # the report's pages follow it

    quiet = run(tmp_path, "crawlall", "--sites", "dailyview,hani", warc=warc)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    for site in ("dailyview", "hani"):
        outputs = sorted((tmp_path / "data" / site).glob("*.jsonl"))
        assert [p.stem for p in outputs] == names[site]  # nothing new: no second, empty file
        assert all(p.stat().st_size > 0 for p in outputs)
    assert len(list((tmp_path / "data" / "runs").glob("*.json"))) == 2  # a quiet night is still a night


def test_a_failed_night_leaves_no_output_folder(tmp_path):
    warc = tmp_path / "empty.warc.gz"
    build_warc(warc, [SITE_FIXTURES / "hani"])  # nothing of kbs
    proc = run(tmp_path, "crawl", "kbs", warc=warc)
    assert proc.returncode == 3
    assert not (tmp_path / "data" / "kbs").exists()


def test_an_output_named_with_o_is_still_emptied_when_nothing_is_exported(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"url": "https://kbs.co.kr/stale"}\n', encoding="utf-8")
    warc = tmp_path / "empty.warc.gz"
    build_warc(warc, [SITE_FIXTURES / "hani"])
    result = crawl(["kbs"], tmp_path, warc=warc, out=out)  # -O out.jsonl
    assert result.returncode == 3 and out.exists() and read_jsonl(out) == []  # not last run's records


# -- prune ---------------------------------------------------------------------------------------------
NOW = datetime(2025, 12, 20, 3, 10, tzinfo=KST)


def _night_files(data: Path) -> dict[str, Path]:
    """A data folder as months of nights leave it."""
    runs, site = data / "runs", data / "dailyview"
    runs.mkdir(parents=True)
    site.mkdir()
    files = {}
    for days_ago in (40, 31, 29, 1):
        name = stamp(NOW - timedelta(days=days_ago), "+09:00")
        for suffix in (".json", ".html"):
            files[f"run-{days_ago}{suffix}"] = runs / f"{name}{suffix}"
            files[f"run-{days_ago}{suffix}"].write_text("{}")
    files["old-spelling"] = runs / ((NOW - timedelta(days=60)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ")
                                    + ".json")
    files["old-spelling"].write_text("{}")
    files["index"] = runs / "index.html"
    files["index"].write_text("<html></html>")
    files["records-old"] = site / "2025-10-01T03-10-00+09-00.jsonl"
    files["records-old"].write_text('{"url": "https://dailyview.net/article/1/"}\n')
    files["empty-old"] = site / "2025-10-02T03-10-00+09-00.jsonl"
    files["empty-new"] = site / "2025-12-19T03-10-00+09-00.jsonl"
    for key in ("empty-old", "empty-new"):
        files[key].write_bytes(b"")
    for key, days_ago in (("torn-old", 40), ("torn-new", 2)):
        files[key] = site / f"{key}.jsonl.torn"
        files[key].write_text('{"url": "https://dailyv')
        moment = (NOW - timedelta(days=days_ago)).timestamp()
        os.utime(files[key], (moment, moment))
    return files


def _state(path: Path, old: int, new: int) -> None:
    store = StateStore(path)
    padding = "x" * 2000  # rows big enough for VACUUM to give pages back
    for n in range(old + new):
        seen = (NOW - timedelta(days=100 if n < old else 1)).timestamp()
        store.mark_exported(f"https://dailyview.net/article/{n}/", "dailyview", padding, None, now=seen)
    store.close()


def prune_cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "newscrawl.data", "prune", "--data-dir", str(data), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def _fake_now(monkeypatch):
    monkeypatch.setattr(time, "time", lambda: NOW.timestamp())


def test_prune_removes_old_runs_empty_outputs_old_torn_files_and_shrinks_the_state(tmp_path, monkeypatch):
    from newscrawl.data.__main__ import main

    data = tmp_path / "data"
    files = _night_files(data)
    state = data / "state" / "newscrawl.sqlite3"
    _state(state, old=400, new=10)
    _fake_now(monkeypatch)

    assert main(["prune", "--keep-days", "30", "--data-dir", str(data), "--dry-run"]) == 0
    assert all(p.exists() for p in files.values())  # a dry run removes nothing
    assert main(["prune", "--keep-days", "30", "--data-dir", str(data)]) == 0
    gone = {"run-40.json", "run-40.html", "run-31.json", "run-31.html", "old-spelling", "empty-old", "empty-new",
            "torn-old"}
    assert {k for k, p in files.items() if not p.exists()} == gone
    assert read_jsonl(files["records-old"])  # exported records are never pruned, however old
    db = sqlite3.connect(state)
    assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 10
    assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0  # VACUUMed: no free pages kept
    db.close()


def test_vacuum_gives_the_space_back(tmp_path, monkeypatch):
    from newscrawl.data.prune import prune

    data = tmp_path / "data"
    data.mkdir()
    state = data / "state.sqlite3"
    _state(state, old=400, new=10)
    _fake_now(monkeypatch)
    done = prune(data, 30, state, 30)
    before, after = done.state_bytes
    assert done.state_articles == 400 and after < before / 5


def test_prune_waits_for_a_running_crawl(tmp_path):
    data = tmp_path / "data"
    _night_files(data)
    lock = RunLock(data / "locks" / "dailyview.lock")
    assert lock.acquire()
    try:
        proc = prune_cli(data, "--keep-days", "30")
    finally:
        lock.release()
    assert proc.returncode == 75 and "dailyview.lock" in proc.stderr
    assert len(list((data / "runs").glob("*"))) == 10  # nothing removed


@pytest.mark.parametrize("args, status", [(["--keep-days", "0"], 2), (["--keep-days", "x"], 2),
                                          (["--keep-days", "30", "--state-days", "3"], 2)])
def test_prune_refuses_bad_options(tmp_path, args, status):
    (tmp_path / "data").mkdir()
    proc = prune_cli(tmp_path / "data", *args)
    assert proc.returncode == status and "Traceback" not in proc.stderr


def test_prune_refuses_a_broken_state_in_one_line(tmp_path):
    data = tmp_path / "data"
    (data / "state").mkdir(parents=True)
    (data / "state" / "newscrawl.sqlite3").write_bytes(b"not a database" * 100)
    proc = prune_cli(data, "--keep-days", "30")
    assert proc.returncode == 3 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
