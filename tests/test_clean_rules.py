"""One test per boilerplate rule (newscrawl/clean): what goes, and what must stay."""

from __future__ import annotations

import pytest

from newscrawl.clean import clean_body
from newscrawl.sites import generic_profile, get_profile

GENERIC = generic_profile("example.jp")
PROSE = "<p>韓国政府は5日、新たな経済対策を発表した。対象は中小企業で、総額は3兆ウォンに上る見通しだ。</p>"
PROSE_TEXT = "韓国政府は5日、新たな経済対策を発表した。対象は中小企業で、総額は3兆ウォンに上る見通しだ。"


def body(html: str, profile=GENERIC, title=None) -> str:
    return clean_body(html, profile, title).body


def result(html: str, profile=GENERIC):
    return clean_body(html, profile)


def test_skip_links_go_with_their_navigation_block():
    html = ('<div class="skip"><a href="#main">メインメニューへスキップ(上段)</a></div>'
            '<nav><a href="#c">Skip to main content</a></nav>' + PROSE)
    assert body(html) == PROSE_TEXT


def test_photo_credit_lines_and_figures_are_dropped():
    html = ('<figure><img src="a.jpg"><figcaption>写真=韓国大統領室</figcaption></figure>'
            "<p>(画像出典:SBS)</p><p>写真=聯合ニュース</p><p>写真提供=ソルエンターテインメント</p>" + PROSE)
    assert body(html) == PROSE_TEXT


def test_a_short_source_line_is_a_credit_but_a_quotation_is_text():
    html = "<p>引用:韓国大統領室</p>" + PROSE  # a picture's source, as the Japanese Korea-news sites print it
    assert body(html, get_profile("dailyview")) == PROSE_TEXT
    assert body(html) == PROSE_TEXT  # the generic rules know the convention too (DESIGN: 引用:… credits)
    quote = "引用：「これは記事の中で誰かの言葉を引いて説明するための長い段落である。」と彼は述べた。"
    assert body(f"<p>{quote}</p>" + PROSE) == quote + "\n\n" + PROSE_TEXT  # 引用: opening a quotation stays


def test_email_line_ends_the_body_and_names_the_author():
    html = PROSE + "<p>有馬侑之介<br>arimay@kangnamtimesjp.com</p><p>コメント0</p><p>次の記事の冒頭</p>"
    cleaned = result(html)
    assert cleaned.body == PROSE_TEXT
    assert cleaned.authors == ["有馬侑之介"]


def test_comment_count_ends_the_body():
    assert body(PROSE + "<p>コメント12</p><p>300</p><p>ほかの記事の話題</p>") == PROSE_TEXT


def test_named_heading_and_its_list_are_removed():
    html = PROSE + ("<h3>[ニュース] ランキング</h3><ul><li>「韓国は“特別待遇”枠か」米長官が名指しで評価</li>"
                    "<li>「台湾有事を口にした代償か」中国がレアアースで日本を締め付け</li></ul>")
    assert body(html) == PROSE_TEXT


def test_any_heading_followed_by_a_list_of_links_is_removed_whatever_its_words():
    html = PROSE + ('<div class="box"><p>編集部が選ぶ今週の5本</p><ul>'
                    '<li><a href="/a/1">ホンダ、2026パイロットで“再び主役”を狙う</a></li>'
                    '<li><a href="/a/2">米中摩擦の余波が直撃、ホンダ北米生産が停止</a></li></ul></div>')
    assert body(html) == PROSE_TEXT


def test_a_block_printed_twice_is_removed_both_times():
    block = ("<div><p>冬の朝に“ついやってしまう霜取り”がガラスを破壊する…プロが警告する最悪の習慣</p>"
             "<p>「焦げた匂いがしたら終わり!?」下り坂で車が突然“制御不能”になる瞬間</p></div>")
    assert body(PROSE + block + block) == PROSE_TEXT


