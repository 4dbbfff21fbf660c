"""Tolerant feeds (feedparser), gzipped sitemaps, robots.txt Sitemap: lines - and nights that either
succeed on them or fail loudly (issue 15, finding 1: never "Run OK: 0 items" when discovery broke)."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newscrawl.discovery import feeds as feeds_module
from newscrawl.discovery.feeds import read_feed
from newscrawl.discovery.links import from_feed, from_robots, from_sitemap
from newscrawl.discovery.sitemaps import parse_sitemap
from newscrawl.discovery.xml import GzipBomb, NotXML, UnsafeXML, gunzip_bounded
from newscrawl.page.events import counts
from newscrawl.replay.build import build_warc
from newscrawl.sites import get_profile
from newscrawl.sites.profile import profile_from_dict
from tests.helpers import crawl
from tests.synthetic import article_page

NOW = datetime(2025, 12, 6, tzinfo=timezone.utc)
DAILYVIEW = get_profile("dailyview")

# a real-world breakage: a bare & in a title and in a link's query (must be &amp; in XML)
BARE_AMP_FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>ピッコン</title>
<item><title>BTS & BLACKPINK、年末の舞台へ</title><link>https://dailyview.net/article/1/</link>
<pubDate>Fri, 05 Dec 2025 06:20:00 +0000</pubDate></item>
<item><title>ソウル市の新政策</title><link>https://dailyview.net/article/2/?from=rss&utm_source=feed</link>
<pubDate>Fri, 05 Dec 2025 06:30:00 +0000</pubDate></item>
</channel></rss>"""


def urlset(urls: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>{u}</loc><lastmod>2025-12-05T10:00:00+09:00</lastmod></url>" for u in urls)
            + "</urlset>")


def index(urls: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls) + "</sitemapindex>")


# -- feeds ---------------------------------------------------------------------------------------------
def test_a_bare_ampersand_does_not_lose_the_feed():
    found = from_feed(BARE_AMP_FEED.encode(), "https://dailyview.net/feed/", DAILYVIEW, NOW, 0, cap=100)
    assert found.usable
    assert [a.canonical for a in found.articles] == ["https://dailyview.net/article/1/",
                                                     "https://dailyview.net/article/2/"]
    repaired = [e for e in found.events if e.name == "discovery/feed_repaired"]
    assert len(repaired) == 1 and repaired[0].message  # counted and said once
    assert read_feed(BARE_AMP_FEED.encode()).entries[0].title == "BTS & BLACKPINK、年末の舞台へ"


def test_a_well_formed_feed_is_not_reported_repaired():
    feed = BARE_AMP_FEED.replace(" & ", " &amp; ").replace("rss&utm", "rss&amp;utm").encode()
    found = from_feed(feed, "https://dailyview.net/feed/", DAILYVIEW, NOW, 0, cap=100)
    assert len(found.articles) == 2 and "discovery/feed_repaired" not in counts(found.events)


def test_a_feed_cut_off_mid_item_keeps_its_whole_entries():
    cut = BARE_AMP_FEED.encode()[:BARE_AMP_FEED.encode().index(b"article/2/") - 12]
    entries = read_feed(cut).entries
    assert [e.url for e in entries] == ["https://dailyview.net/article/1/"]


