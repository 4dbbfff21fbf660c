"""Exactly-once export on the primitive level: shards, commits, kills between write and commit."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from newscrawl.distributed.commit import Committer
from newscrawl.distributed.connection import connect
from newscrawl.distributed.queue import WorkQueue
from newscrawl.distributed.queue_status import status
from newscrawl.distributed.shards import ShardWriter, recover_shards, truncate_line
from newscrawl.distributed.state import RedisStateStore
from newscrawl.distributed.worker import claim_worker_id
from tests.distributed_worker import record_for
from tests.redisserver import redis_server  # noqa: F401 - pytest fixture

SITE = "dailyview"
URLS = [f"https://dailyview.net/article/{n}/" for n in range(1, 6)]


class Worker:
    """One worker id's queue, committer and shard (a 'restart' is a new Worker with the same id)."""

    def __init__(self, url: str, worker_id: str, folder: Path, incarnation: str = "1", lease_seconds: float = 0.3):
        self.client = connect(url)
        self.id = worker_id
        self.queue = WorkQueue(self.client, worker_id, [SITE], lease_seconds=lease_seconds)
        self.committer = Committer(self.client, worker_id)
        self.shard = folder / f"{incarnation}--{worker_id}.jsonl"
        self.writer: ShardWriter | None = None

    def open(self) -> ShardWriter:
        self.writer = self.writer or ShardWriter(self.committer, self.shard)
        return self.writer

    def write_without_commit(self, url: str) -> None:
        """What a SIGKILL between the fsynced write and the commit leaves behind."""
        self.committer.register_shard(str(self.shard.resolve()))
        with self.shard.open("ab") as fh:
            fh.write((json.dumps(record_for(url, SITE), ensure_ascii=False) + "\n").encode())

    def take_over(self, count: int = 10):
        self.queue._next_takeover = 0
        return self.queue.lease(count)


@pytest.fixture
def workers(redis_server, tmp_path):  # noqa: F811
    made = []

    def make(worker_id: str, incarnation: str = "1", **kwargs) -> Worker:
        w = Worker(redis_server.url, worker_id, tmp_path / "shards", incarnation, **kwargs)
        (tmp_path / "shards").mkdir(exist_ok=True)
        made.append(w)
        return w

    yield make
    for w in made:
        if w.writer:
            w.writer.close()
        w.client.close()


