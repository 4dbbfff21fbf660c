"""Archives written by the tools users have, built here with warcio in each tool's layout.

What differs between tools (docs/replay.md): request/response pairs or responses alone; the wire
format kept (chunked Transfer-Encoding, gzip/deflate/br Content-Encoding: wget, pywb's recorder,
warcio capture_http) or the payload stored decoded while the headers still name an encoding
(browser-based recorders); Common Crawl's X-Crawler-* renamed headers and WARC/1.0; ``revisit``
records pointing at the capture that holds the payload; HTTP/1.0 status lines; a query written
in another order than the crawl asks for it.  Each layout must give the page's bytes, decoded
once, with headers that describe them.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path

import brotli
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.replay.archive import WarcArchive
from newscrawl.replay.build import fixture_responses
from tests.helpers import FIXTURES, compare_record, crawl, expected_records

DATE = "2025-12-05T12:00:00Z"
PAGE = "<html><head><title>t</title></head><body><p>韓国の記事本文。</p></body></html>".encode()


def chunked(data: bytes, size: int = 7) -> bytes:
    """HTTP/1.1 chunked transfer coding, as it crossed the wire."""
    parts = [b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size]) for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def encoded(data: bytes, coding: str) -> bytes:
    if coding == "gzip":
        return gzip.compress(data)
    if coding == "deflate":
        return zlib.compress(data)
    if coding == "br":
        return brotli.compress(data)
    return data


class Layout:
    """Writes records the way one tool does (warcio's writer, any headers we like)."""

    def __init__(self, path: Path, version: str = "1.1", gz: bool = True) -> None:
        self.path = path
        self._fh = path.open("wb")
        self.writer = WARCWriter(self._fh, gzip=gz, warc_version=version)

    def response(self, url: str, payload: bytes, headers: list[tuple[str, str]], *, status: str = "200 OK",
                 protocol: str = "HTTP/1.1", date: str = DATE, request: bool = True, warc_headers=None):
        http = StatusAndHeaders(status, headers, protocol=protocol)
        record = self.writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http,
                                                warc_headers_dict={"WARC-Date": date, **(warc_headers or {})})
        if request:
            path = "/" + url.split("://", 1)[1].split("/", 1)[1]
            sent = StatusAndHeaders(f"GET {path} HTTP/1.1", [("Host", url.split("/")[2])], is_http_request=True)
            req = self.writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=sent,
                                                warc_headers_dict={"WARC-Date": date})
            self.writer.write_request_response_pair(req, record)
        else:
            self.writer.write_record(record)
        return record

    def revisit(self, url: str, original, *, date: str, headers=None, status: str = "200 OK", refers: bool = True):
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1") if headers is not None else None
        digest = original.rec_headers.get_header("WARC-Payload-Digest")
        uri = original.rec_headers.get_header("WARC-Target-URI") if refers else None
        when = original.rec_headers.get_header("WARC-Date") if refers else None
        record = self.writer.create_revisit_record(url, digest, uri or "-", when or "-", http_headers=http,
                                                   warc_headers_dict={"WARC-Date": date})
        if not refers:  # digest-only dedup names no record
            record.rec_headers.remove_header("WARC-Refers-To-Target-URI")
            record.rec_headers.remove_header("WARC-Refers-To-Date")
        self.writer.write_record(record)
        return record

    def resource(self, url: str, payload: bytes, content_type: str, date: str = DATE) -> None:
        self.writer.write_record(self.writer.create_warc_record(
            url, "resource", payload=io.BytesIO(payload), warc_content_type=content_type,
            warc_headers_dict={"WARC-Date": date}))

    def close(self) -> Path:
        self._fh.close()
        return self.path


def header(stored, name: str) -> str | None:
    return next((v for k, v in stored.headers if k.lower() == name.lower()), None)


# -- one layout each ---------------------------------------------------------------------------------
@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
@pytest.mark.parametrize("wire_chunked", [False, True], ids=["length", "chunked"])
def test_wire_format_is_decoded_once(tmp_path, coding, wire_chunked):
    """wget / pywb / capture_http keep what crossed the wire: the body is de-chunked and decompressed."""
    layout = Layout(tmp_path / "wire.warc.gz")
    payload = encoded(PAGE, coding)
    headers = [("Content-Type", "text/html; charset=UTF-8"), ("Content-Encoding", coding)]
    if wire_chunked:
        payload, headers = chunked(payload), headers + [("Transfer-Encoding", "chunked")]
    else:
        headers.append(("Content-Length", str(len(payload))))
    layout.response("https://example.jp/a", payload, headers)
    stored = WarcArchive([layout.close()]).get("https://example.jp/a")
    assert stored.body == PAGE
    # the headers describe the body as it is: nothing left for Scrapy to decode again
    assert header(stored, "Content-Encoding") is None and header(stored, "Transfer-Encoding") is None
    assert header(stored, "Content-Length") is None and header(stored, "Content-Type") == "text/html; charset=UTF-8"


