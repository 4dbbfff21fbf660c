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


# -- compatible with the signatures earlier versions stored (made with datasketch 2.0) ----------------------------
# The first 8 values (8 bytes each, as stored) that datasketch.MinHash(num_perm=64, seed=1, scheme="affine32")
# gave for these texts, and the (bands, rows) its MinHashLSH chose for these thresholds: written down from
# datasketch itself, so that the hand-made MinHash and LSH (newscrawl/fingerprints.py) must agree with it.
DATASKETCH_SIGNATURES = {
    "韓国の李在明大統領は5日、ソフトバンクグループの孫正義会長と面会した。":
        "c89b45190000000079d77a1600000000724fbc030000000073ae5d0400000000"
        "431f7501000000006a9e8f1400000000523faa0200000000b8a0f00a00000000",
    "The quick brown fox jumps over the lazy dog.":
        "7ee6c903000000003d45600400000000e96cf3040000000081526b0b00000000"
        "10d85e08000000006460300300000000b0bb03000000000054533a0000000000",
    "abc": "ffffffff00000000" * 8,  # shorter than a shingle: every value is the empty mark
}
DATASKETCH_BANDS = {0.05: (32, 1), 0.1: (15, 1), 0.15: (32, 2), 0.2: (28, 2), 0.25: (18, 2), 0.3: (21, 3),
                    0.35: (21, 3), 0.4: (16, 4), 0.42: (16, 4), 0.45: (16, 4), 0.5: (14, 4), 0.55: (12, 5),
                    0.6: (10, 6), 0.65: (9, 7), 0.7: (8, 8), 0.75: (7, 9), 0.77: (6, 10), 0.8: (5, 11),
                    0.85: (4, 15), 0.9: (3, 21), 0.95: (2, 32)}


def test_signatures_are_the_ones_earlier_versions_stored():
    from newscrawl.fingerprints import minhash, minhash_from_bytes, minhash_to_bytes

    for text, stored in DATASKETCH_SIGNATURES.items():
        blob = minhash_to_bytes(minhash(text))
        assert len(blob) == 64 * 8 and blob[:64].hex() == stored
        assert minhash_from_bytes(blob).jaccard(minhash(text)) == 1.0


def test_lsh_bands_are_the_ones_datasketch_chose():
    from newscrawl.fingerprints import lsh_bands

    assert {t: lsh_bands(t) for t in DATASKETCH_BANDS} == DATASKETCH_BANDS


def test_of_equally_close_earlier_articles_the_first_is_named():
    from newscrawl.fingerprints import minhash
    from newscrawl.pipelines.near_duplicates import NearDuplicateIndex

    text = "韓国の李在明大統領は5日、ソフトバンクグループの孫正義会長と面会し、AI投資について協議した。" * 3
    index = NearDuplicateIndex(0.6, 14)
    for n in range(5):
        index.add(f"https://example.jp/{n}", minhash(text))
    assert index.find(minhash(text), "https://example.jp/new") == "https://example.jp/0"
