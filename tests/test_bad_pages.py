"""Bad input over replayed responses: broken encodings, broken HTML, hostile pages, redirects,
bad feeds and sitemaps - one night of the generic `news` spider over a site where everything
goes wrong at once (issue 7; the table is docs/bad-input.md).

For each case: the night goes on (the good articles of the same night are exported), the
case has its counter under ``newscrawl/`` and its log line, and no wrong record is exported.
"""

from __future__ import annotations

import json

import pytest

from tests.fixtures.bad.pages import (
    PARA_SUPERSET, PARAS, SITE, TITLE, Served, body_text, depth_bomb, mojibake, page, write_warc,
)
from newscrawl.page import ArticlePage, PageInputs, names
from newscrawl.sites import resolve_profile
from tests.helpers import crawl, schema_errors

A = f"{SITE}/news"
SECRET = "NEWSCRAWL-SECRET-7f3a"  # in a local file that feeds try to read: must never surface


def _url(n: int) -> str:
    return f"{A}/{n}/"


def _feed(*links: str) -> bytes:
    items = "".join(f"<item><title>t</title><link>{link}</link></item>" for link in links)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>ハングルタイムズ</title>'
            f"<link>{SITE}/</link>{items}</channel></rss>").encode()


def _sitemap_index(*children: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{c}</loc></sitemap>" for c in children)
    return (b'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            b'sitemap/0.9">' + entries.encode() + b"</sitemapindex>")


def _urlset(*urls: str) -> bytes:
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return (b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + entries.encode() + b"</urlset>")


CONSENT = ('<div class="cmp-wall"><h2>Cookieの使用について</h2><p>当サイトでは、サービスの向上と広告配信のために'
           "Cookieを使用しています。「同意する」をクリックすると、Cookieの使用に同意したものとみなされます。"
           "詳しくはプライバシーポリシーをご覧ください。</p><button>同意する</button><button>設定を変更</button></div>")
LOGIN = ('<div class="paywall"><p class="lead">' + PARAS[0] + "</p><p>この記事は有料会員限定です。"
         "続きを読むには、ログインまたは会員登録（無料）をしてください。</p>"
         '<form action="/login" method="post"><label>メールアドレス</label><input type="email" name="email">'
         '<label>パスワード</label><input type="password" name="password"><button type="submit">ログイン</button>'
         '</form><p><a href="/register">新規会員登録はこちら</a></p></div>')
# a title double-encoded by the CMS (UTF-8 read as windows-1252, stored as UTF-8 again)
MOJIBAKE_TITLE = "韓国選管、期日前投票所を3600カ所に拡充へ"
SECOND_DOC = "<html><body><p>広告</p></body></html>"  # a whole document pasted into the <head>
GLUED_PARAS = ["これは後ろに貼り付けられた別のページの本文です。選挙とは関係のない話題について長く書かれている。"] * 3


def _cases(tmp) -> list[Served]:
    secret_file = tmp / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    u = _url
    invalid = page(u(1107)).encode("utf-8")
    cut = invalid.find("在外投票".encode())
    invalid = invalid[:cut] + b"\xff\xfe" + invalid[cut:]  # two bytes that are not UTF-8
    unclosed = ('<div class="lead"><p>' + "<p>".join(PARAS) + "<div><b>")  # no </p>, </div>, </b>
    return [
        # -- controls: ordinary pages of the same night
        Served.html(u(1000), page(u(1000))),
        Served.html(u(1001), page(u(1001))),
        Served.html(u(1002), page(u(1002))),
        Served.html(u(1003), page(u(1003))),
        # -- encoding
        Served.html(u(1101), page(u(1101), charset="Shift_JIS", paras=PARAS + [PARA_SUPERSET]),
                    encoding="cp932", content_type="text/html; charset=Shift_JIS"),
        Served.html(u(1102), page(u(1102), charset="EUC-JP", paras=PARAS + [PARA_SUPERSET]),
                    encoding="euc_jis_2004", content_type="text/html; charset=EUC-JP"),
        Served.html(u(1103), page(u(1103), charset="Shift_JIS"), encoding="shift_jis",
                    content_type="text/html; charset=UTF-8"),
        Served.html(u(1104), page(u(1104), charset="EUC-JP"), encoding="euc_jp",
                    content_type="text/html; charset=ISO-8859-1"),
        Served.html(u(1105), page(u(1105), charset="UTF-8"), encoding="utf-8",
                    content_type="text/html; charset=Shift_JIS"),
        Served.html(u(1106), page(u(1106), title="\ufeff" + TITLE), prefix=b"\xef\xbb\xbf",
                    content_type="text/html; charset=Shift_JIS"),
        Served(u(1107), invalid, 200, [("Content-Type", "text/html; charset=UTF-8")]),
        Served.html(u(1108), page(u(1108), title=mojibake(MOJIBAKE_TITLE))),
        Served.html(u(1109), page(u(1109), title="".join("?" if "\x80" <= c <= "\x9f" else c
                                                            for c in mojibake(MOJIBAKE_TITLE)))),
        # -- HTML
        Served.html(u(1201), page(u(1201))[:page(u(1201)).index("高齢者の多い")]),
        Served.html(u(1202), page(u(1202), body=unclosed).replace("</head>", "</head>" + SECOND_DOC, 1)),
        Served.html(u(1203), page(u(1203)) + page(u(1299), title="別の記事", paras=GLUED_PARAS)),
        Served(u(1204), b"", 200, [("Content-Type", "text/html; charset=UTF-8")]),
        Served.html(u(1205), page(u(1205), body=CONSENT)),
        Served.html(u(1206), page(u(1206), body=LOGIN)),
        Served.html(u(1207), page(u(1207), date=None)),
        Served.html(u(1208), page(u(1208), date="2025年13月45日")),
        Served.html(u(1209), page(u(1209), title="").replace("<title> | ハングルタイムズ</title>",
                                                            "<title>ハングルタイムズ</title>")
                    .replace('<meta property="og:title" content=" | ハングルタイムズ">', "")
                    .replace('"headline": "",', "").replace('<h1 class="entry-title"></h1>', "")),
        Served.html(u(1210), page(u(1210), body=depth_bomb(5 * 1024 * 1024))),
        Served(u(1211), b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n", 200,
               [("Content-Type", "application/pdf")]),
        Served(u(1212), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), 200,
               [("Content-Type", "text/html; charset=UTF-8")]),
        Served(u(1213), b'{"error": "not found", "code": 404}', 200, [("Content-Type", "application/json")]),
        Served.html(u(1214), page(u(1214), paras=PARAS * 12000)),  # 9 MB: over NEWSCRAWL_MAX_PAGE_BYTES
        # -- redirects (replayed as served: Scrapy's RedirectMiddleware follows them as live)
        Served.redirect(u(1301), "https://www.hangul-times.test/news/1301/"),
        Served.html("https://www.hangul-times.test/news/1301/", page(u(1301))),
        Served.redirect(u(1302), "https://other.test/news/1302/", 302),
        Served.html("https://other.test/news/1302/", page("https://other.test/news/1302/")),
        Served.redirect(u(1303), u(1304)),
        Served.redirect(u(1304), u(1303)),
        Served.redirect(u(1305), u(1305), 302),
        Served.html(u(1306), page(u(1306), head_extra='<meta http-equiv="refresh" content="0; '
                                                      'url=https://other.test/promo/">')),
        Served.html("https://other.test/promo/", page("https://other.test/promo/", title="広告ページ")),
        # -- feeds and sitemaps
        Served(f"{SITE}/feed/", _feed(u(1001), "https://other.test/news/9/", "https://hangul-times.test.evil.test/news/9/",
                                      f"file://{secret_file}", "javascript:alert(1)"),
               200, [("Content-Type", "application/rss+xml; charset=UTF-8")]),
        Served("https://other.test/news/9/", page("https://other.test/news/9/").encode(), 200,
               [("Content-Type", "text/html; charset=UTF-8")]),
        Served.html(f"{SITE}/feed-html/", page(f"{SITE}/feed-html/")),
        Served(f"{SITE}/feed-lol/", (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                       for i in range(1, 10))
            + b']><rss version="2.0"><channel><title>&lol9;</title></channel></rss>'),
            200, [("Content-Type", "application/rss+xml")]),
        Served(f"{SITE}/feed-xxe/", (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://' + str(secret_file).encode()
            + b'">]><rss version="2.0"><channel><title>&xxe;</title><item><link>' + u(1003).encode()
            + b"</link><title>&xxe;</title></item></channel></rss>"), 200, [("Content-Type", "application/rss+xml")]),
        Served(f"{SITE}/feed-xxe-padded/", (
            b'<?xml version="1.0"?><!--' + b" " * 70_000 + b'--><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://'
            + str(secret_file).encode() + b'">]><rss version="2.0"><channel><item><link>' + u(1003).encode()
            + b"</link><title>&xxe;</title></item></channel></rss>"), 200, [("Content-Type", "application/rss+xml")]),
        Served(f"{SITE}/sitemap.xml", _sitemap_index(f"{SITE}/sitemap.xml", f"{SITE}/sitemap-a.xml"), 200,
               [("Content-Type", "application/xml")]),
        Served(f"{SITE}/sitemap-a.xml", _sitemap_index(f"{SITE}/sitemap.xml", f"{SITE}/sitemap-posts.xml"), 200,
               [("Content-Type", "application/xml")]),
        Served(f"{SITE}/sitemap-posts.xml", _urlset(u(1002)), 200, [("Content-Type", "application/xml")]),
    ]


