"""A dropped or failed item is named in one short line, never dumped with its working fields."""

from __future__ import annotations

from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from newscrawl.logformatter import ArticleLogFormatter

ITEM = {"url": "https://example.jp/a/1", "title": "見出し" * 30, "body": "本文" * 5000,
        "body_html": "<p>" + "本文" * 5000 + "</p>", "strip": [{"rule": "ranking", "text": "x" * 4000}]}
RESPONSE = HtmlResponse("https://example.jp/a/1", body=b"<html></html>")


def spider() -> Spider:
    return Spider.from_crawler(get_crawler(Spider), name="s")


def line(result: dict) -> str:
    return result["msg"] % result["args"]


def test_a_dropped_item_is_its_reason_and_url():
    text = line(ArticleLogFormatter().dropped(ITEM, DropItem("duplicate_url"), RESPONSE, spider()))
    assert "duplicate_url" in text and ITEM["url"] in text and len(text) < 200


def test_a_pipeline_error_and_a_scraped_item_are_named_not_dumped():
    for result in (ArticleLogFormatter().item_error(ITEM, ValueError("boom"), RESPONSE, spider()),
                   ArticleLogFormatter().scraped(ITEM, RESPONSE, spider())):
        text = line(result)
        assert ITEM["url"] in text and len(text) < 300


def test_an_item_without_fields_still_gives_a_line():
    assert "(no URL)" in line(ArticleLogFormatter().dropped({}, DropItem("x"), RESPONSE, spider()))
