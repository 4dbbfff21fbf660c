"""Near-duplicate text: the threshold on pairs (MinHash over character 4-grams)."""

from __future__ import annotations

import json

from newscrawl.fingerprints import content_hash, minhash
from newscrawl.pipelines.near_duplicates import NearDuplicateIndex
from tests.helpers import SITE_FIXTURES

THRESHOLD = 0.6  # the default of NEWSCRAWL_NEAR_DUP_THRESHOLD


def body(site: str, name: str) -> str:
    return json.loads((SITE_FIXTURES / site / "expected" / name).read_text(encoding="utf-8"))["body"]


YONHAP = body("yonhap", "AJP20251205001800882.json")
DAILYVIEW = body("dailyview", "41235.json")

# Two different articles on the same event, written independently: they share names and
# numbers but not sentences.
SAME_TOPIC_A = (
    "韓国銀行は27日、政策金利を年2.5％に据え置くと発表した。据え置きは4会合連続となる。"
    "李昌鏞総裁は記者会見で、ウォン安と首都圏の住宅価格の上昇を理由に挙げ、利下げを急がない考えを示した。"
    "市場では来年上半期の利下げを予想する声が多い。"
)
SAME_TOPIC_B = (
    "政策金利の据え置きが決まった。韓国銀行の金融通貨委員会が27日に開いた会合で、全員一致ではなく"
    "1人が0.25ポイントの引き下げを主張したという。総裁は住宅価格の動きを注視すると述べ、"
    "為替相場の不安定さにも言及した。エコノミストの間では年明けの利下げ観測が根強い。"
)


def is_near(a: str, b: str) -> bool:
    index = NearDuplicateIndex(threshold=THRESHOLD, days=14)
    index.add("https://first.example/a", minhash(a))
    return index.find(minhash(b), "https://second.example/b") == "https://first.example/a"


def test_same_text_with_a_changed_footer_is_a_near_duplicate():
    assert is_near(DAILYVIEW, DAILYVIEW + "\n\nこの記事は提携メディアの記事を翻訳・再編集したものです。無断転載を禁じます。")


def test_syndicated_agency_story_on_another_site_is_a_near_duplicate():
    paragraphs = YONHAP.split("\n\n")
    # the partner drops the dateline and the last paragraph, and adds its own lead-in
    partner = "\n\n".join(["（聯合ニュース配信）"] + [paragraphs[0].replace("【ソウル聯合ニュース】", "")]
                          + paragraphs[1:-1])
    assert content_hash(partner) != content_hash(YONHAP)
    assert is_near(YONHAP, partner)


def test_different_articles_on_the_same_topic_are_not_merged():
    assert not is_near(SAME_TOPIC_A, SAME_TOPIC_B)


def test_different_articles_of_the_fixtures_are_not_merged():
    bodies = [json.loads(p.read_text(encoding="utf-8"))["body"]
              for p in sorted(SITE_FIXTURES.glob("*/expected/*.json"))]
    index = NearDuplicateIndex(threshold=THRESHOLD, days=14)
    for n, text in enumerate(bodies):
        signature = minhash(text)
        assert index.find(signature, f"u{n}") is None, f"fixture body {n} merged with another"
        index.add(f"u{n}", signature)


def test_normalisation_makes_width_and_spacing_irrelevant_to_the_hash():
    assert content_hash("ＡＢＣ　１２３\n\nテスト") == content_hash("ABC 123 テスト")
