"""Polite by default: robots.txt obeyed, AutoThrottle, at most 2 requests per domain, a User-Agent with a contact."""

from __future__ import annotations

import shutil

from scrapy.utils.project import get_project_settings

from tests.helpers import SITE_FIXTURES, crawl, site_warc


def test_default_settings_are_polite():
    settings = get_project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert settings.getfloat("DOWNLOAD_DELAY") > 0
    agent = settings.get("USER_AGENT")
    assert agent.startswith("newscrawl/") and settings.get("NEWSCRAWL_CONTACT") in agent


def test_robots_txt_disallow_is_obeyed(tmp_path):
    folder = tmp_path / "dailyview"
    shutil.copytree(SITE_FIXTURES / "dailyview", folder)
    with (folder / "site.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[response]]\nurl = "https://dailyview.net/robots.txt"\ncontent_type = "text/plain"\n'
                 'body = "User-agent: *\\nDisallow: /article/\\n"\n')
    result = crawl(["dailyview"], tmp_path, warc=site_warc(folder, tmp_path),
                   settings={"NEWSCRAWL_MAX_AGE_DAYS": "0", "NEWSCRAWL_STRICT": "0"})
    assert result.records == []
    assert result.stats["robotstxt/forbidden"] >= 4
    assert result.stats.get("newscrawl/requests/article", 0) == 0