def test_shortcodes_of_any_name_are_stripped():
    html = (PROSE + '<p>[cosmosfarm_share_buttons url="https://dailyview.net" title="ピッコン" align="center"]</p>'
            '<p>[ad_inarticle]</p><p>本文の続き[caption id="x"]です。[/caption]</p>')
    assert body(html) == PROSE_TEXT + "\n\n本文の続きです。"


def test_related_link_lines_are_dropped_but_plain_bullets_stay():
    html = (PROSE + '<p>【関連】<a href="/b">BTS、新曲を発表</a></p>'
            '<p>(関連記事)<a href="/c">IVE、東京ドーム公演</a></p>'
            '<p>・<a href="/d">NewJeans、活動再開へ</a></p>'
            "<p>・1. Snowglobe</p>")
    assert body(html) == PROSE_TEXT + "\n\n・1. Snowglobe"


def test_copyright_and_source_lines_are_dropped():
    html = PROSE + "<p>(C)WoW!Korea</p><p>ⓒ 中央日報/中央日報日本語版</p><p>Copyright (C) Yonhap News Agency</p>"
    assert body(html) == PROSE_TEXT


def test_share_labels_and_ad_markers_go_with_their_blocks():
    html = (PROSE + '<div class="sns-share"><p>シェア</p><p>このエントリーをはてなブックマークに追加</p></div>'
            '<div class="ad-label"><p>スポンサーリンク</p></div><ins class="adsbygoogle">PR</ins>')
    assert body(html) == PROSE_TEXT


def test_ads_iframes_scripts_and_hidden_elements_are_removed():
    html = ('<ins class="adsbygoogle" data-ad-slot="1">広告です</ins><script>var x="本文ではない";</script>'
            '<iframe src="https://ads.example/x">広告枠</iframe><div class="ad_box">今すぐ申し込む</div>'
            '<div style="display: none">隠しテキスト</div>' + PROSE)
    assert body(html) == PROSE_TEXT


def test_article_text_mentioning_a_clutter_word_is_kept():
    prose = ("<p>ランキング番組で1位を獲得したことについて、本人は「おすすめの曲を聴いてほしい」と語り、話題となった。"
             "関連するイベントも広告なしで開かれる。</p>")
    assert body(prose + PROSE) == (
        "ランキング番組で1位を獲得したことについて、本人は「おすすめの曲を聴いてほしい」と語り、話題となった。"
        "関連するイベントも広告なしで開かれる。\n\n" + PROSE_TEXT)


def test_a_wrapper_named_like_clutter_that_holds_the_article_is_kept():
    html = f'<div class="post share-enabled">{PROSE * 3}</div><div class="share"><a href="#">X</a></div>'
    assert body(html) == "\n\n".join([PROSE_TEXT] * 3)


def test_br_separated_paragraphs_become_paragraphs():
    assert body("第一段落です。<br><br>第二段落です。<br>第三段落です。") == "第一段落です。\n\n第二段落です。\n\n第三段落です。"


def test_breadcrumb_and_date_lines_are_dropped():
    html = ('<ol class="breadcrumb"><li><a href="/">ホーム</a></li><li><a href="/n">ニュース</a></li></ol>'
            "<p>2025-12-05 15:04:21</p><p>登録：2025-12-05 09:12</p>" + PROSE)
    assert body(html) == PROSE_TEXT


def test_reporter_lines_give_the_author_but_organisations_do_not():
    person = result(PROSE + "<p>記者 : キム・ミンジ</p>")
    assert person.body == PROSE_TEXT and person.authors == ["キム・ミンジ"]
    org = result(PROSE + "<p>文=スポーツソウル日本版編集部</p>")
    assert org.body == PROSE_TEXT and org.authors == []


def test_the_headline_repeated_at_the_top_is_dropped():
    assert body("<h1>新たな経済対策</h1>" + PROSE, title="新たな経済対策") == PROSE_TEXT


