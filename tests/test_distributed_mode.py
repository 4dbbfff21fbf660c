"""What a queue mode changes before the crawl starts (newscrawl/distributed/mode.py), the settings'
checks, one worker id per process, and the prefetch that saves the state's round trips."""

from __future__ import annotations

from datetime import date

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from newscrawl.config import ConfigError, build_config
from newscrawl.distributed.mode import LOCAL, REDIS, SHARED_DELAY, prepare, shard_output
from newscrawl.distributed.state import RedisStateStore
from newscrawl.distributed.worker import claim_process_worker_id
from newscrawl.spiders.args import SpiderArgs
from tests.helpers import newscrawl_settings
from tests.redisserver import redis_client, redis_server  # noqa: F401 - pytest fixtures


def _crawler(tmp_path, feeds_priority: str = "spider", **settings):
    crawler = get_crawler(Spider, {**newscrawl_settings(NEWSCRAWL_DATA_DIR=str(tmp_path / "data")),
                                   "DOWNLOAD_DELAY": 0.5, **settings})
    crawler.settings.frozen = False  # get_crawler freezes them; a spider's from_crawler sees them open
    crawler.settings.set("FEEDS", {str(tmp_path / "out" / "%(time)s.jsonl"): {"format": "jsonlines"}},
                         priority=feeds_priority)
    return crawler


class _Spider:
    def __init__(self, since=None, name: str = "dailyview") -> None:
        self.args = SpiderArgs(since=since)
        self.name = name
        self.allowed_domains = ["dailyview.net"]


def test_a_nightly_run_is_left_alone(tmp_path):
    crawler = _crawler(tmp_path)
    assert prepare(crawler, _Spider()) is None
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 0.5


def test_a_backfill_appends_and_fsyncs_and_expects_no_minimum(tmp_path):
    crawler = _crawler(tmp_path, feeds_priority="cmdline")  # -O: overwrite would truncate a shard to recover
    assert prepare(crawler, _Spider(since=date(2024, 1, 1))) == LOCAL
    (uri, options), = crawler.settings.getdict("FEEDS").items()
    assert options["overwrite"] is False and options["item_export_kwargs"]["fsync"] is True
    assert uri.endswith("%(time)s.jsonl")  # the user's -O name is kept
    config = build_config(crawler.settings)
    assert (config.min_items, config.min_candidates) == (0, 0)
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 0.5  # one machine: Scrapy's own politeness


def test_distributed_mode_names_the_default_shard_and_hands_the_delay_to_the_shared_bucket(tmp_path):
    crawler = _crawler(tmp_path, NEWSCRAWL_REDIS_URL="redis://127.0.0.1:1/0", NEWSCRAWL_WORKER_ID="w7")
    crawler.settings.set("NEWSCRAWL_MIN_ITEMS", 3, priority="cmdline")  # -s NEWSCRAWL_MIN_ITEMS=3
    assert prepare(crawler, _Spider()) == REDIS
    (uri, _), = crawler.settings.getdict("FEEDS").items()
    assert uri.endswith("%(time)s--w7.jsonl")
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 0 and not crawler.settings.getbool("AUTOTHROTTLE_ENABLED")
    assert crawler.settings.getfloat(SHARED_DELAY) == 0.5
    assert build_config(crawler.settings).min_items == 3  # what the user set still holds


def test_a_generic_worker_takes_any_host_the_queue_holds(tmp_path):
    spider = _Spider(name="news")
    spider.allowed_domains = ["given.example"]  # from its own -a url
    prepare(_crawler(tmp_path, NEWSCRAWL_REDIS_URL="redis://127.0.0.1:1/0", NEWSCRAWL_WORKER_ID="w8"), spider)
    assert spider.allowed_domains == []


def test_shard_names_carry_the_worker_id_once():
    assert shard_output("d/%(name)s/%(time)s.jsonl", "h-2") == "d/%(name)s/%(time)s--h-2.jsonl"
    assert shard_output("d/%(time)s--h-2.jsonl", "h-2") == "d/%(time)s--h-2.jsonl"
    assert shard_output("d/out", "h-2") == "d/out--h-2"


def test_bad_distributed_settings_are_one_line_errors_without_the_password():
    with pytest.raises(ConfigError, match=r"\*\*\*") as caught:
        build_config(get_crawler(Spider, newscrawl_settings(NEWSCRAWL_REDIS_URL="http://:pw@h:1/0")).settings)
    assert "pw" not in str(caught.value)
    with pytest.raises(ConfigError, match="WORKER_ID"):
        build_config(get_crawler(Spider, newscrawl_settings(NEWSCRAWL_WORKER_ID="a/b")).settings)
    with pytest.raises(ConfigError, match="LEASE_SECONDS"):
        build_config(get_crawler(Spider, newscrawl_settings(NEWSCRAWL_LEASE_SECONDS="0")).settings)


def test_one_worker_id_per_process_and_data_folder(tmp_path):
    first, lock = claim_process_worker_id(tmp_path, host="m")
    assert claim_process_worker_id(tmp_path, host="m") == (first, lock)  # the command, the spider, the queue
    lock.release()
    again, lock2 = claim_process_worker_id(tmp_path, host="m")
    assert again == first and lock2 is not lock  # released (the run ended): taken afresh
    lock2.release()


def test_prefetched_rows_answer_without_a_round_trip_until_written(redis_client):  # noqa: F811
    store = RedisStateStore(redis_client)
    store.mark_exported("https://x.jp/1", "x", "h", "f")
    store.mark_gone("https://x.jp/2", "x", 404)
    store.prefetch(["https://x.jp/1", "https://x.jp/2", "https://x.jp/3"])
    before = redis_client.round_trips.count
    assert store.get("https://x.jp/1").content_hash == "h" and store.get("https://x.jp/3") is None
    assert store.gone_status("https://x.jp/2", 30) == 404 and store.gone_status("https://x.jp/1", 30) is None
    assert redis_client.round_trips.count == before
    store.mark_exported("https://x.jp/3", "x", "h3", "f")  # our own write: the prefetched "none" goes
    assert store.get("https://x.jp/3").content_hash == "h3"
