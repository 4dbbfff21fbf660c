"""Replay and record (WARC): no socket in replay, misses counted, a recorded crawl replays the same."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess

import pytest
import pytest_twisted
from warcio.archiveiterator import ArchiveIterator
from scrapy.crawler import CrawlerRunner
from scrapy.utils.project import get_project_settings

from newscrawl.replay.archive import WarcArchive
from newscrawl.replay.build import build_warc, fixture_responses
from newscrawl.replay.unpack import unpack
from newscrawl.spiders.sites import DailyviewSpider
from tests.helpers import FIXTURES, ROOT, SCRAPY, SITE_FIXTURES, crawl, expected_records, site_warc
from tests.localserver import ALLOW_LOCAL, LocalServer, Reply


def test_archive_returns_the_fixture_bytes_and_headers(tmp_path):
    warc = site_warc("wowkorea", tmp_path)
    archive = WarcArchive([warc])
    for fixture in fixture_responses(SITE_FIXTURES / "wowkorea"):
        stored = archive.get(fixture.url)
        assert stored is not None and stored.body == fixture.body and stored.status == fixture.status
        assert dict(stored.headers).get("Content-Type") == dict(fixture.headers).get("Content-Type")
    # Shift_JIS fixtures are served as real Shift_JIS bytes
    sjis = [f for f in fixture_responses(SITE_FIXTURES / "wowkorea") if "Shift_JIS" in str(f.headers)]
    assert sjis and all("芸能".encode("shift_jis") in f.body or b"\x8c" in f.body for f in sjis)


def test_missing_url_is_a_counted_404(tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text("https://dailyview.net/article/41235/\nhttps://dailyview.net/article/99999/\n")
    result = crawl(["dailyview", "-a", f"urls_file={urls}"], tmp_path, warc=site_warc("dailyview", tmp_path),
                   settings={"NEWSCRAWL_MAX_ERROR_RATIO": "1"})
    assert [r["url"] for r in result.records] == ["https://dailyview.net/article/41235/"]
    assert result.stats["newscrawl/replay/miss"] == 1
    assert result.stats["newscrawl/errors/article/http_404"] == 1
    assert "Replay miss" in result.stderr


@pytest_twisted.inlineCallbacks
def test_replay_never_opens_a_socket(tmp_path, monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network use during replay")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    settings = get_project_settings()
    settings.set("NEWSCRAWL_REPLAY", str(site_warc("dailyview", tmp_path)))
    settings.set("NEWSCRAWL_MAX_AGE_DAYS", "0")
    settings.set("NEWSCRAWL_DATA_DIR", str(tmp_path / "data"))
    settings.set("NEWSCRAWL_STATE", str(tmp_path / "data" / "state.sqlite3"))
    settings.set("FEEDS", {str(tmp_path / "out.jsonl"): {"format": "jsonlines"}})
    runner = CrawlerRunner(settings)
    crawler = runner.create_crawler(DailyviewSpider)
    yield runner.crawl(crawler)
    assert attempts == []
    assert crawler.stats.get_value("item_scraped_count") == 4
    assert crawler.stats.get_value("newscrawl/replay/hit") >= 9


@pytest.fixture
def local_site():
    """The generic fixture site served live on 127.0.0.1 (the feed gzip-encoded on the wire)."""
    pages = {}
    with LocalServer() as server:
        for fixture in fixture_responses(FIXTURES / "generic"):
            path = fixture.url.split("koreaworldtimes.com", 1)[1]
            body = fixture.body.replace(b"https://koreaworldtimes.com", server.base.encode())
            headers = dict(fixture.headers)
            if path == "/feed/":
                body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
            content_type = headers.pop("Content-Type", "")
            server.route(path, Reply(fixture.status, body, headers, content_type=content_type))
            pages[path] = (fixture.status, headers, body)
        yield server.base, pages


def wire_payloads(warc) -> dict[str, bytes]:
    """URL -> the response payload exactly as written in the WARC (no decoding at all)."""
    with open(warc, "rb") as fh:
        return {r.rec_headers.get_header("WARC-Target-URI"): r.raw_stream.read()
                for r in ArchiveIterator(fh) if r.rec_type == "response"}


def test_record_then_replay_gives_the_same_records(tmp_path, local_site):
    base, pages = local_site
    recording = tmp_path / "night.warc.gz"
    (tmp_path / "live").mkdir()
    live = crawl(["news", "-a", f"feed={base}/feed/"], tmp_path / "live",
                 settings={"NEWSCRAWL_RECORD": str(recording), "NEWSCRAWL_MAX_AGE_DAYS": "0", **ALLOW_LOCAL})
    assert live.returncode == 0, live.stderr[-3000:]
    assert len(live.records) == 2
    # byte for byte: what the server sent (the feed still gzip-compressed) is what the archive holds
    held = wire_payloads(recording)
    for path, (_status, headers, body) in pages.items():
        if path == "/news-sitemap.xml":
            continue  # not part of a feed crawl
        assert held[base + path] == body, path
    # and what replay hands the crawler is that body decoded once, described as it is
    feed = WarcArchive([recording]).get(base + "/feed/")
    assert feed.body == gzip.decompress(pages["/feed/"][2])
    assert "content-encoding" not in {k.lower() for k, _ in feed.headers}
    (tmp_path / "replay").mkdir()
    replayed = crawl(["news", "-a", f"feed={base}/feed/"], tmp_path / "replay", warc=recording,
                     settings={"NEWSCRAWL_MAX_AGE_DAYS": "0"})
    assert replayed.returncode == 0
    strip = lambda records: sorted((json.dumps({k: v for k, v in r.items() if k != "fetched_at"},  # noqa: E731
                                               sort_keys=True, ensure_ascii=False) for r in records))
    assert strip(replayed.records) == strip(live.records)
    assert replayed.stats.get("newscrawl/replay/miss", 0) == 0


def test_unpacked_recording_builds_the_same_archive(tmp_path):
    warc = site_warc("wowkorea", tmp_path)
    unpack(warc, tmp_path / "fixture")
    rebuilt = tmp_path / "rebuilt.warc.gz"
    build_warc(rebuilt, [tmp_path / "fixture"])
    original, again = WarcArchive([warc]), WarcArchive([rebuilt])
    for fixture in fixture_responses(SITE_FIXTURES / "wowkorea"):
        assert again.get(fixture.url).body == original.get(fixture.url).body


def test_default_output_is_utf8_jsonl_under_data(tmp_path):
    warc = site_warc("kbs", tmp_path)
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    subprocess.run([SCRAPY, "crawl", "kbs", "-s", f"NEWSCRAWL_REPLAY={warc}", "-s", "NEWSCRAWL_MAX_AGE_DAYS=0"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    files = list((tmp_path / "data" / "kbs").glob("*.jsonl"))
    assert len(files) == 1
    assert files[0].name.endswith("+09-00.jsonl")  # the night named in the site's zone (Korea time)
    text = files[0].read_text(encoding="utf-8")
    assert "\\u" not in text and "韓国" in text  # Japanese unescaped
    assert {json.loads(line)["url"] for line in text.splitlines()} == set(expected_records(SITE_FIXTURES / "kbs"))


def test_the_index_is_built_once_per_process_while_the_files_stay_the_same(tmp_path):
    """crawlall replays every site from one archive: one index, not one per site."""
    from newscrawl.replay.archive import open_archive

    warc = site_warc("dailyview", tmp_path)
    first = open_archive([str(warc)])
    assert open_archive([str(warc)]) is first
    build_warc(warc, [SITE_FIXTURES / "kbs"])  # the file changed: indexed again
    again = open_archive([str(warc)])
    assert again is not first and "https://dailyview.net/feed/" not in again
