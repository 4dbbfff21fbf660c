"""Parsing XML from the web without trusting it.

Sitemaps are parsed with lxml with entity resolution, DTD loading and network access off (no
billion laughs, no external entity reads); feeds go through feedparser (feeds.py), which is
tolerant of the broken XML feeds often are.  For both, a document that declares entities is
refused outright before any parser sees it: no feed or sitemap needs them, and feedparser
would keep the "safe" ones.  A gzipped sitemap (``.xml.gz``) is decompressed with a bound:
more than MAX_XML_BYTES (the sitemap protocol's own 50 MB limit) is a gzip bomb, refused.
"""

from __future__ import annotations

import re
import zlib

from lxml import etree

_ENTITY_DECL_RE = re.compile(rb"<!ENTITY", re.IGNORECASE)
MAX_XML_BYTES = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


class UnsafeXML(ValueError):
    """The document declares entities (entity-expansion or external-entity attack)."""

    kind = "unsafe_xml"  # the counter: newscrawl/discovery/<kind>


class GzipBomb(UnsafeXML):
    """A gzipped document that inflates past MAX_XML_BYTES."""

    kind = "gzip_bomb"


class NotXML(ValueError):
    """The document is not well-formed XML."""


def _declares_entities(body: bytes) -> bool:
    if _ENTITY_DECL_RE.search(body[:65536]):
        return True
    # the internal subset can come after any amount of comments and whitespace: look inside
    # the DOCTYPE wherever it is (bytes.find: no regex over a large body)
    doctype = body.find(b"<!DOCTYPE")
    if doctype < 0:
        return False
    end = body.find(b"]>", doctype)
    return body.find(b"<!ENTITY", doctype, end if end >= 0 else len(body)) >= 0


def refuse_entities(body: bytes) -> None:
    """UnsafeXML when *body* declares XML entities; NotXML when it does not even start with markup."""
    if _declares_entities(body):
        raise UnsafeXML("the document declares XML entities")
    head = body[:8192].lstrip()
    if not head.startswith(b"<") and not head.startswith(b"\xef\xbb\xbf<"):
        raise NotXML("the response does not start with markup")


def gunzip_bounded(body: bytes, limit: int = MAX_XML_BYTES) -> bytes:
    """*body* inflated, at most *limit* bytes (GzipBomb past it; NotXML when it is not gzip at all).

    Written on zlib rather than Scrapy's gunzip: discovery/ imports no Scrapy, and Scrapy's
    size-exceeded exception is private.  A cut-off file gives what it has (then NotXML from the parser).
    """
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip header and trailer
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise NotXML(f"not a readable gzip file ({exc})") from None
    if len(out) > limit:
        raise GzipBomb(f"the gzipped document inflates to more than {limit // (1024 * 1024)} MB "
                       f"({len(body)} bytes compressed): a gzip bomb")
    return out


def parse_xml(body: bytes):
    if body[:2] == GZIP_MAGIC:
        body = gunzip_bounded(body)
    refuse_entities(body)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             recover=False, remove_comments=True)
    try:
        root = etree.fromstring(body[:MAX_XML_BYTES], parser=parser)
    except etree.XMLSyntaxError as exc:
        raise NotXML(str(exc)) from exc
    if root is None:
        raise NotXML("empty document")
    return root


def local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def child_text(el, *names: str) -> str | None:
    for child in el:
        if local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None
