"""Record like the standard tools, and replay what the standard tools record.

One local site (the generic fixtures on 127.0.0.1; the feed and one article gzip-encoded on the wire
even to wget's "Accept-Encoding: identity", the other article streamed without Content-Length) is
recorded twice: by our crawl (NEWSCRAWL_RECORD) and by Debian's `wget --warc-file`.  Ours must pass
`warcio check` and be listed by `warcio index` with request/response pairs linked by
WARC-Concurrent-To; wget's must replay through `scrapy crawl news -a urls_file=...` into the same
records as ours.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.replay.build import fixture_responses
from tests.helpers import FIXTURES, crawl
from tests.localserver import ALLOW_LOCAL, LocalServer, Reply

WARCIO = str(Path(sys.executable).parent / "warcio")
WGET = shutil.which("wget") or "/usr/bin/wget"
VOLATILE = {"fetched_at"}  # when each tool happened to fetch the page


def serve_generic_site(server: LocalServer) -> list[str]:
    """The generic fixture site on the local server; returns its article URLs."""
    articles = []
    for fixture in fixture_responses(FIXTURES / "generic"):
        path = fixture.url.split("koreaworldtimes.com", 1)[1]
        body = fixture.body.replace(b"https://koreaworldtimes.com", server.base.encode())
        headers = dict(fixture.headers)
        content_type = headers.pop("Content-Type", "")
        action = ""
        if path in ("/feed/", "/economy/18342/"):
            body, headers["Content-Encoding"] = gzip.compress(body), "gzip"  # whatever the client accepts
        elif path == "/culture/18377/":
            action = "stream"  # no Content-Length: read to the close
        if "/18" in path:
            articles.append(server.url(path))
        server.route(path, Reply(fixture.status, body, headers, action=action, content_type=content_type))
    return sorted(articles)


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    """(our WARC, wget's WARC, the urls_file, our live crawl's result) of one local site."""
    if not Path(WGET).exists():
        pytest.skip("wget is not installed (Debian: apt-get install wget)")
    tmp = tmp_path_factory.mktemp("recordings")
    with LocalServer() as server:
        articles = serve_generic_site(server)
        urls = tmp / "urls.txt"
        urls.write_text("\n".join([server.url("/feed/"), *articles]) + "\n")
        ours = tmp / "ours.warc.gz"
        (tmp / "live").mkdir()
        article_list = tmp / "articles.txt"
        article_list.write_text("\n".join(articles) + "\n")
        live = crawl(["news", "-a", f"urls_file={article_list}"], tmp / "live",
                     settings={"NEWSCRAWL_RECORD": str(ours), **ALLOW_LOCAL})
        assert live.returncode == 0 and len(live.records) == len(articles), live.stderr[-3000:]
        wget = subprocess.run([WGET, "--no-verbose", "--no-proxy", "--tries=1", "--timeout=10",
                               f"--warc-file={tmp / 'wget'}", "-O", "/dev/null", "-i", str(urls)],
                              cwd=tmp, capture_output=True, text=True, timeout=60)
        assert wget.returncode == 0, wget.stderr
    return ours, tmp / "wget.warc.gz", article_list, live


def test_our_recording_passes_warcio_check(recordings):
    ours, _wget, _urls, _live = recordings
    check = subprocess.run([WARCIO, "check", "-v", str(ours)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "digest fail" not in check.stdout


def test_our_recording_is_listed_by_warcio_index_as_linked_pairs(recordings):
    ours, _wget, _urls, live = recordings
    index = subprocess.run([WARCIO, "index", "-f", "warc-type,warc-target-uri,warc-record-id,warc-concurrent-to,"
                            "warc-date,warc-payload-digest", str(ours)], capture_output=True, text=True, timeout=60)
    assert index.returncode == 0, index.stderr
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    assert rows[0]["warc-type"] == "warcinfo"
    responses = {r["warc-record-id"]: r for r in rows if r["warc-type"] == "response"}
    requests = [r for r in rows if r["warc-type"] == "request"]
    assert len(requests) == len(responses) >= len(live.records)
    for request in requests:
        response = responses[request["warc-concurrent-to"]]
        assert response["warc-target-uri"] == request["warc-target-uri"]
        assert response["warc-date"] == request["warc-date"] and response["warc-payload-digest"]
    articles = {r["url"] for r in live.records}
    assert articles <= {r["warc-target-uri"] for r in responses.values()}


def _comparable(records: list[dict]) -> dict[str, dict]:
    return {r["url"]: {k: v for k, v in r.items() if k not in VOLATILE} for r in records}


def test_a_wget_recording_replays_like_ours(recordings, tmp_path):
    ours, wget, urls, live = recordings
    (tmp_path / "wget").mkdir()
    (tmp_path / "ours").mkdir()
    from_wget = crawl(["news", "-a", f"urls_file={urls}"], tmp_path / "wget", warc=wget)
    from_ours = crawl(["news", "-a", f"urls_file={urls}"], tmp_path / "ours", warc=ours)
    assert from_wget.returncode == 0, from_wget.stderr[-3000:]
    assert from_wget.stats.get("newscrawl/replay/miss", 0) == 0
    expected = _comparable(from_ours.records)
    assert len(expected) == len(live.records) == len(urls.read_text().split())
    got = _comparable(from_wget.records)
    assert sorted(got) == sorted(expected)
    for url in expected:
        assert got[url]["body"] == expected[url]["body"], url
        assert got[url] == expected[url], url
    # and both are what the live crawl saw
    assert _comparable(live.records) == expected
