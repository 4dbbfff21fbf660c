"""Shared test helpers: fixture folders, WARC building, running the real `scrapy crawl`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

from newscrawl.items import article_schema
from newscrawl.replay.build import build_warc

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SITE_FIXTURES = FIXTURES / "sites"
SCRAPY = str(Path(sys.executable).parent / "scrapy")
VOLATILE = {"fetched_at"}


def site_manifest(folder: Path) -> dict:
    with (folder / "site.toml").open("rb") as fh:
        return tomllib.load(fh)


def expected_records(folder: Path) -> dict[str, dict]:
    manifest = site_manifest(folder)
    out = {}
    for article in manifest.get("article", []):
        record = json.loads((folder / article["expected"]).read_text(encoding="utf-8"))
        record["_must_not_contain"] = article.get("must_not_contain", [])
        out[article["url"]] = record
    return out


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    records: list[dict]
    stats: dict
    verdict: dict

    @property
    def by_url(self) -> dict[str, dict]:
        return {r["url"]: r for r in self.records}


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def crawl(args: list[str], tmp: Path, *, warc: Path | None = None, settings: dict | None = None,
          out: Path | None = None, timeout: int = 120, env: dict | None = None) -> CrawlResult:
    """Run the real `scrapy crawl ...` as a subprocess in the project directory."""
    out = out or tmp / "out.jsonl"
    stats_file = tmp / "stats.json"
    cmd = [SCRAPY, "crawl", *args, "-O", str(out), "-s", f"NEWSCRAWL_STATS_FILE={stats_file}",
           "-s", "LOG_LEVEL=INFO"]
    if warc is not None:
        cmd += ["-s", f"NEWSCRAWL_REPLAY={warc}"]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    full_env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp / "data"), **(env or {})}
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=full_env)
    payload = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr, read_jsonl(out),
                       payload.get("stats", {}), payload.get("verdict", {}))


def site_warc(key_or_folder: str | Path, tmp: Path, *more: Path) -> Path:
    folder = Path(key_or_folder) if isinstance(key_or_folder, Path) else SITE_FIXTURES / key_or_folder
    warc = tmp / f"{folder.name}.warc.gz"
    build_warc(warc, [folder, *more])
    return warc


_validator = Draft202012Validator(article_schema())


def schema_errors(record: dict) -> list[str]:
    return [e.message for e in _validator.iter_errors(record)]


def compare_record(got: dict, expected: dict) -> list[str]:
    """Differences between an exported record and its expected JSON (all fields but fetched_at)."""
    from newscrawl.fingerprints import content_hash

    problems = []
    for key, value in expected.items():
        if key.startswith("_"):
            continue
        if got.get(key) != value:
            problems.append(f"{key}: expected {value!r:.300}, got {got.get(key)!r:.300}")
    # the hash is checked below; fetched_url depends on how the URL was reached (a feed's spelling, a
    # redirect): it must be another spelling of the same page, on the same host
    for key in sorted(set(got) - set(expected) - VOLATILE - {"content_hash", "fetched_url"}):
        problems.append(f"{key}: not in the expected record, got {got[key]!r:.300}")
    fetched = got.get("fetched_url")
    same_host = fetched is not None and urlsplit(fetched).hostname == urlsplit(got["url"]).hostname
    if fetched is not None and (fetched == got.get("url") or not same_host):
        problems.append(f"fetched_url {fetched!r} is not another spelling of {got.get('url')!r}")
    if got.get("content_hash") != content_hash(expected["body"]):
        problems.append("content_hash does not match the expected body")
    for needle in expected.get("_must_not_contain", []):
        if needle in got.get("body", ""):
            problems.append(f"body contains clutter {needle!r}")
    return problems


def bigram_f1(expected: str, got: str) -> float:
    """F1 over character bigrams, whitespace removed (Japanese has no word boundaries)."""
    from collections import Counter

    def grams(text: str) -> Counter:
        text = "".join(text.split())
        return Counter(text[i:i + 2] for i in range(len(text) - 1))

    exp, hyp = grams(expected), grams(got)
    overlap = sum((exp & hyp).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(hyp.values()), overlap / sum(exp.values())
    return 2 * precision * recall / (precision + recall)


def newscrawl_settings(**overrides) -> dict:
    """Every NEWSCRAWL_* default of newscrawl/settings.py (for get_crawler in unit tests), plus overrides."""
    import newscrawl.settings as defaults

    values = {name: getattr(defaults, name) for name in dir(defaults) if name.startswith("NEWSCRAWL_")}
    return {**values, **overrides}
