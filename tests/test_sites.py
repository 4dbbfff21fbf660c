"""Every site in the registry, end to end over replayed fixtures.

Walks newscrawl/sites/: a profile without fixtures and expected records fails here,
so a site cannot be added without them (the fundus habit).
"""

from __future__ import annotations

import re

import pytest
from parsel import Selector

from newscrawl.extract.selectors import first_element
from newscrawl.page import page_record
from newscrawl.sites import all_profiles
from tests.helpers import (
    SITE_FIXTURES, bigram_f1, compare_record, crawl, expected_records, schema_errors, site_manifest, site_warc,
)

SITES = sorted(all_profiles())
NO_AGE_LIMIT = {"NEWSCRAWL_MAX_AGE_DAYS": "0"}


def test_every_profile_has_fixtures_and_expected_records():
    assert len(SITES) >= 1
    for key in SITES:
        folder = SITE_FIXTURES / key
        assert (folder / "site.toml").exists(), f"{key}: no fixtures in {folder}"
        manifest = site_manifest(folder)
        assert len(manifest.get("article", [])) >= 2, f"{key}: fewer than two expected articles"
        for article in manifest["article"]:
            assert (folder / article["expected"]).exists(), f"{key}: missing {article['expected']}"
            assert article.get("must_not_contain"), f"{key}: {article['url']} has no must_not_contain list"
        profile = all_profiles()[key]
        assert profile.discovery.feeds or profile.discovery.sitemaps or profile.discovery.listing_pages, \
            f"{key}: no discovery source"


@pytest.mark.parametrize("key", SITES)
def test_discovery_crawl_exports_every_article_once(key, tmp_path):
    folder = SITE_FIXTURES / key
    warc = site_warc(key, tmp_path)
    result = crawl([key], tmp_path, warc=warc, settings=NO_AGE_LIMIT)
    assert result.returncode == 0, result.stderr[-3000:]
    expected = expected_records(folder)
    urls = [r["url"] for r in result.records]
    assert len(urls) == len(set(urls)), f"exported twice: {urls}"
    assert set(urls) == set(expected), f"missing {set(expected) - set(urls)}, extra {set(urls) - set(expected)}"
    for record in result.records:
        assert not schema_errors(record), (record["url"], schema_errors(record))
        problems = compare_record(record, expected[record["url"]])
        assert not problems, f"{record['url']}:\n" + "\n".join(problems)
    assert result.stats.get("newscrawl/replay/miss", 0) == 0, "the crawl asked for URLs the fixtures lack"
    assert result.stats.get("newscrawl/extract/fallback", 0) == 0, "the profile's selectors did not match"


@pytest.mark.parametrize("key", SITES)
def test_urls_file_crawl_gives_one_record_per_url(key, tmp_path):
    expected = expected_records(SITE_FIXTURES / key)
    urls_file = tmp_path / "urls.txt"
    urls_file.write_text("# articles to fetch\n\n" + "\n".join(expected) + "\n", encoding="utf-8")
    result = crawl([key, "-a", f"urls_file={urls_file}"], tmp_path, warc=site_warc(key, tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(r["url"] for r in result.records) == sorted(expected)
    for record in result.records:
        assert not compare_record(record, expected[record["url"]])
    # exactly those URLs: no discovery page was fetched
    assert result.stats.get("newscrawl/discovery/feed_entries", 0) == 0
    assert result.stats.get("newscrawl/discovery/listing_links", 0) == 0


def _article_pages(key: str):
    folder = SITE_FIXTURES / key
    manifest = site_manifest(folder)
    files = {r["url"]: r for r in manifest["response"]}
    for article in manifest["article"]:
        entry = files.get(article["url"])
        if entry is None:  # served after a redirect: find the page whose canonical is this URL
            entry = next(r for r in manifest["response"] if r.get("file", "").endswith(".html")
                         and article["url"] in (folder / r["file"]).read_text(encoding="utf-8"))
        yield article["url"], (folder / entry["file"]).read_text(encoding="utf-8")


_CLASS_ID_RE = re.compile(r'\b(class|id)=(["\'])([^"\']*)\2')


def break_selectors(page: str) -> str:
    """A redesign: every class and id renamed, and the article wrapped in one more element."""
    renamed = _CLASS_ID_RE.sub(
        lambda m: f'{m[1]}={m[2]}{" ".join("v2-" + t for t in m[3].split())}{m[2]}', page)
    return re.sub(r"(<body[^>]*>)", r'\1<div class="v2-shell">', renamed, count=1).replace(
        "</body>", "</div></body>")


@pytest.mark.parametrize("key", SITES)
def test_broken_selectors_degrade_to_good_text(key):
    profile = all_profiles()[key]
    expected = expected_records(SITE_FIXTURES / key)
    for url, page in _article_pages(key):
        broken = break_selectors(page)
        assert first_element(Selector(text=broken), profile.selectors.body) is None, \
            f"{key}: the body selector still matches after the redesign"
        record, events = page_record(url, broken, profile)
        assert record is not None, f"{url}: nothing extracted"
        assert record["extraction"] == "fallback" and "extract/fallback" in [e.name for e in events]
        want = expected[url]
        f1 = bigram_f1(want["body"], record["body"])
        assert f1 >= 0.95, f"{url}: fallback body F1 {f1:.3f}\n--- got:\n{record['body']}"
        leaked = [s for s in want["_must_not_contain"] if s in record["body"]]
        assert not leaked, f"{url}: fallback leaked {leaked}"


def test_a_redesigned_site_is_counted_as_fallback_in_a_real_crawl(tmp_path):
    import shutil

    folder = tmp_path / "dailyview"
    shutil.copytree(SITE_FIXTURES / "dailyview", folder)
    for page in folder.glob("article_*.html"):
        page.write_text(break_selectors(page.read_text(encoding="utf-8")), encoding="utf-8")
    result = crawl(["dailyview"], tmp_path, warc=site_warc(folder, tmp_path), settings=NO_AGE_LIMIT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stats["newscrawl/extract/fallback"] == 4
    assert result.verdict["summary"]["fallback"] == 4
    expected = expected_records(SITE_FIXTURES / "dailyview")
    for record in result.records:
        assert bigram_f1(expected[record["url"]]["body"], record["body"]) >= 0.95
