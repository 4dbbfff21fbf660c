"""The title: the headline a reader sees, without the site's name around it."""

from __future__ import annotations

import pytest
from parsel import Selector

from newscrawl.extract.metadata import read_metadata
from newscrawl.extract.title import choose_title, strip_site_names
from newscrawl.sites import generic_profile, get_profile


def title_of(head: str, body: str = "", host: str = "example.jp", selector_title=None, profile=None) -> str | None:
    sel = Selector(text=f"<html><head>{head}</head><body>{body}</body></html>")
    return choose_title(selector_title, read_metadata(sel), sel.root, profile or generic_profile(host))


@pytest.mark.parametrize("og, site, expected", [
    ("韓国で新たな経済対策 - 産経ニュース", "産経ニュース", "韓国で新たな経済対策"),
    ("韓国で新たな経済対策：朝日新聞デジタル", "朝日新聞デジタル", "韓国で新たな経済対策"),
    ("韓国で新たな経済対策｜日テレNEWS", "日テレNEWS", "韓国で新たな経済対策"),
    ("TechCrunch | 2005 Zuckerberg Didn’t Want To Take Over The World", "TechCrunch",
     "2005 Zuckerberg Didn’t Want To Take Over The World"),
    ("【速報】韓国で新たな経済対策 | 聯合ニュース", "聯合ニュース", "【速報】韓国で新たな経済対策"),  # kickers stay
])
def test_the_site_name_goes_from_the_og_title(og, site, expected):
    head = f"<meta property='og:title' content='{og}'><meta property='og:site_name' content='{site}'>"
    assert title_of(head) == expected


def test_a_heading_that_is_the_title_without_an_unknown_site_name_wins():
    head = "<meta property='og:title' content='韓国で新たな経済対策 | ソウル経済新聞'>"
    assert title_of(head, "<h1>ソウル経済新聞</h1><h1>韓国で新たな経済対策</h1>") == "韓国で新たな経済対策"


def test_without_metadata_the_page_title_is_matched_to_a_heading():
    assert title_of("<title>Intel NUCで最新SSDを比較してみた：さらば平成 - ITmedia PC USER</title>",
                    "<h1>Intel NUCで最新SSDを比較してみた：さらば平成</h1>") == "Intel NUCで最新SSDを比較してみた：さらば平成"
    # the heading carries a mark the <title> has not
    assert title_of("<title>高木浩光＠自宅の日記 - 改正NICT法がプチ炎上、初期パスワードの話</title>",
                    "<h1>高木浩光＠自宅の日記</h1><h3>■ 改正NICT法がプチ炎上、初期パスワードの話</h3>") \
        == "■ 改正NICT法がプチ炎上、初期パスワードの話"
    # a heading written a little differently from the <title>
    assert title_of("<title>新聞ストッカーは引越しにも使える！ 新聞も家具も簡単に固定 | ライフハッカー</title>",
                    "<h1>新聞ストッカーは引越しにも使える！ 家具の固定も簡単</h1>") == "新聞ストッカーは引越しにも使える！ 家具の固定も簡単"


def test_without_a_heading_the_segment_naming_the_host_goes():
    assert title_of("<title>ツリーを描画できる「Treeviz」:phpspot開発日誌</title>", host="phpspot.org") \
        == "ツリーを描画できる「Treeviz」"
    assert title_of("<title>ツリーを描画できる「Treeviz」 | phpspot開発日誌</title>", host="phpspot.org") \
        == "ツリーを描画できる「Treeviz」"


def test_a_profiles_selector_title_comes_first_with_its_suffixes_stripped():
    assert title_of("<meta property='og:title' content='別の題'>", selector_title="記事の題 | 聯合ニュース",
                    profile=get_profile("yonhap")) == "記事の題"


def test_strip_site_names_needs_a_separator():
    assert strip_site_names("産経ニュースの記者が見た韓国", ["産経ニュース"]) == "産経ニュースの記者が見た韓国"


def test_no_title_anywhere_is_none():
    assert title_of("", "<p>本文だけ。</p>") is None


def test_a_segment_naming_the_site_in_other_words_goes():
    head = ("<meta property='og:title' content='韓国で新たな経済対策｜朝日新聞デジタル'>"
            "<meta property='og:site_name' content='朝日新聞デジタル：朝日新聞社のニュースサイト'>")
    assert title_of(head) == "韓国で新たな経済対策"
