"""Sitemaps and sitemap indexes, plain or gzipped (``.xml.gz``), reading the Google News extension.

Scrapy's own Sitemap class drops the ``news:`` tags; they carry each article's
publication date (to stop at articles older than ``max_age``) and title.  A gzipped
sitemap is inflated with a bound (xml.gunzip_bounded: a gzip bomb is refused).
"""

from __future__ import annotations

from dataclasses import dataclass

from .xml import NotXML, child_text, local, parse_xml


@dataclass
class SitemapEntry:
    url: str
    lastmod: str | None = None
    news_published: str | None = None
    news_title: str | None = None

    @property
    def date(self) -> str | None:
        return self.news_published or self.lastmod


@dataclass
class Sitemap:
    kind: str  # "urlset" or "sitemapindex"
    entries: list[SitemapEntry]


def parse_sitemap(body: bytes) -> Sitemap:
    root = parse_xml(body)  # gzip (bounded) and the entity refusal happen there
    kind = local(root.tag)
    if kind not in {"urlset", "sitemapindex"}:
        raise NotXML(f"not a sitemap: root element <{kind}>")
    entries = []
    for el in root:
        if local(el.tag) not in {"url", "sitemap"}:
            continue
        loc = child_text(el, "loc")
        if not loc:
            continue
        entry = SitemapEntry(url=loc, lastmod=child_text(el, "lastmod"))
        news = next((c for c in el if local(c.tag) == "news"), None)
        if news is not None:
            entry.news_published = child_text(news, "publication_date")
            entry.news_title = child_text(news, "title")
        entries.append(entry)
    return Sitemap(kind, entries)
