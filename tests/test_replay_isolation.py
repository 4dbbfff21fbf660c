"""A replay never touches production data: without an explicit data folder it writes into a throwaway
one (and says where); with NEWSCRAWL_DATA_DIR it writes there exactly as a live run would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT, SCRAPY, read_jsonl, site_warc

PROJECT_DATA = ROOT / "data"


def snapshot(folder: Path) -> dict[str, tuple[int, int]] | None:
    """Every file under *folder* with its size and mtime (None: the folder does not exist)."""
    if not folder.exists():
        return None
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def scrapy(args: list[str], env_data_dir: str | None) -> subprocess.CompletedProcess:
    """`scrapy ...` in the project folder; NEWSCRAWL_DATA_DIR in the environment only when given."""
    env = {k: v for k, v in os.environ.items() if k != "NEWSCRAWL_DATA_DIR"}
    if env_data_dir is not None:
        env["NEWSCRAWL_DATA_DIR"] = env_data_dir
    return subprocess.run([SCRAPY, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("command", ["crawl", "crawlall"])
def test_a_replay_without_a_data_folder_touches_nothing_under_data(tmp_path, command):
    warc = site_warc("dailyview", tmp_path)
    before = snapshot(PROJECT_DATA)
    stats_file = tmp_path / "stats.json"
    if command == "crawl":
        proc = scrapy(["crawl", "dailyview", "-s", f"NEWSCRAWL_REPLAY={warc}",
                       "-s", f"NEWSCRAWL_STATS_FILE={stats_file}"], env_data_dir=None)
    else:
        proc = scrapy(["crawlall", "--sites", "dailyview", "-s", f"NEWSCRAWL_REPLAY={warc}"], env_data_dir=None)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert snapshot(PROJECT_DATA) == before  # not a file added, changed or removed
    if command == "crawl":
        summary = json.loads(stats_file.read_text())["verdict"]["summary"]
        throwaway = Path(summary["data_dir"])
        assert summary["throwaway_data_dir"] is True
    else:
        # crawlall prints where its summary went: inside the throwaway folder, which it names
        written = Path(next(line for line in proc.stdout.splitlines() if line.startswith("summary: "))[9:])
        summary = json.loads(written.read_text())
        throwaway = Path(summary["data_dir"])
        assert written.is_relative_to(throwaway)
    try:
        assert throwaway.is_relative_to(Path(os.environ.get("TMPDIR", "/tmp"))) and not throwaway.is_relative_to(ROOT)
        records = [r for f in (throwaway / "dailyview").glob("*.jsonl") for r in read_jsonl(f)]
        assert len(records) == 4
        assert (throwaway / "state" / "newscrawl.sqlite3").is_file()
        assert str(throwaway) in proc.stderr  # the log says where it went
    finally:
        shutil.rmtree(throwaway, ignore_errors=True)


def test_an_explicit_data_folder_receives_everything_as_usual(tmp_path):
    warc = site_warc("dailyview", tmp_path)
    chosen = tmp_path / "chosen"
    before = snapshot(PROJECT_DATA)
    # the setting: crawlall writes output, state, the night's summary and the locks there
    proc = scrapy(["crawlall", "--sites", "dailyview", "-s", f"NEWSCRAWL_REPLAY={warc}",
                   "-s", f"NEWSCRAWL_DATA_DIR={chosen}"], env_data_dir=None)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(read_jsonl(next((chosen / "dailyview").glob("*.jsonl")))) == 4
    assert (chosen / "state" / "newscrawl.sqlite3").is_file()
    assert [json.loads(p.read_text())["data_dir"] for p in (chosen / "runs").glob("*.json")] == [str(chosen)]
    assert (chosen / "locks" / "dailyview.lock").is_file() and (chosen / "crawlall.lock").is_file()
    # the environment variable: the same folder, whose state remembers the first night
    stats_file = tmp_path / "stats.json"
    again = scrapy(["crawl", "dailyview", "-s", f"NEWSCRAWL_REPLAY={warc}", "-s", f"NEWSCRAWL_STATS_FILE={stats_file}"],
                   env_data_dir=str(chosen))
    assert again.returncode == 0, again.stderr[-3000:]
    stats = json.loads(stats_file.read_text())["stats"]
    assert stats["newscrawl/state/skipped"] == 4 and stats.get("newscrawl/items/exported", 0) == 0
    assert sum(len(read_jsonl(f)) for f in (chosen / "dailyview").glob("*.jsonl")) == 4
    assert snapshot(PROJECT_DATA) == before
