"""The browser against a live (local) site: recording a night, replaying it, a page that times out.

The fixture site is served over HTTPS by a server on 127.0.0.1, behind a CONNECT proxy on
127.0.0.1 that the crawl uses through ``https_proxy`` (Scrapy's HttpProxyMiddleware, and the
browser, which newscrawl points at the same proxy).  A proxy, because the site's canonical URLs
are ``https://www.jsnews.example/...``: any host name reaches the local server through it, and
the proxy's log shows every host the crawl - and the Chromium - tried to reach.
"""

from __future__ import annotations

import datetime
import gzip
import http.server
import select
import socket
import ssl
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from newscrawl.replay.archive import WarcArchive
from newscrawl.replay.build import fixture_responses
from tests.helpers import FIXTURES, compare_record, crawl, expected_records

pytestmark = pytest.mark.browser

SITE = FIXTURES / "browser"
EXTRA = {"NEWSCRAWL_EXTRA_PROFILES": str(SITE / "profiles")}
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0", "NEWSCRAWL_MAX_AGE_DAYS": "0"}


def _self_signed(folder: Path, host: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class FixtureSite:
    """site.toml's responses over HTTPS (JSON gzipped, as real APIs send it), behind a CONNECT proxy."""

    def __init__(self, folder: Path, tmp: Path, delays: dict[str, float] | None = None) -> None:
        self.pages = {}
        for resp in fixture_responses(folder):
            parts = urlsplit(resp.url)
            self.pages[parts.path + (f"?{parts.query}" if parts.query else "")] = resp
        self.delays = delays or {}
        self.tmp = tmp
        self.served: list[str] = []
        self.gzipped: list[str] = []
        self.connects: list[str] = []

    def _server(self):
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                site.served.append(self.path)
                time.sleep(site.delays.get(self.path, 0))
                resp = site.pages.get(self.path)
                if resp is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body, headers = resp.body, dict(resp.headers)
                if "json" in headers.get("Content-Type", "") and "gzip" in self.headers.get("Accept-Encoding", ""):
                    body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
                    site.gzipped.append(self.path)
                self.send_response(resp.status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*_self_signed(self.tmp, "www.jsnews.example"))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        return server

    def _proxy(self, target_port: int):
        site = self

        class Proxy(http.server.BaseHTTPRequestHandler):
            def do_CONNECT(self):  # noqa: N802
                site.connects.append(self.path)
                upstream = socket.create_connection(("127.0.0.1", target_port))
                self.send_response(200, "Connection established")
                self.end_headers()
                sockets = [self.connection, upstream]
                try:
                    while True:
                        ready, _, _ = select.select(sockets, [], [], 30)
                        if not ready:
                            break
                        for sock in ready:
                            data = sock.recv(65536)
                            if not data:
                                return
                            (upstream if sock is self.connection else self.connection).sendall(data)
                except OSError:
                    pass
                finally:
                    upstream.close()
                    self.close_connection = True

            def log_message(self, *args):
                pass

        return http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)

    def __enter__(self) -> "FixtureSite":
        self.server = self._server()
        self.proxy = self._proxy(self.server.server_address[1])
        for srv in (self.server, self.proxy):
            srv.daemon_threads = True
            threading.Thread(target=srv.serve_forever, daemon=True).start()
        proxy = f"http://127.0.0.1:{self.proxy.server_address[1]}"
        self.env = {**EXTRA, "https_proxy": proxy, "HTTPS_PROXY": proxy, "http_proxy": proxy,
                    "HTTP_PROXY": proxy, "no_proxy": "", "NO_PROXY": ""}
        return self

    def __exit__(self, *exc) -> None:
        for srv in (self.proxy, self.server):
            srv.shutdown()
            srv.server_close()


def _without_volatile(records: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in r.items() if k != "fetched_at"} for r in records), key=lambda r: r["url"])


def test_recorded_browser_crawl_replays_to_the_same_jsonl(tmp_path):
    warc = tmp_path / "night.warc.gz"
    (tmp_path / "live").mkdir()
    (tmp_path / "replay").mkdir()
    with FixtureSite(SITE, tmp_path) as site:
        # -a: the hosts of this profile resolve only through the proxy (crawl.py's DNS preflight
        # runs only for a discovery crawl without spider arguments)
        live = crawl(["jsnews", "-a", "max_age_days=0"], tmp_path / "live", env=site.env,
                     settings={**FAST, "NEWSCRAWL_RECORD": warc})
    assert live.returncode == 0, live.stderr[-3000:]
    expected = expected_records(SITE)
    assert sorted(live.by_url) == sorted(expected)
    for record in live.records:
        assert not compare_record(record, expected[record["url"]]), record["url"]
    # the proxy tunnels every host to the fixture server, so what it served is everything the crawl
    # and the Chromium asked for: the site's pages, and none of the logo, font, gtag or ad requests
    assert "/api/news?page=3" in site.served  # 「もっと見る」 clicked twice, live
    assert "/api/articles/1005.json" in site.gzipped  # stored decoded, replayed as the page saw it
    assert not [p for p in site.served if p.startswith(("/static/logo", "/static/fonts", "/gtag", "/pagead"))]
    # and no call home (sign-in, component updates); an ad iframe's host may get a bare
    # connection (Chromium opens a socket for a frame navigation before the routing aborts it)
    assert set(site.connects) <= {"www.jsnews.example:443", "googleads.g.doubleclick.net:443"}, site.connects

    archive = WarcArchive([warc])
    for path in ("/news/", "/static/list.js", "/api/news?page=1", "/api/news?page=3", "/api/articles/1005.json"):
        assert f"https://www.jsnews.example{path}" in archive, path
    assert live.stats["newscrawl/browser/recorded"] >= 30

    replay = crawl(["jsnews"], tmp_path / "replay", warc=warc, env=EXTRA, settings=FAST)
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert _without_volatile(replay.records) == _without_volatile(live.records)
    assert replay.stats.get("newscrawl/replay/miss", 0) == 0
    assert replay.stats["newscrawl/browser/replay_hit"] >= 30


def test_a_page_that_times_out_is_an_error_for_that_page_only(tmp_path):
    urls = [f"https://www.jsnews.example/news/{i}.html" for i in (1002, 1003, 1004)]
    urls_file = tmp_path / "urls.txt"
    urls_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    with FixtureSite(SITE, tmp_path, delays={"/news/1003.html": 8}) as site:
        result = crawl(["jsnews", "-a", f"urls_file={urls_file}"], tmp_path, env=site.env,
                       settings={**FAST, "NEWSCRAWL_BROWSER_TIMEOUT": "3", "NEWSCRAWL_MAX_ERROR_RATIO": "0.5"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(result.by_url) == [urls[0], urls[2]]
    assert result.stats["newscrawl/errors/article/TimeoutError"] == 1
    assert result.stats["newscrawl/browser/errors/TimeoutError"] == 1
    assert result.stats["newscrawl/browser/rendered"] == 2