def test_profile_rules_add_to_the_generic_ones():
    yonhap = get_profile("yonhap")
    html = ("<p>【ソウル聯合ニュース】" + PROSE_TEXT + "</p><p>会談の様子=5日、ソウル(聯合ニュース)</p>"
            "<p>(END)</p>")
    assert body(html, yonhap) == "【ソウル聯合ニュース】" + PROSE_TEXT


def test_removed_lines_are_counted_by_reason():
    counts = result(PROSE + "<p>[cosmosfarm_share_buttons]</p><p>写真=KBS</p><p>コメント0</p>").removed
    assert counts["shortcode"] == 1 and counts["credit"] == 1 and counts["end_marker"] == 1


def test_translation_and_source_credits_of_japanese_editions_are_dropped():
    html = (PROSE + "<p>キム・ジウン記者 (お問い合わせ japan@hani.co.kr )</p>"
            "<p>(翻訳：中嶋一成)</p><p>朝鮮日報/朝鮮日報日本語版</p>")
    cleaned = result(html)
    assert cleaned.body == PROSE_TEXT
    assert cleaned.authors == ["キム・ジウン"]


def test_a_sites_own_source_lines_are_its_profiles_rules():
    hani = PROSE + "<p>原文入力：2025-12-04 21:30</p><p>訳H.J</p>"
    assert body(hani, get_profile("hani")) == PROSE_TEXT
    assert "原文入力" in body(hani)  # not a generic rule: another site's text may say 原文入力
    kstyle = PROSE + "<p>元記事配信日時 : 2025年12月05日 10時15分</p><p>・関連記事の見出し</p>"
    assert body(kstyle, get_profile("kstyle")) == PROSE_TEXT


def test_an_agency_photo_caption_paragraph_is_dropped():
    assert body(PROSE + "<p>本会議場で予算案の採決に臨む議員ら=4日、ソウル(聯合ニュース)</p>") == PROSE_TEXT


# -- rules of the generic path on real pages -------------------------------------------------------
def test_furigana_readings_are_not_text():
    assert body("<p><ruby>漢字<rt>かんじ</rt></ruby>の<ruby>読<rp>(</rp><rt>よ</rt><rp>)</rp></ruby>み方です。</p>") \
        == "漢字の読み方です。"


def test_an_embedded_post_the_story_quotes_stays():
    html = PROSE + ('<blockquote class="twitter-tweet"><p>停電で空港が真っ暗です。</p>'
                    '— 旅行者 (@traveller) 2014年12月22日</blockquote><div class="twitter-share"><a href="#">ツイート</a></div>')
    assert body(html) == PROSE_TEXT + "\n\n停電で空港が真っ暗です。\n\n— 旅行者 (@traveller) 2014年12月22日"


def test_a_code_block_keeps_its_lines_and_no_line_rule_touches_it():
    html = PROSE + "<pre>#[no_mangle]\npub fn main() {\n    run();\n}\n\n2025-12-05 10:00</pre>"
    assert body(html) == PROSE_TEXT + "\n\n#[no_mangle]\npub fn main() {\n    run();\n}\n2025-12-05 10:00"


def test_a_picture_with_a_short_caption_goes_even_without_figure():
    html = ('<div id="col600c"><a href="/l.jpg"><img src="/s.jpg" width="590"></a>'
            "<small>ケースカバーを開けたところ。熱伝導シールが貼られています</small></div>" + PROSE
            + '<p><img src="/emoji.png" class="emoji" width="16">絵文字のある短い段落です。</p>')
    assert body(html) == PROSE_TEXT + "\n\n絵文字のある短い段落です。"


def test_tooltips_and_badges_go():
    html = ('<p>本文の途中に脚注がある<span class="footnote_referrer">[1]<span class="footnote_tooltip">'
            "脚注の中身。</span></span>。続きの文です。</p>"
            '<div class="TrustBadge-trust-badge"><p>Our Standards: <a href="https://x.example/p">Principles.</a></p></div>')
    assert body(html) == "本文の途中に脚注がある[1]。続きの文です。"


