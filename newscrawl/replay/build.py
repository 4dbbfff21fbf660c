"""Build a WARC archive from fixture folders (``site.toml`` + the files it names).

Fixtures stay readable text in the repository (UTF-8 HTML/XML a reviewer can diff);
the archive the crawler replays is made from them at test time.  A response whose
``encode`` is not UTF-8 is re-encoded here, so a Shift_JIS page is served as real
Shift_JIS bytes.

    python -m newscrawl.replay.build OUT.warc.gz tests/fixtures/sites/dailyview [more folders...]
"""

from __future__ import annotations

import argparse
import gzip as gzip_module
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .archive import WarcRecorder

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 410: "Gone",
            429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}
_FIXED_DATE = datetime(2025, 12, 5, 12, 0, 0, tzinfo=timezone.utc)


@dataclass
class FixtureResponse:
    url: str
    body: bytes
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)


def load_site_fixtures(folder: Path) -> dict:
    with (folder / "site.toml").open("rb") as fh:
        return tomllib.load(fh)


def fixture_responses(folder: Path) -> list[FixtureResponse]:
    manifest = load_site_fixtures(folder)
    responses = []
    for entry in manifest.get("response", []):
        if "file" in entry:
            raw = (folder / entry["file"]).read_bytes()
        else:
            raw = entry.get("body", "").encode("utf-8")
        encoding = entry.get("encode", "utf-8").lower()
        if encoding not in ("utf-8", "utf8", "raw"):
            raw = raw.decode("utf-8").encode(encoding)
        headers: list[tuple[str, str]] = []
        if entry.get("content_type"):
            headers.append(("Content-Type", entry["content_type"]))
        for name, value in entry.get("headers", {}).items():
            headers.append((name, str(value)))
        if entry.get("gzip"):
            raw = gzip_module.compress(raw)
            headers.append(("Content-Encoding", "gzip"))
        responses.append(FixtureResponse(entry["url"], raw, int(entry.get("status", 200)), headers))
    return responses


def build_warc(out: Path, folders: list[Path]) -> int:
    out = Path(out)
    if out.exists():
        out.unlink()
    recorder = WarcRecorder(out)
    count = 0
    try:
        for folder in folders:
            for resp in fixture_responses(Path(folder)):
                recorder.write(resp.url, resp.status, _REASONS.get(resp.status, ""), resp.headers,
                               resp.body, date=_FIXED_DATE)
                count += 1
    finally:
        recorder.close()
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("folders", type=Path, nargs="+")
    args = parser.parse_args(argv)
    count = build_warc(args.out, args.folders)
    print(f"wrote {count} responses to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
