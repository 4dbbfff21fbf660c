"""Running the crawls the throughput benchmarks compare, each as a child process over one WARC.

- ``run_newscrawl``: ``scrapy crawl dailyview -s NEWSCRAWL_REPLAY=... -s NEWSCRAWL_MAX_AGE_DAYS=0`` as the
  nightly job runs it (default output <data>/dailyview/<time>.jsonl with an fsync per line, state and
  near-duplicate index in SQLite, the health verdict), NEWSCRAWL_DATA_DIR a fresh temporary folder.
  ``checkout`` runs another checkout of newscrawl (the "before" of a comparison; see ``scrapy_of``).
- ``run_bare``: ``scrapy runspider benchmarks/bare_spider.py`` inside the project (a SitemapSpider yielding
  {"url": ...}; the project's settings and the same ReplayMiddleware, none of newscrawl's additions).
- ``run_trafilatura``: the plain Scrapy project benchmarks/trafilatura_project (a SitemapSpider yielding
  the URL and ``trafilatura.extract(response.text)``, FEEDS to JSONL, the same ReplayMiddleware).

Wall time from start to exit; CPU time (user + system) and peak RSS from ``os.wait4``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from benchmarks.common import ROOT

BENCH = Path(__file__).resolve().parent
TRAFILATURA_PROJECT = BENCH / "trafilatura_project"


@dataclass
class Run:
    name: str
    wall: float
    cpu: float  # user + system CPU seconds of the crawl process (robust to a busy machine; no I/O waits)
    maxrss_kb: int
    returncode: int
    items: int
    elapsed: float | None  # Scrapy's elapsed_time_seconds (engine start to close)
    stats: dict

    @property
    def rate(self) -> float:
        """Items per second of wall time (process start to exit)."""
        return self.items / self.wall if self.wall else 0.0

    @property
    def cpu_rate(self) -> float:
        return self.items / self.cpu if self.cpu else 0.0

    @property
    def loop_rate(self) -> float:
        """Items per second of Scrapy's crawl loop (start-up and shut-down left out)."""
        return self.items / self.elapsed if self.elapsed else 0.0

    def line(self) -> str:
        return (f"{self.name}: {self.items} items in {self.wall:.1f} s, {self.cpu:.1f} s CPU "
                f"(exit {self.returncode}), peak RSS {self.maxrss_kb / 1024:.0f} MB")


def scrapy_of(checkout: Path) -> tuple[str, dict]:
    """(the scrapy command, extra environment) that runs *checkout*'s newscrawl: its own virtualenv's
    scrapy when it has one (an older commit may pin other versions); else this virtualenv's scrapy with
    the checkout first on PYTHONPATH (a plain copy, e.g. `git archive` of a commit, to compare two
    commits with the same dependencies)."""
    own = checkout / ".venv" / "bin" / "scrapy"
    if checkout.resolve() == ROOT:
        return str(Path(sys.executable).parent / "scrapy"), {}
    if own.exists():
        return str(own), {}
    return str(Path(sys.executable).parent / "scrapy"), {"PYTHONPATH": str(checkout.resolve())}


def count_lines(paths: list[Path]) -> int:
    return sum(sum(1 for line in p.open(encoding="utf-8") if line.strip()) for p in paths if p.exists())


def spawn(cmd: list[str], env: dict, log: Path, cwd: Path = ROOT) -> tuple[float, float, int, int]:
    with log.open("wb") as fh:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode


def _stats(path: Path) -> dict:
    return json.loads(path.read_text()).get("stats", {}) if path.exists() else {}


def run_newscrawl(warc: Path, work: Path, tag: str, profile_out: Path | None = None,
                  settings: dict | None = None, output: bool = False, name: str = "newscrawl",
                  checkout: Path = ROOT) -> Run:
    data = work / f"data-{tag}"
    shutil.rmtree(data, ignore_errors=True)
    stats_file = work / f"stats-{tag}.json"
    out = work / f"out-{tag}.jsonl"
    scrapy, extra_env = scrapy_of(checkout)
    cmd = [scrapy, "crawl", "dailyview", "-s", f"NEWSCRAWL_REPLAY={warc}",
           "-s", "NEWSCRAWL_MAX_AGE_DAYS=0", "-s", f"NEWSCRAWL_STATS_FILE={stats_file}", "-s", "LOG_LEVEL=INFO"]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    if output:  # -O: the same exporter, without the default feed's fsync per line
        cmd += ["-O", str(out)]
    if profile_out is not None:  # the same command line, run by profile_child under cProfile
        cmd = [sys.executable, str(BENCH / "throughput.py"), "--profile-child", str(profile_out), "--", *cmd[1:]]
    env = {**os.environ, **extra_env, "NEWSCRAWL_DATA_DIR": str(data)}
    wall, cpu, rss, rc = spawn(cmd, env, work / f"log-{tag}.txt", cwd=checkout)
    stats = _stats(stats_file)
    items = count_lines([out] if output else sorted((data / "dailyview").glob("*.jsonl")))
    return Run(name, wall, cpu, rss, rc, items, stats.get("elapsed_time_seconds"), stats)


