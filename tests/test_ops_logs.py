"""A crawlall night's log names the site of every line about a site (issue 15, finding 3)."""

from __future__ import annotations

import logging
import os
import re
import subprocess

from newscrawl.extensions.sitelog import SiteNamingFormatter
from newscrawl.replay.build import build_warc
from tests.helpers import ROOT, SCRAPY, SITE_FIXTURES

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[(?P<logger>[^\]]+)\] (?P<level>[A-Z]+): (?P<message>.*)$")
SITES = ("dailyview", "hani")
HOSTS = {"dailyview": "dailyview.net", "hani": "japan.hani.co.kr"}


class Spider:
    name = "yonhap"


def _record(**extra) -> logging.LogRecord:
    record = logging.LogRecord("scrapy.extensions.logstats", logging.INFO, __file__, 1,
                               "Crawled %(pages)d pages", ({"pages": 3},), None)
    record.__dict__.update(extra)
    return record


def test_a_record_about_a_spider_is_prefixed_and_left_unchanged_for_other_handlers():
    formatter = SiteNamingFormatter(logging.Formatter("%(name)s: %(message)s"))
    record = _record(spider=Spider())
    assert formatter.format(record) == "scrapy.extensions.logstats: [yonhap] Crawled 3 pages"
    assert record.getMessage() == "Crawled 3 pages"  # caplog and other handlers see the record as logged
    assert formatter.format(_record()) == "scrapy.extensions.logstats: Crawled 3 pages"  # no spider: as it was
    own = _record(spider=Spider())
    own.name = "yonhap"  # the spider's own logger already says the site
    assert formatter.format(own) == "yonhap: Crawled 3 pages"


def test_every_periodic_line_and_stats_dump_of_a_crawlall_names_its_site(tmp_path):
    warc = tmp_path / "night.warc.gz"
    build_warc(warc, [SITE_FIXTURES / site for site in SITES])
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([SCRAPY, "crawlall", "--sites", ",".join(SITES), "-s", f"NEWSCRAWL_REPLAY={warc}",
                           "-s", "NEWSCRAWL_MAX_AGE_DAYS=0", "-s", "LOGSTATS_INTERVAL=0.05", "-s", "LOG_LEVEL=DEBUG"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [m for m in map(LINE.match, proc.stderr.splitlines()) if m]

    def site_of(line) -> str | None:
        if line["logger"] in SITES:
            return line["logger"]
        named = re.match(r"\[(\w+)\] ", line["message"])
        return named[1] if named else None

    for text in ("Crawled ", "Dumping Scrapy stats", "Closing spider", "Spider closed", "Stored jsonlines feed"):
        about = [line for line in lines if re.sub(r"^\[\w+\] ", "", line["message"]).startswith(text)]
        assert about, text
        assert all(site_of(line) in SITES for line in about), [line[0] for line in about if not site_of(line)]
        if text != "Crawled ":
            assert sorted(site_of(line) for line in about) == sorted(SITES), text
    assert {site_of(line) for line in lines if "Crawled " in line["message"]} == set(SITES)
    # each fetched page's line names the site the page belongs to
    fetched = [line for line in lines if "Crawled (200) <GET" in line["message"]]
    assert fetched and all(HOSTS[site_of(line)] in line["message"] for line in fetched)


def test_naming_the_site_can_be_turned_off(tmp_path):
    warc = tmp_path / "night.warc.gz"
    build_warc(warc, [SITE_FIXTURES / "hani"])
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([SCRAPY, "crawl", "hani", "-s", f"NEWSCRAWL_REPLAY={warc}", "-s", "NEWSCRAWL_LOG_SITE=0",
                           "-s", "NEWSCRAWL_MAX_AGE_DAYS=0"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0 and "Dumping Scrapy stats" in proc.stderr and "[hani] Dumping" not in proc.stderr