ARTICLES = [1000, 1101, 1102, 1103, 1104, 1105, 1106, 1107, 1108, 1109, 1201, 1202, 1203, 1204, 1205, 1206,
            1207, 1208, 1209, 1210, 1211, 1212, 1213, 1214, 1301, 1302, 1303, 1305, 1306]
FEEDS = ["feed", "feed-html", "feed-lol", "feed-xxe", "feed-xxe-padded"]


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad-night")
    warc = write_warc(tmp / "bad.warc.gz", _cases(tmp))
    secret_feed = tmp / "secret-feed.xml"  # a local file a feed=file:// argument points at
    secret_feed.write_bytes(_feed(_url(1003)))
    urls = tmp / "urls.txt"
    urls.write_text("\n".join(_url(n) for n in ARTICLES) + "\n", encoding="utf-8")
    feeds = ",".join(f"{SITE}/{name}/" for name in FEEDS)
    result = crawl(["news", "-a", f"urls_file={urls}", "-a", f"feed={feeds}", "-a", f"sitemap={SITE}/sitemap.xml"],
                   tmp, warc=warc, settings={"NEWSCRAWL_MAX_AGE_DAYS": "0"}, timeout=180)
    return result


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> dict[str, Served]:
    return {case.url: case for case in _cases(tmp_path_factory.mktemp("served"))}


