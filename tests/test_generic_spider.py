"""`scrapy crawl news` on a site without a profile (KOREA WORLD TIMES fixtures)."""

from __future__ import annotations

from tests.helpers import FIXTURES, compare_record, crawl, expected_records, schema_errors, site_warc

GENERIC = FIXTURES / "generic"


def test_news_spider_from_feed(tmp_path):
    warc = site_warc(GENERIC, tmp_path)
    result = crawl(["news", "-a", "feed=https://koreaworldtimes.com/feed/"], tmp_path, warc=warc,
                   settings={"NEWSCRAWL_MAX_AGE_DAYS": "0"})
    assert result.returncode == 0, result.stderr[-3000:]
    expected = expected_records(GENERIC)
    assert sorted(r["url"] for r in result.records) == sorted(expected)
    for record in result.records:
        assert not schema_errors(record)
        assert record["site"] == "koreaworldtimes.com"
        problems = compare_record(record, expected[record["url"]])
        assert not problems, "\n".join(problems)


def test_news_spider_urls_file(tmp_path):
    expected = expected_records(GENERIC)
    urls_file = tmp_path / "urls.txt"
    urls_file.write_text("\n".join(expected), encoding="utf-8")
    result = crawl(["news", "-a", f"urls_file={urls_file}"], tmp_path, warc=site_warc(GENERIC, tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(r["url"] for r in result.records) == sorted(expected)
    for record in result.records:
        assert not compare_record(record, expected[record["url"]])


def test_news_spider_without_input_is_a_usage_error(tmp_path):
    result = crawl(["news"], tmp_path, warc=site_warc(GENERIC, tmp_path))
    assert result.returncode == 2 and result.records == [] and result.stats == {}  # refused before starting
    lines = [line for line in result.stderr.splitlines() if line.startswith("newscrawl:")]
    assert len(lines) == 1 and "Traceback" not in result.stderr
