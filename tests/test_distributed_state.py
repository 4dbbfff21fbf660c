"""The shared state: the same behaviour over SQLite (StateStore) and Redis (RedisStateStore).

Every test in the first part runs twice, once per backend; then the Redis-only parts:
the shared near-duplicate index and the import/export between the two.
"""

from __future__ import annotations

import time

import pytest

from newscrawl.distributed.connection import connect
from newscrawl.distributed.near_duplicates import SharedNearDuplicateIndex
from newscrawl.distributed.state import RedisStateStore
from newscrawl.distributed.transfer import export_state, import_state
from newscrawl.fingerprints import minhash, minhash_to_bytes
from newscrawl.state.store import StateStore
from tests.redisserver import RedisServer, redis_client, redis_server  # noqa: F401 - pytest fixtures
from tests.test_near_duplicates import DAILYVIEW, SAME_TOPIC_A, SAME_TOPIC_B

A, B, C = (f"https://dailyview.net/article/{n}/" for n in (1, 2, 3))
Y = "https://jp.yna.co.kr/view/AJP1"
DAY = 86400


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One redis-server for the parity tests (each test gets its own key prefix)."""
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path, shared_server):
    if request.param == "sqlite":
        s = StateStore(tmp_path / "state.sqlite3")
    else:
        s = RedisStateStore(connect(shared_server.url), prefix=f"t{time.monotonic_ns()}:")
    yield s
    s.close()


def test_unknown_url_is_not_there(store):
    assert store.get(A) is None and A not in store


def test_mark_exported_then_get(store):
    store.mark_exported(A, "dailyview", "h1", "/data/dailyview/x.jsonl", "2025-12-05T09:00:00+09:00", now=1000.0)
    row = store.get(A)
    assert A in store
    assert (row.url, row.site, row.content_hash, row.export_file, row.modified_at, row.revision) == (
        A, "dailyview", "h1", "/data/dailyview/x.jsonl", "2025-12-05T09:00:00+09:00", 1)
    assert (row.first_seen, row.last_seen) == (1000.0, 1000.0)


def test_marking_again_keeps_first_seen_and_takes_the_new_fields(store):
    store.mark_exported(A, "dailyview", "h1", "a.jsonl", now=1000.0)
    store.mark_exported(A, "dailyview", "h2", "b.jsonl", "2025-12-06", revision=2, now=2000.0)
    row = store.get(A)
    assert (row.first_seen, row.last_seen, row.content_hash, row.export_file, row.revision) == (
        1000.0, 2000.0, "h2", "b.jsonl", 2)
    assert store.url_with_hash("h1", "x") is None  # the old text no longer points at A


def test_times_come_back_exactly(store):
    store.mark_exported(A, "dailyview", "h", "f", now=1796404053.6971234)
    store.touch(A, now=1796404099.1234567)
    row = store.get(A)
    assert (row.first_seen, row.last_seen) == (1796404053.6971234, 1796404099.1234567)


def test_optional_fields_may_be_missing(store):
    store.mark_exported(A, "dailyview", None, None)
    row = store.get(A)
    assert (row.content_hash, row.export_file, row.modified_at) == (None, None, None)


def test_url_with_hash_is_the_first_exporter_other_than_the_asker(store):
    store.mark_exported(A, "dailyview", "same", "f", now=1000.0)
    store.mark_exported(B, "yonhap", "same", "f", now=2000.0)
    assert store.url_with_hash("same", C) == A
    assert store.url_with_hash("same", A) == B
    assert store.url_with_hash("other", A) is None


def test_touch_moves_last_seen_only(store):
    store.mark_exported(A, "dailyview", "h", "f", now=1000.0)
    store.touch(A, now=5000.0)
    store.touch(B, now=5000.0)  # unknown: nothing happens
    row = store.get(A)
    assert (row.first_seen, row.last_seen) == (1000.0, 5000.0)
    assert store.get(B) is None


def test_mark_many_adds_only_unknown_rows(store):
    store.mark_exported(A, "dailyview", "h1", "f", revision=3)
    added = store.mark_many([(A, "dailyview", "x", "g", None, 1), (B, "dailyview", "h2", "g", "2025-12-05", 1),
                             (C, "dailyview", None, "g", None, 2)])
    assert added == 2
    assert store.get(A).revision == 3 and store.get(A).content_hash == "h1"
    assert store.get(C).revision == 2 and store.get(B).modified_at == "2025-12-05"


def test_gone_urls_are_remembered_for_a_while(store):
    store.mark_gone(A, "dailyview", 404)
    store.mark_gone(A, "dailyview", 410)
    assert store.gone_status(A, max_age_days=30) == 410
    assert store.gone_status(B, max_age_days=30) is None
    assert store.gone_status(A, max_age_days=-1) is None  # older than the window


def test_recent_signatures_in_order_within_the_window(store):
    store.add_signature(A, "dailyview", b"\x01" * 8)
    store.add_signature(B, "yonhap", b"\x02" * 8)
    assert list(store.recent_signatures(14)) == [(A, b"\x01" * 8), (B, b"\x02" * 8)]
    store.add_signature(A, "dailyview", b"\x03" * 8)  # replaced, and now the most recent
    assert [url for url, _ in store.recent_signatures(14)] == [B, A]
    assert list(store.recent_signatures(-1)) == []


def test_scanned_bytes(store):
    assert store.scanned_bytes("/data/x.jsonl") == 0
    store.set_scanned_bytes("/data/x.jsonl", 1234)
    assert store.scanned_bytes("/data/x.jsonl") == 1234


def test_counts_per_site(store):
    store.mark_exported(A, "dailyview", "h", "f", now=1000.0)
    store.mark_exported(B, "dailyview", "h", "f", now=3000.0)
    store.mark_exported(Y, "yonhap", "h", "f", now=2000.0)
    store.touch(A, now=4000.0)
    assert [tuple(r) for r in store.counts()] == [("dailyview", 2, 1000.0, 4000.0), ("yonhap", 1, 2000.0, 2000.0)]


def test_reset_site_forgets_that_site_only(store):
    store.mark_exported(A, "dailyview", "h1", "f")
    store.mark_exported(Y, "yonhap", "h2", "f")
    store.mark_gone(B, "dailyview", 404)
    store.add_signature(A, "dailyview", b"\x01" * 8)
    store.add_signature(Y, "yonhap", b"\x02" * 8)
    assert store.reset_site("dailyview") == 1
    assert store.get(A) is None and store.get(Y) is not None
    assert store.gone_status(B, 30) is None
    assert [url for url, _ in store.recent_signatures(14)] == [Y]
    assert store.url_with_hash("h1", "x") is None
    assert [r[0] for r in store.counts()] == ["yonhap"]


def test_prune_forgets_what_was_not_seen_for_n_days(store):
    now = time.time()
    store.mark_exported(A, "dailyview", "h1", "f", now=now - 400 * DAY)
    store.mark_exported(B, "dailyview", "h2", "f", now=now - 400 * DAY)
    store.touch(B, now=now - 10 * DAY)  # listed again recently: kept
    store.mark_exported(Y, "yonhap", "h3", "f", now=now)
    assert store.prune(365) == 1
    assert store.get(A) is None and store.get(B) is not None and store.get(Y) is not None
    assert store.url_with_hash("h1", "x") is None


# -- the near-duplicate index shared by workers ------------------------------------------------------

def test_near_duplicate_found_across_two_machines(redis_server):  # noqa: F811
    machine_1, machine_2 = connect(redis_server.url), connect(redis_server.url)
    first = SharedNearDuplicateIndex(machine_1, threshold=0.6, days=14)
    second = SharedNearDuplicateIndex(machine_2, threshold=0.6, days=14)
    first.add(A, minhash(DAILYVIEW), site="dailyview")
    footer = DAILYVIEW + "\n\nこの記事は提携メディアの記事を翻訳・再編集したものです。無断転載を禁じます。"
    assert second.find(minhash(footer), B) == A
    assert second.find(minhash(DAILYVIEW), A) is None  # an article is not its own duplicate
    first.add(C, minhash(SAME_TOPIC_A), site="dailyview")
    assert second.find(minhash(SAME_TOPIC_B), B) is None  # same event, different text


def test_near_duplicate_window_and_prune(redis_client):  # noqa: F811
    index = SharedNearDuplicateIndex(redis_client, threshold=0.6, days=14)
    index.add(A, minhash(DAILYVIEW), site="dailyview", now=time.time() - 30 * DAY)
    assert index.find(minhash(DAILYVIEW), B) is None  # older than NEWSCRAWL_NEAR_DUP_DAYS
    index.days = 60
    assert index.find(minhash(DAILYVIEW), B) == A
    store = RedisStateStore(redis_client)
    store.prune(14)
    assert index.find(minhash(DAILYVIEW), B) is None
    assert not [k for k in redis_client.scan_iter("newscrawl:lsh:*")]  # no band entry left behind


# -- SQLite <-> Redis ------------------------------------------------------------------------------------

def _sqlite_with_rows(path) -> StateStore:
    s = StateStore(path)
    s.mark_exported(A, "dailyview", "h1", "/data/dailyview/a.jsonl", "2025-12-05", revision=2, now=1000.0)
    s.mark_exported(Y, "yonhap", "h2", "/data/yonhap/b.jsonl", now=2000.0)
    s.mark_gone(B, "dailyview", 410)
    s.add_signature(A, "dailyview", minhash_to_bytes(minhash(DAILYVIEW)))
    return s


def test_state_import_then_export_round_trips_and_is_idempotent(redis_client, tmp_path):  # noqa: F811
    source = _sqlite_with_rows(tmp_path / "one.sqlite3")
    target = RedisStateStore(redis_client)
    first = import_state(source, target)
    assert (first.articles_read, first.articles_added, first.gone, first.signatures) == (2, 2, 1, 1)
    again = import_state(source, target)
    assert (again.articles_added, again.articles_updated) == (0, 0)
    row = target.get(A)
    assert (row.first_seen, row.last_seen, row.revision, row.content_hash, row.modified_at) == (
        1000.0, 1000.0, 2, "h1", "2025-12-05")
    assert target.gone_status(B, 30) == 410
    # the imported signature is in the shared index: a worker finds the near-duplicate
    footer = DAILYVIEW + "\n\n無断転載を禁じます。"
    index = SharedNearDuplicateIndex(redis_client, threshold=0.6, days=100000)
    assert index.find(minhash(footer), C) == A

    target.mark_exported(C, "dailyview", "h3", "/data/dailyview/1--host-1.jsonl", now=3000.0)  # a worker's
    back = StateStore(tmp_path / "two.sqlite3")
    out = export_state(target, back)
    assert (out.articles_read, out.articles_added, out.gone, out.signatures) == (3, 3, 1, 1)
    assert export_state(target, back).articles_added == 0
    assert export_state(target, back).articles_updated == 0
    assert [(r[0], r[1]) for r in back.counts()] == [("dailyview", 2), ("yonhap", 1)]
    assert back.get(A) == source.get(A)
    assert back.gone_status(B, 30) == 410
    assert [url for url, _ in back.recent_signatures(100000)] == [A]


def test_import_merges_with_what_workers_already_exported(redis_client, tmp_path):  # noqa: F811
    source = _sqlite_with_rows(tmp_path / "one.sqlite3")
    target = RedisStateStore(redis_client)
    target.mark_exported(A, "dailyview", "h9", "/w/1--host-1.jsonl", revision=3, now=5000.0)  # newer
    target.mark_exported(Y, "yonhap", "h2", "/w/1--host-1.jsonl", now=500.0)  # seen earlier
    counts = import_state(source, target)
    assert counts.articles_added == 0
    a, y = target.get(A), target.get(Y)
    assert (a.first_seen, a.last_seen, a.revision, a.content_hash) == (1000.0, 5000.0, 3, "h9")
    assert (y.first_seen, y.last_seen, y.export_file) == (500.0, 2000.0, "/data/yonhap/b.jsonl")
