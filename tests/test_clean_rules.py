"""One test per boilerplate rule (newscrawl/clean): what goes, and what must stay."""

from __future__ import annotations

from newscrawl.clean import clean_body
from newscrawl.sites import generic_profile, get_profile

GENERIC = generic_profile("example.jp")
PROSE = "<p>韓国政府は5日、新たな経済対策を発表した。対象は中小企業で、総額は3兆ウォンに上る見通しだ。</p>"
PROSE_TEXT = "韓国政府は5日、新たな経済対策を発表した。対象は中小企業で、総額は3兆ウォンに上る見通しだ。"


def body(html: str, profile=GENERIC, title=None) -> str:
    return clean_body(html, profile, title).body


def result(html: str, profile=GENERIC):
    return clean_body(html, profile)


def test_skip_links_are_dropped():
    html = "<p>メインメニューへスキップ(上段) メインコンテンツへスキップ</p><p>Skip to main content</p>" + PROSE
    assert body(html) == PROSE_TEXT


def test_photo_credit_lines_and_figures_are_dropped():
    html = ('<figure><img src="a.jpg"><figcaption>写真=韓国大統領室</figcaption></figure>'
            "<p>(画像出典:SBS)</p><p>写真=聯合ニュース</p><p>写真提供=ソルエンターテインメント</p>" + PROSE)
    assert body(html) == PROSE_TEXT


def test_a_sites_own_credit_label_is_a_profile_rule_not_a_generic_one():
    html = "<p>引用:韓国大統領室</p>" + PROSE  # dailyview's credit line; elsewhere 引用: may open a quotation
    assert body(html, get_profile("dailyview")) == PROSE_TEXT
    assert body(html) == "引用:韓国大統領室\n\n" + PROSE_TEXT


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


def test_share_labels_and_ad_markers_are_dropped():
    html = PROSE + "<p>シェア</p><p>このエントリーをはてなブックマークに追加</p><p>スポンサーリンク</p><p>PR</p>"
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
    html = "<p>ホーム > ニュース > 経済</p><p>2025-12-05 15:04:21</p><p>登録：2025-12-05 09:12</p>" + PROSE
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
