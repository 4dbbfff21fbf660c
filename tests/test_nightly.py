"""The nightly job: `scrapy crawlall` and the strict `scrapy crawl`."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

from newscrawl.replay.build import build_warc
from newscrawl.runlock import RunLock
from tests.helpers import ROOT, SCRAPY, SITE_FIXTURES, crawl, read_jsonl, site_manifest
from tests.synthetic import make_site

ALL_SITES = sorted(p.name for p in SITE_FIXTURES.iterdir() if (p / "site.toml").exists())


def crawlall(tmp: Path, warc: Path, *args: str, settings: dict | None = None, timeout: int = 180,
             summary_file: bool = True):
    """Run crawlall; the summary from --summary (or, with summary_file=False, from data/runs/)."""
    cmd = [SCRAPY, "crawlall", "-s", f"NEWSCRAWL_REPLAY={warc}", "-s", "NEWSCRAWL_MAX_AGE_DAYS=0",
           "-s", "LOG_LEVEL=INFO", *(["--summary", str(tmp / "summary.json")] if summary_file else []), *args]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp / "data")}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if summary_file:
        summary = json.loads((tmp / "summary.json").read_text()) if (tmp / "summary.json").exists() else None
    else:
        runs = sorted((tmp / "data" / "runs").glob("*.json"))
        summary = json.loads(runs[-1].read_text()) if runs else None
    return proc, summary


def exported(tmp: Path, site: str) -> list[dict]:
    return [r for path in sorted((tmp / "data" / site).glob("*.jsonl")) for r in read_jsonl(path)]


def failing_copy(tmp: Path, site: str, status: int) -> Path:
    """The site's fixtures, every response replaced by *status*."""
    folder = tmp / f"{site}-{status}"
    folder.mkdir()
    entries = [f'[[response]]\nurl = "{r["url"]}"\nstatus = {status}\nbody = "error {status}"\n'
               'content_type = "text/html"\n' for r in site_manifest(SITE_FIXTURES / site)["response"]]
    (folder / "site.toml").write_text("\n".join(entries), encoding="utf-8")
    return folder


def test_good_night_exits_0_and_summary_matches_the_files(tmp_path):
    warc = tmp_path / "all.warc.gz"
    build_warc(warc, [SITE_FIXTURES / s for s in ALL_SITES])
    proc, summary = crawlall(tmp_path, warc, summary_file=False)  # the summary where a night keeps it
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = list((tmp_path / "data" / "runs").glob("*.json"))
    assert len(runs) == 1 and f"summary: {runs[0]}" in proc.stdout
    assert summary["ok"] and summary["failed_sites"] == []
    for row in summary["sites"]:
        records = exported(tmp_path, row["site"])
        assert row["items"] == len(records) == len(site_manifest(SITE_FIXTURES / row["site"])["article"])
        assert row["errors"] == 0
    # the table is on stdout, one row per site
    for site in ALL_SITES:
        assert any(line.startswith(site) and " ok " in line for line in proc.stdout.splitlines())


def test_a_site_answering_500_fails_the_night_but_not_the_others(tmp_path):
    warc = tmp_path / "night.warc.gz"
    others = [SITE_FIXTURES / s for s in ALL_SITES if s != "yonhap"]
    build_warc(warc, others + [failing_copy(tmp_path, "yonhap", 500)])
    proc, summary = crawlall(tmp_path, warc)
    assert proc.returncode == 3
    assert summary["failed_sites"] == ["yonhap"]
    assert any(line.startswith("FAILED yonhap") for line in proc.stdout.splitlines())
    assert exported(tmp_path, "yonhap") == []
    assert len(exported(tmp_path, "dailyview")) == 4 and len(exported(tmp_path, "kbs")) == 3


def test_a_site_whose_callbacks_raise_fails_the_night(tmp_path):
    warc = tmp_path / "night.warc.gz"
    build_warc(warc, [SITE_FIXTURES / s for s in ("kbs", "hani")])
    proc, summary = crawlall(tmp_path, warc, "--sites", "kbs,hani", settings={
        "ADDONS": json.dumps({"tests.faults.RaiseInCallbacks": 0}), "FAULT_SITE": "kbs"})
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert summary["failed_sites"] == ["kbs"]
    assert len(exported(tmp_path, "hani")) == 3


def test_an_archive_without_the_sites_feed_fails_that_site(tmp_path):
    warc = tmp_path / "night.warc.gz"
    build_warc(warc, [SITE_FIXTURES / "hani"])  # kbs: nothing at all in the archive
    proc, summary = crawlall(tmp_path, warc, "--sites", "kbs,hani")
    assert proc.returncode == 3
    kbs = next(r for r in summary["sites"] if r["site"] == "kbs")
    assert kbs["failed"] and any("no page could be fetched" in r for r in kbs["reasons"])
    assert kbs["replay_misses"] >= 1
    assert len(exported(tmp_path, "hani")) == 3


def test_a_second_run_while_one_runs_exits_at_once(tmp_path):
    warc = tmp_path / "a.warc.gz"
    build_warc(warc, [SITE_FIXTURES / "hani"])
    lock = RunLock(tmp_path / "data" / "crawlall.lock")
    assert lock.acquire()
    try:
        proc, summary = crawlall(tmp_path, warc, "--sites", "hani")
    finally:
        lock.release()
    assert proc.returncode == 75
    assert "another run is in progress" in proc.stderr and str(os.getpid()) in proc.stderr
    assert summary is None and exported(tmp_path, "hani") == []


