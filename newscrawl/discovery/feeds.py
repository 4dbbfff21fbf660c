"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds to entries (link, title, date)."""

from __future__ import annotations

from dataclasses import dataclass

from .xml import NotXML, child_text, local, parse_xml


@dataclass
class Entry:
    url: str
    title: str | None = None
    published: str | None = None  # as written in the feed; parse with extract.dates


def parse_feed(body: bytes) -> list[Entry]:
    root = parse_xml(body)
    kind = local(root.tag)
    if kind not in {"rss", "RDF", "feed"}:
        raise NotXML(f"not a feed: root element <{kind}>")
    entries: list[Entry] = []
    for el in root.iter():
        name = local(el.tag)
        if name == "item":
            url = child_text(el, "link")
            if not url:
                guid = next((c for c in el if local(c.tag) == "guid"), None)
                if guid is not None and guid.get("isPermaLink", "true") != "false" and guid.text:
                    url = guid.text.strip()
            if not url:
                url = el.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
            published = child_text(el, "pubDate", "date", "published", "updated")
        elif name == "entry":
            url = None
            for link in el:
                if local(link.tag) == "link" and link.get("rel", "alternate") == "alternate" and link.get("href"):
                    url = link.get("href").strip()
                    break
            published = child_text(el, "published", "updated")
        else:
            continue
        if url:
            entries.append(Entry(url=url, title=child_text(el, "title"), published=published))
    return entries
