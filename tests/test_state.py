"""Nightly runs collect each article once and lose none (issue: cross-run state)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from newscrawl.replay.build import build_warc
from tests.helpers import ROOT, SCRAPY, crawl, site_warc
from tests.synthetic import make_site

ONLY_FEED = {"NEWSCRAWL_MAX_AGE_DAYS": "0", "NEWSCRAWL_MAX_ERROR_RATIO": "1"}


def _run(tmp: Path, warc: Path, name: str, **settings):
    out_dir = tmp / name
    out_dir.mkdir()
    return crawl(["dailyview"], out_dir, warc=warc, settings={**ONLY_FEED, **settings},
                 env={"NEWSCRAWL_DATA_DIR": str(tmp / "data")})


def _synthetic_warc(tmp: Path, numbers: list[int], name: str, **kwargs) -> Path:
    folder = make_site(tmp / f"site-{name}", numbers, **kwargs)
    warc = tmp / f"{name}.warc.gz"
    build_warc(warc, [folder])
    return warc


def test_second_run_exports_nothing_and_fetches_no_article(tmp_path):
    warc = site_warc("dailyview", tmp_path)
    first = _run(tmp_path, warc, "run1")
    assert first.returncode == 0 and len(first.records) == 4
    second = _run(tmp_path, warc, "run2")
    assert second.returncode == 0, second.stderr[-2000:]  # a quiet night is not a failure
    assert second.records == []
    assert second.stats.get("newscrawl/requests/article", 0) == 0
    assert second.stats["newscrawl/state/skipped"] >= 4
    assert second.stats["newscrawl/replay/hit"] >= 3  # feed, sitemap, listing were fetched again


def test_third_run_exports_exactly_the_new_article(tmp_path):
    first = _run(tmp_path, _synthetic_warc(tmp_path, [1, 2, 3], "n1"), "run1")
    assert sorted(r["url"] for r in first.records) == [f"https://dailyview.net/article/{n}/" for n in (1, 2, 3)]
    second = _run(tmp_path, _synthetic_warc(tmp_path, [1, 2, 3], "n2"), "run2")
    assert second.records == []
    third = _run(tmp_path, _synthetic_warc(tmp_path, [1, 2, 3, 4], "n3"), "run3")
    assert [r["url"] for r in third.records] == ["https://dailyview.net/article/4/"]
    assert third.stats.get("newscrawl/requests/article") == 1


def test_killed_run_then_rerun_exports_every_article_exactly_once(tmp_path):
    numbers = list(range(1, 301))
    warc = _synthetic_warc(tmp_path, numbers, "big")
    data = tmp_path / "data"
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data)}
    cmd = [SCRAPY, "crawl", "dailyview", "-s", f"NEWSCRAWL_REPLAY={warc}", "-s", "NEWSCRAWL_MAX_AGE_DAYS=0",
           "-s", "CONCURRENT_REQUESTS=1", "-s", "LOG_LEVEL=WARNING"]
    # SIGKILL after the 20th line is on disk, before the state marks it (tests/faults.py)
    killed = subprocess.run([*cmd, "-s", 'ADDONS={"tests.faults.KillAfterWrites": 0}', "-s", "FAULT_KILL_AFTER=20"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    with sqlite3.connect(data / "state" / "newscrawl.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 19  # the 20th: written, not marked

    stats_file = tmp_path / "rerun-stats.json"
    rerun = subprocess.run([*cmd, "-s", f"NEWSCRAWL_STATS_FILE={stats_file}"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert json.loads(stats_file.read_text())["stats"]["newscrawl/state/recovered"] == 1  # the 20th line
    urls = []
    for path in sorted((data / "dailyview").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            urls.append(json.loads(line)["url"])  # every line parses: no torn line survives
    assert len(urls) == len(set(urls)), "an article was exported twice"
    assert set(urls) == {f"https://dailyview.net/article/{n}/" for n in numbers}


def test_torn_tail_is_set_aside_and_reported(tmp_path):
    warc = site_warc("dailyview", tmp_path)
    folder = tmp_path / "data" / "dailyview"
    folder.mkdir(parents=True)
    torn = folder / "2025-12-05T00-00-00+00-00.jsonl"
    torn.write_text('{"url": "https://dailyview.net/article/41235/", "site": "dailyview"}\n{"url": "https://dail',
                    encoding="utf-8")
    run = _run(tmp_path, warc, "run")
    assert run.stats["newscrawl/export/torn_tail_repaired"] == 1
    assert torn.read_text(encoding="utf-8").endswith("}\n")
    assert (folder / (torn.name + ".torn")).read_text(encoding="utf-8").startswith('{"url": "https://dail')
    # the complete line counted as exported, the torn one did not
    assert "https://dailyview.net/article/41235/" not in {r["url"] for r in run.records}
    assert run.stats["newscrawl/state/recovered"] == 1
    assert len(run.records) == 3


def test_refetch_window_exports_a_corrected_article_as_a_new_revision(tmp_path):
    first = _run(tmp_path, _synthetic_warc(tmp_path, [1, 2], "r1"), "run1")
    assert {r["revision"] for r in first.records} == {1}
    corrected = _synthetic_warc(tmp_path, [1, 2], "r2", text_seed={2: "【訂正】"})
    second = _run(tmp_path, corrected, "run2", NEWSCRAWL_REFETCH_HOURS=24)
    assert [(r["url"], r["revision"]) for r in second.records] == [("https://dailyview.net/article/2/", 2)]
    assert second.stats["newscrawl/state/unchanged"] == 1
    # without the window, nothing is fetched again
    third = _run(tmp_path, corrected, "run3")
    assert third.records == []


def test_ignore_state_exports_again(tmp_path):
    warc = _synthetic_warc(tmp_path, [1, 2], "i")
    _run(tmp_path, warc, "run1")
    again = _run(tmp_path, warc, "run2", NEWSCRAWL_IGNORE_STATE=1)
    assert len(again.records) == 2


def test_urls_file_resumes_with_the_same_rule(tmp_path):
    warc = _synthetic_warc(tmp_path, [1, 2, 3], "u")
    urls = tmp_path / "urls.txt"
    urls.write_text("https://dailyview.net/article/1/\n", encoding="utf-8")
    (tmp_path / "a").mkdir()
    one = crawl(["dailyview", "-a", f"urls_file={urls}"], tmp_path / "a", warc=warc,
                env={"NEWSCRAWL_DATA_DIR": str(tmp_path / "data")})
    assert len(one.records) == 1
    urls.write_text("https://dailyview.net/article/1/\nhttps://dailyview.net/article/2/?utm_source=x\n"
                    "https://dailyview.net/article/3/\n", encoding="utf-8")
    (tmp_path / "b").mkdir()
    rest = crawl(["dailyview", "-a", f"urls_file={urls}"], tmp_path / "b", warc=warc,
                 env={"NEWSCRAWL_DATA_DIR": str(tmp_path / "data")})
    assert sorted(r["url"] for r in rest.records) == ["https://dailyview.net/article/2/",
                                                       "https://dailyview.net/article/3/"]
    assert rest.stats["newscrawl/state/skipped"] == 1


def test_state_cli_show_reset_prune(tmp_path):
    _run(tmp_path, site_warc("dailyview", tmp_path), "run")
    state = tmp_path / "data" / "state" / "newscrawl.sqlite3"
    python = str(Path(SCRAPY).parent / "python")

    def cli(*args):
        return subprocess.run([python, "-m", "newscrawl.state", "--state", str(state), *args],
                              cwd=ROOT, capture_output=True, text=True, check=True).stdout

    shown = cli("show").split()
    assert shown[shown.index("dailyview") + 1] == "4"
    assert "pruned 0" in cli("prune", "--days", "30")
    assert "4 articles forgotten" in cli("reset", "dailyview")
    again = _run(tmp_path, site_warc("dailyview", tmp_path), "run2")
    assert len(again.records) == 4


@pytest.mark.parametrize("command", [["reset", "dailyview"], ["prune", "--days", "1"], ["repair"]])
def test_state_cli_changes_nothing_while_a_crawl_holds_a_lock(tmp_path, monkeypatch, command):
    from newscrawl.runlock import RunLock
    from newscrawl.state.cli import main
    from newscrawl.state.store import StateStore

    data = tmp_path / "data"
    state = data / "state" / "newscrawl.sqlite3"
    state.parent.mkdir(parents=True)
    store = StateStore(state)
    store.mark_many([("https://dailyview.net/article/1/", "dailyview", "h", "f", None, 1)])
    store.close()
    monkeypatch.setenv("NEWSCRAWL_DATA_DIR", str(data))
    running = RunLock(data / "locks" / "dailyview.lock")
    assert running.acquire()  # a crawl of dailyview is running
    try:
        assert main(["--state", str(state), *command]) == 75
    finally:
        running.release()
    store = StateStore(state, create=False)
    assert store.counts()[0][1] == 1  # not reset, pruned or rebuilt under the crawl
    store.close()
    assert main(["--state", str(state), *command]) == 0  # once the crawl is over
