"""Backfill (`-a since=`): the pure walk rules, the local queue, and walks killed and resumed.

A replayed archive (tests/distributed_site.py) has a sitemap index of 24 monthly sitemaps,
2023-01 .. 2024-12, three articles each, published on the 15th.  The claims: a walk reads
only the months of the range, a walk killed mid-way resumes without walking a page twice
(the kill comes right after the Nth page is settled: N + the resumed run's pages = all
pages), and every article of the range ends up exported exactly once - on one machine (the
local queue) and on several (Redis).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from newscrawl.discovery.backfill import (
    DateRange, archive_dates, from_archive_listing, from_archive_sitemap, period_in_url, walk_roots,
)
from newscrawl.distributed.local_queue import LocalQueue
from newscrawl.sites import get_profile
from newscrawl.sites.profile import ProfileError, profile_from_dict
from tests.distributed_site import archive_site, build, lines, months, stats_of, worker
from tests.helpers import ROOT
from tests.redisserver import redis_server  # noqa: F401 - pytest fixture

DAILYVIEW = get_profile("dailyview")
YEAR_2024 = DateRange(date(2024, 1, 1), date(2024, 12, 31))


def urlset(*entries: tuple[str, str]) -> bytes:
    body = "".join(f"<url><loc>{u}</loc>{f'<lastmod>{d}</lastmod>' if d else ''}</url>" for u, d in entries)
    return (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
            ).encode()


def index(*entries: tuple[str, str]) -> bytes:
    body = "".join(f"<sitemap><loc>{u}</loc>{f'<lastmod>{d}</lastmod>' if d else ''}</sitemap>" for u, d in entries)
    return (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}'
            "</sitemapindex>").encode()


# -- the pure rules ------------------------------------------------------------------------------------
def test_a_child_sitemap_is_read_only_when_its_month_overlaps_the_range():
    body = index(*[(f"https://dailyview.net/sitemap-pt-post-{y}-{m:02d}.xml", "") for y, m in months(2023, 11, 4)])
    found = from_archive_sitemap(body, "https://dailyview.net/wp-sitemap.xml", DAILYVIEW, YEAR_2024, 100)
    assert [p.url.rsplit("-", 2)[-2:] for p in found.pages] == [["2024", "01.xml"], ["2024", "02.xml"]]
    assert {p.kind for p in found.pages} == {"sitemap"}
    assert sum(e.count for e in found.events if e.name == "backfill/out_of_range") == 2


def test_an_undated_child_is_read_unless_its_lastmod_is_before_the_range():
    body = index(("https://dailyview.net/wp-sitemap-posts-post-1.xml", "2023-05-01T00:00:00+00:00"),
                 ("https://dailyview.net/wp-sitemap-posts-post-2.xml", "2024-03-01T00:00:00+00:00"),
                 ("https://dailyview.net/wp-sitemap-posts-post-3.xml", ""))
    found = from_archive_sitemap(body, "https://dailyview.net/wp-sitemap.xml", DAILYVIEW, YEAR_2024, 100)
    assert [p.url[-6:] for p in found.pages] == ["-2.xml", "-3.xml"]


def test_articles_are_kept_by_their_date_and_undated_ones_are_kept():
    body = urlset(("https://dailyview.net/article/1/", "2023-12-31T23:00:00+09:00"),
                  ("https://dailyview.net/article/2/", "2024-06-01T10:00:00+09:00"),
                  ("https://dailyview.net/article/3/", ""),
                  ("https://dailyview.net/article/4/", "2025-02-01T10:00:00+09:00"))  # a change after the range
    found = from_archive_sitemap(body, "https://dailyview.net/sitemap-x.xml", DAILYVIEW, YEAR_2024, 100)
    # a lastmod is a last change: after the range it may still be an article of the range
    assert [a.url for a in found.articles] == [f"https://dailyview.net/article/{n}/" for n in (2, 3, 4)]


def test_a_listing_walk_stops_at_the_first_page_whose_dated_links_are_all_older():
    wowkorea = get_profile("wowkorea")
    page = ('<ul class="news_list">{}</ul><div class="paging"><a class="next" href="?page=3">次</a></div>')
    links = lambda *days: "".join(  # noqa: E731
        f'<li><a class="news_link" href="/news/enter/{d[:4]}/{d[4:]}/{i}.html">x</a></li>' for i, d in enumerate(days))
    span = DateRange(date(2024, 3, 1), date(2024, 3, 31))
    newer = from_archive_listing(page.format(links("20240405", "20240320")), "https://www.wowkorea.jp/news/l.asp",
                                 wowkorea, span, 2, 100)
    assert len(newer.articles) == 1 and [p.depth for p in newer.pages] == [3]
    older = from_archive_listing(page.format(links("20240228", "20240201")), "https://www.wowkorea.jp/news/l.asp",
                                 wowkorea, span, 7, 100)
    assert older.articles == [] and older.pages == []


def test_archive_pages_one_per_day_or_month_newest_first():
    span = DateRange(date(2024, 1, 30), date(2024, 2, 2))
    assert archive_dates("day", span, date(2030, 1, 1)) == [date(2024, 2, d) for d in (2, 1)] + \
        [date(2024, 1, d) for d in (31, 30)]
    assert archive_dates("month", DateRange(date(2023, 12, 5)), date(2024, 2, 10)) == \
        [date(2024, 2, 1), date(2024, 1, 1), date(2023, 12, 1)]
    roots = walk_roots(get_profile("chosun"), span, date(2030, 1, 1))
    assert roots[0].url.endswith("date=20240202") and roots[0].kind == "archive" and len(roots) == 4


def test_periods_read_from_urls_and_ranges_round_trip():
    assert period_in_url("x-2024-02.xml", [r"-(?P<year>\d{4})-(?P<month>\d{2})\.xml"]) == \
        (date(2024, 2, 1), date(2024, 2, 29))
    assert period_in_url("x-2024-13.xml", [r"-(?P<year>\d{4})-(?P<month>\d{2})\.xml"]) is None
    assert period_in_url("y/2023/", [r"/(?P<year>\d{4})/"]) == (date(2023, 1, 1), date(2023, 12, 31))
    for span in (YEAR_2024, DateRange(date(2024, 1, 1))):
        assert DateRange.parse(str(span)) == span == DateRange.from_meta(span.as_meta())


def test_a_backfill_table_is_checked_when_the_profile_loads():
    base = {"key": "x", "name": "x", "domains": ["x.jp"], "article_urls": ["."]}
    with pytest.raises(ProfileError, match="archive_step"):
        profile_from_dict({**base, "backfill": {"archive_step": "week"}})
    with pytest.raises(ProfileError, match="year"):
        profile_from_dict({**base, "backfill": {"url_dates": [r"/(?P<y>\d{4})/"]}})
    with pytest.raises(ProfileError, match="unknown"):
        profile_from_dict({**base, "backfill": {"sitemap": ["x"]}})


# -- the local queue -------------------------------------------------------------------------------------
def test_the_local_queue_settles_each_url_once_and_requeues_a_killed_runs_leases(tmp_path):
    path = tmp_path / "q.sqlite3"
    queue = LocalQueue(path, ["s"], max_attempts=2)
    assert queue.enqueue("s", ["a", "b", "c"]) == 3 and queue.enqueue("s", ["a", "d"]) == 1
    a, b, c = queue.lease(3)
    queue.ack(a)
    assert queue.fail(b, "boom") == "retry"
    assert queue.enqueue("s", ["a"]) == 0  # done: not queued again
    queue.close()  # "killed" while holding c (and not having leased d)
    again = LocalQueue(path, ["s"], max_attempts=2)
    assert again.requeued == 1
    leased = again.lease(10)
    assert sorted(x.url for x in leased) == ["b", "c", "d"]
    retried = next(x for x in leased if x.url == "b")
    assert retried.attempts == 1 and again.fail(retried, "boom again") == "dead"
    again.ack(*[x for x in leased if x.url != "b"])
    assert again.drained() and again.counts("s") == {"queued": 0, "leased": 0, "done": 3, "dead": 1}


# -- walks killed and resumed ----------------------------------------------------------------------------
MONTHS = months(2023, 1, 24)
IN_RANGE = 12 * 3  # articles of 2024
PAGES = 1 + 12  # the index and the 12 monthly sitemaps of 2024
ADDONS = {"ADDONS": json.dumps({"tests.distributed_site.PageLog": 0, "tests.faults.KillAfterWrites": 0})}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("archive")
    return build(archive_site(tmp / "site", MONTHS, 3), tmp)


def exported_once(records: list[dict]) -> None:
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)), "an article was exported twice"
    assert len(urls) == IN_RANGE, f"{IN_RANGE - len(set(urls))} article(s) of the range missing"
    assert all(r["published_at"].startswith("2024-") for r in records)


def walked_once(log: Path) -> None:
    pages = log.read_text(encoding="utf-8").split()
    assert len(pages) == len(set(pages)), "a page was walked twice"
    assert len(pages) == PAGES, f"{PAGES - len(pages)} page(s) never walked"
    assert not any("2023-" in page for page in pages)  # the months before the range are never read


def faults(log: Path, pages: int = 0, writes: int = 0) -> dict:
    # FAULT_KILL_AFTER=0 kills at the first write: a run that must not die gets a bound it never reaches
    return {**ADDONS, "FAULT_PAGES_LOG": log, "FAULT_KILL_AFTER_PAGES": pages, "FAULT_KILL_AFTER": writes or 10**6}


def test_a_backfill_on_one_machine_killed_mid_walk_and_after_writes_resumes(archive, tmp_path):
    data = tmp_path / "data"
    log = tmp_path / "pages.txt"

    def run(name: str, **kill) -> int:
        # the default output (data/dailyview/<time>.jsonl): the state reads it back after a kill
        return worker("dailyview", "", data, tmp_path / f"{name}.jsonl", "-a", "since=2024-01-01",
                      "-a", "until=2024-12-31", warc=archive, settings=faults(log, **kill),
                      default_output=True).wait(timeout=120)

    assert run("o1", pages=5) == -9  # mid-walk
    assert run("o2", writes=10) == -9  # the walk is done: after the 10th line, before the state marks it
    assert run("o3") == 0, (tmp_path / "o3.log").read_text()[-3000:]
    walked_once(log)
    exported_once(lines(sorted((data / "dailyview").glob("*.jsonl"))))
    stats = stats_of(tmp_path / "o3.jsonl")["stats"]
    assert stats["newscrawl/state/recovered"] == 1  # the line written right before the second kill
    assert stats["newscrawl/queue/skipped_exported"] >= 1  # ... whose lease came back: settled, not fetched


def test_a_distributed_backfill_killed_mid_walk_resumes_on_two_workers(archive, tmp_path, redis_server):  # noqa: F811
    data = tmp_path / "data"
    log = tmp_path / "pages.txt"
    walk = ["-a", "since=2024-01-01", "-a", "until=2024-12-31"]
    settings = {"NEWSCRAWL_LEASE_SECONDS": 2}
    first = worker("dailyview", redis_server.url, data, tmp_path / "a1.jsonl", *walk, warc=archive,
                   settings={**settings, **faults(log, pages=4)})
    assert first.wait(timeout=120) == -9
    # the killed worker again (its id comes back: the lowest free slot of the data folder) and a new one
    procs = {name: worker("dailyview", redis_server.url, data, tmp_path / f"{name}.jsonl", *walk, warc=archive,
                          settings={**settings, **faults(log)})
             for name in ("a2", "b1")}
    for name, proc in procs.items():
        assert proc.wait(timeout=180) == 0, (tmp_path / f"{name}.log").read_text()[-3000:]
    walked_once(log)
    exported_once(lines(tmp_path.glob("*.jsonl")))
    ids = {stats_of(tmp_path / f"{name}.jsonl")["stats"]["newscrawl/queue/worker_id"] for name in procs}
    assert len(ids) == 2
    status = subprocess.run([sys.executable, "-m", "newscrawl.queue", "status", "--redis", redis_server.url],
                            capture_output=True, text=True, cwd=ROOT)
    row = next(line.split() for line in status.stdout.splitlines() if line.startswith("dailyview"))
    assert row[1:3] == ["0", "0"]  # nothing queued, nothing leased