def test_rdf_items_are_named_by_rdf_about_and_non_permalink_guids_are_not_links():
    rdf = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://purl.org/rss/1.0/"><item rdf:about="https://example.jp/a/3"><title>C</title></item></rdf:RDF>"""
    assert [e.url for e in read_feed(rdf).entries] == ["https://example.jp/a/3"]
    rss = b"""<rss version="2.0"><channel><item><guid isPermaLink="false">tag:x,2025:1</guid></item>
    <item><guid>https://example.jp/a/2</guid></item></channel></rss>"""
    assert [e.url for e in read_feed(rss).entries] == ["https://example.jp/a/2"]


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss version="2.0"><channel>&a;</channel></rss>',
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0">&x;</rss>',
    # feedparser would keep this one ("safe": no & or < in its value), and expand it at every use
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "' + b"x" * 5000 + b'">]><rss version="2.0"><channel>'
    + b"<title>&big;&big;&big;&big;</title></channel></rss>",
])
def test_entity_declarations_are_refused_before_feedparser_sees_them(body, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("feedparser was handed a document that declares entities")

    monkeypatch.setattr(feeds_module.feedparser, "parse", never)
    with pytest.raises(UnsafeXML):
        read_feed(body)
    found = from_feed(body, "https://dailyview.net/feed/", DAILYVIEW, NOW, 0, cap=100)
    assert not found.usable and counts(found.events) == {"discovery/unsafe_xml": 1}


@pytest.mark.parametrize("body", [b"<html><body><p>Not found</p></body></html>", b'{"items": []}', b"",
                                  b"/etc/passwd", b"https://dailyview.net/feed/"])
def test_what_is_not_a_feed_is_refused_and_never_opened_as_a_path_or_url(body, monkeypatch):
    # feedparser opens a *string* that looks like a URL or a path: the body goes in as a stream
    monkeypatch.setattr(feeds_module.feedparser.api, "_open_resource",
                        lambda source, *a, **k: source.read() if hasattr(source, "read") else pytest.fail(
                            f"feedparser was handed {source!r}, not a stream"))
    with pytest.raises(NotXML):
        read_feed(body)


# -- sitemaps ------------------------------------------------------------------------------------------
def test_a_gzipped_sitemap_is_read():
    body = gzip.compress(urlset(["https://dailyview.net/article/7/"]).encode())
    sitemap = parse_sitemap(body)
    assert sitemap.kind == "urlset" and [e.url for e in sitemap.entries] == ["https://dailyview.net/article/7/"]


def test_a_gzip_bomb_is_refused_with_its_own_counter():
    with pytest.raises(GzipBomb):
        gunzip_bounded(gzip.compress(b" " * 2048), limit=1024)
    assert gunzip_bounded(gzip.compress(b" " * 1024), limit=1024) == b" " * 1024
    # the real bound: 50 MB of whitespace compresses to about 50 KB
    bomb = gzip.compress(b"<urlset>" + b" " * (51 * 1024 * 1024) + b"</urlset>")
    found = from_sitemap(bomb, "https://dailyview.net/s.xml.gz", DAILYVIEW, NOW, 0, cap=100)
    assert not found.usable and counts(found.events) == {"discovery/gzip_bomb": 1}


def test_a_broken_gzip_file_is_a_bad_sitemap():
    cut = gzip.compress(urlset([f"https://dailyview.net/article/{n}/" for n in range(200)]).encode())[:300]
    for body in (b"\x1f\x8b\x08garbage", cut):
        found = from_sitemap(body, "https://dailyview.net/s.xml.gz", DAILYVIEW, NOW, 0, cap=100)
        assert not found.usable and counts(found.events) == {"discovery/bad_sitemap": 1}


# -- robots.txt ----------------------------------------------------------------------------------------
def test_robots_sitemap_lines_of_the_site_are_followed_once():
    robots = ("User-agent: *\nDisallow: /wp-admin/\n\nSitemap: https://dailyview.net/news-sitemap.xml.gz\n"
              "sitemap: /wp-sitemap.xml\nSitemap: https://evil.example/sitemap.xml\n"
              "Sitemap: https://dailyview.net/news-sitemap.xml.gz\n")
    read: set[str] = set()
    found = from_robots(robots, "https://dailyview.net/robots.txt", DAILYVIEW, read)
    # /wp-sitemap.xml is the profile's own sitemap: requested anyway, not twice
    assert [(p.url, p.kind, p.depth) for p in found.pages] == [
        ("https://dailyview.net/news-sitemap.xml.gz", "sitemap", 0)]
    assert counts(found.events) == {"discovery/sitemap_refused": 1, "discovery/robots_sitemaps": 1}
    again = from_robots(robots, "https://dailyview.net/robots.txt", DAILYVIEW, read)
    assert again.pages == []


def test_a_robots_txt_without_sitemaps_is_said():
    found = from_robots("User-agent: *\nDisallow:\n", "https://dailyview.net/robots.txt", DAILYVIEW, set())
    assert found.pages == [] and counts(found.events)["discovery/robots_no_sitemap"] == 1


def test_robots_sitemaps_is_off_unless_a_profile_asks():
    assert all(not get_profile(k).discovery.robots_sitemaps for k in ("dailyview", "yonhap", "kbs"))
    profile = profile_from_dict({"key": "r", "name": "r", "domains": ["r.example"], "article_urls": ["."],
                                 "discovery": {"robots_sitemaps": True}})
    assert profile.discovery.robots_sitemaps


# -- nights --------------------------------------------------------------------------------------------
def _site(folder: Path, responses: list[tuple[str, bytes, str]]) -> Path:
    """A fixture folder built at test time: (url, body, content type) per response."""
    folder.mkdir(parents=True)
    entries = []
    for i, (url, body, content_type) in enumerate(responses):
        (folder / f"r{i}").write_bytes(body)
        entries.append(f'[[response]]\nurl = "{url}"\nfile = "r{i}"\ncontent_type = "{content_type}"\n')
    (folder / "site.toml").write_text("\n".join(entries), encoding="utf-8")
    return folder


def _articles(numbers) -> list[tuple[str, bytes, str]]:
    return [(f"https://dailyview.net/article/{n}/", article_page(n).encode(), "text/html; charset=UTF-8")
            for n in numbers]


def _night(tmp_path: Path, args: list[str], responses, **kwargs):
    warc = tmp_path / "night.warc.gz"
    build_warc(warc, [_site(tmp_path / "site", responses)])
    return crawl(args, tmp_path, warc=warc, settings={"NEWSCRAWL_MAX_AGE_DAYS": "0"}, **kwargs)


def test_a_night_on_a_feed_with_a_bare_ampersand_exports_its_articles(tmp_path):
    result = _night(tmp_path, ["news", "-a", "feed=https://dailyview.net/feed/"], [
        ("https://dailyview.net/feed/", BARE_AMP_FEED.encode(), "application/rss+xml"),
        *_articles([1]),
        ("https://dailyview.net/article/2/?from=rss&utm_source=feed", article_page(2).encode(), "text/html"),
    ])
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(r["url"] for r in result.records) == ["https://dailyview.net/article/1/",
                                                        "https://dailyview.net/article/2/"]
    assert result.stats["newscrawl/discovery/feed_repaired"] == 1


def test_a_night_on_a_feed_that_is_no_feed_fails_loudly(tmp_path):
    result = _night(tmp_path, ["news", "-a", "feed=https://dailyview.net/feed/"], [
        ("https://dailyview.net/feed/", b"<html><body>maintenance</body></html>", "text/html")])
    assert result.returncode == 3 and result.records == []
    assert "Run OK" not in result.stderr
    assert "no feed, sitemap or listing page could be used" in result.verdict["reasons"]


def test_a_night_on_gzipped_sitemaps_exports_their_articles(tmp_path):
    gz = "application/x-gzip"  # served as a file, not with Content-Encoding: the body stays gzipped
    result = _night(tmp_path, ["news", "-a", "sitemap=https://dailyview.net/sitemap.xml.gz"], [
        ("https://dailyview.net/sitemap.xml.gz", gzip.compress(index(
            ["https://dailyview.net/sitemap-1.xml.gz"]).encode()), gz),
        ("https://dailyview.net/sitemap-1.xml.gz", gzip.compress(urlset(
            [f"https://dailyview.net/article/{n}/" for n in (1, 2, 3)]).encode()), gz),
        *_articles([1, 2, 3]),
    ])
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.records) == 3 and result.stats["newscrawl/discovery/sources_ok"] == 2