def test_class_words_split_camel_case():
    html = PROSE + '<div class="PromoSmall-items"><div>More Coverage</div><div>他の記事の見出しと説明です。</div></div>'
    assert body(html) == PROSE_TEXT


def test_link_lines_to_the_site_go_but_cited_sources_and_addresses_stay():
    html = (PROSE
            + '<p>・<a href="https://example.jp/news/2">同じサイトの別の記事の見出し</a></p>'
            + '<p>【第1回】<a href="/news/1">5年ぶりの自作PC編</a>　※本記事</p>'
            + '<p><a href="https://github.com/example/treeviz">Treeviz</a></p>'
            + '<p><a href="https://example.jp/files/guide.pdf">https://example.jp/files/guide.pdf</a></p>')
    assert body(html) == PROSE_TEXT + "\n\nTreeviz\n\nhttps://example.jp/files/guide.pdf"


def test_bracketed_text_is_no_shortcode():
    assert body("<p>[iPhoneやiPad等のiOS端末の場合]</p><p>[Android端末の場合]</p>") == \
        "[iPhoneやiPad等のiOS端末の場合]\n\n[Android端末の場合]"


def test_reprint_notices_and_credit_lines_go():
    html = (PROSE + "<p>（本記事は、TechRepublic Japanで2017年6月8日に掲載した記事からの転載です。"
            "続きはTechRepublic Japanでお読みいただけます）</p>"
            "<p>(Credit: Clayton Aldern / Grist)</p>")
    assert body(html) == PROSE_TEXT


@pytest.mark.parametrize("notice", [
    "この記事は有料会員限定です。", "残り1234文字", "この続きは会員登録（無料）でお読みいただけます。",
    "ログインして続きを読む", "続きを読むには会員登録が必要です", "Subscribe to continue reading",
])
def test_a_paywall_notice_goes_and_marks_the_body_cut_short(notice):
    cleaned = result(PROSE + f"<p>{notice}</p>")
    assert cleaned.body == PROSE_TEXT
    assert cleaned.paywalled is True
    assert cleaned.removed["paywall"] == 1


def test_a_notice_followed_by_the_rest_of_the_article_is_no_paywall():
    cleaned = result(PROSE + "<p>この記事は会員限定です。</p>" + PROSE)
    assert cleaned.body == PROSE_TEXT + "\n\n" + PROSE_TEXT
    assert cleaned.paywalled is False


def test_the_declared_text_marks_where_the_article_starts_and_ends():
    declared = PROSE_TEXT + "二段落目の文です。これで記事は終わりです。" * 8
    html = ("<p>2025年12月5日 16:13</p><p>記者 キム</p>" + PROSE
            + "<p>" + "二段落目の文です。これで記事は終わりです。" * 8 + "</p><p>誤りを見つけたらお知らせください</p>")
    cleaned = clean_body(html, GENERIC, declared=declared)
    assert cleaned.body == PROSE_TEXT + "\n\n" + "二段落目の文です。これで記事は終わりです。" * 8
    assert cleaned.removed["outside_declared"] == 2


def test_the_trace_gives_every_paragraph_and_the_rule_that_removed_it():
    html = ('<div class="share"><a href="#">シェア</a></div><p>見出しの行</p>' + PROSE
            + "<p>写真=聯合ニュース</p><p>コメント0</p><p>別の記事</p>")
    cleaned = clean_body(html, GENERIC, "見出しの行", trace=True)
    assert cleaned.trace == [
        ("シェア", "tree:clutter_class"), ("見出しの行", "line:title_line"), (PROSE_TEXT, None),
        ("写真=聯合ニュース", "line:credit"), ("コメント0", "line:end_marker"), ("別の記事", "line:after_end"),
    ]
    assert clean_body(html, GENERIC, "見出しの行").trace == []  # no trace unless asked


