"""The pieces behind the bad-input handling, in-process (issue 7; the crawls are in test_bad_*.py):
no false alarm on any real fixture page, the parsers of hostile values, the linear markup scan.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from lxml import etree
from newscrawl.discovery.xml import UnsafeXML, parse_xml
from newscrawl.extract.guards import repair_mojibake, scan_markup, sniff_not_html, wall_kind
from newscrawl.page import ArticlePage, PageInputs
from newscrawl.middlewares.retry_after import parse_retry_after
from newscrawl.middlewares.transport import transport_reason
from newscrawl.replay.build import fixture_responses
from newscrawl.sites import all_profiles
from tests.fixtures.bad.pages import mojibake
from tests.helpers import SITE_FIXTURES


def _fixture_articles():
    for key, profile in sorted(all_profiles().items()):
        folder = SITE_FIXTURES / key
        if not (folder / "site.toml").exists():
            continue
        for served in fixture_responses(folder):
            content_type = dict((k.lower(), v) for k, v in served.headers).get("content-type", "")
            if served.status == 200 and "html" in content_type and profile.is_article_url(served.url):
                yield profile, PageInputs(served.url, served.body, {"content-type": content_type})


# the events a guard gives when it fires: none may fire on a real page
GUARD_EVENTS = ("article/", "encoding/redecoded", "encoding/invalid_bytes", "encoding/bom", "encoding/mojibake",
                "html/second_html", "extract/title_is_site_name", "extract/fallback", "extract/none")


def test_no_guard_fires_on_any_real_fixture_article():
    pages = list(_fixture_articles())
    assert len(pages) >= 20
    for profile, inputs in pages:
        assert sniff_not_html(inputs.body, inputs.content_type) is None, inputs.url
        result = ArticlePage(inputs, profile).to_item()
        assert result.item is not None and result.skipped is None, (inputs.url, result.events)
        fired = [e.name for e in result.events if e.name.startswith(GUARD_EVENTS)]
        assert fired == [], (inputs.url, fired)


def test_a_page_without_its_end_tags_is_whole_but_a_page_cut_mid_way_is_not():
    whole = "<html><head><title>t</title></head><body><div><p>本文です。</p></div>\n<script>x()</script>\n"
    assert not scan_markup(whole).truncated  # many real pages omit </body></html>
    assert not scan_markup(whole + "<!-- end -->").truncated
    assert not scan_markup("<html><body><p>本文です。</p><br>").truncated
    for cut in ("<html><body><p>本文の途中で", "<html><body><div class=\"main\">", "<html><body><div cla"):
        assert scan_markup(cut).truncated, cut


# -- mojibake ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("title", ["韓国選管、期日前投票所を3600カ所に拡充へ", "BTSのジン、ソロ曲「Astronaut」公開",
                                   "ソウル 2025年 第1四半期 GDP +0.6%"])
def test_double_and_triple_encoded_titles_are_repaired(title):
    assert repair_mojibake(mojibake(title)) == (title, "repaired")
    assert repair_mojibake(mojibake(mojibake(title))) == (title, "repaired")
    mixed = "【速報】" + mojibake(title)  # mojibake next to good text
    assert repair_mojibake(mixed) == ("【速報】" + title, "repaired")


@pytest.mark.parametrize("title", ["Pokémon Café — “quoted” 2025", "Beyoncé’s ½ time show", "naïve résumé",
                                   "韓国選管、期日前投票所を拡充へ", "Ã la carte"])
def test_clean_titles_are_left_alone(title):
    assert repair_mojibake(title) == (title, None)


def test_mojibake_with_lost_bytes_is_reported_broken():
    lost = "".join("?" if "\x80" <= c <= "\x9f" else c for c in mojibake("韓国選管が日程発表"))
    assert repair_mojibake(lost) == (lost, "broken")


# -- walls -----------------------------------------------------------------------------------------------
def test_a_short_article_that_mentions_members_only_is_not_a_wall():
    text = "人気グループのファンクラブ会員限定イベントが10日、ソウルで開かれた。メンバーはファンと交流した。"
    assert wall_kind(text) is None
    assert wall_kind("この記事は有料会員限定です。続きを読むにはログインしてください。") == "login"
    assert wall_kind("当サイトはCookieを使用しています。同意するとCookieの使用に同意したものとみなします。") == "consent"
    assert wall_kind("有料会員限定。続きを読むにはログインしてください。" + "本文。" * 300) is None  # long: an article


# -- markup ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("hostile", [
    "<a" * 1_000_000,  # tags that never close their "<": each scan step stops at the next "<"
    "<!--" + "<div>" * 100_000,  # an unterminated comment
    "<script>" + "<div>" * 100_000,  # an unterminated script
    "<div " + "x=1 " * 200_000,  # an unterminated tag
])
def test_markup_scan_is_linear_on_hostile_input(hostile):
    markup = scan_markup(hostile)  # would not return for minutes if the scan backtracked
    assert not markup.too_deep


def test_markup_scan_sees_depth_truncation_and_documents():
    assert scan_markup("<div>" * 300 + "</div>" * 300).too_deep
    assert not scan_markup("<div>" * 200 + "</div>" * 200).too_deep
    assert scan_markup("<html><body><p>text").truncated
    assert not scan_markup("<p>a fragment without html tags").truncated
    assert not scan_markup("<html><body><script>document.write('</body>')</script></body></html>").truncated
    assert scan_markup("<html><body></body></html><html><body></body></html>").second_html
    assert scan_markup("<html><body><div><div><p>x</p></body></html>").unclosed == 2


# -- hostile values --------------------------------------------------------------------------------------
def test_retry_after_values():
    now = datetime(2025, 12, 5, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after(b"120", now) == 120
    assert parse_retry_after(b"Fri, 05 Dec 2025 12:00:30 GMT", now) == 30
    assert parse_retry_after(b"Fri, 05 Dec 2025 11:00:00 GMT", now) == 0  # in the past: at once
    for bad in (None, b"", b"soon", b"-5", b"1.5", b"Fri, 99 Foo 2025"):
        assert parse_retry_after(bad, now) is None


def test_transport_reasons():
    from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, ResponseDataLossError
    from twisted.internet.error import ConnectionRefusedError, DNSLookupError

    assert transport_reason(DownloadTimeoutError("took longer")) == "timeout"
    assert transport_reason(DownloadCancelledError("Expected to receive 3 bytes which is larger than download "
                                                   "max size (2)")) == "too_big"
    assert transport_reason(ResponseDataLossError()) == "data_loss"
    assert transport_reason(ConnectionRefusedError()) == "connection_refused"
    assert transport_reason(DNSLookupError()) == "dns"
    assert transport_reason(ValueError("x")) == "ValueError"


# -- XML -------------------------------------------------------------------------------------------------
def test_entity_declarations_are_refused_wherever_the_doctype_is(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-XML", encoding="utf-8")
    xxe = (f'<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]><rss><channel><title>&x;</title>'
           "</channel></rss>").encode()
    for prolog in (b"", b'<?xml version="1.0"?>', b'<?xml version="1.0"?><!--' + b"-" * 100_000 + b"-->",
                   b"\n" * 100_000):
        with pytest.raises(UnsafeXML):
            parse_xml(prolog + xxe)
    # and below that check, the parser itself resolves nothing: no file is read
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.fromstring(xxe, parser=parser)
    assert "SECRET-XML" not in etree.tostring(root, encoding="unicode")
