"""`python -m newscrawl.queue`: status, requeue-dead, state-import/export, recover; errors as exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from newscrawl.distributed.cli import main
from newscrawl.distributed.queue import WorkQueue
from newscrawl.distributed.state import RedisStateStore
from newscrawl.state.store import StateStore
from tests.helpers import ROOT
from tests.redisserver import free_port, redis_client, redis_server  # noqa: F401 - pytest fixtures

SITE = "dailyview"
URLS = [f"https://dailyview.net/article/{n}/" for n in range(1, 8)]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newscrawl.queue", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def _row(stdout: str, site: str) -> list[str]:
    [line] = [line for line in stdout.splitlines() if line.startswith(site + " ")]
    return line.split()


def test_status_shows_queued_leased_done_failed_dead_per_site(redis_server, redis_client):  # noqa: F811
    q = WorkQueue(redis_client, "host-1", [SITE], max_attempts=1)
    q.enqueue(SITE, URLS)
    WorkQueue(redis_client, "host-2", ["yonhap"]).enqueue("yonhap", ["https://jp.yna.co.kr/view/AJP1"])
    leases = q.lease(4)
    q.ack(leases[0])
    q.fail(leases[1], "HTTP 500")  # max_attempts=1: dead at once
    run = cli("status", "--redis", redis_server.url)
    assert run.returncode == 0, run.stderr
    site, queued, leased, done, failed, dead, dups, *workers = _row(run.stdout, SITE)
    assert (queued, leased, done, failed, dead, dups) == ("3", "2", "1", "1", "1", "0")
    assert workers[0] == "host-1:" and workers[1] == "2"  # the worker holding the leases, and how many
    assert _row(run.stdout, "yonhap")[1] == "1"
    only = cli("status", "--redis", redis_server.url, "--site", "yonhap")
    assert "dailyview" not in only.stdout and _row(only.stdout, "yonhap")[1] == "1"


def test_requeue_dead_puts_dead_letters_back(redis_server, redis_client):  # noqa: F811
    q = WorkQueue(redis_client, "host-1", [SITE], max_attempts=1)
    q.enqueue(SITE, URLS[:2])
    for lease in q.lease(2):
        q.fail(lease, "timeout")
    run = cli("requeue-dead", "--redis", redis_server.url, "--site", SITE)
    assert run.returncode == 0, run.stderr
    assert "requeued 2" in run.stdout
    assert sorted(x.url for x in q.lease(5)) == URLS[:2]
    assert _row(cli("status", "--redis", redis_server.url).stdout, SITE)[5] == "0"


def test_state_import_and_export_print_their_counts(redis_server, redis_client, tmp_path, capsys):  # noqa: F811
    # in-process (main()), as the subprocess tests above and below already cover the entry point
    sqlite = StateStore(tmp_path / "state.sqlite3")
    sqlite.mark_exported(URLS[0], SITE, "h", "/data/dailyview/a.jsonl")
    sqlite.close()
    state = ["--redis", redis_server.url, "--state", str(tmp_path / "state.sqlite3")]
    assert main(["state-import", *state]) == 0
    assert "1 articles read, 1 added" in capsys.readouterr().out
    assert RedisStateStore(redis_client).get(URLS[0]).content_hash == "h"
    assert main(["state-import", *state]) == 0
    assert "1 articles read, 0 added, 0 updated" in capsys.readouterr().out
    assert main(["state-export", "--redis", redis_server.url, "--state", str(tmp_path / "back.sqlite3")]) == 0
    assert "1 added" in capsys.readouterr().out
    assert StateStore(tmp_path / "back.sqlite3").get(URLS[0]).content_hash == "h"
    assert main(["state-import", "--redis", redis_server.url, "--state", str(tmp_path / "nope.sqlite3")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_unreachable_redis_is_one_line_and_exit_4():
    url = f"redis://127.0.0.1:{free_port()}/0"  # nobody listens there
    for command in ("status", "requeue-dead", "state-export"):
        run = cli(command, "--redis", url)
        assert run.returncode == 4, (command, run.stderr)
        assert run.stderr.startswith(f"newscrawl: cannot reach Redis at {url}: ")
        assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


def test_the_password_is_not_printed():
    run = cli("status", "--redis", f"redis://:s3cret@127.0.0.1:{free_port()}/0")
    assert run.returncode == 4 and "s3cret" not in run.stderr and ":***@" in run.stderr


def test_bad_arguments_exit_2():
    assert cli("status").returncode == 2  # --redis is required
    assert cli("frobnicate", "--redis", "redis://127.0.0.1:1/0").returncode == 2
    bad = cli("status", "--redis", "http://127.0.0.1:1/0")
    assert bad.returncode == 2 and bad.stderr.startswith("newscrawl: bad Redis URL") and "Traceback" not in bad.stderr


def test_recover_settles_a_dead_workers_last_line(redis_server, redis_client, tmp_path, capsys):  # noqa: F811
    q = WorkQueue(redis_client, "crawl-a-1", [SITE])
    q.enqueue(SITE, URLS[:1])
    [lease] = q.lease(1)
    shard = tmp_path / "2026-01-01T00-00-00--crawl-a-1.jsonl"
    shard.write_text(json.dumps({"url": lease.url, "site": SITE, "content_hash": "h"}) + "\n", encoding="utf-8")
    # the machine died after the write, before the commit; its disk is readable from here
    assert main(["recover", "--redis", redis_server.url, "--worker", "crawl-a-1", str(shard)]) == 0
    assert "1 line(s) committed" in capsys.readouterr().out
    assert q.drained() and RedisStateStore(redis_client).get(lease.url) is not None
