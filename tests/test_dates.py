"""Every date format the sites use, to ISO 8601 with +09:00."""

from __future__ import annotations

import pytest

from newscrawl.extract.dates import parse_date

CASES = [
    ("2025-12-05T10:30:00+09:00", "2025-12-05T10:30:00+09:00"),
    ("2025-12-05T01:30:00Z", "2025-12-05T10:30:00+09:00"),
    ("2025-12-05T01:30:00+00:00", "2025-12-05T10:30:00+09:00"),
    ("Fri, 05 Dec 2025 15:04:21 +0900", "2025-12-05T15:04:21+09:00"),
    ("Fri, 05 Dec 2025 06:20:00 +0000", "2025-12-05T15:20:00+09:00"),
    ("Fri, 05 Dec 2025 06:04:21 GMT", "2025-12-05T15:04:21+09:00"),
    ("2025年12月05日 10時15分", "2025-12-05T10:15:00+09:00"),
    ("2025年12月05日 (金)10時15分", "2025-12-05T10:15:00+09:00"),
    ("2019年08月08日 (木)15時53分", "2019-08-08T15:53:00+09:00"),
    ("2025年12月5日 16:13", "2025-12-05T16:13:00+09:00"),
    ("2025年12月3日 9:05", "2025-12-03T09:05:00+09:00"),
    ("記事入力 : 2025/12/05 10:25", "2025-12-05T10:25:00+09:00"),
    ("2025-12-05 09:12", "2025-12-05T09:12:00+09:00"),
    ("登録：2025-12-05 09:12", "2025-12-05T09:12:00+09:00"),
    ("2025.12.05 10:15", "2025-12-05T10:15:00+09:00"),
    ("2025-12-05 15:04:21", "2025-12-05T15:04:21+09:00"),
    ("2025-12-05", "2025-12-05T00:00:00+09:00"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", None, "昨日", "2025-13-45 10:00", "コメント0"])
def test_no_date_is_none(text):
    assert parse_date(text) is None


# -- dates printed on the page, when neither selectors nor metadata give one -----------------------
from parsel import Selector  # noqa: E402

from newscrawl.extract.textdates import dates_from_text  # noqa: E402
from newscrawl.sites import generic_profile  # noqa: E402

PROFILE = generic_profile("example.jp")
STORY = "<p>韓国政府は5日、新たな経済対策を発表した。</p>"


def page_dates(header: str, footer: str = ""):
    html = (f"<html><body><ul><li><a href='/1'>ほかの記事の見出しがここに入る 2024年1月1日 08:00</a></li></ul>"
            f"<h1>見出し</h1>{header}{STORY}{footer}</body></html>")
    return dates_from_text(Selector(text=html).root, PROFILE, headline="見出し")


@pytest.mark.parametrize("line, published", [
    ("<p>2025年12月5日 16:13</p>", "2025-12-05T16:13:00+09:00"),
    ("<p>2025/12/05 11:00</p>", "2025-12-05T11:00:00+09:00"),
    ("<p>2025.12.05 11:00</p>", "2025-12-05T11:00:00+09:00"),
    ("<p>登録：2025-12-05 09:12</p>", "2025-12-05T09:12:00+09:00"),
    ("<p>入力 2025-12-05 15:04</p>", "2025-12-05T15:04:00+09:00"),
    ("<span>配信</span><span>2025年12月05日 (金)10時15分</span>", "2025-12-05T10:15:00+09:00"),
    ("<p>» 2019年02月22日 14時30分 公開</p>", "2019-02-22T14:30:00+09:00"),
    ("<time>2025年12月5日 7:05</time>", "2025-12-05T07:05:00+09:00"),
    ("<time datetime='2025-12-04T22:05:00Z'>12月5日</time>", "2025-12-05T07:05:00+09:00"),
])
def test_the_date_line_by_the_headline_is_the_publication(line, published):
    assert page_dates(line).published == published


def test_published_and_updated_are_told_apart():
    found = page_dates("<p>配信 2025/12/05 11:00　更新 2025/12/05 15:30</p>")
    assert (found.published, found.modified) == ("2025-12-05T11:00:00+09:00", "2025-12-05T15:30:00+09:00")
    found = page_dates("<p>2025年12月5日 16:13</p>", "<p>最終更新：2025年12月6日 9:00</p>")
    assert (found.published, found.modified) == ("2025-12-05T16:13:00+09:00", "2025-12-06T09:00:00+09:00")


def test_only_an_update_time_serves_as_both():
    found = page_dates("<p>2019年04月21日 12時00分更新</p>")
    assert found.published == found.modified == "2019-04-21T12:00:00+09:00"


def test_dates_far_from_the_headline_do_not_count():
    related = "".join(f"<p>関連の見出しその{i}です。ほかの話題。</p>" for i in range(20))
    found = page_dates("", related + "<p>2020年1月1日 10:00</p>")
    assert found.published is None


def test_microdata_gives_the_dates():
    found = page_dates("<meta itemprop='datePublished' content='2025-12-05T10:00:00+09:00'>"
                       "<span itemprop='dateModified'>2025-12-06 08:00</span>")
    assert (found.published, found.modified) == ("2025-12-05T10:00:00+09:00", "2025-12-06T08:00:00+09:00")


def test_a_profiles_time_zone_applies_to_dates_without_one():
    from newscrawl.sites.profile import SiteProfile

    utc = SiteProfile(key="utc", name="UTC site", domains=("example.com",), article_urls=(".",), utc_offset="+00:00")
    html = "<html><body><h1>見出し</h1><p>2025-12-05 10:00</p>" + STORY + "</body></html>"
    assert dates_from_text(Selector(text=html).root, utc, headline="見出し").published == "2025-12-05T10:00:00+00:00"