def test_decoded_payload_under_an_encoding_header_is_used_as_is(tmp_path):
    """Browser-based recorders store the body decoded but keep 'Content-Encoding: gzip' (and 'chunked')."""
    layout = Layout(tmp_path / "browser.warc.gz")
    layout.response("https://example.jp/a", PAGE, [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                                   ("Transfer-Encoding", "chunked")], request=False)
    stored = WarcArchive([layout.close()]).get("https://example.jp/a")
    assert stored.body == PAGE and header(stored, "Content-Encoding") is None


def test_common_crawl_layout(tmp_path):
    """WARC/1.0, request + response + metadata records, payload decoded, X-Crawler-* renamed headers."""
    layout = Layout(tmp_path / "CC-MAIN-x.warc.gz", version="1.0")
    layout.response("https://example.jp/a", PAGE, [("Content-Type", "text/html"),
                                                   ("X-Crawler-Content-Encoding", "gzip"),
                                                   ("Content-Length", str(len(PAGE)))],
                    warc_headers={"WARC-Identified-Payload-Type": "text/html"})
    layout.writer.write_record(layout.writer.create_warc_record(
        "https://example.jp/a", "metadata", payload=io.BytesIO(b"fetchTimeMs: 12\r\n"),
        warc_content_type="application/warc-fields", warc_headers_dict={"WARC-Date": DATE}))
    archive = WarcArchive([layout.close()])
    stored = archive.get("https://example.jp/a")
    assert stored.body == PAGE and stored.status == 200
    assert stored.captured_at == datetime(2025, 12, 5, 12, tzinfo=timezone.utc)


def test_http_1_0_status_line_and_no_reason_phrase(tmp_path):
    layout = Layout(tmp_path / "old.warc")
    layout.response("http://example.jp/a", PAGE, [("Content-Type", "text/html")], protocol="HTTP/1.0", status="200")
    layout.response("http://example.jp/moved", b"", [("Location", "/a")], protocol="HTTP/1.0",
                    status="301 Moved Permanently")
    archive = WarcArchive([layout.close()])
    assert archive.get("http://example.jp/a").body == PAGE
    moved = archive.get("http://example.jp/moved")
    assert moved.status == 301 and header(moved, "Location") == "/a"


def test_query_order_differs_from_the_request(tmp_path):
    layout = Layout(tmp_path / "q.warc.gz")
    layout.response("https://japanese.joins.com/JArticle/345678?servcode=A00&sectcode=A10", PAGE,
                    [("Content-Type", "text/html")])
    archive = WarcArchive([layout.close()])
    stored, tier = archive.lookup("https://japanese.joins.com/JArticle/345678?sectcode=A10&servcode=A00")
    assert stored.body == PAGE and tier == "hit"  # the same URL: query order never matters


@pytest.mark.parametrize("spelling, tier", [
    ("https://example.jp/news/7/", "hit"),
    ("http://www.example.jp/news/7/index.html?utm_source=x", "fuzzy_hit"),
    ("https://example.jp/news/8/", "miss"),
])
def test_lookup_tiers(tmp_path, spelling, tier):
    layout = Layout(tmp_path / "t.warc.gz")
    layout.response("https://example.jp/news/7/", PAGE, [("Content-Type", "text/html")])
    stored, got = WarcArchive([layout.close()]).lookup(spelling)
    assert got == tier and (stored is None) == (tier == "miss")


def test_revisit_resolves_to_the_original_payload(tmp_path):
    """pywb / browsertrix dedup: the second capture is a revisit naming the first (URI + date)."""
    layout = Layout(tmp_path / "dedup.warc.gz")
    body = gzip.compress(PAGE)
    first = layout.response("https://example.jp/a", body, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                            date="2025-12-04T12:00:00Z")
    layout.revisit("https://example.jp/a", first, date="2025-12-05T12:00:00Z",
                   headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("X-Night", "2")])
    stored = WarcArchive([layout.close()]).get("https://example.jp/a")
    assert stored.body == PAGE and header(stored, "X-Night") == "2"  # the revisit's own headers
    assert stored.captured_at == datetime(2025, 12, 5, 12, tzinfo=timezone.utc)  # when it was seen again