def test_a_night_on_a_gzip_bomb_fails_loudly(tmp_path):
    bomb = gzip.compress(b"<urlset>" + b" " * (51 * 1024 * 1024) + b"</urlset>")
    result = _night(tmp_path, ["news", "-a", "sitemap=https://dailyview.net/sitemap.xml.gz"], [
        ("https://dailyview.net/sitemap.xml.gz", bomb, "application/x-gzip")])
    assert result.returncode == 3 and result.records == []
    assert result.stats["newscrawl/discovery/gzip_bomb"] == 1


ROBOTS_PROFILE = """key = "robotsite"
name = "A site whose sitemaps only robots.txt names"
domains = ["dailyview.net"]
article_urls = ['^https://dailyview\\.net/article/\\d+/$']
[discovery]
robots_sitemaps = true
feeds = ["https://dailyview.net/feed/"]
"""


def test_a_profile_night_follows_the_sitemaps_robots_txt_names(tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "robotsite.toml").write_text(ROBOTS_PROFILE, encoding="utf-8")
    result = _night(tmp_path, ["robotsite"], [
        # the feed is broken beyond repair; the sitemap robots.txt names still finds the articles
        ("https://dailyview.net/feed/", b"<html>gone</html>", "text/html"),
        ("https://dailyview.net/robots.txt", b"User-agent: *\nDisallow: /wp-admin/\n"
                                             b"Sitemap: https://dailyview.net/news.xml.gz\n", "text/plain"),
        ("https://dailyview.net/news.xml.gz", gzip.compress(urlset(
            ["https://dailyview.net/article/4/", "https://dailyview.net/article/5/"]).encode()), "application/gzip"),
        *_articles([4, 5]),
    ], env={"NEWSCRAWL_EXTRA_PROFILES": str(tmp_path / "profiles")})
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(r["url"] for r in result.records) == ["https://dailyview.net/article/4/",
                                                        "https://dailyview.net/article/5/"]
    assert result.stats["newscrawl/discovery/robots_sitemaps"] == 1
    assert result.stats["newscrawl/discovery/bad_feed"] == 1
    # one usable source of two: a broken feed is an error, within the error ratio here
    assert result.verdict["summary"]["sources_ok"] == 1