def shard_urls(folder: Path) -> list[str]:
    return [json.loads(line)["url"] for path in sorted(folder.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def site_counts(client) -> tuple[int, int, int, int]:
    row = status(client, SITE)[0]
    return row.queued, row.leased, row.done, row.duplicates


def test_a_url_committed_by_one_worker_is_cut_off_the_other_workers_shard(workers, tmp_path):
    a, b = workers("a"), workers("b")
    a.queue.enqueue(SITE, URLS[:1])
    [lease_a] = a.queue.lease(1)
    time.sleep(0.4)  # a is slow: its lease expires and b takes the URL over
    [lease_b] = b.take_over(1)
    assert lease_b.id == lease_a.id
    assert a.open().write(record_for(lease_a.url, SITE), site=SITE, lease_id=lease_a.id).kept
    result = b.open().write(record_for(lease_b.url, SITE), site=SITE, lease_id=lease_b.id)
    assert not result.kept
    assert b.shard.stat().st_size == 0  # the line is gone again
    assert shard_urls(tmp_path / "shards") == URLS[:1]
    assert site_counts(a.client) == (0, 0, 1, 1)
    assert a.queue.drained()


def test_a_commit_sent_again_after_a_lost_answer_counts_once(workers):
    a = workers("a")
    a.queue.enqueue(SITE, URLS[:1])
    [lease] = a.queue.lease(1)
    args = (lease.url, SITE, "h1", "/shards/1--a.jsonl", 0, 120)
    assert a.committer.commit_status(*args, lease_id=lease.id) == "ok"
    assert a.committer.commit_status(*args, lease_id=lease.id) == "already"
    assert site_counts(a.client)[2:] == (1, 0)
    assert a.committer.committed_offset("/shards/1--a.jsonl") == 120


def test_killed_between_write_and_commit_then_restarted_at_once_commits_its_line(workers, tmp_path):
    a = workers("a", lease_seconds=30)
    a.queue.enqueue(SITE, URLS[:2])
    leases = a.queue.lease(2)
    a.open().write(record_for(leases[0].url, SITE), site=SITE, lease_id=leases[0].id)
    a.write_without_commit(leases[1].url)  # ... SIGKILL
    again = workers("a", incarnation="2", lease_seconds=30)
    report = recover_shards(again.committer)
    assert (report.committed, report.duplicates) == (1, 0)
    assert again.queue.lease(10) == []  # the recovered URL's lease was retired by its commit
    assert again.queue.drained()
    assert sorted(shard_urls(tmp_path / "shards")) == sorted(URLS[:2])
    assert RedisStateStore(a.client).raw(leases[1].url)["worker"] == "a"
    assert recover_shards(again.committer).committed == 0  # running it again changes nothing


def test_killed_between_write_and_commit_after_another_worker_exported_the_url_moves_the_line_out(workers, tmp_path):
    a, b = workers("a"), workers("b")
    a.queue.enqueue(SITE, URLS[:3])
    leases = a.queue.lease(3)
    for lease in leases[:2]:
        a.open().write(record_for(lease.url, SITE), site=SITE, lease_id=lease.id)
    a.write_without_commit(leases[2].url)  # ... SIGKILL; a stays down longer than its lease
    time.sleep(0.4)
    [taken] = b.take_over()
    assert taken.url == leases[2].url
    assert b.open().write(record_for(taken.url, SITE), site=SITE, lease_id=taken.id).kept
    again = workers("a", incarnation="2")
    report = recover_shards(again.committer)
    assert (report.committed, report.duplicates) == (0, 1)
    urls = shard_urls(tmp_path / "shards")
    assert sorted(urls) == sorted(URLS[:3]) and len(urls) == 3  # the union: every URL once
    dup = a.shard.with_name(a.shard.name + ".dup").read_text(encoding="utf-8")
    assert json.loads(dup)["url"] == leases[2].url  # set aside, not silently deleted
    assert site_counts(a.client) == (0, 0, 3, 1)


def test_a_torn_last_line_is_set_aside_and_its_url_worked_again(workers, tmp_path):
    a = workers("a", lease_seconds=30)
    a.queue.enqueue(SITE, URLS[:2])
    leases = a.queue.lease(2)
    a.open().write(record_for(leases[0].url, SITE), site=SITE, lease_id=leases[0].id)
    a.writer.close()
    with a.shard.open("ab") as fh:  # SIGKILL in the middle of the second line
        fh.write(b'{"url": "' + leases[1].url.encode()[:20])
    again = workers("a", incarnation="2", lease_seconds=30)
    report = recover_shards(again.committer)
    assert (report.torn, report.committed) == (1, 0)
    assert a.shard.with_name(a.shard.name + ".torn").exists()
    [retry] = again.queue.lease(10)  # its own unfinished lease, first
    assert retry.url == leases[1].url
    assert again.open().write(record_for(retry.url, SITE), site=SITE, lease_id=retry.id).kept
    assert sorted(shard_urls(tmp_path / "shards")) == sorted(URLS[:2])


def test_a_redirected_url_is_done_under_the_url_it_was_queued_as(workers):
    a = workers("a")
    queued = URLS[0]
    final = "https://dailyview.net/article/1/?amp=0"
    a.queue.enqueue(SITE, [queued])
    [lease] = a.queue.lease(1)
    record = record_for(final, SITE)
    assert a.open().write(record, site=SITE, queued_url=queued, lease_id=lease.id).kept
    assert a.queue.drained()
    assert a.queue.enqueue(SITE, [queued, final]) == 0  # queued: done; final: exported


def test_a_new_revision_of_an_exported_article_is_committed(workers):
    a = workers("a")
    a.queue.enqueue(SITE, URLS[:1])
    [lease] = a.queue.lease(1)
    assert a.open().write(record_for(lease.url, SITE), site=SITE, lease_id=lease.id).kept
    # a later night re-fetches it (an entry queued again by hand) and finds a correction
    a.client.hdel("newscrawl:q:dailyview:urls", lease.url)
    assert a.queue.enqueue(SITE, URLS[:1]) == 0  # enqueue skips exported URLs ...
    a.client.hdel("newscrawl:articles", lease.url)
    assert a.queue.enqueue(SITE, URLS[:1]) == 1  # ... until the state forgets them
    [again] = a.queue.lease(1)
    RedisStateStore(a.client).mark_exported(lease.url, SITE, "old", "x.jsonl", revision=1)
    corrected = {**record_for(lease.url, SITE), "revision": 2, "content_hash": "new"}
    assert a.writer.write(corrected, site=SITE, lease_id=again.id).kept
    assert RedisStateStore(a.client).get(lease.url).revision == 2


def test_worker_ids_are_stable_across_restarts_and_unique_per_data_folder(tmp_path):
    first, lock_1 = claim_worker_id(tmp_path, host="crawl-a")
    second, lock_2 = claim_worker_id(tmp_path, host="crawl-a")
    assert (first, second) == ("crawl-a-1", "crawl-a-2")
    lock_1.release()  # the first worker dies (the kernel drops its flock) ...
    again, lock_3 = claim_worker_id(tmp_path, host="crawl-a")
    assert again == "crawl-a-1"  # ... and its restart gets its id, its shards and its leases back
    with pytest.raises(RuntimeError):
        claim_worker_id(tmp_path, explicit="crawl-a-2")  # in use
    with pytest.raises(ValueError):
        claim_worker_id(tmp_path, explicit="a/b")  # it goes into file and key names
    for lock in (lock_2, lock_3):
        lock.release()


def test_truncate_line_leaves_no_hole_in_a_file_opened_for_overwrite(tmp_path):
    path = tmp_path / "out.jsonl"
    with path.open("wb") as fh:  # how -O opens its file
        fh.write(b'{"url": "a"}\n')
        before = fh.tell()
        fh.write(b'{"url": "b"}\n')
        truncate_line(fh, before)
        fh.write(b'{"url": "c"}\n')
    assert path.read_bytes() == b'{"url": "a"}\n{"url": "c"}\n'


# -- the exporter's side of the commit: a refused line is cut off again -----------------------------------
DURABLE = {"jsonlines": "newscrawl.export.DurableJsonLinesExporter"}


def test_a_line_a_committer_refuses_is_cut_off_and_not_counted(tmp_path):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from newscrawl.export import DurableFeedExporter
    from newscrawl.export.feed import CUT, SCRAPED_RESPONSE
    from tests.helpers import newscrawl_settings

    path = tmp_path / "shard.jsonl"
    crawler = get_crawler(Spider, {**newscrawl_settings(), "FEED_EXPORTERS": DURABLE, "FEEDS": {str(path): {
        "format": "jsonlines", "overwrite": False, "item_export_kwargs": {"fsync": True}}}})
    exporter = DurableFeedExporter(crawler)
    spider = Spider("s")
    exporter.open_spider(spider)
    seen = []

    def commit(item, receipts):
        seen.append((receipts[0].start, receipts[0].end, SCRAPED_RESPONSE.get()))
        return CUT if item["url"].endswith("/2") else None

    exporter.add_committer(commit)
    for n in (1, 2, 3):
        exporter.item_scraped({"url": f"https://x.jp/{n}"}, spider, response=f"response {n}")
    exporter.slots[0].file.close()
    assert [json.loads(line)["url"] for line in path.read_text().splitlines()] == ["https://x.jp/1", "https://x.jp/3"]
    assert seen[1][0] == seen[2][0]  # the third line starts where the cut one did: no hole, no leftover
    assert [s[2] for s in seen] == ["response 1", "response 2", "response 3"]  # each commit sees its response
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/items/exported"] == 2 and stats["newscrawl/export/cut"] == 1


def test_a_gate_that_says_no_keeps_the_record_out_of_the_file(tmp_path):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from newscrawl.export import DurableFeedExporter
    from tests.helpers import newscrawl_settings

    path = tmp_path / "shard.jsonl"
    crawler = get_crawler(Spider, {**newscrawl_settings(), "FEED_EXPORTERS": DURABLE,
                                   "FEEDS": {str(path): {"format": "jsonlines"}}})
    exporter = DurableFeedExporter(crawler)
    spider = Spider("s")
    exporter.open_spider(spider)
    exporter.add_gate(lambda item: item["url"] != "https://x.jp/2")
    for n in (1, 2):
        exporter.item_scraped({"url": f"https://x.jp/{n}"}, spider)
    exporter.slots[0].file.close()
    assert [json.loads(line)["url"] for line in path.read_text().splitlines()] == ["https://x.jp/1"]
    assert crawler.stats.get_value("newscrawl/items/exported") == 1
