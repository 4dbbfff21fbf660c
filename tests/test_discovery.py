"""Discovery: feeds (RSS 2.0, RDF, Atom, relative links), sitemaps with news: tags, max age, listings."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newscrawl.discovery.feeds import parse_feed
from newscrawl.discovery.links import from_feed, from_listing, served_at, too_old
from newscrawl.page.events import counts
from newscrawl.discovery.sitemaps import parse_sitemap
from newscrawl.discovery.xml import NotXML, UnsafeXML
from newscrawl.sites import get_profile, resolve_profile
from tests.helpers import FIXTURES, crawl, site_warc

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>A</title><link>https://example.jp/a/1</link><pubDate>Fri, 05 Dec 2025 15:04:21 +0900</pubDate></item>
<item><title>B</title><guid isPermaLink="true">https://example.jp/a/2</guid></item>
</channel></rss>"""
RDF = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<item rdf:about="https://example.jp/a/3"><title>C</title><link>https://example.jp/a/3</link>
<dc:date>2025-12-05T10:00:00+09:00</dc:date></item></rdf:RDF>"""
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>D</title><link rel="alternate" href="https://example.jp/a/4"/><link rel="edit" href="https://x/e"/>
<published>2025-12-05T10:00:00+09:00</published></entry></feed>"""


def test_feed_formats():
    assert [(e.url, e.published) for e in parse_feed(RSS)] == [
        ("https://example.jp/a/1", "Fri, 05 Dec 2025 15:04:21 +0900"), ("https://example.jp/a/2", None)]
    assert [e.url for e in parse_feed(RDF)] == ["https://example.jp/a/3"]
    assert [(e.url, e.title) for e in parse_feed(ATOM)] == [("https://example.jp/a/4", "D")]


@pytest.mark.parametrize("body, error", [
    (b"<html><body>not a feed</body></html>", NotXML),
    (b"{\"json\": true}", NotXML),
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel>&a;</channel></rss>', UnsafeXML),
])
def test_feeds_that_are_not_feeds_are_refused(body, error):
    with pytest.raises(error):
        parse_feed(body)


def test_news_sitemap_tags_are_read():
    sitemap = parse_sitemap((FIXTURES / "generic" / "news-sitemap.xml").read_bytes())
    assert sitemap.kind == "urlset"
    first, second = sitemap.entries
    assert first.news_title == "光化門広場にクリスマスツリー点灯"
    assert first.date == "2025-12-04T18:30:00+09:00"
    assert second.date == "2025-11-20T08:00:00+09:00"  # the publication date wins over lastmod


NOW = datetime(2025, 12, 6, tzinfo=timezone.utc)
DAILYVIEW = get_profile("dailyview")
HANI = get_profile("hani")


def test_max_age_is_measured_from_when_the_feed_was_served():
    served = served_at("Sat, 06 Dec 2025 00:00:00 GMT")
    assert not too_old("Fri, 05 Dec 2025 06:20:00 +0000", DAILYVIEW, served, 7)
    assert too_old("Fri, 21 Nov 2025 06:20:00 +0000", DAILYVIEW, served, 7)  # 15 days > 7
    assert not too_old(None, DAILYVIEW, served, 7)  # no date: followed
    assert not too_old("Fri, 21 Nov 2010 06:20:00 +0000", DAILYVIEW, served, 0)  # 0: no limit


def test_news_spider_from_a_news_sitemap_stops_at_old_articles(tmp_path):
    result = crawl(["news", "-a", "sitemap=https://koreaworldtimes.com/news-sitemap.xml"], tmp_path,
                   warc=site_warc(FIXTURES / "generic", tmp_path),
                   settings={"NEWSCRAWL_NOW": "2025-12-06T00:00:00+09:00"})
    assert [r["url"] for r in result.records] == ["https://koreaworldtimes.com/culture/18377/"]
    assert result.stats["newscrawl/discovery/too_old"] == 1


def test_relative_feed_links_are_joined_to_the_base_url():
    found = from_feed(b"""<?xml version="1.0"?><rss version="2.0">
        <channel><item><link>/arti/politics/55012.html</link></item></channel></rss>""",
                      "https://japan.hani.co.kr/rss/", HANI, NOW, 0, cap=100)
    assert [a.url for a in found.articles] == ["https://japan.hani.co.kr/arti/politics/55012.html"]


