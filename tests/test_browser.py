"""Browser pages (newscrawl/browser): which Chromium, when scrapy-playwright is on, replayed crawls.

The fixture site (tests/fixtures/browser, profile jsnews) lists its articles only after a script
fetched JSON and 「もっと見る」 was clicked twice, and writes its article bodies with a script: a
crawl that finds all seven articles with their bodies has rendered them in a real Chromium.
"""

from __future__ import annotations

import stat

import pytest
from scrapy.settings import Settings

from newscrawl.browser.config import HANDLER, LAUNCH_ARGS, REPLAY_ARGS, browser_needed, configure_browser
from newscrawl.browser.executable import find_browser, missing_message
from newscrawl.browser.rendering import PagePlan, ResourceFilter
from newscrawl.browser.traffic import fulfil_args
from newscrawl.sites.profile import load_profile, profile_from_dict
from tests.helpers import FIXTURES, compare_record, crawl, expected_records, schema_errors, site_warc

SITE = FIXTURES / "browser"
EXTRA = {"NEWSCRAWL_EXTRA_PROFILES": str(SITE / "profiles")}
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0"}
JSNEWS = load_profile(SITE / "profiles" / "jsnews.toml")
PLAIN = profile_from_dict({"key": "plain", "name": "Plain", "domains": ["plain.example"], "article_urls": ["."]})


def _executable(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


# -- which Chromium ------------------------------------------------------------------------------
def test_browser_choice_order(tmp_path, monkeypatch):
    system = _executable(tmp_path / "bin" / "chromium")
    explicit = _executable(tmp_path / "opt" / "chrome")
    _executable(tmp_path / "pw" / "chromium-1100" / "chrome-linux" / "chrome")
    newest = _executable(tmp_path / "pw" / "chromium-1200" / "chrome-linux64" / "chrome")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "pw"))
    nowhere = str(tmp_path / "nowhere" / "chromium")

    assert find_browser(str(explicit)).path == str(explicit)  # the setting wins
    choice = find_browser("", [nowhere, "chromium"])  # then the system's, by path or on PATH
    assert (choice.path, choice.source) == (str(system), "system")
    choice = find_browser("", [nowhere])  # then Playwright's newest
    assert (choice.path, choice.source) == (str(newest), "playwright")
    assert find_browser("playwright").path == str(newest)

    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "empty"))
    assert find_browser("", [nowhere]) is None
    assert find_browser(nowhere) is None  # a setting naming nothing is not silently replaced
    for message in (missing_message("jsnews", "", [nowhere]), missing_message("jsnews", nowhere)):
        assert "apt-get install chromium" in message and "\n" not in message


# -- when scrapy-playwright is switched on -------------------------------------------------------
def _settings(**values) -> Settings:
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    settings.setdict(values, priority="cmdline")
    return settings


def test_a_site_without_browser_pages_keeps_scrapys_downloader():
    settings = _settings()
    configure_browser(settings, PLAIN)
    before = _settings().getdict("DOWNLOAD_HANDLERS")
    assert settings.getdict("DOWNLOAD_HANDLERS") == before and "https" not in before
    assert "newscrawl.browser.middleware.BrowserMiddleware" not in settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert settings.get("PLAYWRIGHT_LAUNCH_OPTIONS") is None
    assert not browser_needed(_settings(NEWSCRAWL_BROWSER="off"), JSNEWS)
    assert browser_needed(_settings(NEWSCRAWL_BROWSER="always"), None)  # e.g. the news spider


def test_a_browser_site_gets_scrapy_playwright(tmp_path):
    chromium = _executable(tmp_path / "chromium")
    settings = _settings(NEWSCRAWL_BROWSER_EXECUTABLE=str(chromium), PLAYWRIGHT_MAX_CONTEXTS=5,
                         NEWSCRAWL_REPLAY="night.warc.gz")
    configure_browser(settings, JSNEWS)
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert (handlers["http"], handlers["https"]) == (HANDLER, HANDLER)
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["newscrawl.replay.middleware.ReplayMiddleware"] is None
    assert middlewares["newscrawl.browser.middleware.BrowserReplayMiddleware"] == 950
    assert middlewares["newscrawl.browser.middleware.BrowserMiddleware"] < 950
    launch = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["executable_path"] == str(chromium)
    assert launch["args"] == list(LAUNCH_ARGS) + list(REPLAY_ARGS)  # replay: no DNS at all
    assert settings.getint("PLAYWRIGHT_MAX_CONTEXTS") == 5  # the command line wins over our default
    assert settings["PLAYWRIGHT_ABORT_REQUEST"].abort_all  # replay: what routing misses is aborted


