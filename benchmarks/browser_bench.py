"""Browser rendering cost: pages/s and peak memory of N rendered pages against the same N pages
fetched by Scrapy's own downloader, both in one run against one local server.

Each mode is a real `scrapy crawl news -a urls_file=...` subprocess (NEWSCRAWL_BROWSER=always
renders every page in Chromium; =off fetches them plainly).  Memory is sampled every 50 ms
over the whole process tree - the crawler, Playwright's driver and every Chromium process -
from /proc: the sum of RSS (shared pages counted once per process, an upper bound) and the sum
of PSS (shared pages split between processes: the machine's real cost).

The pages are like the test site's: a body written by a script from JSON, a logo, a web font,
an analytics tag and an ad iframe (all of which the browser aborts).

    .venv/bin/python benchmarks/browser_bench.py                      # 200 pages, 4 at a time
    .venv/bin/python benchmarks/browser_bench.py --pages 1000 --concurrency 8 --rounds 3
    .venv/bin/python benchmarks/browser_bench.py --set NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT=50

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import html
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRAPY = str(Path(sys.executable).parent / "scrapy")

PARAGRAPHS = [
    "韓国の{n}番目の話題について、関係者は5日、今後の見通しを明らかにした。市場では慎重な見方が広がっている。",
    "担当者によると、今年の実績は前年を上回る見込みで、来年も同じ水準が続くとみられる。",
    "一方で、為替の変動や海外の需要の鈍化を懸念する声も根強く、関係機関は動向を注視している。",
    "専門家は「短期的な変化に一喜一憂せず、長期的な視点で判断することが重要だ」と話している。",
]
PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>ベンチマーク記事{n} | ベンチ</title>
<meta property="og:title" content="ベンチマーク記事{n}">
<meta property="article:published_time" content="2025-12-05T09:00:00+09:00">
<link rel="preload" href="/fonts/bench.woff2" as="font" type="font/woff2" crossorigin>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-BENCH"></script>
</head><body>
<header><img src="/logo.png" alt="ベンチ"><nav><a href="/">トップ</a></nav></header>
<main><article><h1>ベンチマーク記事{n}</h1>
<div id="article-body"><p>読み込み中…</p></div>
<script type="application/json" id="article-data">{data}</script>
</article>
<iframe src="https://googleads.g.doubleclick.net/pagead/ads?slot={n}" width="300" height="250"></iframe>
<aside><h2>ランキング</h2><ol><li><a href="/a/1.html">記事1</a></li><li><a href="/a/2.html">記事2</a></li></ol></aside>
</main><footer>(C) ベンチ</footer>
<script src="/static/render.js"></script>
</body></html>
"""
RENDER_JS = b"""(function () {
  var data = JSON.parse(document.getElementById("article-data").textContent);
  var body = document.getElementById("article-body");
  body.innerHTML = "";
  data.paragraphs.forEach(function (t) {
    var p = document.createElement("p"); p.textContent = t; body.appendChild(p);
  });
})();
"""


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path.startswith("/a/") and self.path.endswith(".html"):
            n = self.path[3:-5]
            data = json.dumps({"paragraphs": [p.format(n=n) for p in PARAGRAPHS]}, ensure_ascii=False)
            body, ctype = PAGE.format(n=html.escape(n), data=data).encode(), "text/html; charset=utf-8"
        elif self.path == "/static/render.js":
            body, ctype = RENDER_JS, "application/javascript"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _kib(path: str, field: str) -> int:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory(root: int) -> tuple[int, int, int]:
    """(processes, RSS KiB, PSS KiB) of the process tree under *root*."""
    pids = process_tree(root)
    rss = sum(_kib(f"/proc/{p}/status", "VmRSS:") for p in pids)
    pss = sum(_kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
    return len(pids), rss, pss


def run(mode: str, urls_file: Path, work: Path, concurrency: int, extra: list[str]) -> dict:
    out, stats_file = work / f"{mode}.jsonl", work / f"{mode}-stats.json"
    cmd = [SCRAPY, "crawl", "news", "-a", f"urls_file={urls_file}", "-O", str(out),
           "-s", f"NEWSCRAWL_BROWSER={'always' if mode == 'browser' else 'off'}",
           "-s", f"NEWSCRAWL_STATS_FILE={stats_file}", "-s", "LOG_LEVEL=WARNING",
           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
           "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}", "-s", f"CONCURRENT_REQUESTS={concurrency}",
           "-s", "NEWSCRAWL_MAX_ERROR_RATIO=1", "-s", "NEWSCRAWL_MAX_MISSING_RATIO=1",
           "-s", "NEWSCRAWL_ALLOWED_NETWORKS=127.0.0.1/32"]  # the local server (loopback is refused otherwise)
    for setting in extra:
        cmd += ["-s", setting]
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(work / f"data-{mode}")}
    peak = [0, 0, 0]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def sample() -> None:
        while proc.poll() is None:
            count, rss, pss = tree_memory(proc.pid)
            peak[:] = [max(peak[0], count), max(peak[1], rss), max(peak[2], pss)]
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.monotonic() - started
    sampler.join()
    payload = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    stats = payload.get("stats", {})
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    pages = int(stats.get("newscrawl/requests/article", 0))
    crawl_s = float(stats.get("elapsed_time_seconds") or wall)
    return {"mode": mode, "exit": proc.returncode, "pages": pages,
            "rendered": int(stats.get("newscrawl/browser/rendered", 0)),
            "bodies": sum(1 for r in items if "読み込み中" not in r.get("body", "")), "crawl_s": crawl_s, "wall_s": wall,
            "pages_per_s": pages / crawl_s if crawl_s else 0.0, "procs": peak[0], "rss_mib": peak[1] / 1024,
            "pss_mib": peak[2] / 1024, "stderr": stderr}