def test_a_stale_lock_from_a_killed_run_is_taken_over(tmp_path):
    warc = tmp_path / "a.warc.gz"
    build_warc(warc, [SITE_FIXTURES / "hani"])
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "crawlall.lock").write_text('{"pid": 999999, "started": "2025-12-05T03:10:00Z"}')
    proc, summary = crawlall(tmp_path, warc, "--sites", "hani")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert summary["stale_lock"]["pid"] == 999999
    assert len(exported(tmp_path, "hani")) == 3


def test_a_killed_night_resumes_without_re_exporting(tmp_path):
    numbers = list(range(1, 301))
    warc = tmp_path / "big.warc.gz"
    build_warc(warc, [make_site(tmp_path / "site", numbers)])
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    cmd = [SCRAPY, "crawlall", "--sites", "dailyview", "-s", f"NEWSCRAWL_REPLAY={warc}",
           "-s", "NEWSCRAWL_MAX_AGE_DAYS=0", "-s", "CONCURRENT_REQUESTS=1", "-s", "LOG_LEVEL=WARNING"]
    # killed after the 30th line is on disk and before the state marks it (tests/faults.py)
    killed = subprocess.run([*cmd, "-s", 'ADDONS={"tests.faults.KillAfterWrites": 0}', "-s", "FAULT_KILL_AFTER=30"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert len(exported(tmp_path, "dailyview")) == 30
    rerun = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    (run,) = (tmp_path / "data" / "runs").glob("*.json")  # the killed night wrote none
    assert json.loads(run.read_text())["stale_lock"]["pid"] > 0
    urls = [r["url"] for r in exported(tmp_path, "dailyview")]
    assert len(urls) == len(set(urls)) == len(numbers)


def test_single_site_crawl_is_strict(tmp_path):
    warc = tmp_path / "bad.warc.gz"
    build_warc(warc, [failing_copy(tmp_path, "yonhap", 500)])
    strict = crawl(["yonhap"], tmp_path, warc=warc)
    assert strict.returncode == 3
    assert strict.verdict["failed"]
    lax = crawl(["yonhap"], tmp_path, warc=warc, settings={"NEWSCRAWL_STRICT": "0"})
    assert lax.returncode == 0


def test_too_few_items_fails_but_a_quiet_night_does_not(tmp_path):
    warc = tmp_path / "dv.warc.gz"
    build_warc(warc, [SITE_FIXTURES / "dailyview"])
    env = {"NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    settings = {"NEWSCRAWL_MIN_ITEMS": "10", "NEWSCRAWL_MAX_AGE_DAYS": "0"}
    (tmp_path / "1").mkdir()
    first = crawl(["dailyview"], tmp_path / "1", warc=warc, settings=settings, env=env)
    assert first.returncode == 3 and len(first.records) == 4
    assert any("fewer than the minimum 10" in r for r in first.verdict["reasons"])
    (tmp_path / "2").mkdir()
    quiet = crawl(["dailyview"], tmp_path / "2", warc=warc, settings=settings, env=env)
    assert quiet.records == [] and quiet.returncode == 0, quiet.verdict


def _undated(folder: Path, numbers: list[int]) -> None:
    """Take every date off the pages of *numbers*: the meta tags and the visible date line."""
    for n in numbers:
        page = folder / f"a{n}.html"
        text = re.sub(r'<meta property="article:(?:published|modified)_time"[^>]*>', "", page.read_text("utf-8"))
        page.write_text(re.sub(r'<span class="posted-on">.*?</span>', "", text, flags=re.S), encoding="utf-8")


def test_missing_published_dates_over_the_share_fail_the_run(tmp_path):
    dated = tmp_path / "dated"
    build_warc(tmp_path / "dated.warc.gz", [make_site(dated / "site", [1, 2, 3, 4])])
    # the synthetic site has a feed only: its sitemap and listing miss (errors allowed here)
    settings = {"NEWSCRAWL_MAX_AGE_DAYS": "0", "NEWSCRAWL_MAX_ERROR_RATIO": "1"}
    ok = crawl(["dailyview"], dated, warc=tmp_path / "dated.warc.gz", settings=settings)
    assert ok.returncode == 0, ok.verdict  # the same pages with their dates: every date found
    assert [r["published_at"] for r in ok.records] == ["2025-12-04T10:05:00+09:00"] * 4
    assert ok.verdict["summary"]["missing_published"] == 0

    undated = tmp_path / "undated"
    site = make_site(undated / "site", [1, 2, 3, 4])
    _undated(site, [1, 2, 3])
    build_warc(tmp_path / "undated.warc.gz", [site])
    result = crawl(["dailyview"], undated, warc=tmp_path / "undated.warc.gz", settings=settings)
    assert len(result.records) == 4 and sum(r["published_at"] is None for r in result.records) == 3
    assert result.returncode == 3
    assert result.verdict["summary"]["missing_published"] == 3
    assert any("missing on 3 of 4" in r for r in result.verdict["reasons"])


def test_progress_lines_name_the_site_while_it_runs(tmp_path):
    warc = tmp_path / "big.warc.gz"
    build_warc(warc, [make_site(tmp_path / "site", list(range(1, 151)))])
    result = crawl(["dailyview"], tmp_path, warc=warc, settings={
        "NEWSCRAWL_MAX_AGE_DAYS": "0", "CONCURRENT_REQUESTS": "1", "NEWSCRAWL_PROGRESS_INTERVAL": "0.05",
        "NEWSCRAWL_MAX_ERROR_RATIO": "1"})  # the synthetic site has a feed only: sitemap and listing miss
    lines = [line for line in result.stderr.splitlines() if "progress dailyview: pages" in line]
    assert len(lines) >= 2
    for name in ("pages", "items", "skipped", "duplicates", "dropped", "errors"):
        assert f" {name} " in lines[-1]
