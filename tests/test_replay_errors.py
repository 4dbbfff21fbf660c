"""Archives that cannot be replayed, or only in part: one line and exit 2 before anything starts, or
the readable records used with the damage counted, logged once and failing the night."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
from pathlib import Path

import pytest
import pytest_twisted
from scrapy.crawler import CrawlerRunner
from scrapy.utils.project import get_project_settings
from warcio.archiveiterator import ArchiveIterator

from newscrawl.extensions.health import Thresholds, judge, summarize
from newscrawl.replay.archive import WarcArchive
from newscrawl.replay.build import build_warc
from newscrawl.replay.sources import ArchiveError, check_sources
from newscrawl.spiders.sites import DailyviewSpider
from tests.fixtures.bad.pages import Served, gzip_bomb, page, write_warc
from tests.helpers import ROOT, SCRAPY, SITE_FIXTURES, crawl, site_warc

DAILYVIEW = SITE_FIXTURES / "dailyview"


def newscrawl_lines(stderr: str) -> list[str]:
    """The lines the project printed (Scrapy's own start-up banner is timestamped or indented)."""
    return [line for line in stderr.splitlines() if line.startswith("newscrawl:")]


@pytest.fixture
def not_warcs(tmp_path) -> dict[str, Path]:
    text = tmp_path / "notes.warc"
    text.write_text("hello, not an archive\n")
    gz = tmp_path / "notes.warc.gz"
    gz.write_bytes(gzip.compress(b"hello, not an archive\n"))
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    folder = tmp_path / "no-warcs"
    folder.mkdir()
    (folder / "readme.txt").write_text("nothing here")
    zipped = tmp_path / "night.wacz"
    zipped.write_bytes(b"PK\x03\x04 not really a zip")
    plain = tmp_path / "plain.warc"
    build_warc(plain, [DAILYVIEW])
    one_stream = tmp_path / "one-stream.warc.gz"  # a valid WARC, but no record can be seeked to
    one_stream.write_bytes(gzip.compress(plain.read_bytes()))
    return {"missing": tmp_path / "nowhere.warc.gz", "text": text, "gzip of text": gz, "empty": empty,
            "folder without WARCs": folder, "broken wacz": zipped, "gzip as one stream": one_stream}


def test_each_unusable_path_is_one_clear_error(not_warcs):
    for what, path in not_warcs.items():
        with pytest.raises(ArchiveError) as error:
            check_sources([str(path)])
        message = str(error.value)
        assert "\n" not in message and str(path) in message, what


def scrapy(command: list[str], tmp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp / "data")}
    return subprocess.run([SCRAPY, *command], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("command", [["crawl", "dailyview"], ["crawlall", "--sites", "dailyview"]], ids=" ".join)
def test_unusable_replay_is_refused_before_the_crawl(tmp_path, not_warcs, command):
    good = site_warc("dailyview", tmp_path)
    for what in ("missing", "text"):
        proc = scrapy([*command, "-s", f"NEWSCRAWL_REPLAY={good},{not_warcs[what]}"], tmp_path)
        assert proc.returncode == 2, (what, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr
        lines = newscrawl_lines(proc.stderr)
        assert len(lines) == 1 and str(not_warcs[what]) in lines[0], (what, lines)
        assert not (tmp_path / "data").exists()  # nothing ran: no output, no state, no lock


def test_truncated_archive_uses_every_complete_record_and_flags_the_rest(tmp_path):
    """Cut the archive at many offsets: never an exception, never a partial body, always flagged
    (except a cut exactly between two gzip members, which looks like a shorter night)."""
    full_path = site_warc("dailyview", tmp_path)
    full = WarcArchive([full_path])
    data = full_path.read_bytes()
    with full_path.open("rb") as fh:
        iterator = ArchiveIterator(fh)
        boundaries = {iterator.get_record_offset() for _ in iterator} | {len(data)}
    cut_path = tmp_path / "cut.warc.gz"
    for cut in range(1, len(data), 211):
        cut_path.write_bytes(data[:cut])
        cut_archive = WarcArchive([cut_path])
        assert bool(cut_archive.damaged) == (cut not in boundaries), cut
        for captures in cut_archive.captures.values():
            url = captures[0].uri
            assert cut_archive.get(url).body == full.get(url).body, (cut, url)
    # the very end: every record complete, only the last gzip member's trailer missing
    cut_path.write_bytes(data[:-4])
    tail_cut = WarcArchive([cut_path])
    assert len(tail_cut) == len(full) and tail_cut.damaged


def test_truncated_uncompressed_archive_is_flagged_too(tmp_path):
    plain = tmp_path / "night.warc"
    build_warc(plain, [DAILYVIEW])
    data = plain.read_bytes()
    for cut in (len(data) // 3, len(data) // 2 + 17, len(data) - 300):
        plain.write_bytes(data[:cut])
        archive = WarcArchive([plain])
        assert archive.damaged and "cut short" in archive.damaged[0][1], cut


def test_truncated_replay_exports_what_it_can_warns_once_and_fails(tmp_path):
    warc = site_warc("dailyview", tmp_path)
    data = warc.read_bytes()
    last_article = "https://dailyview.net/article/41088/"
    with warc.open("rb") as fh:
        iterator = ArchiveIterator(fh)
        starts = {r.rec_headers.get_header("WARC-Target-URI"): iterator.get_record_offset()
                  for r in iterator if r.rec_type == "response"}
    warc.write_bytes(data[:starts[last_article] + 700])  # inside the last article's response record
    result = crawl(["dailyview"], tmp_path, warc=warc)
    assert sorted(r["url"] for r in result.records) == sorted(
        f"https://dailyview.net/article/{n}/" for n in (41235, 41207, 41162))
    assert result.stats["newscrawl/replay/truncated_archive"] == 1
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line and str(warc) in line]
    assert len(warnings) == 1 and "damaged" in warnings[0]
    assert result.returncode == 3 and result.verdict["failed"]
    assert any("cut short" in reason for reason in result.verdict["reasons"])


def test_a_damaged_archive_alone_fails_the_verdict():
    good = {"finish_reason": "finished", "downloader/response_status_count/200": 10, "downloader/request_count": 10,
            "newscrawl/discovery/sources_ok": 1, "newscrawl/discovery/candidates": 4,
            "newscrawl/requests/article": 4, "newscrawl/items/exported": 4}
    limits = Thresholds(50, 0.2, 0.2, 1, 1, discovery=True)
    assert judge(summarize("dailyview", good), limits) == []
    reasons = judge(summarize("dailyview", {**good, "newscrawl/replay/truncated_archive": 1}), limits)
    assert len(reasons) == 1 and "cut short" in reasons[0]


def test_a_bomb_in_the_archive_is_refused_as_on_the_wire(tmp_path):
    site = "https://bomb.example.jp"
    warc = write_warc(tmp_path / "bomb.warc.gz", [
        Served.html(f"{site}/news/1/", page(f"{site}/news/1/")),
        Served(f"{site}/news/2/", gzip_bomb(64 << 20), 200,
               [("Content-Type", "text/html; charset=UTF-8"), ("Content-Encoding", "gzip")]),
    ])
    stored = WarcArchive([warc], max_body=10 << 20).get(f"{site}/news/2/")
    # decoding stopped past DOWNLOAD_MAXSIZE: the body is handed over still encoded, saying so
    assert len(stored.body) < 1 << 20 and ("Content-Encoding", "gzip") in stored.headers
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{site}/news/1/\n{site}/news/2/\n")
    result = crawl(["news", "-a", f"urls_file={urls}"], tmp_path, warc=warc,
                   settings={"NEWSCRAWL_MAX_ERROR_RATIO": "1"})
    assert [r["url"] for r in result.records] == [f"{site}/news/1/"]
    assert result.stats["newscrawl/ignored/article/DecompressionMaxSizeExceeded"] == 1


@pytest_twisted.inlineCallbacks
def test_an_unreadable_archive_stops_a_crawl_started_another_way(tmp_path, monkeypatch):
    """Not through `scrapy crawl` (a script, a notebook): no traceback, no network, a failed verdict."""
    attempts = []
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: attempts.append(a))
    settings = get_project_settings()
    settings.set("NEWSCRAWL_REPLAY", str(tmp_path / "nowhere.warc.gz"))
    settings.set("NEWSCRAWL_DATA_DIR", str(tmp_path / "data"))
    runner = CrawlerRunner(settings)
    crawler = runner.create_crawler(DailyviewSpider)
    yield runner.crawl(crawler)
    stats = crawler.stats.get_stats()
    assert attempts == [] and stats["newscrawl/replay/unreadable_archive"] == 1
    assert stats["finish_reason"] == "replay_unreadable"
    assert stats.get("downloader/response_count", 0) == 0
