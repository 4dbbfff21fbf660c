"""Replay time: "now" is when the archive captured the page, never the wall clock.

The crawl reads request.meta[CAPTURED_AT] (set by the replay middleware from the record's WARC-Date,
else its HTTP Date) as "now" for age checks and as the record's fetched_at; NEWSCRAWL_NOW overrides
"now" for the age checks.  The fixtures were captured on 2025-12-05 (build.py's WARC-Date); the
tests run on any later day.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone

from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl import meta as M
from newscrawl.replay.archive import WarcArchive
from newscrawl.replay.middleware import ReplayMiddleware
from newscrawl.spiders.sites import DailyviewSpider
from tests.helpers import SITE_FIXTURES, compare_record, crawl, expected_records, newscrawl_settings, site_warc

CAPTURED = datetime(2025, 12, 5, 12, 0, tzinfo=timezone.utc)


def test_a_replayed_night_is_judged_at_its_own_time(tmp_path):
    """Without NEWSCRAWL_NOW all 4 dailyview articles come out (by the wall clock 3 were too old)."""
    result = crawl(["dailyview"], tmp_path, warc=site_warc("dailyview", tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    expected = expected_records(SITE_FIXTURES / "dailyview")
    assert sorted(result.by_url) == sorted(expected)
    for url, record in result.by_url.items():
        assert compare_record(record, expected[url]) == [], url
        assert record["fetched_at"] == CAPTURED.isoformat()  # the capture time, not the replay's
    assert result.stats.get("newscrawl/discovery/too_old", 0) == 0


def test_newscrawl_now_still_overrides_the_age_checks(tmp_path):
    """Judged as of 2025-12-20, the articles of late November / early December are too old."""
    result = crawl(["dailyview"], tmp_path, warc=site_warc("dailyview", tmp_path),
                   settings={"NEWSCRAWL_NOW": "2025-12-20T00:00:00+09:00", "NEWSCRAWL_MIN_ITEMS": "0",
                             "NEWSCRAWL_MIN_CANDIDATES": "0"})
    assert len(result.records) < 4 and result.stats["newscrawl/discovery/too_old"] > 0
    assert all(r["fetched_at"] == CAPTURED.isoformat() for r in result.records)  # still the capture time


def _archive_with_dates(path, warc_date: str, http_date: str | None):
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        headers = [("Content-Type", "text/html")] + ([("Date", http_date)] if http_date else [])
        writer.write_record(writer.create_warc_record(
            "https://example.jp/a", "response", payload=io.BytesIO(b"<html></html>"),
            http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": warc_date}))
    return WarcArchive([path])


def test_capture_time_is_the_warc_date_else_the_http_date(tmp_path):
    both = _archive_with_dates(tmp_path / "a.warc.gz", "2025-12-05T12:00:00.250Z", "Thu, 04 Dec 2025 00:00:00 GMT")
    assert both.get("https://example.jp/a").captured_at == CAPTURED.replace(microsecond=250000)
    # a writer that left WARC-Date unusable: the server's Date (without a zone: UTC)
    http_only = _archive_with_dates(tmp_path / "b.warc.gz", "yesterday", "Thu, 04 Dec 2025 09:00:00")
    assert http_only.get("https://example.jp/a").captured_at == datetime(2025, 12, 4, 9, tzinfo=timezone.utc)


def test_the_middleware_stamps_each_request_with_its_capture(tmp_path):
    crawler = get_crawler(DailyviewSpider, settings_dict=newscrawl_settings(
        NEWSCRAWL_REPLAY=str(site_warc("dailyview", tmp_path)), NEWSCRAWL_DATA_DIR=str(tmp_path)))
    middleware = ReplayMiddleware.from_crawler(crawler)
    answered = Request("https://dailyview.net/feed/")
    middleware.process_request(answered)
    assert answered.meta[M.CAPTURED_AT] == CAPTURED
    # a page the browser rendered from the archive (not answered here): stamped on its way back
    rendered = Request("https://dailyview.net/article/41235/", meta={"playwright": True})
    middleware.process_response(rendered, Response(rendered.url, request=rendered, flags=["playwright"]))
    assert rendered.meta[M.CAPTURED_AT] == CAPTURED
    missed = Request("https://dailyview.net/nowhere/")
    assert middleware.process_request(missed).status == 404 and M.CAPTURED_AT not in missed.meta
