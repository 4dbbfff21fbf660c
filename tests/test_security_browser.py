"""The browser stays on the site (issue 11, finding 7; docs/security.md).

A rendered page's scripts, frames, fetch calls, redirects, WebSockets and popups reach only the
page's site (ports count) and its profile's ``[browser] allow_hosts``, and never a non-public
address.  Unit tests drive the route handler (newscrawl/browser/traffic.py) with stand-ins for
Playwright's route and request; the live tests render hostile pages from local servers in a
real Chromium and look at what the other servers were asked.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_twisted

from newscrawl.browser.rendering import ResourceFilter
from newscrawl.browser.traffic import HANDED_LOCATION, AddressCheck, BrowserTraffic, PageSite
from newscrawl.middlewares.addresses import AddressPolicy, RefusedAddress
from tests.fixtures.bad.pages import PARAS, page
from tests.helpers import crawl
from tests.localserver import ALLOW_LOCAL, LocalServer, Reply


# -- the route handler, with stand-ins -------------------------------------------------------------------
class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key, n=1) -> None:
        self.values[key] = self.values.get(key, 0) + n

    def get(self, name: str) -> int:
        return self.values.get(f"newscrawl/{name}", 0)


class _Frame:
    def __init__(self, main: bool) -> None:
        self.parent_frame = None if main else object()


@dataclass
class _Request:
    url: str
    resource_type: str = "script"
    navigation: bool = False
    main: bool = False
    method: str = "GET"

    def is_navigation_request(self) -> bool:
        return self.navigation

    @property
    def frame(self) -> _Frame:
        return _Frame(self.main)

    async def all_headers(self) -> dict:
        return {}


@dataclass
class _Fetched:
    status: int
    location: str = ""
    body_bytes: bytes = b"ok"
    status_text: str = "OK"
    extra: tuple = ()  # more (name, value) headers

    @property
    def headers(self) -> dict:
        return {"location": self.location} if self.location else {}

    @property
    def headers_array(self) -> list[dict]:
        arr = [{"name": "Content-Type", "value": "text/plain"}] + [{"name": k, "value": v} for k, v in self.extra]
        return arr + ([{"name": "Location", "value": self.location}] if self.location else [])

    async def body(self) -> bytes:
        return self.body_bytes


@dataclass
class _Route:
    """What the handler did: the URLs it fetched, and how it ended (abort / fulfill / continue)."""

    answers: dict[str, _Fetched] = field(default_factory=dict)
    request: _Request | None = None
    fetched: list[str] = field(default_factory=list)
    ended: tuple = ()

    async def fetch(self, url=None, max_redirects=None, timeout=None):
        assert max_redirects == 0  # never let anything follow a redirect unchecked
        target = url or self.request.url
        self.fetched.append(target)
        return self.answers.get(target, _Fetched(200))

    async def abort(self, code="failed"):
        self.ended = ("abort", code)

    async def fulfill(self, **kwargs):
        self.ended = ("fulfill", kwargs)

    async def continue_(self):
        self.ended = ("continue",)


SITE = PageSite(("news.example", "cdn.example:8443"))
DNS = {"www.news.example": ["93.184.216.34"], "img.news.example": ["10.0.0.7"],
       "cdn.example": ["93.184.216.35"], "other.example": ["93.184.216.36"]}


async def _resolve(host):
    if host not in DNS:
        raise OSError("no such host")
    return DNS[host]


def _traffic(proxied: bool = False, archive=None) -> tuple[BrowserTraffic, _Stats]:
    stats = _Stats()
    check = AddressCheck(AddressPolicy(), proxied=proxied, resolve=_resolve)
    return BrowserTraffic(stats, ResourceFilter(), archive=archive, addresses=check), stats


async def _handle(traffic, request, site=None, **answers) -> _Route:
    route = _Route(answers={k.replace("_", "."): v for k, v in answers.items()}, request=request)
    await traffic.handle(route, request, site or PageSite(SITE.domains))
    return route


@pytest_twisted.ensureDeferred
async def test_a_request_to_another_site_is_aborted_before_any_fetch():
    traffic, stats = _traffic()
    for url in ("https://other.example/x.js", "https://news.example:8080/x.js", "https://cdn.example/x.js",
                "http://127.0.0.1:9000/x.js"):
        route = await _handle(traffic, _Request(url))
        assert route.ended == ("abort", "blockedbyclient") and route.fetched == [], url
    assert stats.get("browser/refused/offsite") == 4 and stats.get("browser/requests") == 0


@pytest_twisted.ensureDeferred
async def test_the_site_and_its_cdn_are_fetched():
    traffic, stats = _traffic()
    for url in ("https://www.news.example/app.js", "https://cdn.example:8443/lib.js"):
        route = await _handle(traffic, _Request(url))
        assert route.fetched == [url] and route.ended[0] == "fulfill", url
    assert stats.get("browser/requests/script") == 2 and stats.get("browser/refused") == 0


@pytest_twisted.ensureDeferred
async def test_a_site_host_resolving_to_a_private_address_is_refused():
    traffic, stats = _traffic()
    route = await _handle(traffic, _Request("https://img.news.example/data.json", "fetch"))
    assert route.fetched == [] and route.ended == ("abort", "blockedbyclient")
    assert stats.get("browser/refused/address") == 1 and stats.get("refused/address/private") == 1
    # a name that does not resolve is not handed to another resolver to try
    route = await _handle(traffic, _Request("https://nowhere.news.example/a.js"))
    assert route.fetched == [] and route.ended == ("abort", "namenotresolved")


@pytest_twisted.ensureDeferred
async def test_behind_a_proxy_names_are_the_proxys_but_literals_are_still_refused():
    traffic, stats = _traffic(proxied=True)
    assert (await _handle(traffic, _Request("https://img.news.example/a.js"))).fetched == ["https://img.news.example/a.js"]
    site = PageSite(("169.254.169.254",))
    route = await _handle(traffic, _Request("http://169.254.169.254/latest/meta-data/", "fetch"), site)
    assert route.fetched == [] and stats.get("refused/address/link_local") == 1


@pytest_twisted.ensureDeferred
async def test_every_hop_of_a_redirect_is_checked_before_it_is_fetched():
    traffic, stats = _traffic()
    url = "https://www.news.example/go.js"
    route = await _handle(traffic, _Request(url), **{url: _Fetched(302, "https://other.example/evil.js")})
    assert route.fetched == [url] and route.ended == ("abort", "blockedbyclient")  # the target never fetched
    route = await _handle(traffic, _Request(url), **{url: _Fetched(302, "https://img.news.example/x.js")})
    assert route.fetched == [url] and stats.get("refused/address/private") == 1
    # on the site: followed here, and the page gets the end of the chain, never a redirect
    route = await _handle(traffic, _Request(url), **{url: _Fetched(301, "/real.js")})
    assert route.fetched == [url, "https://www.news.example/real.js"]
    assert route.ended[0] == "fulfill" and route.ended[1]["status"] == 200


@pytest_twisted.ensureDeferred
async def test_the_pages_own_redirect_is_handed_to_scrapy():
    traffic, stats = _traffic()
    url = "https://www.news.example/news/1"
    site = PageSite(SITE.domains)
    forged = (("X-Newscrawl-Location", "http://169.254.169.254/"),)  # the site cannot name the target itself
    route = await _handle(traffic, _Request(url, "document", navigation=True, main=True), site,
                          **{url: _Fetched(302, "/news/1?page=all", extra=forged)})
    status, headers = route.ended[1]["status"], route.ended[1]["headers"]
    assert status == 302 and "location" not in headers  # Chromium has nothing to follow
    assert headers[HANDED_LOCATION] == "https://www.news.example/news/1?page=all" and site.redirected
    assert route.fetched == [url]


@pytest_twisted.ensureDeferred
async def test_the_pages_own_document_refused_tells_the_errback_why():
    traffic, _ = _traffic()
    site = PageSite(("img.news.example",))
    await _handle(traffic, _Request("https://img.news.example/", "document", navigation=True, main=True), site)
    assert isinstance(site.refused, RefusedAddress) and site.refused.why == "private"


@pytest_twisted.ensureDeferred
async def test_a_replayed_page_stays_on_its_site_too():
    class Archive:
        def get(self, url):
            raise AssertionError("an off-site URL is not even looked up")

    traffic, stats = _traffic(archive=Archive())
    route = await _handle(traffic, _Request("https://other.example/x.js"))
    assert route.ended == ("abort", "blockedbyclient") and stats.get("browser/refused/offsite") == 1


# -- what the browser middleware makes of it ---------------------------------------------------------------
def _browser_middleware():
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from newscrawl.browser.middleware import BrowserMiddleware
    from tests.helpers import newscrawl_settings

    return BrowserMiddleware(get_crawler(Spider, settings_dict=newscrawl_settings()), None, remote=True)


@pytest_twisted.ensureDeferred
async def test_the_errback_sees_why_the_pages_document_was_refused():
    from playwright.async_api import Error as PlaywrightError
    from scrapy.http import Request

    from newscrawl.browser.middleware import _SITE

    site = PageSite(("img.news.example",), refused=RefusedAddress("img.news.example", "10.0.0.7", "private"))
    request = Request("https://img.news.example/", meta={_SITE: site})
    with pytest.raises(RefusedAddress):
        await _browser_middleware().process_exception(request, PlaywrightError("net::ERR_BLOCKED_BY_CLIENT"))


@pytest_twisted.ensureDeferred
async def test_the_pages_redirect_becomes_scrapys():
    from scrapy.http import HtmlResponse, Request

    from newscrawl.browser.middleware import _SITE

    site = PageSite(("news.example",), redirected=True)
    request = Request("https://www.news.example/a", meta={_SITE: site})
    response = HtmlResponse(request.url, status=301, headers={HANDED_LOCATION: "https://www.news.example/b"},
                            body=b"", request=request, flags=["playwright"])
    out = await _browser_middleware().process_response(request, response)
    assert out.headers[b"Location"] == b"https://www.news.example/b" and HANDED_LOCATION.encode() not in out.headers
    # a page that did not redirect keeps whatever the site sent under that name
    plain = HtmlResponse(request.url, status=200, body=b"<p>x</p>", request=Request(request.url), flags=["playwright"])
    assert b"Location" not in (await _browser_middleware().process_response(plain.request, plain)).headers


# -- in Chromium, against local servers --------------------------------------------------------------------
FAST = {**ALLOW_LOCAL, "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "NEWSCRAWL_MAX_AGE_DAYS": "0",
        "NEWSCRAWL_BROWSER_TIMEOUT": "10", "NEWSCRAWL_STRICT": "False"}


class _UdpCounter:
    """A UDP port on 127.0.0.1 counting the datagrams it gets (WebRTC's STUN requests)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.packets = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.sock.recvfrom(4096)
            except OSError:
                continue
            self.packets += 1

    def __enter__(self) -> "_UdpCounter":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join(timeout=2)
        self.sock.close()


def _hostile(site: LocalServer, other: LocalServer, path: str, udp_port: int = 9) -> bytes:
    """An article whose page tries, in every way a page can, to reach the other server."""
    o = other.url
    ws = other.base.replace("http://", "ws://")
    extra = f"""
<script src="{o('/x.js')}"></script>
<script src="/hop.js"></script>
<iframe src="{o('/frame')}"></iframe>
<iframe src="/hop-frame"></iframe>
<img src="{o('/pixel.gif')}">
<link rel="stylesheet" href="{o('/style.css')}">
<script>
  fetch("{o('/data.json')}").catch(() => {{}});
  fetch("/hop-data").catch(() => {{}});
  try {{ new WebSocket("{ws}/socket"); }} catch (e) {{}}
  try {{ window.open("{o('/popup')}"); }} catch (e) {{}}
  var x = new XMLHttpRequest(); x.open("GET", "{o('/xhr')}"); x.send();
  try {{
    var pc = new RTCPeerConnection({{iceServers: [{{urls: "stun:127.0.0.1:{udp_port}"}}]}});
    pc.createDataChannel("x"); pc.createOffer().then(offer => pc.setLocalDescription(offer));
  }} catch (e) {{}}
</script>"""
    site.route("/hop.js", Reply(302, headers={"Location": o("/x2.js")}))
    site.route("/hop-frame", Reply(302, headers={"Location": o("/frame2")}))
    site.route("/hop-data", Reply(302, headers={"Location": o("/data2.json")}))
    html = page(site.url(path)).replace("</body>", extra + "</body>")
    return html.encode("utf-8")


@pytest.mark.browser
def test_a_hostile_page_reaches_no_other_server(tmp_path):
    with LocalServer() as site, LocalServer() as other, _UdpCounter() as udp:
        site.route("/news/1.html", Reply(200, _hostile(site, other, "/news/1.html", udp.port)))
        site.route("/moved", Reply(302, headers={"Location": site.url("/news/1.html")}))  # on the site: followed
        site.route("/away", Reply(302, headers={"Location": other.url("/news/1.html")}))  # another port: not
        urls = tmp_path / "urls.txt"
        urls.write_text("\n".join([site.url("/moved"), site.url("/away")]), encoding="utf-8")
        result = crawl(["news", "-a", f"urls_file={urls}"], tmp_path,
                       settings={**FAST, "NEWSCRAWL_BROWSER": "always"})
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert dict(other.hits) == {}, dict(other.hits)  # nothing: script, frame, fetch, XHR, redirects, socket, popup
    assert other.connections == 0  # not even a bare connection (Chromium's own preconnects: it has no network)
    assert udp.packets == 0  # nor WebRTC's STUN datagrams
    [record] = result.records
    assert record["url"] == site.url("/news/1.html") and record["body"] == "\n\n".join(PARAS)
    stats = result.stats
    assert stats["newscrawl/browser/refused/offsite"] >= 6  # x.js, frame, style.css, data.json, xhr, the hops
    assert stats["newscrawl/browser/refused/websocket"] == 1
    assert stats["newscrawl/browser/refused/popup"] == 1
    assert stats["newscrawl/browser/redirects_to_scrapy"] == 2  # /moved and /away, judged by Scrapy:
    assert stats["newscrawl/http/redirect_offsite"] == 1  # /away refused, /moved followed
    assert stats["newscrawl/ignored/article/OffsiteRedirect"] == 1
    assert site.hits["/hop.js"] == 1 and site.hits["/hop-data"] == 1


def _profile(folder: Path, site: LocalServer, cdn: LocalServer, beyond: LocalServer) -> dict:
    port = site.base.rsplit(":", 1)[1]
    folder.mkdir()
    (folder / "cdntest.toml").write_text(f"""
key = "cdntest"
name = "CDN test"
domains = ["127.0.0.1:{port}"]
article_urls = ["/news/"]

[browser]
article = true
article_wait_for = "#from-cdn"
allow_hosts = ["{cdn.base.split('//')[1]}", "{beyond.base.split('//')[1]}"]
""", encoding="utf-8")
    return {"NEWSCRAWL_EXTRA_PROFILES": str(folder)}


@pytest.mark.browser
def test_the_profiles_cdn_is_loaded_and_a_private_one_is_not(tmp_path):
    """allow_hosts admits a CDN (here another local port); a CDN host on an address the crawl does
    not allow (127.0.0.2) is refused by the address rule all the same."""
    with LocalServer() as site, LocalServer() as cdn, LocalServer(host="127.0.0.2") as beyond:
        cdn.route("/lib.js", Reply(200, """document.getElementById("slot").innerHTML =
            '<p id="from-cdn">CDNから読み込まれた段落です。本文の一部として書き込まれる。</p>';""".encode(),
                                   content_type="application/javascript; charset=utf-8"))
        beyond.route("/lib.js", Reply(200, b"window.beyond = 1;", content_type="application/javascript"))
        extra = f'<div id="slot"></div><script src="{cdn.url("/lib.js")}"></script>' \
                f'<script src="{beyond.url("/lib.js")}"></script>'
        site.route("/news/1.html", Reply(200, page(site.url("/news/1.html"),
                                                   body="".join(f"<p>{p}</p>" for p in PARAS) + extra).encode()))
        result = crawl(["cdntest", "-a", f"url={site.url('/news/1.html')}"], tmp_path,
                       env=_profile(tmp_path / "profiles", site, cdn, beyond),
                       settings={**FAST, "NEWSCRAWL_BROWSER": "auto"})
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert cdn.hits["/lib.js"] == 1
    assert dict(beyond.hits) == {}
    [record] = result.records
    assert "CDNから読み込まれた段落です。" in record["body"]
    assert result.stats["newscrawl/browser/refused/address"] == 1
    assert result.stats["newscrawl/refused/address/loopback"] == 1
