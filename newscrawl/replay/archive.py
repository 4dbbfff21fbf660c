"""The replay index: URL -> the archived response, over every WARC NEWSCRAWL_REPLAY names.

Built once at start (one pass over the archives, headers only kept); a lookup then seeks to one
record.  What is indexed: ``response`` records, ``revisit`` records (resolved to the capture that
holds their payload: WARC-Refers-To-Target-URI + WARC-Refers-To-Date, else the same payload
digest) and ``resource`` records of http(s) URLs.  Several captures of one URL: the newest
(WARC-Date) that can be read wins.

Lookup tiers (each counted by the middleware): the URL as requested (``hit``); else the same
page up to what does not change it - query order, tracking parameters, http/https, ``www.``, a
trailing ``/`` or ``index.html`` (``fuzzy_hit``, in the spirit of pywb's fuzzy matching); else
``miss``.

A damaged archive (cut short by a full disk or a killed copy, a gzip member that does not end,
garbage where a record should be) is read up to the damage: every complete record before it is
used, an incomplete one never is, and ``damaged`` says what happened, so that the run can warn,
count ``replay/truncated_archive`` and fail its verdict (a night that lost records is not good).
"""

from __future__ import annotations

import logging
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from typing import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..urls import fuzzy_key, url_key
from .payload import StoredResponse, describe, envelope, read_payload, warc_date
from .recorder import WarcRecorder  # noqa: F401 - the writing side, imported from here by older callers
from .sources import READ_ERRORS, Source, expand

logger = logging.getLogger(__name__)

_NEVER = datetime.min.replace(tzinfo=timezone.utc)
_KINDS = ("response", "revisit", "resource")


@dataclass(frozen=True)
class Capture:
    """One indexed record: where it is and what a lookup needs to choose and resolve it."""

    source: Source
    offset: int
    kind: str  # response | revisit | resource
    uri: str
    date: datetime | None
    digest: str
    refers_uri: str
    refers_date: datetime | None
    seq: int  # order of reading: the tie-break between two captures of the same second

    @property
    def order(self) -> tuple[datetime, int]:
        return (self.date or _NEVER, self.seq)