def events(served, n: int) -> list[str]:
    """The page object's events for article n: the same code the crawl runs, per URL (the crawl's stats
    are totals)."""
    case = served[_url(n)]
    headers = {k.lower(): v for k, v in case.headers}
    page = ArticlePage(PageInputs(case.url, case.body, headers), resolve_profile("news", case.url))
    return names(page.to_item().events)


def stat(night, key: str) -> int:
    return int(night.stats.get(f"newscrawl/{key}", 0))


def record(night, n: int) -> dict | None:
    return night.by_url.get(_url(n))


# -- the night as a whole ------------------------------------------------------------------------------
def test_the_night_goes_on_and_exports_only_valid_records(night):
    assert night.stats.get("finish_reason") == "finished", night.stderr[-3000:]
    assert "Traceback" not in night.stderr, night.stderr[-3000:]
    for n in (1000, 1001, 1002):  # the ordinary pages of the night: whatever else broke
        assert record(night, n)["body"] == body_text(), n
    for rec in night.records:
        assert not schema_errors(rec), (rec["url"], schema_errors(rec))
        assert "\ufffd" not in rec["title"] and "\ufeff" not in rec["title"] + rec["body"]
    assert not [r["url"] for r in night.records if "other.test" in r["url"] or "evil" in r["url"]]
    assert SECRET not in night.stderr + json.dumps(night.records, ensure_ascii=False)


# -- encoding ------------------------------------------------------------------------------------------------
def test_shift_jis_with_a_right_header_keeps_the_windows_characters(night):
    rec = record(night, 1101)
    assert rec["title"] == TITLE and rec["body"] == body_text(PARAS + [PARA_SUPERSET])
    assert stat(night, "encoding/charset/cp932") >= 1