def run_bare(warc: Path, work: Path, tag: str, settings: dict | None = None) -> Run:
    out = work / f"bare-{tag}.jsonl"
    stats_file = work / f"stats-{tag}.json"
    cmd = [scrapy_of(ROOT)[0], "runspider", str(BENCH / "bare_spider.py"), "-O", str(out),
           "-s", f"NEWSCRAWL_REPLAY={warc}", "-s", "NEWSCRAWL_MAX_AGE_DAYS=0",
           "-s", f"BENCH_STATS_FILE={stats_file}", "-s", "LOG_LEVEL=INFO"]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(work / f"data-{tag}")}
    wall, cpu, rss, rc = spawn(cmd, env, work / f"log-{tag}.txt")
    stats = _stats(stats_file)
    return Run("bare Scrapy", wall, cpu, rss, rc, count_lines([out]), stats.get("elapsed_time_seconds"), stats)


def run_trafilatura(warc: Path, work: Path, tag: str) -> Run:
    out = work / f"trafilatura-{tag}.jsonl"
    stats_file = work / f"stats-{tag}.json"
    cmd = [scrapy_of(ROOT)[0], "crawl", "articles", "-O", str(out), "-s", f"NEWSCRAWL_REPLAY={warc}",
           "-s", f"BENCH_STATS_FILE={stats_file}", "-s", "LOG_LEVEL=INFO"]
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    wall, cpu, rss, rc = spawn(cmd, env, work / f"log-{tag}.txt", cwd=TRAFILATURA_PROJECT)
    stats = _stats(stats_file)
    return Run("Scrapy + trafilatura", wall, cpu, rss, rc, count_lines([out]), stats.get("elapsed_time_seconds"),
               stats)


def commit_of(checkout: Path) -> str:
    """The checkout's commit (+ "with changes" when newscrawl/ has uncommitted ones); a plain copy
    without git: the folder's name."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=checkout, capture_output=True, text=True, check=True).stdout.strip()

    try:
        if git("rev-parse", "--show-toplevel") != str(checkout.resolve()):
            return checkout.name
        dirty = git("status", "--porcelain", "--", "newscrawl")
        return git("rev-parse", "--short", "HEAD") + (" with changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return checkout.name


def take_turns(warc: Path, work: Path, repeat: int, baseline: Callable[[Path, Path, str], Run],
               checkouts: list[Path]) -> tuple[list[Run], list[list[Run]]]:
    """*repeat* rounds of the baseline crawl and one newscrawl crawl per checkout, the order rotating
    every round (no crawl always first, on a colder cache or a quieter minute): (baseline runs, runs per
    checkout), round by round."""
    crawls: list = ["baseline", *range(len(checkouts))]
    base_runs: list[Run] = []
    runs: list[list[Run]] = [[] for _ in checkouts]
    for i in range(repeat):
        k = i % len(crawls)
        for which in crawls[k:] + crawls[:k]:
            if which == "baseline":
                run = baseline(warc, work, f"baseline{i}")
                base_runs.append(run)
            else:
                checkout = checkouts[which]
                run = run_newscrawl(warc, work, f"newscrawl{which}-{i}", checkout=checkout,
                                    name=f"newscrawl {commit_of(checkout)}")
                runs[which].append(run)
            print(run.line(), flush=True)
    return base_runs, runs


def profile_child(out: str, scrapy_args: list[str]) -> int:
    """Run `scrapy ARGS` in this process under cProfile with a CPU-time clock (a busy machine
    then skews the shares less than with cProfile's default wall clock)."""
    import cProfile

    from scrapy.cmdline import execute

    prof = cProfile.Profile(time.process_time)
    sys.argv = ["scrapy", *scrapy_args]
    code = 0
    try:
        prof.runcall(execute)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    finally:
        prof.dump_stats(out)
    return code