def test_a_list_printed_twice_gives_each_link_once():
    links = "".join(f'<article><h2 class="entry-title"><a href="/article/{n}/">t{n}</a></h2></article>'
                    for n in (1, 2, 3))
    page = (f'<html><body><main id="main">{links}{links}</main>'
            '<nav class="pagination"><a class="next page-numbers" href="/category/news/page/9/">次へ</a></nav>'
            "</body></html>")
    found = from_listing(page, "https://dailyview.net/category/news/", DAILYVIEW, page=1, cap=100)
    assert [a.url for a in found.articles] == [f"https://dailyview.net/article/{n}/" for n in (1, 2, 3)]
    assert [(p.url, p.kind, p.depth) for p in found.pages] == [
        ("https://dailyview.net/category/news/page/9/", "listing", 2)]


def test_listing_pagination_stops_at_max_listing_pages():
    page = ('<html><body><nav class="pagination"><a class="next page-numbers" href="/category/news/page/4/">'
            "次へ</a></nav></body></html>")
    assert DAILYVIEW.discovery.max_listing_pages == 3
    assert from_listing(page, "https://dailyview.net/category/news/page/3/", DAILYVIEW, page=3, cap=100).pages == []


def test_feed_links_to_other_domains_other_ports_and_file_urls_are_not_followed():
    found = from_feed(b"""<?xml version="1.0"?><rss version="2.0"><channel>
        <item><link>https://evil.example/article/1/</link></item>
        <item><link>file:///etc/passwd</link></item>
        <item><link>https://dailyview.net:8443/article/8/</link></item>
        <item><link>https://dailyview.net/article/7/</link></item></channel></rss>""",
                      "https://dailyview.net/feed/", DAILYVIEW, NOW, 0, cap=100)
    assert [a.url for a in found.articles] == ["https://dailyview.net/article/7/"]
    total = counts(found.events)
    assert total["discovery/offsite"] == 2 and total["discovery/refused_scheme"] == 1


def test_a_generic_site_on_a_port_keeps_to_that_port():
    profile = resolve_profile("news", "http://127.0.0.1:8123/feed")
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel>
        <item><link>http://127.0.0.1:8123/a/1</link></item><item><link>http://127.0.0.1:9999/a/2</link></item>
        <item><link>http://127.0.0.1/a/3</link></item></channel></rss>"""
    found = from_feed(feed, "http://127.0.0.1:8123/feed", profile, NOW, 0, cap=100)
    assert [a.url for a in found.articles] == ["http://127.0.0.1:8123/a/1"]


def test_a_feed_gives_at_most_its_cap_and_counts_the_rest():
    items = "".join(f"<item><link>https://dailyview.net/article/{n}/</link></item>" for n in range(1, 251))
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
    found = from_feed(feed, "https://dailyview.net/feed/", DAILYVIEW, NOW, 0, cap=100)
    assert len(found.articles) == 100 and found.articles[0].url.endswith("/article/1/")
    capped = [e for e in found.events if e.name == "discovery/capped"]
    assert len(capped) == 1 and capped[0].count == 150 and capped[0].message


@pytest.mark.parametrize("header", ["Fri, 05 Dec 2025 12:00:00", "Fri, 05 Dec 2025 12:00:00 -0000",
                                    "Fri, 05 Dec 2025 12:00:00 GMT", "not a date"])
def test_a_date_header_without_a_zone_is_utc_and_never_raises(header):
    now = served_at(header)
    assert now is None or now.tzinfo is not None
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel>
        <item><link>https://dailyview.net/article/1/</link><pubDate>Fri, 05 Dec 2025 06:20:00</pubDate></item>
        <item><link>https://dailyview.net/article/2/</link><pubDate>Fri, 21 Nov 2010 06:20:00 +0000</pubDate></item>
        </channel></rss>"""
    found = from_feed(feed, "https://dailyview.net/feed/", DAILYVIEW, now or NOW, 7, cap=100)
    assert [a.url for a in found.articles] == ["https://dailyview.net/article/1/"]


def test_naive_now_is_read_as_utc():
    from newscrawl.config import parse_now

    assert parse_now("2025-12-05T12:00:00") == datetime(2025, 12, 5, 12, tzinfo=timezone.utc)
    assert too_old("2025-12-01T00:00:00", DAILYVIEW, datetime(2025, 12, 5, 12), 7) is False
