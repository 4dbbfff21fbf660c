"""Writing WARCs the way the standard tools do (warcio's writer; checked by `warcio check`).

Each file opened for writing starts with a ``warcinfo`` record (software, format, the settings
that matter); each fetch is a ``request`` and a ``response`` record, the request's
``WARC-Concurrent-To`` naming the response, both with the same WARC-Target-URI and WARC-Date.
warcio computes WARC-Block-Digest and WARC-Payload-Digest, so that `warcio check` verifies
every record and `warcio index` (or pywb, or any CDX indexer) lists it.  A ``.gz`` file is
compressed one gzip member per record, which is what lets a reader seek to one record.

The response body is written as it came off the wire (Scrapy's ``response.body`` before its
decompression middleware): still gzip-encoded when the server said so, already de-chunked, so
the Transfer-Encoding header is dropped and Content-Length describes the stored body.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .payload import FRAMING_HEADERS

SOFTWARE = "newscrawl/0.1 (Scrapy; warcio)"


def warc_timestamp(when: datetime | None) -> str:
    """WARC-Date: UTC, microseconds kept (WARC/1.1 allows them; captures within a second stay ordered)."""
    when = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if when.microsecond else when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _request_line(method: str, url: str) -> str:
    rest = url.split("://", 1)[-1]
    path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return f"{method} {path.split('#', 1)[0]} HTTP/1.1"


class WarcRecorder:
    """Appends request/response record pairs to a WARC file (one gzip member per record for .gz)."""

    def __init__(self, path: str | Path, info: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("ab")
        self._writer = WARCWriter(self._fh, gzip=self.path.suffix == ".gz", warc_version="1.1")
        self.count = 0
        fields = {"software": SOFTWARE, "format": "WARC File Format 1.1",
                  "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                  **(info or {})}
        self._writer.write_record(self._writer.create_warcinfo_record(self.path.name, fields))
        self._fh.flush()

    def write(self, url: str, status: int, reason: str, headers: list[tuple[str, str]], body: bytes,
              method: str = "GET", request_headers: list[tuple[str, str]] | None = None,
              date: datetime | None = None, ip_address: str = "") -> None:
        date_str = warc_timestamp(date)
        clean = [(k, v) for k, v in headers if k.lower() not in FRAMING_HEADERS]
        clean.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{status} {reason}".strip(), clean, protocol="HTTP/1.1")
        extra = {"WARC-Date": date_str, **({"WARC-IP-Address": ip_address} if ip_address else {})}
        response = self._writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                   http_headers=http_headers, warc_headers_dict=extra)
        host = url.split("://", 1)[-1].split("/", 1)[0]
        sent = list(request_headers or [])
        if not any(k.lower() == "host" for k, _ in sent):
            sent.insert(0, ("Host", host))
        req_headers = StatusAndHeaders(_request_line(method, url), sent, is_http_request=True)
        request = self._writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=req_headers,
                                                  warc_headers_dict={"WARC-Date": date_str})
        self._writer.write_request_response_pair(request, response)
        self._fh.flush()
        self.count += 1

    def close(self) -> None:
        self._fh.close()
