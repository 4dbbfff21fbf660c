"""Where replayed records come from: WARC files, folders of them, and WACZ packages.

NEWSCRAWL_REPLAY names one or more of (comma-separated):

- a ``.warc`` / ``.warc.gz`` file (or an ARC: warcio reads both), whatever tool wrote it;
- a folder: every ``*.warc``, ``*.warc.gz``, ``*.arc``, ``*.arc.gz`` under it, in name order (wget
  ``--warc-max-size`` parts, a browsertrix-crawler collection's ``archive/`` folder);
- a ``.wacz`` (webrecorder's package: a zip whose ``archive/`` folder holds the WARCs). It is read
  with the standard library's zipfile: WACZ stores its WARCs uncompressed, so a record is one seek
  away, and no WACZ library is needed for replay (docs/replay.md says why none is used).

``check_sources`` is what ``scrapy crawl`` / ``crawlall`` run before anything starts: a missing
file, a folder without WARCs or a file that is not a WARC is an ``ArchiveError`` whose message is
the one line to print (exit status 2).
"""

from __future__ import annotations

import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")

# what warcio raises on bytes that are not (or no longer) an archive: a record cut inside its WARC
# headers reaches warcio's parser as a missing header (AttributeError on None)
READ_ERRORS = (ArchiveLoadFailed, StatusAndHeadersParserException, zlib.error, EOFError, ValueError,
               IndexError, KeyError, AttributeError, TypeError, OSError, zipfile.BadZipFile)


class ArchiveError(Exception):
    """An archive that cannot be replayed at all; the message is the one line to print."""


@dataclass(frozen=True)
class Source:
    """One WARC: a file, or a member of a WACZ (``member`` is its name inside the zip)."""

    path: Path
    member: str = ""

    @property
    def label(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    def size(self) -> int:
        if not self.member:
            return self.path.stat().st_size
        with zipfile.ZipFile(self.path) as package:
            return package.getinfo(self.member).file_size

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        if not self.member:
            with self.path.open("rb") as fh:
                yield fh
            return
        with zipfile.ZipFile(self.path) as package, package.open(self.member) as fh:
            yield fh  # seekable: ZipExtFile seeks (stored members cheaply)


def _is_warc_name(name: str) -> bool:
    return name.lower().endswith(WARC_SUFFIXES)


def _wacz_members(path: Path) -> list[Source]:
    try:
        with zipfile.ZipFile(path) as package:
            names = sorted(n for n in package.namelist() if n.startswith("archive/") and _is_warc_name(n))
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"NEWSCRAWL_REPLAY: {path} is not a WACZ (a zip file): {exc}") from None
    if not names:
        raise ArchiveError(f"NEWSCRAWL_REPLAY: {path} holds no WARC under archive/ (not a WACZ?)")
    return [Source(path, name) for name in names]


def expand(paths: list[str | Path] | tuple[str, ...]) -> list[Source]:
    """Every WARC the named paths hold, in order; ArchiveError for a path that holds none."""
    sources: list[Source] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise ArchiveError(f"NEWSCRAWL_REPLAY: no such file or folder: {path}")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _is_warc_name(p.name))
            found += sorted(p for p in path.rglob("*.wacz") if p.is_file())
            if not found:
                raise ArchiveError(f"NEWSCRAWL_REPLAY: the folder {path} holds no .warc, .warc.gz or .wacz file")
            for item in found:
                sources += _wacz_members(item) if item.suffix.lower() == ".wacz" else [Source(item)]
        elif path.suffix.lower() == ".wacz":
            sources += _wacz_members(path)
        else:
            sources.append(Source(path))
    if not sources:
        raise ArchiveError("NEWSCRAWL_REPLAY names no archive")
    return sources


def sniff(source: Source) -> None:
    """ArchiveError unless the source starts with a readable WARC (or ARC) record."""
    try:
        with source.open() as fh:
            head = fh.read(2)
            if not head:
                raise ArchiveError(f"NEWSCRAWL_REPLAY: {source.label} is empty")
            fh.seek(0)
            records = iter(ArchiveIterator(fh, arc2warc=True))
            next(records)
            next(records, None)  # a whole-file gzip (not one member per record) fails at the second
    except ArchiveError:
        raise
    except StopIteration:
        raise ArchiveError(f"NEWSCRAWL_REPLAY: {source.label} holds no WARC record") from None
    except PermissionError as exc:
        raise ArchiveError(f"NEWSCRAWL_REPLAY: cannot read {source.label} ({exc.strerror})") from None
    except ArchiveLoadFailed as exc:
        if "non-chunked gzip" in str(exc):
            raise ArchiveError(f"NEWSCRAWL_REPLAY: {source.label} is gzip-compressed as one stream, not one member "
                               "per record; `warcio recompress IN OUT` makes it replayable") from None
        raise ArchiveError(f"NEWSCRAWL_REPLAY: {source.label} is not a WARC file "
                           "(expected .warc, .warc.gz or .wacz)") from None
    except READ_ERRORS:
        raise ArchiveError(f"NEWSCRAWL_REPLAY: {source.label} is not a WARC file "
                           "(expected .warc, .warc.gz or .wacz)") from None


def check_sources(paths: list[str | Path] | tuple[str, ...]) -> list[Source]:
    """The checks before a replay starts: every path exists and holds WARCs that start right."""
    sources = expand(paths)
    for source in sources:
        sniff(source)
    return sources
