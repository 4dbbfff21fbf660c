"""Discovery: feeds (RSS 2.0, RDF, Atom, relative links), sitemaps with news: tags, max age, listings."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.discovery.feeds import parse_feed
from newscrawl.discovery.sitemaps import parse_sitemap
from newscrawl.discovery.xml import NotXML, UnsafeXML
from newscrawl.spiders.sites import DailyviewSpider, HaniSpider
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


def _spider(cls, **settings):
    crawler = get_crawler(cls, settings_dict={"NEWSCRAWL_MAX_AGE_DAYS": "", **settings})
    spider = cls.from_crawler(crawler)
    return spider


def test_max_age_is_measured_from_when_the_feed_was_served():
    spider = _spider(DailyviewSpider)
    served = XmlResponse("https://dailyview.net/feed/", body=b"<rss/>",
                         headers={"Date": "Sat, 06 Dec 2025 00:00:00 GMT"})
    profile = spider.profile
    assert not spider.too_old("Fri, 05 Dec 2025 06:20:00 +0000", profile, served)
    assert spider.too_old("Fri, 21 Nov 2025 06:20:00 +0000", profile, served)  # 15 days > 7
    assert not spider.too_old(None, profile, served)  # no date: followed
    everything = _spider(DailyviewSpider, NEWSCRAWL_MAX_AGE_DAYS="0")
    assert not everything.too_old("Fri, 21 Nov 2010 06:20:00 +0000", profile, served)


def test_news_spider_from_a_news_sitemap_stops_at_old_articles(tmp_path):
    result = crawl(["news", "-a", "sitemap=https://koreaworldtimes.com/news-sitemap.xml"], tmp_path,
                   warc=site_warc(FIXTURES / "generic", tmp_path),
                   settings={"NEWSCRAWL_NOW": "2025-12-06T00:00:00+09:00"})
    assert [r["url"] for r in result.records] == ["https://koreaworldtimes.com/culture/18377/"]
    assert result.stats["newscrawl/discovery/too_old"] == 1


def test_relative_feed_links_are_joined_to_the_base_url():
    spider = _spider(HaniSpider, NEWSCRAWL_MAX_AGE_DAYS="0")
    feed = XmlResponse("https://japan.hani.co.kr/rss/", body=b"""<?xml version="1.0"?><rss version="2.0">
        <channel><item><link>/arti/politics/55012.html</link></item></channel></rss>""")
    assert [r.url for r in spider.parse_feed(feed)] == ["https://japan.hani.co.kr/arti/politics/55012.html"]


def test_a_list_printed_twice_gives_each_link_once():
    spider = _spider(DailyviewSpider)
    links = "".join(f'<article><h2 class="entry-title"><a href="/article/{n}/">t{n}</a></h2></article>'
                    for n in (1, 2, 3))
    page = (f'<html><body><main id="main">{links}{links}</main>'
            '<nav class="pagination"><a class="next page-numbers" href="/category/news/page/9/">次へ</a></nav>'
            "</body></html>")
    first = HtmlResponse("https://dailyview.net/category/news/", body=page.encode(), encoding="utf-8",
                         request=Request("https://dailyview.net/category/news/", meta={"listing_page": 1}))
    requests = list(spider.parse_listing(first))
    articles = [r.url for r in requests if r.meta["newscrawl_kind"] == "article"]
    assert articles == [f"https://dailyview.net/article/{n}/" for n in (1, 2, 3)]
    assert [r.url for r in requests if r.meta["newscrawl_kind"] == "listing"] == [
        "https://dailyview.net/category/news/page/9/"]


def test_listing_pagination_stops_at_max_listing_pages():
    spider = _spider(DailyviewSpider)
    page = ('<html><body><nav class="pagination"><a class="next page-numbers" href="/category/news/page/4/">'
            "次へ</a></nav></body></html>")
    request = Request("https://dailyview.net/category/news/page/3/", meta={"listing_page": 3})
    response = HtmlResponse(request.url, body=page.encode(), encoding="utf-8", request=request)
    assert spider.profile.discovery.max_listing_pages == 3
    assert [r for r in spider.parse_listing(response) if r.meta.get("newscrawl_kind") == "listing"] == []


def test_feed_links_to_other_domains_and_file_urls_are_not_followed():
    spider = _spider(DailyviewSpider, NEWSCRAWL_MAX_AGE_DAYS="0")
    feed = XmlResponse("https://dailyview.net/feed/", body=b"""<?xml version="1.0"?><rss version="2.0"><channel>
        <item><link>https://evil.example/article/1/</link></item>
        <item><link>file:///etc/passwd</link></item>
        <item><link>https://dailyview.net/article/7/</link></item></channel></rss>""")
    assert [r.url for r in spider.parse_feed(feed)] == ["https://dailyview.net/article/7/"]
    stats = spider.crawler.stats
    assert stats.get_value("newscrawl/discovery/offsite") == 1
    assert stats.get_value("newscrawl/discovery/refused_scheme") == 1