def median_of(runs: list[dict]) -> dict:
    out = dict(runs[0])
    for key in ("crawl_s", "wall_s", "pages_per_s", "rss_mib", "pss_mib", "procs"):
        out[key] = statistics.median(r[key] for r in runs)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4, help="pages at a time (both modes)")
    parser.add_argument("--rounds", type=int, default=1, help="runs per mode, alternating; medians are shown")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for both runs (repeatable)")
    args = parser.parse_args(argv)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results: dict[str, list[dict]] = {"plain": [], "browser": []}
    with tempfile.TemporaryDirectory(prefix="browser-bench-") as tmp:
        work = Path(tmp)
        urls_file = work / "urls.txt"
        urls_file.write_text("\n".join(f"{base}/a/{n}.html" for n in range(1, args.pages + 1)) + "\n")
        for round_no in range(args.rounds):
            for mode in ("plain", "browser"):
                result = run(mode, urls_file, work / f"r{round_no}", args.concurrency, args.set)
                if result["exit"] not in (0, 3) or result["pages"] == 0:
                    print(result["stderr"][-3000:], file=sys.stderr)
                    raise SystemExit(f"{mode} run failed (exit {result['exit']})")
                results[mode].append(result)
    server.shutdown()

    plain, browser = median_of(results["plain"]), median_of(results["browser"])
    chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip() \
        if Path("/usr/bin/chromium").exists() else "?"
    print(f"{args.pages} pages, {args.concurrency} at a time, {args.rounds} round(s) (medians); {chromium}; "
          f"{os.cpu_count()} CPUs")
    print()
    print("| mode | pages | bodies found | crawl s | wall s | pages/s | peak RSS MiB (sum) | peak PSS MiB "
          "| processes |")
    print("| --- | --: | --: | --: | --: | --: | --: | --: | --: |")
    for r in (plain, browser):
        print(f"| {r['mode']} | {r['pages']} | {r['bodies']} | {r['crawl_s']:.1f} | {r['wall_s']:.1f} | "
              f"{r['pages_per_s']:.1f} | {r['rss_mib']:.0f} | {r['pss_mib']:.0f} | {r['procs']:.0f} |")
    ratio = lambda key: browser[key] / plain[key] if plain[key] else float("nan")  # noqa: E731
    print(f"| browser / plain | | | {ratio('crawl_s'):.1f}x | {ratio('wall_s'):.1f}x | {ratio('pages_per_s'):.2f}x | "
          f"{ratio('rss_mib'):.1f}x | {ratio('pss_mib'):.1f}x | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
