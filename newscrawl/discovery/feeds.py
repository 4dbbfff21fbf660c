"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds to entries (link, title, date), read with feedparser.

Feeds are often not well-formed XML (a bare ``&`` in a title, a feed cut off mid-item):
a strict parser loses the whole night's feed over one character.  feedparser is the
well-kept library that reads them anyway: it tries a strict XML parse, and on an error
re-reads the document with its tolerant parser (``bozo``).  What it cannot do is say no to
entities: it keeps "safe" entity declarations, so xml.refuse_entities() refuses every
document that declares one before feedparser sees it.  The body is handed over as a stream
(never as a string: feedparser would take a string that looks like a URL or a path as one
to open), with no base URI, no HTML sanitizing and no relative-URI rewriting: only links,
titles and dates are read here, and links are joined by discovery/links.py.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import feedparser

from .xml import GZIP_MAGIC, MAX_XML_BYTES, NotXML, gunzip_bounded, refuse_entities


@dataclass
class Entry:
    url: str
    title: str | None = None
    published: str | None = None  # as written in the feed; parse with extract.dates


@dataclass
class Feed:
    entries: list[Entry] = field(default_factory=list)
    repaired: str = ""  # why the strict parse failed when the tolerant one was needed ("": well-formed)


def read_feed(body: bytes) -> Feed:
    """The feed's entries; NotXML when *body* is no feed at all, UnsafeXML when it declares entities."""
    if body[:2] == GZIP_MAGIC:
        body = gunzip_bounded(body)
    refuse_entities(body)
    try:
        parsed = feedparser.parse(io.BytesIO(body[:MAX_XML_BYTES]), sanitize_html=False,
                                  resolve_relative_uris=False)
    except Exception as exc:  # noqa: BLE001 - a third-party parser on hostile input: a bad feed, never a crash
        raise NotXML(f"the feed parser failed ({type(exc).__name__}: {exc})") from None
    if not parsed.get("version"):
        raise NotXML("not an RSS, RDF or Atom feed")
    rdf = parsed.version.startswith(("rss09", "rss10"))
    entries = []
    for item in parsed.entries:
        # RSS 1.0 items are named by rdf:about (feedparser's id); an RSS 2.0 guid is a link only when it
        # is a permalink, and feedparser has already made such a guid the link
        url = item.get("link") or (item.get("id") if rdf else None)
        if url and url.strip():
            entries.append(Entry(url=url.strip(), title=(item.get("title") or "").strip() or None,
                                 published=item.get("published") or item.get("updated")))
    repaired = ""
    if parsed.get("bozo"):
        repaired = str(parsed.get("bozo_exception") or "not well-formed")[:200]
    return Feed(entries, repaired)


def parse_feed(body: bytes) -> list[Entry]:
    return read_feed(body).entries
