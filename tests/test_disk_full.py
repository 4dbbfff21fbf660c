"""A full disk never loses an article (issue 11, finding 1): night 1 on a full disk, night 2 with space.

The failed writes of night 1 are errors that fail the night (exit 3) and stop it early; they leave no
partial line, mark nothing, and night 2 exports exactly the articles night 1 could not: every article
once in the union of the files.  Two ways to fill the disk: a real tmpfs (mounted by the test; root
only, as in CI) holding the data folder - JSONL and state alike - and, everywhere, ENOSPC injected at
the exporter's file layer (tests/faults.py DiskFullAfter).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from newscrawl.replay.build import build_warc
from tests.helpers import ROOT, SCRAPY
from tests.synthetic import make_site

ARTICLES = 400
FEED_ONLY = ["-s", "NEWSCRAWL_MAX_AGE_DAYS=0", "-s", "NEWSCRAWL_MAX_ERROR_RATIO=1"]


def _night(warc: Path, data: Path, stats: Path, *extra: str) -> tuple[int, dict, str]:
    cmd = [SCRAPY, "crawl", "dailyview", "-s", f"NEWSCRAWL_REPLAY={warc}", "-s", f"NEWSCRAWL_STATS_FILE={stats}",
           "-s", "LOG_LEVEL=INFO", "-s", "NEWSCRAWL_MAX_FEED_ENTRIES=1000", *FEED_ONLY, *extra]
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data)}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    payload = json.loads(stats.read_text()) if stats.exists() else {}
    return proc.returncode, payload, proc.stderr


def _exported(data: Path) -> list[str]:
    urls = []
    for path in sorted((data / "dailyview").glob("*.jsonl")):
        raw = path.read_bytes()
        assert not raw or raw.endswith(b"\n"), f"{path.name}: a partial line was left behind"
        urls += [json.loads(line)["url"] for line in raw.splitlines()]
    return urls


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("diskfull")
    warc = tmp / "night.warc.gz"
    build_warc(warc, [make_site(tmp / "site", list(range(1, ARTICLES + 1)))])
    return warc


def _check_union(night1: tuple, night2: tuple, data: Path) -> None:
    code1, stats1, err1 = night1
    verdict1 = stats1["verdict"]
    assert code1 == 3 and verdict1["failed"], err1[-2000:]
    assert any("could not be written" in r or "state could not be updated" in r for r in verdict1["reasons"])
    assert stats1["stats"]["finish_reason"] == "export_failed"  # stopped early, not ground through
    written1 = verdict1["summary"]["items"]
    assert 0 < written1 < ARTICLES
    code2, stats2, err2 = night2
    assert code2 == 0, err2[-2000:]
    urls = _exported(data)
    assert len(urls) == len(set(urls)), "an article was exported twice"
    assert set(urls) == {f"https://dailyview.net/article/{n}/" for n in range(1, ARTICLES + 1)}, "articles lost"


def test_enospc_at_the_file_layer_loses_nothing(archive, tmp_path):
    data = tmp_path / "data"
    night1 = _night(archive, data, tmp_path / "n1.json", "-s", 'ADDONS={"tests.faults.DiskFullAfter": 0}',
                    "-s", "FAULT_DISK_BYTES=150000")
    assert night1[1]["stats"]["newscrawl/export/disk_full"] >= 1
    assert night1[1]["stats"]["newscrawl/errors/export"] >= 1
    on_disk = len(_exported(data))
    assert on_disk == night1[1]["verdict"]["summary"]["items"]  # counted = confirmed on disk, no more
    night2 = _night(archive, data, tmp_path / "n2.json")
    _check_union(night1, night2, data)
    assert night2[1]["verdict"]["summary"]["items"] == ARTICLES - on_disk  # exactly the rest


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None or os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


@pytest.mark.parametrize("state_elsewhere", [False, True], ids=["state-on-the-full-disk", "state-elsewhere"])
def test_a_real_full_disk_loses_nothing(archive, tmp_path, state_elsewhere):
    # state elsewhere is how the first round lost articles: every write failed, every URL marked
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "400k"):
        if os.environ.get("NEWSCRAWL_REQUIRE_TMPFS") == "1":
            pytest.fail("cannot mount a tmpfs (root and mount needed): NEWSCRAWL_REQUIRE_TMPFS=1")
        pytest.skip("cannot mount a tmpfs here (needs root); the injected-ENOSPC test covers the file layer")
    try:
        data = disk / "data"
        state = ["-s", f"NEWSCRAWL_STATE={tmp_path / 'state.sqlite3'}"] if state_elsewhere else []
        night1 = _night(archive, data, tmp_path / "n1.json", *state)  # the JSONL (and state) on the small disk
        on_disk = len(_exported(data))
        summary = night1[1]["verdict"]["summary"]
        # what the state did not mark is on disk (recovered next night) or not written (exported next night)
        assert on_disk >= summary["items"] - summary.get("state_errors", 0)
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)  # space again
        night2 = _night(archive, data, tmp_path / "n2.json", *state)
        _check_union(night1, night2, data)
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
