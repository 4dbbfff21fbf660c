"""WARC reading and writing on top of warcio."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ..urls import fuzzy_key, url_key

_HOP_HEADERS = {"transfer-encoding", "connection", "keep-alive"}


@dataclass
class StoredResponse:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class WarcArchive:
    """A read-only index over one or more WARC files (response records only)."""

    def __init__(self, paths: list[str | Path]) -> None:
        self.paths = [Path(p) for p in paths]
        self.index: dict[str, tuple[Path, int]] = {}
        self.fuzzy: dict[str, str] = {}  # fuzzy key -> exact key (replay lookup's second tier)
        for path in self.paths:
            with path.open("rb") as fh:
                iterator = ArchiveIterator(fh)
                for record in iterator:
                    if record.rec_type == "response":
                        uri = record.rec_headers.get_header("WARC-Target-URI")
                        if uri:
                            # the last capture of a URL wins: it is the newest
                            self.index[url_key(uri)] = (path, iterator.get_record_offset())
                            self.fuzzy[fuzzy_key(uri)] = url_key(uri)

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, url: str) -> bool:
        return url_key(url) in self.index

    def lookup(self, url: str) -> tuple[StoredResponse | None, str]:
        """(the stored response, "hit" | "fuzzy_hit"), or (None, "miss").

        The URL as requested first; then the same URL up to what does not change a page: query
        order, tracking parameters, http vs https, ``www.``, a trailing ``/`` or ``index.html``
        (pywb's fuzzy matching, for archives written by other tools or from other spellings).
        """
        exact = url_key(url)
        if exact in self.index:
            return self._read(exact), "hit"
        other = self.fuzzy.get(fuzzy_key(url))
        if other is not None:
            return self._read(other), "fuzzy_hit"
        return None, "miss"

    def get(self, url: str) -> StoredResponse | None:
        return self.lookup(url)[0]

    def _read(self, key: str) -> StoredResponse | None:
        where = self.index.get(key)
        if where is None:
            return None
        path, offset = where
        with path.open("rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            http = record.http_headers
            headers = [(k, v) for k, v in http.headers]
            chunked = any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers)
            if chunked:
                # an archive from another tool kept the chunked wire format: decode it
                # (and the content-encoding with it), then describe the body as it is now
                body = record.content_stream().read()
                headers = [(k, v) for k, v in headers if k.lower() not in {"content-encoding", "content-length"}]
            else:
                body = record.raw_stream.read()
            headers = [(k, v) for k, v in headers if k.lower() not in _HOP_HEADERS]
            uri = record.rec_headers.get_header("WARC-Target-URI")
            return StoredResponse(uri, int(http.get_statuscode() or 200), headers, body)


class WarcRecorder:
    """Appends request/response record pairs to a WARC file (gzip per record for .gz)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("ab")
        self._writer = WARCWriter(self._fh, gzip=self.path.suffix == ".gz")
        self.count = 0

    def write(self, url: str, status: int, reason: str, headers: list[tuple[str, str]], body: bytes,
              method: str = "GET", request_headers: list[tuple[str, str]] | None = None,
              date: datetime | None = None) -> None:
        date_str = (date or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
        clean = [(k, v) for k, v in headers if k.lower() not in _HOP_HEADERS | {"content-length"}]
        clean.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{status} {reason}".strip(), clean, protocol="HTTP/1.1")
        response = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date_str},
        )
        path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
        req_headers = StatusAndHeaders(f"{method} /{path} HTTP/1.1", request_headers or [], is_http_request=True)
        request = self._writer.create_warc_record(
            url, "request", payload=io.BytesIO(b""), http_headers=req_headers,
            warc_headers_dict={"WARC-Date": date_str},
        )
        self._writer.write_request_response_pair(request, response)
        self._fh.flush()
        self.count += 1

    def close(self) -> None:
        self._fh.close()
