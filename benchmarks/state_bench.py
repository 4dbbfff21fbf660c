"""The state at scale: 1,000,000 article URLs, lookups/s and peak RSS, against a Python set.

    .venv/bin/python benchmarks/state_bench.py [--urls 1000000] [--lookups 200000]

Each side runs in its own child process (so each peak RSS is its own), in one run:
- state: a fresh SQLite state filled with N URLs, then the lookups the skip middleware does
  (``url in store``: half hits, half misses);
- set: the same URLs in a plain Python set, the same lookups.
Reports lookups/s, the ratio, and the peak RSS of each process (ru_maxrss).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


SITES = ["jp.yna.co.kr/view/AJP2025", "www.kstyle.com/article.ksn?articleNo=", "danmee.jp/?p=",
         "japanese.joins.com/JArticle/", "world.kbs.co.kr/service/news_view.htm?lang=j&Seq_Code="]


def url_at(i: int) -> str:
    return f"https://{SITES[i % len(SITES)]}{i:09d}{(i * 7919) % 1000:03d}"


def urls(n: int):
    return (url_at(i) for i in range(n))


def probes(n_urls: int, n_lookups: int) -> list[str]:
    # made from indexes, so that the probe list does not hold the million URLs itself
    rng = random.Random(11)
    hits = [url_at(rng.randrange(n_urls)) for _ in range(n_lookups // 2)]
    misses = [f"https://jp.yna.co.kr/view/AJP2026MISS{i:09d}" for i in range(n_lookups - len(hits))]
    mixed = hits + misses
    rng.shuffle(mixed)
    return mixed


def child(mode: str, n_urls: int, n_lookups: int) -> dict:
    lookups = probes(n_urls, n_lookups)
    if mode == "state":
        from newscrawl.state.store import StateStore

        path = Path(tempfile.mkdtemp()) / "state.sqlite3"
        store = StateStore(path)
        fill_start = time.perf_counter()
        batch = []
        for url in urls(n_urls):
            batch.append((url, "bench", "0" * 40, "/data/bench/x.jsonl", None, 1))
            if len(batch) == 50_000:
                store.mark_many(batch)
                batch = []
        if batch:
            store.mark_many(batch)
        fill = time.perf_counter() - fill_start
        start = time.perf_counter()
        found = sum(1 for url in lookups if url in store)
        elapsed = time.perf_counter() - start
        size = path.stat().st_size
    else:
        fill_start = time.perf_counter()
        seen = set(urls(n_urls))
        fill = time.perf_counter() - fill_start
        start = time.perf_counter()
        found = sum(1 for url in lookups if url in seen)
        elapsed = time.perf_counter() - start
        size = 0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mode": mode, "found": found, "lookups_per_s": len(lookups) / elapsed, "fill_s": fill,
            "peak_rss_mb": rss_mb, "file_mb": size / 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=200_000)
    parser.add_argument("--child", choices=["state", "set"])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.urls, args.lookups)))
        return 0
    results = {}
    for mode in ("state", "set"):
        out = subprocess.run([sys.executable, __file__, "--child", mode, "--urls", str(args.urls),
                              "--lookups", str(args.lookups)], capture_output=True, text=True, check=True)
        results[mode] = json.loads(out.stdout)
    state, baseline = results["state"], results["set"]
    assert state["found"] == baseline["found"], "the state and the set disagree"
    print(f"{args.urls:,} URLs, {args.lookups:,} lookups (half hits), one run")
    print(f"{'':<8}{'lookups/s':>12}{'fill s':>9}{'peak RSS MB':>13}{'file MB':>9}")
    for name, row in (("state", state), ("set", baseline)):
        print(f"{name:<8}{row['lookups_per_s']:>12,.0f}{row['fill_s']:>9.1f}{row['peak_rss_mb']:>13.0f}"
              f"{row['file_mb']:>9.0f}")
    print(f"state/set lookup speed: {state['lookups_per_s'] / baseline['lookups_per_s']:.3f}x; "
          f"peak RSS state/set: {state['peak_rss_mb'] / baseline['peak_rss_mb']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
