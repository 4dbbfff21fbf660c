"""Bad HTTP: gone pages (replayed, two nights), and the transport cases against a real local
server on 127.0.0.1 - timeouts, resets, a 500 then a 200, Retry-After, a gzip bomb, bodies over
DOWNLOAD_MAXSIZE, a transfer cut short, an XML external entity pointing at the server (issue 7;
docs/bad-input.md).  Nothing here talks to any other address.
"""

from __future__ import annotations

from email.utils import formatdate
from time import time

import pytest

from newscrawl.state.store import StateStore
from tests.fixtures.bad.pages import PARAS, SITE, Served, body_text, gzip_bomb, page, write_warc
from tests.helpers import crawl
from tests.localserver import ALLOW_LOCAL, LocalServer, Reply

FAST = {  # the local server is not a site to be polite to; bounded waits everywhere
    **ALLOW_LOCAL,  # and it is on 127.0.0.1, which newscrawl refuses unless allowed
    "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "DOWNLOAD_TIMEOUT": "2", "RETRY_TIMES": "1", "DOWNLOAD_MAXSIZE": "2000000", "DOWNLOAD_WARNSIZE": "0",
    "NEWSCRAWL_MAX_RETRY_AFTER": "5", "NEWSCRAWL_MAX_AGE_DAYS": "0",
}


def stat(result, key: str) -> int:
    return int(result.stats.get(f"newscrawl/{key}", 0))


# -- 404 / 410: gone, not retried, remembered -------------------------------------------------------------
GONE = {404: f"{SITE}/news/4040/", 410: f"{SITE}/news/4100/"}
MISSING = f"{SITE}/news/4999/"  # not in the archive: a replay miss is no statement of the site


