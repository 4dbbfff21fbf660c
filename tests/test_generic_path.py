"""The generic path: the article's container is found on the untouched page, and chosen on evidence."""

from __future__ import annotations

import copy

import lxml.html
import pytest
from parsel import Selector

import newscrawl.extract.candidates as candidates
from newscrawl.clean import clean_body
from newscrawl.extract.container import find_container
from newscrawl.extract.generic import generic_body, generic_body_html
from newscrawl.extract.metadata import read_metadata
from newscrawl.sites import generic_profile

PROFILE = generic_profile("example.jp")
SENTENCES = ["韓国政府は5日、新たな経済対策を発表した。", "対象は中小企業で、総額は3兆ウォンに上る見通しだ。",
             "与党は年内の成立を目指す方針を示した。", "野党は財源の説明が足りないと批判している。"]
ARTICLE = "".join(f"<p>{s * 2}</p>" for s in SENTENCES)


def root_of(html: str):
    return Selector(text=html).root


def body_of(html: str, **kw) -> str:
    sel = Selector(text=html)
    choice = generic_body(sel.root, "https://example.jp/a/1", read_metadata(sel), PROFILE)
    return clean_body(choice.html, PROFILE).body if choice.html else ""


def test_the_container_is_the_element_with_the_prose_not_the_page():
    html = (f"<html><body><div class='menu'><a href='/'>ホーム</a><a href='/n'>ニュース</a></div>"
            f"<div class='post-share entry'>{ARTICLE}</div><footer><p>会社概要。お問い合わせ。</p></footer></body></html>")
    found = find_container(root_of(html))
    assert found.element.get("class") == "post-share entry"  # a clutter word in the class costs nothing


def test_a_cookie_notice_or_comments_with_more_prose_do_not_win():
    notice = "<p>このサイトではCookieを使用しています。詳しくはプライバシーポリシーをご覧ください。</p>" * 4
    comments = "".join(f"<p>コメント{i}：とても参考になりました。ありがとうございます。</p>" for i in range(12))
    html = (f"<html><body><div class='article'>{ARTICLE}</div><div class='gdpr-area'>{notice}</div>"
            f"<section id='comments'>{comments}</section></body></html>")
    assert find_container(root_of(html)).element.get("class") == "article"


def test_a_story_interrupted_by_ad_slots_is_taken_whole():
    ad = "<div class='ad-slot'><a href='https://ads.example/x'>広告です</a></div>"
    chunks = ["".join(f"<p>{n}章：{s * 2}</p>" for s in SENTENCES) for n in ("第一", "第二", "第三")]
    html = f"<html><body><article><div class='body'>{chunks[0]}</div>{ad}<div class='body'>{chunks[1]}</div>{ad}" \
           f"<div class='body'>{chunks[2]}</div></article></body></html>"
    text = body_of(html)
    assert all(f"{n}章" in text for n in ("第一", "第二", "第三")) and "広告" not in text


def test_the_page_tree_is_never_modified():
    html = f"<html><body><nav><a href='/'>ホーム</a></nav><div class='a'>{ARTICLE}</div></body></html>"
    root = root_of(html)
    before = lxml.html.tostring(root)
    generic_body(root, "https://example.jp/a/1", None, PROFILE)
    assert lxml.html.tostring(root) == before


def test_widened_to_trafilaturas_container_when_it_holds_much_more_of_the_article(monkeypatch):
    # ours: the one long paragraph; trafilatura's: the whole entry with its link list
    entry = ("<div class='entry-content'><p>発表資料を公開します。</p>"
             "<ul>" + "".join(f"<li><a href='/r/{i}'>参加レポートの記事その{i}です</a></li>" for i in range(10)) + "</ul>"
             + "".join(f"<p>{s}</p>" for s in SENTENCES) + f"<p>{'次回は大阪と東京で開催予定です。' * 5}</p></div>")
    html = f"<html><body><h1>見出し</h1>{entry}</body></html>"
    root = root_of(html)
    entry_text = lxml.html.tostring(root.xpath("//div")[0], encoding="unicode")
    monkeypatch.setattr(candidates, "_trafilatura_html", lambda *a, **k: entry_text)
    choice = generic_body(root, "https://example.jp/a/1", None, PROFILE)
    assert choice.candidate == "widened"
    assert "発表資料を公開します。" in clean_body(choice.html, PROFILE).body


def test_trafilatura_failing_costs_nothing(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(candidates.trafilatura, "extract", broken)
    html = f"<html><body><div class='a'>{ARTICLE}</div></body></html>"
    choice = generic_body(root_of(html), "https://example.jp/a/1", None, PROFILE)
    assert choice.candidate == "container" and "trafilatura_error" in choice.events
    assert SENTENCES[0] in clean_body(choice.html, PROFILE).body


def test_a_page_without_prose_gets_trafilaturas_text():
    html = ("<html><body><div class='entrybody'><p><a href='https://github.com/x/treeviz'>Treeviz</a></p>"
            "<p>マインドマップ風のツリーを描画できる「Treeviz」</p><p>次のような図形を描画できるサンプルです</p></div>"
            "</body></html>")
    choice = generic_body(root_of(html), "https://example.jp/a/1", None, PROFILE)
    assert choice.candidate in ("trafilatura", "trafilatura_container")  # its text, or where it lies
    assert "図形を描画できるサンプルです" in clean_body(choice.html, PROFILE).body


def test_a_huge_page_skips_trafilatura(monkeypatch):
    monkeypatch.setattr(candidates, "MAX_ELEMENTS", 10)
    monkeypatch.setattr(candidates, "_trafilatura_html", lambda *a, **k: pytest.fail("trafilatura ran"))
    html = f"<html><body><div class='a'>{ARTICLE * 3}</div></body></html>"
    choice = generic_body(root_of(html), "https://example.jp/a/1", None, PROFILE)
    assert "huge_page" in choice.events and choice.html


def test_og_description_decides_between_two_places():
    other = "".join(f"<p>別の話題の段落です。{s}</p>" for s in SENTENCES)
    html = (f"<html><head><meta property='og:description' content='{SENTENCES[2] * 2}'></head><body>"
            f"<div class='x'>{other}</div><div class='y'>{ARTICLE}</div></body></html>")
    sel = Selector(text=html)
    ours = sel.root.xpath("//div[@class='x']")[0]
    theirs = sel.root.xpath("//div[@class='y']")[0]
    blocks = candidates.page_blocks(sel.root, keep_text=True)
    pick, _name = candidates._decide(ours, theirs, blocks, read_metadata(sel).description)
    assert pick is theirs


def test_the_old_entry_point_still_works():
    html = f"<html><body><div class='a'>{ARTICLE}</div></body></html>"
    fragment = generic_body_html(html)
    assert SENTENCES[0] in lxml.html.fromstring(fragment).text_content()
    assert generic_body_html("") is None


@pytest.mark.parametrize("html", ["<html></html>", "<html><body><nav><a href='/'>ホーム</a></nav></body></html>"])
def test_no_text_gives_no_fragment(html):
    choice = generic_body(copy.deepcopy(root_of(html)), None, None, PROFILE)
    assert not choice.html or not clean_body(choice.html, PROFILE).body
