"""Turn a WARC (a recorded night) into fixture files: one file per response and a site.toml.

    python -m newscrawl.replay.unpack night.warc.gz tests/fixtures/sites/example/

Bodies are written decoded to UTF-8 when they are text (so that the fixture is readable
and diffable); the original charset goes into ``encode`` so that the test archive serves
the same bytes again.  Compressed bodies are stored decompressed (decoded once, as replay does).
"""

from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from .payload import read_payload

_TEXT_RE = re.compile(r"text/|xml|json|javascript", re.IGNORECASE)
_CHARSET_RE = re.compile(r"charset=([\w.:-]+)", re.IGNORECASE)
_EXT = {"html": ".html", "xml": ".xml", "rss": ".xml", "json": ".json", "javascript": ".js"}


def _file_name(url: str, content_type: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "_", url.split("://", 1)[-1]).strip("_")[:80]
    digest = hashlib.sha1(url.encode()).hexdigest()[:8]
    ext = next((e for k, e in _EXT.items() if k in content_type), ".bin")
    return f"{stem}_{digest}{ext}"


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unpack(warc: Path, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    with warc.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type != "response":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            http = record.http_headers
            body, _decoded = read_payload(record, 0)  # de-chunked and decompressed once, as replay does
            content_type = http.get_header("Content-Type") or ""
            lines = ["[[response]]", f"url = {_toml_str(url)}"]
            status = int(http.get_statuscode() or 200)
            if status != 200:
                lines.append(f"status = {status}")
            if content_type:
                lines.append(f"content_type = {_toml_str(content_type)}")
            location = http.get_header("Location")
            if location:
                lines.append(f"headers = {{ Location = {_toml_str(location)} }}")
            if body:
                name = _file_name(url, content_type)
                charset = (_CHARSET_RE.search(content_type) or [None, "utf-8"])[1].lower()
                if _TEXT_RE.search(content_type) and charset not in ("utf-8", "utf8"):
                    try:
                        body = body.decode(charset).encode("utf-8")
                        lines.append(f"encode = {_toml_str(charset)}")
                    except (LookupError, UnicodeDecodeError):
                        lines.append('encode = "raw"')
                (folder / name).write_bytes(body)
                lines.append(f"file = {_toml_str(name)}")
            entries.append("\n".join(lines) + "\n")
    with (folder / "site.toml").open("a", encoding="utf-8") as out:
        out.write("\n".join(entries))
    return len(entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warc", type=Path)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    count = unpack(args.warc, args.folder)
    print(f"wrote {count} responses to {args.folder} (appended to site.toml)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
