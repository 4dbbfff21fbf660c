"""Data safety (issue 7): whole lines only, even when killed mid-export; no profile value can
write outside data/ or read a local file; requests only to the allowed domains.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from newscrawl.export import DurableJsonLinesExporter
from newscrawl.middlewares.offsite import OffsiteMiddleware
from newscrawl.sites import all_profiles
from newscrawl.sites.profile import KEY_RE, ProfileError, profile_from_dict
from newscrawl.spiders.news import NewsSpider
from newscrawl.state.extension import repair_torn_tail
from tests.fixtures.bad.pages import SITE, Served, page, write_warc
from tests.helpers import ROOT, SCRAPY, crawl, newscrawl_settings

SECRET = "NEWSCRAWL-SECRET-51c9"


# -- whole lines ------------------------------------------------------------------------------------------
class _Recorder(io.BytesIO):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, bytes]] = []

    def write(self, data) -> int:
        self.events.append(("write", bytes(data)))
        return super().write(data)

    def flush(self) -> None:
        self.events.append(("flush", b""))


def test_exporter_writes_each_record_as_one_whole_flushed_line():
    out = _Recorder()
    exporter = DurableJsonLinesExporter(out, fsync=True, encoding="utf-8")
    exporter.start_exporting()
    records = [{"url": f"{SITE}/news/{n}/", "title": "見出し\n二行目", "body": "本文" * 3000} for n in range(3)]
    for record in records:
        exporter.export_item(record)
    writes = [data for event, data in out.events if event == "write"]
    assert len(writes) == 3  # one write per record: a kill leaves a line or nothing
    for data, record in zip(writes, records):
        assert data.endswith(b"\n") and data.count(b"\n") == 1
        assert json.loads(data) == record
    assert [event for event, _ in out.events] == ["write", "flush"] * 3  # flushed before the next one


def test_torn_tail_is_cut_into_a_side_file(tmp_path):
    path = tmp_path / "night.jsonl"
    path.write_bytes(b'{"url": "a"}\n{"url": "b"}\n{"url": "c", "bo')
    assert repair_torn_tail(path) == len(b'{"url": "c", "bo')
    assert path.read_bytes() == b'{"url": "a"}\n{"url": "b"}\n'
    assert (tmp_path / "night.jsonl.torn").read_bytes() == b'{"url": "c", "bo\n'
    assert repair_torn_tail(path) == 0  # whole lines: nothing to do


def _many_articles(tmp: Path, count: int) -> tuple[Path, list[str]]:
    urls = [f"{SITE}/news/{5000 + n}/" for n in range(count)]
    served = [Served.html(u, page(u, title=f"合成記事{n}号の見出し", paras=[
        f"合成記事{n}号の第{i}段落。ソウル市は{n}日、市内{i}カ所で新しい交通政策を試験的に始めると発表した。"
        f"関係者によると、対象地域は{n % 7 + 1}区で、期間は{i + 2}週間の予定だという。" for i in range(1, 5)]))
        for n, u in enumerate(urls)]
    return write_warc(tmp / "many.warc.gz", served), urls


def test_killed_during_export_leaves_only_whole_lines_and_loses_nothing(tmp_path):
    warc, urls = _many_articles(tmp_path, 120)
    urls_file = tmp_path / "urls.txt"
    urls_file.write_text("\n".join(urls), encoding="utf-8")
    data = tmp_path / "data"
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data)}
    # no -O: the nightly default, data/news/<time>.jsonl through the durable exporter
    cmd = [SCRAPY, "crawl", "news", "-a", f"urls_file={urls_file}", "-s", f"NEWSCRAWL_REPLAY={warc}",
           "-s", "CONCURRENT_REQUESTS=1", "-s", "LOG_LEVEL=WARNING", "-s", "NEWSCRAWL_STRICT=0"]
    # SIGKILL right after the 5th line is confirmed on disk, before the state marks it (tests/faults.py)
    proc = subprocess.run([*cmd, "-s", 'ADDONS={"tests.faults.KillAfterWrites": 0}', "-s", "FAULT_KILL_AFTER=5"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    (killed_at,) = sorted((data / "news").glob("*.jsonl"))
    raw = killed_at.read_bytes()
    assert raw.endswith(b"\n"), "a partial line was left behind"
    exported = [json.loads(line)["url"] for line in raw.splitlines()]  # every line parses
    assert len(exported) == 5
    # what the state counts as exported is on disk (a buffered exporter loses marked lines)
    with sqlite3.connect(data / "state" / "newscrawl.sqlite3") as db:
        marked = {url for (url,) in db.execute("SELECT url FROM articles")}
    assert marked <= set(exported), f"marked but not written: {sorted(marked - set(exported))}"
    # the next night takes over: every article exactly once across both files
    rerun = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    again = [json.loads(line)["url"] for path in sorted((data / "news").glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted(again) == sorted(urls)


# -- profiles and paths -------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["../evil", "..", "a/b", "a\\b", "/etc", "Yonhap", "", "x" * 40, "a.b", "a b",
                                 "a\x00b", "ａ"])
def test_a_profile_key_cannot_name_a_path(key):
    assert not KEY_RE.match(key)
    with pytest.raises(ProfileError):
        profile_from_dict({"key": key, "name": "x", "domains": ["x.test"], "article_urls": ["."]})


def test_every_spider_writes_inside_data(tmp_path):
    from scrapy.spiderloader import SpiderLoader

    data_dir = tmp_path / "data"
    loader = SpiderLoader.from_settings(_project_settings())
    names = loader.list()
    assert set(all_profiles()) | {"news"} <= set(names)
    for name in names:
        settings = _project_settings()
        settings.set("NEWSCRAWL_DATA_DIR", str(data_dir), priority="cmdline")
        loader.load(name).update_settings(settings)  # what a crawl does before it starts
        (uri,) = settings.getdict("FEEDS")
        target = Path(uri % {"name": name, "time": "2025-12-05T00-00-00+00-00"}).resolve()
        assert target.is_relative_to(data_dir.resolve()) and target.parent.name == name, (name, uri)


def _project_settings():
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    return settings


EVIL_PROFILE = """
key = "hostile"
name = "../../../../../../tmp/hostile-name"   # a display name, never a path
domains = ["hostile.test"]
article_urls = ['.*']                          # matches anything, file:///etc/passwd too
[discovery]
feeds = ["file://{secret_feed}", "https://hostile.test/feed/"]
max_age_days = 0
"""


def test_a_hostile_profile_reads_no_local_file_and_writes_only_under_data(tmp_path):
    secret_feed = tmp_path / "secret-feed.xml"
    secret_feed.write_text(SECRET + "<rss><channel><item><link>https://hostile.test/news/2/</link></item>"
                           "</channel></rss>", encoding="utf-8")
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "hostile.toml").write_text(EVIL_PROFILE.format(secret_feed=secret_feed), encoding="utf-8")
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><item><link>https://hostile.test/news/1/</link></item>'
            "<item><link>file:///etc/passwd</link></item>"
            f"<item><link>file://{secret_feed}</link></item></channel></rss>")
    warc = write_warc(tmp_path / "hostile.warc.gz", [
        Served("https://hostile.test/feed/", feed.encode(), 200, [("Content-Type", "application/rss+xml")]),
        Served.html("https://hostile.test/news/1/", page("https://hostile.test/news/1/")),
        Served.html("https://hostile.test/news/2/", page("https://hostile.test/news/2/")),
    ])
    before = {p for p in tmp_path.rglob("*")}
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data"), "NEWSCRAWL_EXTRA_PROFILES": str(profiles)}
    stats_file = tmp_path / "data" / "stats.json"
    proc = subprocess.run([SCRAPY, "crawl", "hostile", "-s", f"NEWSCRAWL_REPLAY={warc}",
                           "-s", f"NEWSCRAWL_STATS_FILE={stats_file}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    stats = json.loads(stats_file.read_text())["stats"]
    assert stats.get("finish_reason") == "finished", proc.stderr[-3000:]
    new = {p for p in tmp_path.rglob("*")} - before
    assert new and all(p.is_relative_to(tmp_path / "data") for p in new), sorted(map(str, new))
    assert not Path("/tmp/hostile-name").exists()
    exports = list((tmp_path / "data" / "hostile").glob("*.jsonl"))
    assert len(exports) == 1
    urls = [json.loads(line)["url"] for line in exports[0].read_text(encoding="utf-8").splitlines()]
    assert urls == ["https://hostile.test/news/1/"]  # news/2 is listed only in the local file
    assert stats["newscrawl/refused/scheme"] == 1  # the file:// feed of the profile
    assert stats["newscrawl/discovery/refused_scheme"] == 2  # the file:// links of the feed
    assert SECRET not in proc.stderr and "Refused a file request" in proc.stderr


def test_a_local_file_given_as_the_only_feed_is_not_read(tmp_path):
    # `news` given no http URL has no allowed_domains: Scrapy's own filters let file:// through
    secret_feed = tmp_path / "secret-feed.xml"
    secret_feed.write_text(f"<rss><channel><title>{SECRET}</title><item><link>{SITE}/news/1/</link></item>"
                           "</channel></rss>", encoding="utf-8")
    warc = write_warc(tmp_path / "site.warc.gz", [Served.html(f"{SITE}/news/1/", page(f"{SITE}/news/1/"))])
    for args in (["-a", f"feed=file://{secret_feed}"], ["-a", "url=file:///etc/hostname"]):
        result = crawl(["news", *args], tmp_path, warc=warc, settings={"NEWSCRAWL_MAX_AGE_DAYS": "0"})
        # refused before anything starts: a usage error, one line, nothing read
        assert result.returncode == 2 and result.records == [] and result.stats == {}
        assert "expected an http(s) URL" in result.stderr and "Traceback" not in result.stderr
        assert SECRET not in result.stderr


# -- requests only to the allowed domains -------------------------------------------------------------------
def test_offsite_requests_are_refused_counted_and_said(caplog, tmp_path):
    crawler = get_crawler(NewsSpider, settings_dict=newscrawl_settings(NEWSCRAWL_DATA_DIR=str(tmp_path)))
    crawler.spider = NewsSpider.from_crawler(crawler, url=f"{SITE}/news/1/")
    middleware = OffsiteMiddleware.from_crawler(crawler)
    middleware.spider_opened(crawler.spider)
    assert middleware.process_request(Request(f"{SITE}/news/2/")) is None
    assert middleware.process_request(Request("https://www.hangul-times.test/news/2/")) is None  # a subdomain
    for url in ("https://other.test/a", "https://other.test/b", "https://hangul-times.test.evil.test/"):
        with pytest.raises(IgnoreRequest):
            middleware.process_request(Request(url))
    assert crawler.stats.get_value("newscrawl/offsite/filtered") == 3
    warnings = [r.getMessage() for r in caplog.records if "Off-site request not made" in r.getMessage()]
    assert len(warnings) == 2  # once per domain