def _target_uri(record) -> str:
    # WARC 1.1's own example wraps the URI in <...>; some writers copied it
    return (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")


def _drained(record) -> bool:
    """Read the rest of the record's block; False when the file ended before its Content-Length (or
    inside the record's header, where Content-Length, mandatory in a WARC, had not come yet)."""
    stream = record.raw_stream
    while stream.read(1 << 16):
        pass
    declared = record.format != "warc" or record.rec_headers.get_header("Content-Length") is not None
    return declared and getattr(stream, "limit", 0) <= 0


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _gzip_members_end(fh, block: int = 1 << 20) -> bool:
    """Every gzip member from *fh*'s position to its end is complete (end marker and trailer there).
    Streams: the output is thrown away, a block at a time."""
    member, data = zlib.decompressobj(16 + zlib.MAX_WBITS), b""
    while True:
        if not data:
            data = fh.read(block)
            if not data:
                return member.eof
        if member.eof:  # the previous member ended: what follows starts another one
            member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            member.decompress(data, block)
        except zlib.error:
            return False
        data = member.unconsumed_tail or member.unused_data


class WarcArchive:
    """A read-only index over the archives *paths* name (files, folders, WACZ; see sources.py)."""

    def __init__(self, paths, max_body: int = 0) -> None:
        self.sources = expand(list(paths))
        self.paths = [source.path for source in self.sources]
        self.max_body = max_body  # DOWNLOAD_MAXSIZE: a body decoding past it is handed over encoded
        self.captures: dict[str, list[Capture]] = {}
        self.fuzzy: dict[str, str] = {}  # fuzzy key -> exact key
        self.by_digest: dict[str, Capture] = {}
        self.damaged: list[tuple[str, str]] = []  # (source label, what is wrong)
        self.latest: datetime | None = None  # the newest capture: "now" for a record without a date
        self._seq = 0
        self._warned: set[Capture] = set()
        for source in self.sources:
            self._index(source)

    # -- building the index ------------------------------------------------------------------------
    def _index(self, source: Source) -> None:
        problem = self._index_records(source)
        if problem:
            self.damaged.append((source.label, problem))

    def _index_records(self, source: Source) -> str:
        """Index every complete record of *source*; what is wrong with it ("" when nothing)."""
        end = last_start = 0
        with source.open() as fh:
            iterator = ArchiveIterator(fh, arc2warc=True)
            while True:
                # only warcio's reading is guarded here: a damaged archive makes it raise anything
                # from a zlib error to an AttributeError (a header cut in half)
                try:
                    record = next(iterator, None)
                    if record is None:
                        break
                    complete = _drained(record)
                    start = iterator.get_record_offset()
                    length = iterator.get_record_length()
                except ArchiveLoadFailed as exc:
                    if "non-chunked gzip" in str(exc):
                        return "compressed as one gzip stream, not one member per record (`warcio recompress` fixes it)"
                    return f"unreadable after byte {end}: {_first_line(exc)}"
                except READ_ERRORS as exc:
                    return f"unreadable after byte {end}: {_first_line(exc)}"
                if not complete:
                    return f"the record at byte {start} is cut short"
                last_start, end = start, start + length
                self._add(record, source, start)
        return self._tail_problem(source, last_start, end)

    @staticmethod
    def _tail_problem(source: Source, last_start: int, end: int) -> str:
        """What is wrong after the last complete record: a cut gzip member, or bytes that are no record."""
        size = source.size()
        with source.open() as fh:
            gzipped = fh.read(2) == b"\x1f\x8b"  # by content: a .warc may be compressed all the same
            if gzipped and end:
                fh.seek(last_start)
                return "" if _gzip_members_end(fh) else "the file ends inside a gzip member (cut short)"
            fh.seek(end)
            tail = fh.read(min(size - end, 1 << 16))
        return f"{size - end} bytes after the last record are not a record (cut short)" if tail.strip() else ""

    def _add(self, record, source: Source, offset: int) -> None:
        kind = record.rec_type
        uri = _target_uri(record)
        if kind not in _KINDS or not uri.lower().startswith(("http://", "https://")):
            return
        if kind == "response" and record.http_headers is None:
            return  # a response record of another protocol (dns:, whois:, ...)
        headers = record.rec_headers
        self._seq += 1
        capture = Capture(source, offset, kind, uri, warc_date(headers.get_header("WARC-Date")),
                          (headers.get_header("WARC-Payload-Digest") or "").strip(),
                          (headers.get_header("WARC-Refers-To-Target-URI") or "").strip().strip("<>"),
                          warc_date(headers.get_header("WARC-Refers-To-Date")), self._seq)
        key = url_key(uri)
        self.captures.setdefault(key, []).append(capture)
        self.fuzzy[fuzzy_key(uri)] = key
        if kind != "revisit" and capture.digest:
            held = self.by_digest.get(capture.digest)
            if held is None or capture.order > held.order:
                self.by_digest[capture.digest] = capture
        if capture.date and (self.latest is None or capture.date > self.latest):
            self.latest = capture.date

    # -- lookups --------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.captures)

    def __contains__(self, url: str) -> bool:
        return url_key(url) in self.captures

    def _candidates(self, url: str) -> list[tuple[list[Capture], str]]:
        exact = url_key(url)
        tiers = [(self.captures.get(exact, []), "hit")]
        other = self.fuzzy.get(fuzzy_key(url))
        if other is not None and other != exact:
            tiers.append((self.captures[other], "fuzzy_hit"))
        return tiers

    def lookup(self, url: str) -> tuple[StoredResponse | None, str]:
        """(the stored response, "hit" | "fuzzy_hit"), or (None, "miss"), or (None, "unresolved"): the
        archive holds only revisit records of the URL whose original payload it lacks."""
        unresolved = False
        for captures, tier in self._candidates(url):
            for capture in sorted(captures, key=lambda c: c.order, reverse=True):
                stored = self._load(capture)
                if stored is not None:
                    return stored, tier
                unresolved = True
        return None, "unresolved" if unresolved else "miss"

    def get(self, url: str) -> StoredResponse | None:
        return self.lookup(url)[0]

    def captured_at(self, url: str) -> datetime | None:
        """The capture time of what lookup(url) would answer, from the index alone (no record read)."""
        for captures, _tier in self._candidates(url):
            if captures:
                newest = max(captures, key=lambda c: c.order)
                return newest.date or self.latest
        return None

    # -- reading records ------------------------------------------------------------------------------
    def _original(self, revisit: Capture) -> Capture | None:
        """The capture holding a revisit's payload: the one it refers to, else one with the same digest."""
        if revisit.refers_uri:
            held = [c for c in self.captures.get(url_key(revisit.refers_uri), []) if c.kind != "revisit"]
            exact = [c for c in held if revisit.refers_date and c.date == revisit.refers_date]
            same = [c for c in held if revisit.digest and c.digest == revisit.digest]
            for group in (exact, same):
                if group:
                    return max(group, key=lambda c: c.order)
        return self.by_digest.get(revisit.digest) if revisit.digest else None

    def _load(self, capture: Capture) -> StoredResponse | None:
        if capture.kind != "revisit":
            return self._read(capture, capture)
        original = self._original(capture)
        if original is None:
            if capture not in self._warned:
                self._warned.add(capture)
                logger.warning("Revisit record of %s in %s refers to a payload no given archive holds "
                               "(%s %s); replay the WARC holding the original too", capture.uri,
                               capture.source.label, capture.refers_uri or "digest", capture.digest)
            return None
        return self._read(capture, original)

    @contextmanager
    def _record(self, capture: Capture) -> Iterator:
        with capture.source.open() as fh:
            fh.seek(capture.offset)
            yield next(iter(ArchiveIterator(fh, arc2warc=True)))

    def _read(self, capture: Capture, holder: Capture) -> StoredResponse:
        """The response of *capture* with the payload of *holder* (the same record unless a revisit)."""
        with self._record(holder) as record:
            body, decoded = read_payload(record, self.max_body)
            found = envelope(record)
        if decoded and self.max_body and len(body) > self.max_body:
            with self._record(holder) as record:  # a bomb: Scrapy refuses it as on the wire
                body, decoded = read_payload(record, 0, decode=False)
        if capture is not holder:
            with self._record(capture) as record:
                own = envelope(record)
            # a revisit without its own HTTP envelope, or a 304 to a conditional request: the
            # original response is what the page was
            found = own if own.http and own.status != 304 else replace(found, captured_at=own.captured_at)
        return StoredResponse(capture.uri, found.status, describe(found.headers, decoded), body,
                              found.captured_at or self.latest)


class NoArchive:
    """Stands in for archives that could not be read: it holds nothing, so that every lookup misses
    and nothing - a plain request or a browser page's - is ever fetched live instead."""

    sources: list[Source] = []
    damaged: list[tuple[str, str]] = []
    latest = None

    def __len__(self) -> int:
        return 0

    def lookup(self, url: str) -> tuple[None, str]:
        return None, "miss"

    def get(self, url: str) -> None:
        return None

    def captured_at(self, url: str) -> None:
        return None


@lru_cache(maxsize=2)
def _cached(paths: tuple[str, ...], stamps: tuple, max_body: int) -> WarcArchive:
    return WarcArchive(paths, max_body)


def open_archive(paths, max_body: int = 0) -> WarcArchive:
    """The index of *paths*, built once per process while the files stay unchanged: crawlall replays
    every site from one archive, and indexing a night's WARC once instead of once per site counts."""
    sources = expand(list(paths))
    stamps = tuple((s.label, s.path.stat().st_size, s.path.stat().st_mtime_ns) for s in sources)
    return _cached(tuple(str(p) for p in paths), stamps, max_body)