def test_revisit_by_digest_alone_and_across_urls(tmp_path):
    """A revisit without WARC-Refers-To (Heritrix-style digest dedup), even of another URL."""
    layout = Layout(tmp_path / "digest.warc.gz")
    first = layout.response("https://example.jp/a", PAGE, [("Content-Type", "text/html")], date="2025-12-04T12:00:00Z")
    layout.revisit("https://example.jp/a?from=top", first, date=DATE, refers=False,
                   headers=[("Content-Type", "text/html")])
    stored, tier = WarcArchive([layout.close()]).lookup("https://example.jp/a?from=top")
    assert stored.body == PAGE and tier == "hit"


def test_revisit_without_http_headers_or_304_takes_the_original_response(tmp_path):
    layout = Layout(tmp_path / "bare.warc.gz")
    first = layout.response("https://example.jp/a", PAGE, [("Content-Type", "text/html")], date="2025-12-04T12:00:00Z")
    layout.revisit("https://example.jp/b", first, date=DATE, refers=False)  # no HTTP envelope
    layout.revisit("https://example.jp/a", first, date=DATE, status="304 Not Modified", headers=[("ETag", "x")])
    archive = WarcArchive([layout.close()])
    for url in ("https://example.jp/a", "https://example.jp/b"):
        stored = archive.get(url)
        assert (stored.status, stored.body, header(stored, "Content-Type")) == (200, PAGE, "text/html")


def test_revisit_whose_original_is_missing_falls_back_then_misses(tmp_path):
    other = Layout(tmp_path / "other.warc.gz")
    original = other.response("https://example.jp/a", PAGE, [("Content-Type", "text/html")])
    other.close()
    layout = Layout(tmp_path / "only-revisits.warc.gz")
    older = layout.response("https://example.jp/b", b"<html>old</html>", [("Content-Type", "text/html")],
                            date="2025-12-01T00:00:00Z")
    assert older is not None
    layout.revisit("https://example.jp/b", original, date=DATE)  # newest capture of b, payload elsewhere
    layout.revisit("https://example.jp/a", original, date=DATE)
    archive = WarcArchive([layout.close()])
    assert archive.get("https://example.jp/b").body == b"<html>old</html>"  # the newest readable capture
    assert archive.lookup("https://example.jp/a") == (None, "unresolved")
    # given both archives, the revisit resolves
    assert WarcArchive([tmp_path / "other.warc.gz", tmp_path / "only-revisits.warc.gz"]).get(
        "https://example.jp/a").body == PAGE


def test_newest_capture_wins_whatever_the_file_order(tmp_path):
    late, early = Layout(tmp_path / "a.warc.gz"), Layout(tmp_path / "b.warc.gz")
    late.response("https://example.jp/a", b"<html>night 2</html>", [("Content-Type", "text/html")],
                  date="2025-12-05T12:00:00Z")
    early.response("https://example.jp/a", b"<html>night 1</html>", [("Content-Type", "text/html")],
                   date="2025-12-04T12:00:00Z")
    archive = WarcArchive([late.close(), early.close()])
    assert archive.get("https://example.jp/a").body == b"<html>night 2</html>"


def test_resource_records_and_bracketed_target_uris(tmp_path):
    layout = Layout(tmp_path / "res.warc.gz")
    layout.resource("https://example.jp/feed.xml", b"<rss/>", "application/rss+xml")
    layout.response("<https://example.jp/a>", PAGE, [("Content-Type", "text/html")])  # WARC 1.1's own typo
    layout.resource("urn:pageinfo:https://example.jp/a", b"{}", "application/json")  # not a page: ignored
    archive = WarcArchive([layout.close()])
    feed = archive.get("https://example.jp/feed.xml")
    assert feed.body == b"<rss/>" and header(feed, "Content-Type") == "application/rss+xml"
    assert archive.get("https://example.jp/a").body == PAGE
    assert len(archive) == 2


