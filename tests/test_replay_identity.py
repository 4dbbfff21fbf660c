"""URL identity in replay: a URL is fetched exactly as given (the archive holds it so); its canonical
form is only its identity (the record's url, the state); a redirect's target is remembered too."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import FIXTURES, crawl, schema_errors, site_warc

IDENTITY = FIXTURES / "replay" / "identity"
JOINS_GIVEN = "https://japanese.joins.com/JArticle/345678?sectcode=A10&servcode=A00"
CNN_GIVEN = "https://www.cnn.com/2019/11/18/politics/korea-japan-gsomia/index.html"
OLD_SLUG = "https://www.cnn.com/2019/11/19/world/korea-tourism-old-slug/index.html"
NEW_SLUG = "https://www.cnn.com/2019/11/19/world/korea-tourism/index.html"


def urls_file(tmp: Path, name: str, *urls: str) -> Path:
    path = tmp / name
    path.write_text("\n".join(urls) + "\n")
    return path


def test_urls_are_fetched_as_given_and_recorded_by_their_canonical_form(tmp_path):
    warc = site_warc(IDENTITY, tmp_path)
    (tmp_path / "joins").mkdir()
    joins = crawl(["joongang", "-a", f"urls_file={urls_file(tmp_path, 'j.txt', JOINS_GIVEN)}"], tmp_path / "joins",
                  warc=warc)
    (tmp_path / "cnn").mkdir()
    cnn = crawl(["news", "-a", f"urls_file={urls_file(tmp_path, 'c.txt', CNN_GIVEN)}"], tmp_path / "cnn", warc=warc)
    for result in (joins, cnn):
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.stats["newscrawl/replay/hit"] == 1 and "newscrawl/replay/miss" not in result.stats
    [joins_record], [cnn_record] = joins.records, cnn.records
    assert joins_record["url"] == "https://japanese.joins.com/JArticle/345678"
    assert joins_record["fetched_url"] == JOINS_GIVEN
    assert cnn_record["url"] == "https://www.cnn.com/2019/11/18/politics/korea-japan-gsomia/"
    assert cnn_record["fetched_url"] == CNN_GIVEN
    assert "関係者によると" in cnn_record["body"] and "地方空港" in joins_record["body"]
    assert schema_errors(joins_record) == [] and schema_errors(cnn_record) == []


def test_a_redirect_is_skipped_next_night_under_either_name(tmp_path):
    warc = site_warc(IDENTITY, tmp_path)
    data = tmp_path / "data"  # one data folder (crawl() sets it) for both nights: one state
    (tmp_path / "night1").mkdir()
    night1 = crawl(["news", "-a", f"urls_file={urls_file(tmp_path, '1.txt', OLD_SLUG)}"], tmp_path / "night1",
                   warc=warc, env={"NEWSCRAWL_DATA_DIR": str(data)})
    assert night1.returncode == 0, night1.stderr[-3000:]
    [record] = night1.records
    assert record["url"] == "https://www.cnn.com/2019/11/19/world/korea-tourism/"  # where it lives now
    assert record["fetched_url"] == NEW_SLUG
    for name, given in (("old", OLD_SLUG), ("new", NEW_SLUG)):
        (tmp_path / name).mkdir()
        night2 = crawl(["news", "-a", f"urls_file={urls_file(tmp_path, name + '.txt', given)}"], tmp_path / name,
                       warc=warc, env={"NEWSCRAWL_DATA_DIR": str(data)})
        assert night2.returncode == 0, night2.stderr[-3000:]
        assert night2.records == [] and night2.stats["newscrawl/state/skipped"] == 1, name
        assert night2.stats.get("newscrawl/replay/hit", 0) == 0  # skipped before any request: nothing fetched
