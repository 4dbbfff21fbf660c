"""One archived HTTP response as the crawler sees it: status, headers, body as it is, capture time.

Archives differ in how they keep a response (docs/replay.md):

- the wire format (wget, warcio ``capture_http``, Heritrix/Common Crawl): chunked
  ``Transfer-Encoding`` and gzip/deflate/br ``Content-Encoding`` still applied;
- already decoded but with the headers still claiming an encoding (some browser-based tools);
- a ``revisit`` record (the payload was the same as an earlier capture) that points at the
  record holding the payload;
- a ``resource`` record (no HTTP envelope).

warcio's readers de-chunk and decompress in one pass and fall back to the bytes as they are
when the header lies (an "encoded" body that is not), so the body is decoded exactly once here
and the encoding headers are dropped: the headers then describe the body as it is, and Scrapy's
HttpCompressionMiddleware has nothing left to do. A body that would decode past DOWNLOAD_MAXSIZE
is handed over still encoded instead: Scrapy's middleware then refuses it exactly as in a live
crawl (a gzip bomb in an archive is as harmful as one on the wire).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from warcio.bufferedreaders import BufferedReader, ChunkedDataReader
from warcio.timeutils import iso_date_to_datetime

from ..discovery.links import served_at

FRAMING_HEADERS = {"transfer-encoding", "content-length", "connection", "keep-alive"}


@dataclass
class StoredResponse:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    captured_at: datetime | None = None  # WARC-Date, else the HTTP Date (aware), else None


def warc_date(value: str | None) -> datetime | None:
    """A WARC-Date (``2025-12-05T12:00:00Z``, fractions allowed) as an aware UTC datetime."""
    if not value:
        return None
    try:
        return iso_date_to_datetime(value.strip(), tz_aware=True)
    except (TypeError, ValueError):
        return None


def header(headers: list[tuple[str, str]], name: str) -> str:
    name = name.lower()
    return next((v for k, v in headers if k.lower() == name), "")


class BrotliDecoder:
    """A brotli decompressor in the shape warcio's readers expect (``decompress``, ``unused_data``).

    warcio's own (1.8) sets an attribute on brotli.Decompressor, which brotli >= 1.2 refuses, so every
    br body would fail; this one also stops growing past *limit* bytes of output (a bomb is seen, not
    inflated: brotli reaches far higher ratios than gzip's 1:1032).
    """

    def __init__(self, limit: int = 0) -> None:
        import brotli  # Scrapy's own br support needs it too; without it br is not decoded here

        self._decompressor = brotli.Decompressor()
        self._left = limit
        self.unused_data = None

    def decompress(self, data: bytes) -> bytes:
        if not self._left:
            return self._decompressor.process(data)
        out = self._decompressor.process(data, output_buffer_limit=self._left)
        self._left = max(1, self._left - len(out))
        return out


def _decompressors(limit: int) -> dict:
    table = dict(BufferedReader.DECOMPRESSORS)
    try:
        import brotli  # noqa: F401
    except ImportError:
        table.pop("br", None)
    else:
        table["br"] = lambda: BrotliDecoder(limit)
    return table


def read_payload(record, max_body: int, decode: bool = True) -> tuple[bytes, bool]:
    """(the record's payload de-chunked and, when *decode*, decompressed; whether it was decompressed).

    Reads at most max_body + 1 bytes when decoding (0: no limit), so that a bomb is seen, not inflated.
    """
    http = record.http_headers
    if http is None:
        return record.raw_stream.read(), False
    headers = http.headers
    limit = max_body + 1 if max_body else 0
    table = _decompressors(limit)
    encoding = header(headers, "content-encoding").strip().lower() if decode else ""
    encoding = encoding if encoding in table else ""
    if "chunked" in header(headers, "transfer-encoding").lower():
        stream = ChunkedDataReader(record.raw_stream)
    elif encoding:
        stream = BufferedReader(record.raw_stream)
    else:
        return record.raw_stream.read(), False
    if encoding:
        stream.DECOMPRESSORS = table  # this reader's table (set_decomp reads it): a working br
        stream.set_decomp(encoding)
    return stream.read(limit) if limit and encoding else stream.read(), bool(encoding)


def describe(headers: list[tuple[str, str]], decoded: bool) -> list[tuple[str, str]]:
    """The headers of a body as it is now: no framing, and no Content-Encoding once decoded."""
    drop = FRAMING_HEADERS | ({"content-encoding"} if decoded else set())
    return [(k, v) for k, v in headers if k.lower() not in drop]


def capture_time(record) -> datetime | None:
    """When the record was captured: WARC-Date, else the response's own HTTP Date (aware)."""
    when = warc_date(record.rec_headers.get_header("WARC-Date"))
    if when is None and record.http_headers is not None:
        when = served_at(record.http_headers.get_header("Date"))
    return when.astimezone(timezone.utc) if when is not None else None


@dataclass(frozen=True)
class Envelope:
    """What a record says about its response besides the payload."""

    status: int
    headers: list[tuple[str, str]]
    captured_at: datetime | None
    http: bool  # the record has its own HTTP status line and headers


def envelope(record) -> Envelope:
    http = record.http_headers
    when = capture_time(record)
    if http is None:
        # a resource record (its WARC Content-Type is the payload's) or a bare revisit record
        content_type = record.rec_headers.get_header("Content-Type") if record.rec_type == "resource" else ""
        return Envelope(200, [("Content-Type", content_type)] if content_type else [], when, False)
    try:
        status = int(http.get_statuscode() or 200)
    except ValueError:
        status = 200
    return Envelope(status, list(http.headers), when, True)