def test_euc_jp_with_a_right_header_keeps_circled_numbers(night, served):
    rec = record(night, 1102)
    assert rec["body"] == body_text(PARAS + [PARA_SUPERSET])  # ① and ㈱: no U+FFFD
    assert stat(night, "encoding/charset/euc_jis_2004") >= 1
    assert "encoding/redecoded" in events(served, 1102) and "encoding/charset/euc_jis_2004" in events(served, 1102)


def test_header_utf8_over_shift_jis_bytes_is_redecoded(night, served):
    rec = record(night, 1103)
    assert rec["title"] == TITLE and rec["body"] == body_text()
    assert {"encoding/redecoded", "encoding/charset/shift_jis"} <= set(events(served, 1103))


def test_meta_charset_contradicting_the_header(night, served):
    # ISO-8859-1 decodes anything without a U+FFFD: only the meta and the bytes tell
    assert record(night, 1104)["title"] == TITLE and record(night, 1104)["body"] == body_text()
    assert {"encoding/redecoded", "encoding/charset/euc_jp"} <= set(events(served, 1104))
    # a Shift_JIS header over UTF-8 bytes (the meta says UTF-8)
    assert record(night, 1105)["title"] == TITLE and record(night, 1105)["body"] == body_text()
    assert "encoding/redecoded" in events(served, 1105) and not any(
        e.startswith("encoding/charset/") for e in events(served, 1105))  # decoded as UTF-8
    assert stat(night, "encoding/redecoded") >= 4


def test_byte_order_marks_are_removed(night, served):
    rec = record(night, 1106)
    assert rec["title"] == TITLE and rec["body"] == body_text()
    assert stat(night, "encoding/bom") >= 1
    assert "encoding/bom" in events(served, 1106)


def test_a_few_invalid_bytes_are_replaced_and_the_article_kept(night):
    rec = record(night, 1107)
    assert rec is not None and rec["title"] == TITLE
    assert rec["body"].count("\ufffd") in (1, 2) and rec["body"].replace("\ufffd", "") == body_text()
    assert stat(night, "encoding/invalid_bytes") >= 1


def test_mojibake_title_is_repaired_or_dropped(night, served):
    assert record(night, 1108)["title"] == MOJIBAKE_TITLE
    assert stat(night, "encoding/mojibake_repaired") == 1
    assert "encoding/mojibake_repaired" in events(served, 1108)
    # bytes lost ("?" where the C1 bytes were): cannot be undone, the record goes (no title)
    assert record(night, 1109) is None
    assert stat(night, "encoding/mojibake_title") == 1
    assert "encoding/mojibake_title" in events(served, 1109)


# -- HTML ------------------------------------------------------------------------------------------------------
def test_truncated_page_is_not_exported(night, served):
    assert record(night, 1201) is None
    assert stat(night, "article/truncated") == 1
    assert events(served, 1201)[-1] == "article/truncated"


def test_unclosed_tags_and_a_second_html_document(night, served):
    # a document pasted into the <head>: libxml2 drops everything after its </html> - the whole article
    rec = record(night, 1202)
    assert rec is not None and rec["body"] == body_text(), rec
    assert stat(night, "html/second_html") >= 1 and stat(night, "html/unclosed") >= 1
    assert {"html/second_html", "html/unclosed"} <= set(events(served, 1202))


def test_two_pages_glued_together_give_the_first(night):
    rec = record(night, 1203)
    assert rec["title"] == TITLE and rec["body"] == body_text()
    assert stat(night, "html/second_html") >= 2


def test_empty_200_is_skipped(night, served):
    assert record(night, 1204) is None
    assert stat(night, "article/empty") == 1
    assert events(served, 1204) == ["article/empty"]


def test_consent_wall_and_login_box_are_not_articles(night, served):
    assert record(night, 1205) is None and record(night, 1206) is None
    assert stat(night, "article/consent_wall") == 1 and stat(night, "article/login_wall") == 1
    assert events(served, 1205)[-1] == "article/consent_wall" and events(served, 1206)[-1] == "article/login_wall"


def test_no_date_gives_null_and_is_counted(night):
    for n in (1207, 1208):  # none at all; "2025年13月45日"
        rec = record(night, n)
        assert rec["published_at"] is None and rec["body"] == body_text(), n
    assert stat(night, "items/missing_published_at") == 2


