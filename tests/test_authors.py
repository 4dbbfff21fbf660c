"""Authors printed on the page, when neither the profile's selectors nor the metadata name them."""

from __future__ import annotations

import pytest
from parsel import Selector

from newscrawl.extract.authors import authors_from_page, split_names
from newscrawl.extract.metadata import read_metadata

STORY = "<p>韓国政府は5日、新たな経済対策を発表した。対象は中小企業だ。</p>"


def authors(body: str) -> list[str]:
    return authors_from_page(Selector(text=f"<html><body><h1>見出し</h1>{body}</body></html>").root)


@pytest.mark.parametrize("box, names", [
    ("<div id='byline'>[田中宏昌，ITmedia]</div>", ["田中宏昌"]),
    ("<p class='author'>By Jane Doe and John Roe</p>", ["Jane Doe", "John Roe"]),
    ("<span class='c-byline__author-name'>文・写真＝キム・ミンス</span>", ["キム・ミンス"]),
    ("<div class='writer'><a href='/w/1'>パク・ジヨン記者</a></div>", ["パク・ジヨン"]),
])
def test_byline_boxes(box, names):
    assert authors(box + STORY) == names


def test_the_first_byline_is_the_articles_and_related_stories_bylines_are_not():
    assert authors("<span class='author'>田中宏昌</span>" + STORY + "<ul><li><span class='author'>山田花子</span></li></ul>") \
        == ["田中宏昌"]


def test_microdata_comes_first():
    body = ("<span itemprop='author' itemscope><span itemprop='name'>佐藤一郎</span></span>"
            "<span class='author'>別の人</span>" + STORY)
    assert authors(body) == ["佐藤一郎"]


def test_a_reporter_line_and_a_mailto_signoff():
    assert authors(STORY + "<p>キム・ミンス記者</p>") == ["キム・ミンス"]
    assert authors(STORY + "<p>有馬侑之介 <a href='mailto:arimay@example.jp'>arimay@example.jp</a></p>") == ["有馬侑之介"]


@pytest.mark.parametrize("box", [
    "<div class='author'>編集部</div>", "<div class='author'>Email the author</div>",
    "<div class='byline'>ZDNet Japan Staff 2019年04月28日 08時00分</div>", "<div class='author'>December</div>",
    "<div class='author'>《ScanNetSecurity》</div>",
])
def test_what_is_not_a_person_is_left_out(box):
    assert authors(box + STORY) == []


def test_split_names_drops_labels_and_outlets():
    assert split_names("記者：イ・スンジュン、チェ・ヒョンス") == ["イ・スンジュン", "チェ・ヒョンス"]
    assert split_names("By JANE DOE | 10") == ["JANE DOE"]


def test_metadata_authors_that_are_addresses_are_left_out():
    data = ('{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "http://example.com/author/x/"}, '
            '{"@type": "Person", "name": "Ivan Penn"}]}')
    sel = Selector(text=f"<html><head><script type='application/ld+json'>{data}</script></head><body></body></html>")
    assert read_metadata(sel).authors == ["Ivan Penn"]
