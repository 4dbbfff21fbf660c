"""Distributed mode: items per second with 1, 2 and 4 workers, and Redis round trips per article.

    .venv/bin/python benchmarks/distributed_bench.py [--articles 200] [--workers 1,2,4] [--write]

Each worker is a real `scrapy crawl news -s NEWSCRAWL_REDIS_URL=...` process; they share a
redis-server (AOF on, fsync always, as docs/distributed.md says to run it) and fetch from one
local server on 127.0.0.1 that answers every page after 200 ms (threads: answers overlap).  So
this measures the scaling that latency and politeness allow: one worker keeps its download slot
for the host (CONCURRENT_REQUESTS_PER_DOMAIN) busy, more workers keep more requests in flight -
as long as the machine has CPU for them (on one small machine, the workers share its cores).

Timing: the workers start against a queue held open by one lease of the benchmark's own (so
none exits at once, and Scrapy's start-up is left out); when every worker is up and asking the
queue for work, the articles are queued and the hold is released; the clock runs from then
until the last article is done (Redis's own count).  Two politeness settings:
- no shared limit (DOWNLOAD_DELAY 0): how far workers scale with latency alone;
- DOWNLOAD_DELAY 0.1 (10 requests/s for the host, shared by all workers): the bucket holds
  however many workers there are.
Round trips: every worker's client counts them (newscrawl.distributed.connection); their sum
over the articles (the queue, the commit, the shared state and near-duplicates, politeness).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawl.distributed.connection import connect  # noqa: E402
from newscrawl.distributed.queue import WorkQueue  # noqa: E402
from newscrawl.distributed.queue_status import status  # noqa: E402
from tests.distributed_site import distinct_page  # noqa: E402 - the same distinct article pages as the tests
from tests.redisserver import RedisServer  # noqa: E402 - Debian's redis-server on a free port, AOF on

DOC = ROOT / "docs" / "distributed.md"
LATENCY = 0.2
QUEUE = "news"
SCRAPY = str(Path(sys.executable).parent / "scrapy")


class _Slow(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        time.sleep(LATENCY)
        if self.path.startswith("/a/"):
            body, kind, code = distinct_page(int(self.path.split("/")[2])).encode(), "text/html; charset=UTF-8", 200
        else:
            body, kind, code = b"", "text/plain", 404  # robots.txt: none
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def run(redis_url: str, base: str, articles: int, workers: int, delay: float, offset: int, tmp: Path) -> dict:
    """One measurement: *workers* processes, *articles* fresh URLs (numbered from *offset*)."""
    client = connect(redis_url)
    client.flushall()
    queue = WorkQueue(client, "benchmark", [QUEUE])
    queue.enqueue(QUEUE, [f"{base}/hold"])
    hold = queue.lease(1)  # the queue is not drained while the benchmark holds this
    data = tmp / f"data-{workers}-{delay}"
    procs, outs = [], []
    for i in range(workers):
        out = tmp / f"w{workers}-{delay}-{i}.jsonl"
        outs.append(out)
        cmd = [SCRAPY, "crawl", "news", "-O", str(out), "-s", "LOG_LEVEL=INFO",
               "-s", f"NEWSCRAWL_REDIS_URL={redis_url}", "-s", f"DOWNLOAD_DELAY={delay}",
               "-s", f"NEWSCRAWL_STATS_FILE={out.with_suffix('.stats.json')}", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
               "-s", "NEWSCRAWL_ALLOWED_NETWORKS=127.0.0.1/32"]  # the local server (loopback is refused otherwise)
        log = out.with_suffix(".log").open("wb")
        procs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                      env={**os.environ, "NEWSCRAWL_DATA_DIR": str(data)}))
    # every worker is up and asking the queue (its log says "Worker <id> of queue ..." once it leases)
    while not all(b" of queue " in o.with_suffix(".log").read_bytes() for o in outs):
        if any(p.poll() is not None for p in procs):
            raise RuntimeError(f"a worker exited early: see {tmp}")
        time.sleep(0.05)
    time.sleep(0.5)  # its first lease call comes right after that line
    urls = [f"{base}/a/{n}" for n in range(offset, offset + articles)]
    started = time.monotonic()
    queue.enqueue(QUEUE, urls)
    queue.ack(*hold)
    while status(client, QUEUE)[0].done < articles + 1:
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    for proc in procs:
        proc.wait(timeout=120)
    stats = [json.loads(o.with_suffix(".stats.json").read_text())["stats"] for o in outs]
    exported = sum(sum(1 for _ in o.open()) for o in outs if o.exists())
    trips = sum(s.get("newscrawl/queue/redis_round_trips", 0) for s in stats)
    client.close()
    return {"workers": workers, "delay": delay, "articles": articles, "exported": exported, "seconds": elapsed,
            "per_second": articles / elapsed, "round_trips": trips / articles,
            "codes": [p.returncode for p in procs]}


def report(results: list[dict], articles: int) -> str:
    rows = []
    for r in results:
        limit = "none (DOWNLOAD_DELAY 0)" if not r["delay"] else f"{1 / r['delay']:g}/s for the host, shared"
        rows.append([limit, str(r["workers"]), f"{r['exported']}", f"{r['seconds']:.1f}", f"{r['per_second']:.1f}",
                     f"{r['round_trips']:.1f}", " ".join(map(str, r["codes"]))])
    table = md_table(["shared politeness limit", "workers", "articles exported", "seconds", "items / s",
                      "Redis round trips / article", "exit statuses"], rows, "lrrrrrl")
    return (f"Command: `{command_line()}`  \nVersions: {versions_line('scrapy', 'redis', 'twisted')}; "
            f"redis-server {redis_version()}\n\n{articles} articles per run, a local server answering each page after "
            f"{LATENCY * 1000:.0f} ms; each worker a `scrapy crawl news` process with CONCURRENT_REQUESTS_PER_DOMAIN=2. "
            "Time from queueing the articles (every worker already waiting) to the last one done.\n\n" + table)


def md_table(header: list[str], rows: list[list[str]], align: str) -> str:
    marks = {"l": "---", "r": "---:"}
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    return "\n".join(out + ["| " + " | ".join(r) + " |" for r in rows])


def command_line() -> str:
    return ".venv/bin/python benchmarks/distributed_bench.py " + " ".join(sys.argv[1:])


def versions_line(*dists: str) -> str:
    import importlib.metadata
    import platform

    found = ", ".join(f"{d} {importlib.metadata.version(d)}" for d in dists)
    return f"Python {platform.python_version()}, {found}, {os.cpu_count()} CPUs"


def redis_version() -> str:
    out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    match = re.search(r"v=(\S+)", out)
    return match.group(1) if match else "?"


def write_section(text: str, name: str = "distributed-bench") -> None:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    doc = DOC.read_text(encoding="utf-8")
    block = f"{begin}\n{text.rstrip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    DOC.write_text(pattern.sub(lambda _m: block, doc) if pattern.search(doc) else doc.rstrip() + "\n\n" + block + "\n",
                   encoding="utf-8")
    print(f"wrote the {name} section of {DOC.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--delays", default="0,0.1", help="DOWNLOAD_DELAY values: 0 = no shared limit")
    parser.add_argument("--write", action="store_true", help=f"write the table into {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    import shutil
    server = serve()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results = []
    tmp = tempfile.mkdtemp(prefix="newscrawl-distributed-bench-")  # kept: the workers' logs, if one fails
    with RedisServer(Path(tmp) / "redis") as redis_server:
        offset = 0
        for delay in (float(d) for d in args.delays.split(",")):
            for workers in (int(w) for w in args.workers.split(",")):
                result = run(redis_server.url, base, args.articles, workers, delay, offset, Path(tmp))
                offset += args.articles
                print(json.dumps(result))
                results.append(result)
    shutil.rmtree(tmp, ignore_errors=True)
    text = report(results, args.articles)
    print(text)
    if args.write:
        write_section(text)
    server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
