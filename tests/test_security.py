"""Hostile input cannot steer plain requests (issue 11, findings 7-8; docs/security.md).

- no request to a loopback, private, link-local, multicast or reserved address, checked after
  DNS resolution (an IP literal, a name that resolves to one, a name whose answer changes);
- a redirect stays on the site (host and port), also for a spider without allowed_domains;
- the offsite filter counts ports.

Unit tests per rule, then crawls against local servers on 127.0.0.1 (and 127.0.0.2, a loopback
address the allowance for 127.0.0.1 does not cover).  Nothing here talks to any other address:
the refused literals (169.254.169.254, 10.0.0.1 ...) are refused before any socket is opened.
"""

from __future__ import annotations

import ipaddress

import pytest
import pytest_twisted
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from twisted.internet import defer

from newscrawl import meta as M
from newscrawl.config import ConfigError, allowed_networks
from newscrawl.middlewares.addresses import (AddressGuardMiddleware, AddressPolicy, RefusedAddress, RefusedLookup,
                                             address_kind)
from newscrawl.middlewares.offsite import OffsiteMiddleware, on_domains, spider_domains
from newscrawl.middlewares.redirects import OffsiteRedirect, RedirectGuardMiddleware
from newscrawl.middlewares.resolver import GuardedResolver
from newscrawl.spiders.args import parse_args
from tests.fixtures.bad.pages import body_text, page
from tests.helpers import crawl, newscrawl_settings
from tests.localserver import ALLOW_LOCAL, LocalServer, Reply

FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_TIMEOUT": "3", "RETRY_TIMES": "1",
        "NEWSCRAWL_MAX_AGE_DAYS": "0", "NEWSCRAWL_STRICT": "False"}


def stat(result, key: str) -> int:
    return int(result.stats.get(f"newscrawl/{key}", 0))


# -- which addresses ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("127.254.0.9", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"), ("192.168.1.1", "private"),
    ("fc00::1", "private"), ("fd12:3456::1", "private"),
    ("169.254.169.254", "link_local"), ("fe80::1", "link_local"),
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("240.0.0.1", "reserved"), ("100.64.0.1", "not_global"),
    # an IPv4 address inside an IPv6 one is the IPv4 address
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link_local"), ("::ffff:10.0.0.1", "private"),
    ("2002:7f00:1::", "loopback"), ("64:ff9b::a9fe:a9fe", "link_local"),
])
def test_non_public_addresses_are_named(address, kind):
    assert address_kind(ipaddress.ip_address(address)) == kind
    assert AddressPolicy().refusal(address) == kind


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2001:4860:4860::8888",
                                     "::ffff:93.184.216.34"])
def test_public_addresses_pass(address):
    assert AddressPolicy().refusal(address) is None


def test_allowed_networks_allow_exactly_what_they_say():
    policy = AddressPolicy(allowed_networks(Settings({"NEWSCRAWL_ALLOWED_NETWORKS": "127.0.0.1/32, 10.1.2.0/24"})))
    assert policy.refusal("127.0.0.1") is None and policy.refusal("::ffff:127.0.0.1") is None
    assert policy.refusal("10.1.2.200") is None
    assert policy.refusal("127.0.0.2") == "loopback" and policy.refusal("10.1.3.1") == "private"
    assert policy.refusal("169.254.169.254") == "link_local" and policy.refusal("::1") == "loopback"
    assert allowed_networks(Settings({"NEWSCRAWL_ALLOWED_NETWORKS": ["::1", "192.168.0.0/16"]})) == (
        ipaddress.ip_network("::1/128"), ipaddress.ip_network("192.168.0.0/16"))
    assert allowed_networks(Settings({"NEWSCRAWL_ALLOWED_NETWORKS": []})) == ()
    with pytest.raises(ConfigError, match="NEWSCRAWL_ALLOWED_NETWORKS: 'localhost' is not a network"):
        allowed_networks(Settings({"NEWSCRAWL_ALLOWED_NETWORKS": "localhost"}))


def test_a_bad_allowed_network_is_a_usage_error(tmp_path):
    import os
    import subprocess

    from tests.helpers import ROOT, SCRAPY

    proc = subprocess.run([SCRAPY, "crawl", "news", "-a", "url=https://news.example/1",
                           "-s", "NEWSCRAWL_ALLOWED_NETWORKS=localhost"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path)}, timeout=60)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if "NEWSCRAWL_ALLOWED_NETWORKS" in line]
    assert len(lines) == 1 and "Traceback" not in proc.stderr