def test_a_folder_and_a_wacz_are_read_like_their_warcs(tmp_path):
    (tmp_path / "crawl" / "archive").mkdir(parents=True)
    layout = Layout(tmp_path / "crawl" / "archive" / "rec-1.warc.gz")
    layout.response("https://example.jp/a", PAGE, [("Content-Type", "text/html")])
    layout.close()
    assert WarcArchive([tmp_path / "crawl"]).get("https://example.jp/a").body == PAGE
    wacz = tmp_path / "night.wacz"
    with zipfile.ZipFile(wacz, "w") as package:
        # WACZ keeps its WARCs stored (uncompressed zip entries): a record is one seek away
        package.write(layout.path, "archive/rec-1.warc.gz", compress_type=zipfile.ZIP_STORED)
        package.writestr("pages/pages.jsonl", json.dumps({"format": "json-pages-1.0"}) + "\n"
                         + json.dumps({"url": "https://example.jp/a", "ts": DATE}) + "\n")
        package.writestr("datapackage.json", json.dumps({"profile": "data-package", "wacz_version": "1.1.1"}))
    archive = WarcArchive([wacz])
    assert archive.get("https://example.jp/a").body == PAGE
    assert archive.sources[0].label.endswith("night.wacz!archive/rec-1.warc.gz")


def test_capture_http_recording(tmp_path):
    """warcio's own recorder (capture_http) against a local server: request/response pairs, wire bytes.

    It patches http.client, so it is driven with urllib here (with requests on urllib3 2 it wrote no
    record at all in this environment)."""
    from urllib.request import urlopen

    from warcio.capture_http import capture_http

    from tests.localserver import LocalServer, Reply

    with LocalServer() as server:
        url = server.route("/a?x=1&y=2", Reply(200, gzip.compress(PAGE), {"Content-Encoding": "gzip"}))
        path = tmp_path / "capture.warc.gz"
        with capture_http(str(path)):
            urlopen(url, timeout=5).read()
    stored, tier = WarcArchive([path]).lookup(server.base + "/a?y=2&x=1")
    assert tier == "hit" and stored.body == PAGE


# -- end to end: a night archived by "another tool" replays into the expected records ----------------
def foreign_night(path: Path) -> Path:
    """The generic fixture site as other tools would have archived it, one layout per response:
    the feed chunked + gzip (wget, pywb), one article br-encoded and seen again the next night as a
    revisit (dedup), the other stored decoded under a lying gzip header with an HTTP/1.0 status line."""
    site = {f.url: f for f in fixture_responses(FIXTURES / "generic")}
    layout = Layout(path, version="1.0")
    feed = site["https://koreaworldtimes.com/feed/"]
    layout.response(feed.url, chunked(gzip.compress(feed.body)), [*feed.headers, ("Content-Encoding", "gzip"),
                                                                 ("Transfer-Encoding", "chunked")],
                    date="2025-12-01T05:59:00Z")
    first = site["https://koreaworldtimes.com/economy/18342/"]
    original = layout.response(first.url, brotli.compress(first.body), [*first.headers, ("Content-Encoding", "br")],
                               date="2025-11-28T10:00:00Z")
    layout.revisit(first.url, original, date="2025-12-01T06:00:00Z",
                   headers=[*first.headers, ("Content-Encoding", "br")])
    second = site["https://koreaworldtimes.com/culture/18377/"]
    layout.response(second.url, second.body, [*second.headers, ("Content-Encoding", "gzip")],
                    protocol="HTTP/1.0", request=False, date="2025-12-01T06:01:00Z")
    return layout.close()


def test_a_foreign_archive_replays_into_the_expected_records(tmp_path):
    warc = foreign_night(tmp_path / "foreign.warc.gz")
    result = crawl(["news", "-a", "feed=https://koreaworldtimes.com/feed/"], tmp_path, warc=warc)
    assert result.returncode == 0, result.stderr[-3000:]
    expected = expected_records(FIXTURES / "generic")
    assert sorted(result.by_url) == sorted(expected)
    for url, record in result.by_url.items():
        assert compare_record(record, expected[url]) == [], url
    # "now" is the archive's time (Dec 1, when 18342 of Nov 27 is within the generic 7 days; by the
    # wall clock it would be too old), and fetched_at is the revisit's time, not the first capture's
    assert result.by_url["https://koreaworldtimes.com/economy/18342/"]["fetched_at"].startswith("2025-12-01T06:00:00")
    assert result.stats["newscrawl/replay/hit"] == 3 and "newscrawl/replay/miss" not in result.stats