@pytest.fixture(scope="module")
def gone_nights(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gone")
    warc = write_warc(tmp / "gone.warc.gz", [
        Served.html(f"{SITE}/news/1000/", page(f"{SITE}/news/1000/")),
        Served.html(GONE[404], "<html><body><h1>ページが見つかりません</h1></body></html>", status=404),
        Served.html(GONE[410], "<html><body><h1>この記事は削除されました</h1></body></html>", status=410),
    ])
    urls = tmp / "urls.txt"
    urls.write_text("\n".join([f"{SITE}/news/1000/", *GONE.values(), MISSING]), encoding="utf-8")
    nights = []
    for name in ("night1", "night2"):
        (tmp / name).mkdir()
        nights.append(crawl(["news", "-a", f"urls_file={urls}"], tmp / name, warc=warc,
                            settings={"RETRY_HTTP_CODES": "404,410,500"},  # even so: gone is not retried
                            env={"NEWSCRAWL_DATA_DIR": str(tmp / "data")}))
    store = StateStore(tmp / "data" / "state" / "newscrawl.sqlite3")
    yield nights, store
    store.close()


def test_404_and_410_are_gone_not_retried_and_remembered(gone_nights):
    (first, second), store = gone_nights
    assert stat(first, "http/gone/404") == 1 and stat(first, "http/gone/410") == 1
    assert int(first.stats.get("retry/count", 0)) == 0
    assert first.stats.get("downloader/response_status_count/410") == 1
    assert "Article gone (HTTP 410), not asked again for 30 days: https://hangul-times.test/news/4100/" in first.stderr
    assert store.gone_status(GONE[404], 30) == 404 and store.gone_status(GONE[410], 30) == 410
    assert store.gone_status(MISSING, 30) is None
    assert [r["url"] for r in first.records] == [f"{SITE}/news/1000/"]
    # the next night does not ask again
    assert stat(second, "state/skipped_gone") == 2
    assert "news/4040" not in second.stderr and "news/4100" not in second.stderr


# -- the transport, against a local server ------------------------------------------------------------------
@pytest.fixture(scope="module")
def transport(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("transport")
    with LocalServer() as server:
        def html(path: str, **kwargs) -> Reply:
            return Reply(200, page(server.url(path), **kwargs).encode("utf-8"))

        big = page(server.url("/big"), paras=PARAS * 3600).encode("utf-8")  # about 3 MB
        assert len(big) > 2_000_000
        server.route("/ok", html("/ok"))
        server.route("/flaky", Reply(500, b"<html><body>Internal Server Error</body></html>"), html("/flaky"))
        server.route("/slow", Reply(action="hang"))
        server.route("/reset", Reply(action="reset"))
        server.route("/gzip-bomb", Reply(200, gzip_bomb(64 << 20), {"Content-Encoding": "gzip"}))
        server.route("/big", Reply(200, big))
        server.route("/big-stream", Reply(200, big, action="stream"))
        server.route("/short", Reply(200, page(server.url("/short")).encode(), action="short"))
        server.route("/ra-short", Reply(429, b"Too Many Requests", {"Retry-After": "1"}), html("/ra-short"))
        server.route("/ra-date", Reply(503, b"busy", {"Retry-After": formatdate(time() + 2, usegmt=True)}),
                     html("/ra-date"))
        server.route("/ra-long", Reply(503, b"maintenance", {"Retry-After": "3600"}), html("/ra-long"))
        server.route("/feed-xxe", Reply(200, (
            '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "' + server.url("/xxe-probe")
            + '"><!ENTITY % remote SYSTEM "' + server.url("/xxe-dtd") + '"> %remote;]>'
            '<rss version="2.0"><channel><item><link>' + server.url("/ok") + "</link><title>&xxe;</title>"
            "</item></channel></rss>").encode(), content_type="application/rss+xml"))
        paths = ["/ok", "/flaky", "/slow", "/reset", "/gzip-bomb", "/big", "/big-stream", "/short",
                 "/ra-short", "/ra-date", "/ra-long"]
        urls = tmp / "urls.txt"
        urls.write_text("\n".join(server.url(p) for p in paths), encoding="utf-8")
        result = crawl(["news", "-a", f"urls_file={urls}", "-a", f"feed={server.url('/feed-xxe')}"], tmp,
                       settings=FAST, timeout=120)
    result.server = server
    result.url = server.url
    return result


def record(result, path: str) -> dict | None:
    return result.by_url.get(result.url(path))


def test_the_night_goes_on(transport):
    assert transport.stats.get("finish_reason") == "finished", transport.stderr[-3000:]
    assert record(transport, "/ok")["body"] == body_text()
    assert "Traceback" not in transport.stderr, transport.stderr[-3000:]
    # every request went to the local server, and only to the paths the crawl was given
    assert set(transport.server.hits) <= {"/robots.txt", "/feed-xxe", "/ok", "/flaky", "/slow", "/reset",
                                          "/gzip-bomb", "/big", "/big-stream", "/short", "/ra-short",
                                          "/ra-date", "/ra-long"}


def test_500_then_200_on_retry(transport):
    assert transport.server.hits["/flaky"] == 2
    assert record(transport, "/flaky")["body"] == body_text()
    assert stat(transport, "http/recovered") >= 1 and stat(transport, "http/status/500") == 1
    assert f"Fetched after 1 failed attempt(s): {transport.url('/flaky')}" in transport.stderr


def test_timeout(transport):
    assert record(transport, "/slow") is None
    assert stat(transport, "transport/timeout") == 2  # the attempt and its retry (RETRY_TIMES=1)
    assert stat(transport, "errors/article/DownloadTimeoutError") == 1
    assert f"Transport failure (timeout) on attempt 2 of {transport.url('/slow')}" in transport.stderr
    assert transport.server.hits["/slow"] == 2


def test_connection_reset(transport):
    assert record(transport, "/reset") is None
    # each attempt counted (Twisted may also retry a reset on a reused connection by itself)
    assert stat(transport, "transport/connection_lost") >= 2
    assert stat(transport, "errors/article/DownloadFailedError") == 1
    assert f"Transport failure (connection_lost) on attempt 1 of {transport.url('/reset')}" in transport.stderr


def test_gzip_bomb(transport):
    assert record(transport, "/gzip-bomb") is None
    assert stat(transport, "ignored/article/DecompressionMaxSizeExceeded") == 1
    assert "exceeded DOWNLOAD_MAXSIZE (2000000 B) during decompression" in transport.stderr


def test_response_over_download_maxsize(transport):
    assert record(transport, "/big") is None and record(transport, "/big-stream") is None
    assert stat(transport, "transport/too_big") == 2  # announced by Content-Length, and streamed
    assert transport.server.hits["/big"] == 1 and transport.server.hits["/big-stream"] == 1  # not retried
    assert f"Transport failure (too_big) on attempt 1 of {transport.url('/big-stream')}" in transport.stderr


def test_transfer_cut_short(transport):
    assert record(transport, "/short") is None
    assert stat(transport, "transport/data_loss") == 2


def test_retry_after_is_honoured(transport):
    for path in ("/ra-short", "/ra-date"):  # seconds, and an HTTP date
        assert transport.server.hits[path] == 2
        assert record(transport, path)["body"] == body_text()
    assert stat(transport, "http/retry_after") == 2
    assert 1 <= stat(transport, "http/retry_after_seconds") <= 4  # 1 s, and the date's 0-2 s
    assert f"HTTP 429 with Retry-After: waiting 1s before retrying {transport.url('/ra-short')}" in transport.stderr


def test_retry_after_beyond_the_bound_is_not_waited_for(transport):
    assert transport.server.hits["/ra-long"] == 1  # not retried: Scrapy alone would have, at once
    assert record(transport, "/ra-long") is None
    assert stat(transport, "http/retry_after_too_long") == 1
    assert stat(transport, "errors/article/http_503") == 1
    assert "HTTP 503 asks to wait 3600s (more than NEWSCRAWL_MAX_RETRY_AFTER=5s)" in transport.stderr


def test_external_entity_makes_no_request(transport):
    assert stat(transport, "discovery/unsafe_xml") == 1
    assert transport.server.hits["/xxe-probe"] == 0 and transport.server.hits["/xxe-dtd"] == 0