# -- the resolver the connection goes through ---------------------------------------------------------------
class _Answers:
    """Stands for the system resolver: the next answer for every lookup (a rebinding DNS server)."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked = 0

    def __call__(self, name, timeout=()):
        self.asked += 1
        return defer.succeed(self.answers.pop(0))


def _resolver(monkeypatch, *answers, exempt=frozenset()) -> tuple[GuardedResolver, _Answers]:
    answers_ = _Answers(*answers)
    monkeypatch.setattr("scrapy.resolver.CachingThreadedResolver.getHostByName",
                        lambda self, name, timeout=(): answers_(name, timeout))
    return GuardedResolver(None, 0, 5.0, AddressPolicy(), exempt), answers_


def _result(deferred):
    out = []
    deferred.addBoth(out.append)
    return out[0]


def test_the_resolver_checks_every_answer_it_connects_to(monkeypatch):
    resolver, _ = _resolver(monkeypatch, "93.184.216.34", "169.254.169.254")
    assert _result(resolver.getHostByName("news.example")) == "93.184.216.34"
    # the same name, answered anew with the metadata service's address: refused at connection time
    failure = _result(resolver.getHostByName("news.example"))
    assert failure.check(RefusedLookup) and failure.value.why == "link_local"


def test_the_middlewares_lookup_is_the_unchecked_answer_and_proxies_are_never_refused(monkeypatch):
    resolver, _ = _resolver(monkeypatch, "10.0.0.8", "10.0.0.9", exempt=frozenset({"proxy.internal"}))
    assert _result(resolver.unchecked_lookup("news.example")) == "10.0.0.8"  # the middleware checks it
    assert _result(resolver.getHostByName("proxy.internal")) == "10.0.0.9"


# -- the middleware: literals, names ---------------------------------------------------------------------------
def _guard(**settings) -> AddressGuardMiddleware:
    crawler = get_crawler(Spider, settings_dict=newscrawl_settings(**settings))
    return AddressGuardMiddleware.from_crawler(crawler)


@pytest_twisted.ensureDeferred
@pytest.mark.parametrize("url, why", [
    ("http://169.254.169.254/latest/meta-data/", "link_local"), ("http://[::1]:8080/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"), ("https://10.0.0.1/", "private"), ("http://0.0.0.0:80/", "unspecified"),
])
async def test_ip_literals_are_refused_before_any_connection(url, why):
    with pytest.raises(RefusedAddress) as refused:
        await _guard().process_request(Request(url))
    assert refused.value.why == why and isinstance(refused.value, IgnoreRequest)


@pytest_twisted.ensureDeferred
async def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch):
    from twisted.internet import reactor

    answers = _Answers("10.20.30.40")
    monkeypatch.setattr(reactor, "resolver", type("R", (), {"unchecked_lookup": lambda self, n: answers(n)})(),
                        raising=False)
    guard = _guard()
    with pytest.raises(RefusedAddress) as refused:
        await guard.process_request(Request("https://www.allowed-site.example/news/1"))
    assert (refused.value.host, refused.value.address, refused.value.why) == \
        ("www.allowed-site.example", "10.20.30.40", "private")
    # behind a proxy the proxy resolves: the name is not looked up here
    assert await guard.process_request(Request("https://www.allowed-site.example/", meta={"proxy": "http://p:3128"})) \
        is None
    assert answers.asked == 1


def test_a_replay_has_no_address_guard(tmp_path):
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        _guard(NEWSCRAWL_REPLAY=str(tmp_path / "night.warc.gz"))


# -- same site: ports count --------------------------------------------------------------------------------------
def test_domains_admit_default_ports_or_exactly_their_own():
    assert on_domains("https://www.example.jp/a", ["example.jp"])
    assert on_domains("http://example.jp:80/a", ["example.jp"])
    assert not on_domains("http://example.jp:8080/a", ["example.jp"])
    assert on_domains("http://example.jp:8080/a", ["example.jp", "example.jp:8080"])  # any entry may admit it
    assert not on_domains("http://127.0.0.1:9999/a", ["127.0.0.1:8123"])
    assert on_domains("http://[::1]:8080/", ["[::1]:8080"]) and not on_domains("http://[::1]:8081/", ["::1"])
    assert not on_domains("http://evil-example.jp/", ["example.jp"])


class _Given(Spider):
    name = "given"


def _spider(allowed, urls=()):
    spider = _Given()
    spider.allowed_domains = allowed
    spider.args = parse_args(url=urls[0]) if urls else parse_args()
    return spider


def test_offsite_counts_ports_and_the_ports_the_news_spider_was_given():
    crawler = get_crawler(_Given, settings_dict=newscrawl_settings())
    middleware = OffsiteMiddleware.from_crawler(crawler)
    profiled = _spider(["example.jp"])
    assert middleware.should_follow(Request("https://www.example.jp/a"), profiled)
    assert not middleware.should_follow(Request("http://example.jp:8080/a"), profiled)
    # news: allowed_domains are the hosts it was given, the ports come from the URLs it was given
    generic = _spider(["127.0.0.1"], ["http://127.0.0.1:8123/start"])
    assert spider_domains(generic) == ("127.0.0.1:8123",)
    assert middleware.should_follow(Request("http://127.0.0.1:8123/b"), generic)
    assert not middleware.should_follow(Request("http://127.0.0.1:9999/b"), generic)
    assert not middleware.should_follow(Request("http://127.0.0.1/b"), generic)
    both = _spider(["example.org"], ["http://example.org/a"])
    both.args.feeds.append("http://www.example.org:8080/feed")
    assert spider_domains(both) == ("example.org", "example.org:8080")


@pytest.mark.parametrize("location, followed", [
    ("https://www.a.example/moved", True),  # www. and https: the same site
    ("/moved", True),
    ("http://b.example/x", False),  # another host
    ("http://a.example:8080/x", False),  # another port: another server
    ("http://169.254.169.254/latest/meta-data/", False),
])
def test_a_redirect_stays_on_the_requests_own_site_without_allowed_domains(location, followed):
    crawler = get_crawler(_Given, settings_dict=newscrawl_settings())
    crawler.spider = _spider([])  # no allowed_domains: before, every redirect was followed
    guard = RedirectGuardMiddleware.from_crawler(crawler)
    request = Request("http://a.example/article/1", meta={M.PROFILE: "news"})
    response = Response(request.url, status=302, headers={"Location": location}, request=request)
    if followed:
        assert guard.process_response(request, response) is response
    else:
        with pytest.raises(OffsiteRedirect):
            guard.process_response(request, response)
        assert crawler.stats.get_value("newscrawl/http/redirect_offsite") == 1


# -- real crawls against local servers ---------------------------------------------------------------------------
def test_nothing_local_is_fetched_by_default(tmp_path):
    """No allowance: a literal loopback URL, a name that resolves to loopback, and the metadata
    service are all refused before a socket is opened - the local server sees no request at all."""
    with LocalServer() as server:
        server.route("/ok", Reply(200, page(server.url("/ok")).encode()))
        port = server.base.rsplit(":", 1)[1]
        urls = [server.url("/ok"), f"http://localhost:{port}/ok", "http://169.254.169.254/latest/meta-data/",
                f"http://[::ffff:127.0.0.1]:{port}/ok", "http://10.0.0.1/news/1",
                f"http://2130706433:{port}/ok"]  # 127.0.0.1 as one number: a name to Twisted, resolved
        listed = tmp_path / "urls.txt"
        listed.write_text("\n".join(urls), encoding="utf-8")
        result = crawl(["news", "-a", f"urls_file={listed}"], tmp_path, settings=FAST)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert dict(server.hits) == {}  # not even robots.txt
    assert result.records == []
    assert stat(result, "refused/address") == 6
    assert stat(result, "refused/address/loopback") == 4
    assert stat(result, "refused/address/link_local") == 1 and stat(result, "refused/address/private") == 1
    assert stat(result, "ignored/article/RefusedAddress") == 6
    assert stat(result, "errors") == 0 and not any(k.startswith("newscrawl/transport/") for k in result.stats)
    assert f"localhost resolves to 127.0.0.1; NEWSCRAWL_ALLOWED_NETWORKS can allow a network): " \
           f"http://localhost:{port}/ok" in result.stderr


@pytest.fixture(scope="module")
def allowed_night(tmp_path_factory):
    """127.0.0.1 allowed: a feed listing an entry on another port, a redirect to another port, and
    a URL on 127.0.0.2 (loopback, not allowed)."""
    tmp = tmp_path_factory.mktemp("allowed")
    with LocalServer() as site, LocalServer() as other, LocalServer(host="127.0.0.2") as beyond:
        for server in (site, other, beyond):
            server.route("/ok", Reply(200, page(server.url("/ok")).encode()))
            server.route("/a/1", Reply(200, page(server.url("/a/1")).encode()))
        site.route("/moved", Reply(302, headers={"Location": other.url("/ok")}))
        site.route("/feed", Reply(200, (
            '<?xml version="1.0"?><rss version="2.0"><channel>'
            f"<item><link>{site.url('/a/1')}</link></item><item><link>{other.url('/a/1')}</link></item>"
            "</channel></rss>").encode(), content_type="application/rss+xml"))
        listed = tmp / "urls.txt"
        listed.write_text("\n".join([site.url("/ok"), site.url("/moved"), beyond.url("/ok")]), encoding="utf-8")
        result = crawl(["news", "-a", f"urls_file={listed}", "-a", f"feed={site.url('/feed')}"], tmp,
                       settings={**FAST, **ALLOW_LOCAL})
    result.servers = (site, other, beyond)
    return result


def test_an_allowed_network_is_fetched_and_nothing_beyond_it(allowed_night):
    site, other, beyond = allowed_night.servers
    assert sorted(r["url"] for r in allowed_night.records) == [site.url("/a/1"), site.url("/ok")]
    assert allowed_night.by_url[site.url("/ok")]["body"] == body_text()
    assert dict(beyond.hits) == {}  # 127.0.0.2 is loopback too, and not allowed
    assert stat(allowed_night, "refused/address/loopback") == 1
    assert "Traceback" not in allowed_night.stderr, allowed_night.stderr[-3000:]


def test_another_port_of_the_same_host_is_another_site(allowed_night):
    site, other, _ = allowed_night.servers
    assert dict(other.hits) == {}  # neither the feed entry nor the redirect target on the other port
    assert stat(allowed_night, "discovery/offsite") == 1
    assert stat(allowed_night, "http/redirect_offsite") == 1
    assert stat(allowed_night, "ignored/article/OffsiteRedirect") == 1
    assert site.hits["/moved"] == 1