def test_no_title_is_dropped_with_its_reason(night, served):
    # the only "title" left is <title>ハングルタイムズ</title>: the site's name, not a headline
    assert record(night, 1209) is None
    assert stat(night, "extract/title_is_site_name") == 1
    assert stat(night, "dropped/no_title") >= 2  # 1209, and 1109 (mojibake beyond repair)
    assert "extract/title_is_site_name" in events(served, 1209)


def test_depth_bomb_is_refused_before_parsing(night, served):
    assert record(night, 1210) is None
    assert stat(night, "article/too_deep") == 1
    assert events(served, 1210) == ["article/too_deep"]  # refused before any parse


def test_non_html_at_an_article_url(night, served):
    for n in (1211, 1212, 1213):  # a PDF; PNG bytes said to be text/html; a JSON error body
        assert record(night, n) is None
    assert stat(night, "article/not_html") == 3
    assert stat(night, "article/not_html/png") == 1 and stat(night, "article/not_html/json") == 1
    assert events(served, 1212) == ["article/not_html/png", "article/not_html"]


def test_page_over_the_size_limit_is_not_parsed(night, served):
    assert record(night, 1214) is None
    assert stat(night, "article/too_large") == 1
    assert events(served, 1214) == ["article/too_large"]


# -- redirects --------------------------------------------------------------------------------------------------
def test_redirect_within_the_site_is_followed(night):
    assert record(night, 1301)["body"] == body_text()


def test_redirect_to_another_domain_is_not_followed(night):
    assert record(night, 1302) is None and "https://other.test/news/1302/" not in night.by_url
    assert stat(night, "http/redirect_offsite") == 2  # the 302, and the <meta refresh> of 1306
    assert stat(night, "ignored/article/OffsiteRedirect") == 1
    # the page with the refresh is parsed as it is; the other site is never asked
    assert record(night, 1306)["body"] == body_text()
    assert "other.test/promo" not in {r["url"] for r in night.records}


def test_redirect_loop_is_stopped_and_counted(night):
    assert record(night, 1303) is None and record(night, 1305) is None
    assert stat(night, "http/redirect_loop") == 2  # 1303 -> 1304 -> 1303, and 1305 -> 1305
    assert stat(night, "ignored/article/RedirectLoop") == 2


# -- feeds and sitemaps -----------------------------------------------------------------------------------------
def test_feed_that_is_not_xml(night):
    assert stat(night, "discovery/bad_feed") == 1


def test_billion_laughs_and_external_entities_are_refused(night):
    assert stat(night, "discovery/unsafe_xml") == 3  # lol, xxe, and xxe behind 70 KB of comment
    assert record(night, 1003) is None  # only the refused feeds (and the local file) list it
    assert SECRET not in night.stderr


def test_sitemap_index_pointing_to_itself(night):
    assert stat(night, "discovery/sitemap_loop") == 2  # sitemap.xml lists itself; sitemap-a.xml lists it again
    assert record(night, 1002) is not None  # the real sitemap under them is read


def test_feed_links_to_other_domains_and_local_files(night):
    assert stat(night, "discovery/offsite") == 2  # other.test, hangul-times.test.evil.test
    assert stat(night, "discovery/refused_scheme") == 2  # file://, javascript:
    assert record(night, 1001) is not None
    assert "https://other.test/news/9/" not in night.by_url
    assert stat(night, "offsite/filtered") == 0  # refused as links: no request was even made


def test_file_url_given_as_a_feed_is_a_usage_error(tmp_path):
    secret_feed = tmp_path / "secret-feed.xml"
    secret_feed.write_bytes(_feed(_url(1003)).replace(b"<title>", f"<title>{SECRET}".encode(), 1))
    result = crawl(["news", "-a", f"feed={SITE}/feed/,file://{secret_feed}"], tmp_path,
                   warc=write_warc(tmp_path / "a.warc.gz", [Served.html(_url(1003), page(_url(1003)))]))
    assert result.returncode == 2 and result.records == [] and result.stats == {}
    lines = [line for line in result.stderr.splitlines() if line.startswith("newscrawl:")]
    assert len(lines) == 1 and "file://" in lines[0] and "Traceback" not in result.stderr
    assert SECRET not in result.stderr
