"""Canonical article URLs: the table users expect."""

from __future__ import annotations

import pytest

from newscrawl.sites import get_profile
from newscrawl.urls import canonical_url, choose_canonical

CASES = [
    # (site key or None for a site without profile, URL as found, canonical)
    ("joongang", "https://japanese.joins.com/JArticle/314429?sectcode=A10&servcode=A00",
     "https://japanese.joins.com/JArticle/314429"),
    ("joongang", "https://s.japanese.joins.com/JArticle/314429?servcode=A00&sectcode=A10",
     "https://japanese.joins.com/JArticle/314429"),
    ("chosun", "http://ekr.chosunonline.com/site/data/html_dir/2025/12/05/2025120580012.html",
     "https://www.chosunonline.com/site/data/html_dir/2025/12/05/2025120580012.html"),
    ("wowkorea", "https://s.wowkorea.jp/news/enter/2025/1205/10512345.html#top",
     "https://www.wowkorea.jp/news/enter/2025/1205/10512345.html"),
    ("kbs", "http://world.kbs.co.kr/service/news_view.htm?lang=j&Seq_Code=512345&utm_source=rss",
     "https://world.kbs.co.kr/service/news_view.htm?lang=j&Seq_Code=512345"),
    ("kstyle", "https://www.kstyle.com/article.ksn?articleNo=2301234&fbclid=IwAR0abc",
     "https://www.kstyle.com/article.ksn?articleNo=2301234"),
    ("danmee", "https://danmee.jp/?p=81709&utm_medium=social&gclid=xyz",
     "https://danmee.jp/?p=81709"),
    ("yonhap", "https://jp.yna.co.kr:443/view/AJP20251205001800882?input=1195m",
     "https://jp.yna.co.kr/view/AJP20251205001800882"),
    ("dailyview", "https://dailyview.net/article/41235/amp/", "https://dailyview.net/article/41235/"),
    ("dailyview", "https://www.dailyview.net/article/41235/#respond", "https://dailyview.net/article/41235/"),
    (None, "https://example.jp/news/index.html?utm_campaign=a&id=7&fbclid=b", "https://example.jp/news/?id=7"),
    (None, "http://EXAMPLE.jp:80/a/b?aid=12#frag", "http://example.jp/a/b?aid=12"),
    (None, "https://example.jp:8443/a?p=3&gclid=x", "https://example.jp:8443/a?p=3"),
    (None, "https://amp.example.jp/story/1/amp", "https://example.jp/story/1/"),
]


@pytest.mark.parametrize("key, url, expected", CASES)
def test_canonical_url(key, url, expected):
    profile = get_profile(key) if key else None
    assert canonical_url(url, profile) == expected


def test_canonical_is_idempotent():
    for key, url, _ in CASES:
        profile = get_profile(key) if key else None
        once = canonical_url(url, profile)
        assert canonical_url(once, profile) == once


def test_link_rel_canonical_wins_on_the_same_site_only():
    danmee = get_profile("danmee")
    page = "https://danmee.jp/knews/drama/81709/"
    assert choose_canonical(page, "https://danmee.jp/?p=81709", danmee) == "https://danmee.jp/?p=81709"
    # a canonical pointing to another site (a syndication partner) is not followed
    assert choose_canonical(page, "https://news.example.com/a/1", danmee) == page
    assert choose_canonical(page, "/relative", danmee) == page
    assert choose_canonical("https://example.jp/a?utm_source=x", "https://www.example.jp/a", None) == \
        "https://www.example.jp/a"