def test_what_the_browser_does_not_load():
    rules = ResourceFilter()
    assert rules.reason("image", "https://www.jsnews.example/a.jpg") == "type"
    assert rules.reason("font", "https://www.jsnews.example/a.woff2") == "type"
    assert rules.reason("script", "https://www.googletagmanager.com/gtag/js?id=1") == "host"
    assert rules.reason("document", "https://googleads.g.doubleclick.net/pagead/ads") == "host"
    assert rules.reason("script", "https://www.jsnews.example/static/list.js") is None
    assert rules.reason("fetch", "https://www.jsnews.example/api/news?page=1") is None
    assert rules.reason("stylesheet", "https://notdoubleclick.net/a.css") is None


def test_page_actions_per_kind():
    listing = PagePlan.for_page(JSNEWS.browser, "listing", 30)
    assert (listing.wait_for, listing.click, listing.click_times, listing.items) == \
        ("#news-list li a", "#more", 2, "#news-list li")
    article = PagePlan.for_page(JSNEWS.browser, "article", 30)
    assert (article.wait_for, article.click_times, article.scroll_times) == ("#article-body p", 0, 0)


def test_stored_responses_are_handed_to_the_page_decoded():
    import gzip

    args = fulfil_args(200, [("Content-Type", "application/json"), ("Content-Encoding", "gzip"),
                             ("Content-Length", "31"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
                       gzip.compress(b'{"ok": true}'))
    assert args["body"] == b'{"ok": true}'
    assert args["headers"] == {"content-type": "application/json", "set-cookie": "a=1\nb=2"}


# -- real crawls in Chromium, replayed ------------------------------------------------------------
@pytest.mark.browser
def test_replayed_browser_crawl_finds_every_article(tmp_path):
    warc = site_warc(SITE, tmp_path)
    # a fresh context every 3 pages: 8 pages, 3 contexts, the first two closed once done
    result = crawl(["jsnews"], tmp_path, warc=warc, env=EXTRA,
                   settings={**FAST, "NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT": "3"})
    assert result.returncode == 0, result.stderr[-3000:]
    expected = expected_records(SITE)
    urls = [r["url"] for r in result.records]
    assert sorted(urls) == sorted(expected)
    for record in result.records:
        assert not schema_errors(record), record["url"]
        problems = compare_record(record, expected[record["url"]])
        assert not problems, f"{record['url']}:\n" + "\n".join(problems)
    stats = result.stats
    assert stats["newscrawl/browser/rendered"] == 8  # the listing and seven articles
    assert stats["newscrawl/browser/actions/click"] == 2
    assert stats["newscrawl/browser/requests/fetch"] == 3 + 6  # list pages, article bodies: from the WARC
    assert stats.get("newscrawl/replay/miss", 0) == 0 and stats.get("newscrawl/browser/replay_miss", 0) == 0
    assert stats["newscrawl/browser/aborted/type"] > 0 and stats["newscrawl/browser/aborted/host"] > 0
    assert stats["playwright/browser_count"] == 1
    assert stats["playwright/context_count"] == 3 and stats["newscrawl/browser/contexts_closed"] == 2
    assert stats["playwright/page_count/closed"] == 8


@pytest.mark.browser
def test_the_same_crawl_without_the_browser_finds_only_the_plain_article(tmp_path):
    result = crawl(["jsnews"], tmp_path, warc=site_warc(SITE, tmp_path), env=EXTRA,
                   settings={**FAST, "NEWSCRAWL_BROWSER": "off"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert [r["url"] for r in result.records] == ["https://www.jsnews.example/news/1001.html"]
    # no browser was started at all, not even Playwright
    assert not [k for k in result.stats if k.startswith(("playwright/", "newscrawl/browser/"))]
    assert "scrapy-playwright" not in result.stderr


@pytest.mark.browser
def test_the_news_spider_renders_every_page_when_asked(tmp_path):
    url = "https://www.jsnews.example/news/1003.html"
    warc = site_warc(SITE, tmp_path)
    result = crawl(["news", "-a", f"url={url}"], tmp_path, warc=warc, settings={**FAST, "NEWSCRAWL_BROWSER": "always"})
    assert result.returncode == 0, result.stderr[-3000:]
    [record] = result.records
    want = expected_records(SITE)[url]["body"]
    assert all(paragraph in record["body"] for paragraph in want.split("\n\n"))
    assert result.stats["newscrawl/browser/rendered"] == 1


@pytest.mark.browser
@pytest.mark.parametrize("setting", [{"NEWSCRAWL_BROWSER_SEARCH": "/nonexistent/chromium"},
                                     {"NEWSCRAWL_BROWSER_EXECUTABLE": "/nonexistent/chromium"}])
def test_no_chromium_fails_at_start_with_one_line(tmp_path, setting):
    env = {**EXTRA, "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "no-playwright-browsers")}
    result = crawl(["jsnews"], tmp_path, warc=site_warc(SITE, tmp_path), env=env, settings={**FAST, **setting})
    assert result.returncode == 3
    assert result.records == []
    lines = [line for line in result.stderr.splitlines() if "No Chromium" in line]
    assert len(lines) == 1 and "apt-get install chromium" in lines[0], result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert result.stats["finish_reason"] == "browser_missing"
    assert not [k for k in result.stats if k.startswith("playwright/")]