def test_explain_removed_labels_a_whole_page_without_changing_it():
    from lxml import html as lxml_html

    from newscrawl.clean import explain_removed

    root = lxml_html.document_fromstring(
        "<html><body><nav><a href='/'>ホーム</a></nav>" + PROSE
        + "<h3>[ニュース] ランキング</h3><ul><li><a href='/1'>記事1の見出し</a></li><li><a href='/2'>記事2の見出し</a></li></ul>"
        "</body></html>")
    before = lxml_html.tostring(root)
    labels = explain_removed(root)
    assert ("ホーム", "tree:clutter_tag") in labels
    assert dict(labels)["[ニュース] ランキング"].startswith("tree:")  # its box has a clutter class
    assert ("記事1の見出し", "tree:clutter_heading") in labels and ("記事2の見出し", "tree:clutter_heading") in labels
    assert lxml_html.tostring(root) == before


def test_a_family_can_be_left_out_for_measuring_it():
    html = PROSE + "<p>写真=聯合ニュース</p>"
    assert clean_body(html, GENERIC, disabled=frozenset({"credit"})).body == PROSE_TEXT + "\n\n写真=聯合ニュース"


def test_chinese_source_and_editor_credits_go():
    prose = "<p>龙湖集团近期在多地的项目接连出现问题，引发市场关注。</p>"
    html = (prose + "<p>（原标题：多地项目连环爆雷 狂奔的龙湖集团）</p><p>本文来源：证券市场红周刊 责任编辑：杨倩_NF4425</p>"
            "<p>【纠错】 【责任编辑:张樵苏 】</p>")
    assert body(html) == "龙湖集团近期在多地的项目接连出现问题，引发市场关注。"


def test_a_press_releases_contact_block_ends_the_body():
    assert body(PROSE + "<h2>本件に関するお問い合わせ先</h2><p>セキュリティセンター 中島</p><p>Tel: 03-0000-0000</p>") \
        == PROSE_TEXT


def test_explain_removed_on_a_whole_fixture_page_labels_its_ranking_block():
    from pathlib import Path

    from parsel import Selector

    from newscrawl.clean import explain_removed

    page = Path(__file__).parent / "fixtures" / "sites" / "dailyview" / "article_41088.html"
    labels = explain_removed(Selector(text=page.read_text(encoding="utf-8")).root, get_profile("dailyview"))
    assert dict(labels)["[ニュース] ランキング"].startswith("tree:")  # its box has a clutter class


def test_the_trace_of_every_fixture_article_agrees_with_its_body():
    from lxml import html as lxml_html
    from parsel import Selector

    from newscrawl.extract.selectors import first_element
    from newscrawl.replay.build import fixture_responses
    from newscrawl.sites import all_profiles
    from tests.helpers import SITE_FIXTURES

    checked = 0
    for key, profile in all_profiles().items():
        for served in fixture_responses(SITE_FIXTURES / key) if (SITE_FIXTURES / key).is_dir() else []:
            if served.status != 200 or not profile.is_article_url(served.url) or not served.body.lstrip().startswith(b"<"):
                continue
            container = first_element(Selector(text=served.body.decode("utf-8", "replace")), profile.selectors.body)
            if container is None:
                continue
            fragment = lxml_html.tostring(container, encoding="unicode")
            plain = clean_body(fragment, profile)
            traced = clean_body(fragment, profile, trace=True)
            assert traced.body == plain.body, served.url
            assert [text for text, rule in traced.trace if rule is None] == plain.body.split("\n\n"), served.url
            checked += 1
    assert checked >= 20


def test_an_inline_removal_does_not_split_its_paragraph_in_the_trace():
    cleaned = clean_body("<p><ruby>漢字<rt>かんじ</rt></ruby>の読み方です。</p>", GENERIC, trace=True)
    assert cleaned.trace == [("漢字の読み方です。", None), ("かんじ", "tree:clutter_tag")]
    assert cleaned.body == "漢字の読み方です。"
