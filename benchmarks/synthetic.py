"""The synthetic archive of the crawl benchmarks (throughput.py, vs_trafilatura.py): a WARC of N distinct
dailyview article pages and the discovery the dailyview profile reads.

- N article pages https://dailyview.net/article/<id>/ made from the four dailyview fixture pages:
  each keeps its template's full page (header, ads, sidebars, ranking, footer, JSON-LD) but gets its
  own id in every URL, its own headline and its own body paragraphs, drawn at random (fixed seed)
  from the sentences of every fixture's expected bodies - so no two texts are equal or near-equal;
- /feed/ (the newest 50), the WordPress sitemap index /wp-sitemap.xml with 1,000 URLs per posts
  sitemap, the /category/news/ listing (3 pages), and /robots.txt.
"""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

from benchmarks.common import FIXTURES
from newscrawl.replay.archive import WarcRecorder

SITE = FIXTURES / "sites" / "dailyview"
TEMPLATES = ["41235", "41207", "41162", "41088"]
HOST = "https://dailyview.net"
FIRST_ID = 300001
PER_SITEMAP = 1000
_NOW = datetime(2025, 12, 5, 12, 0, 0, tzinfo=timezone.utc)


# -- the archive ---------------------------------------------------------------------------------
def _sentence_pool() -> list[str]:
    pool: set[str] = set()
    for path in sorted(FIXTURES.glob("**/expected/*.json")):
        body = json.loads(path.read_text(encoding="utf-8")).get("body") or ""
        for para in body.split("\n\n"):
            for sentence in re.findall(r"[^。]+。", para):
                sentence = sentence.strip()
                if 15 <= len(sentence) <= 200:
                    pool.add(sentence)
    return sorted(pool)


_CONTENT_RE = re.compile(r'(<div class="entry-content">)(.*?)(</div><!-- \.entry-content -->)', re.S)
_PARA_RE = re.compile(r"<p>([^<]{40,})</p>")


def _template(key: str) -> tuple[str, str]:
    html = (SITE / f"article_{key}.html").read_text(encoding="utf-8")
    title = json.loads((SITE / "expected" / f"{key}.json").read_text(encoding="utf-8"))["title"]
    return html, title


def article_page(n: int, templates: list[tuple[str, str, str]], pool: list[str], rng: random.Random) -> str:
    key, html, title = templates[n % len(templates)]

    def new_paragraph(_match) -> str:
        return "<p>" + "".join(rng.sample(pool, rng.randint(2, 4))) + "</p>"

    head, content, tail = _CONTENT_RE.search(html).group(1, 2, 3)
    content = _PARA_RE.sub(new_paragraph, content)
    html = html.replace(head + _CONTENT_RE.search(html).group(2) + tail, head + content + tail)
    headline = rng.choice(pool)[:40].rstrip("。") + f"({n})"
    html = html.replace(escape(title), escape(headline)).replace(title, headline)
    return html.replace(key, str(n))


def _rss(ids: list[int]) -> str:
    items = "".join(
        f"<item><title>記事 {n}</title><link>{HOST}/article/{n}/</link>"
        f"<pubDate>{(_NOW - timedelta(minutes=FIRST_ID + 100000 - n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        f"</pubDate><guid isPermaLink=\"false\">{HOST}/?p={n}</guid></item>" for n in ids)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>ピッコン</title>'
            f"<link>{HOST}</link><description>benchmark</description>{items}</channel></rss>")


def _urlset(ids: list[int]) -> str:
    urls = "".join(f"<url><loc>{HOST}/article/{n}/</loc><lastmod>2025-12-05T07:02:31+00:00</lastmod></url>"
                   for n in ids)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def _listing(ids: list[int], page: int) -> str:
    items = "".join(f'<article><h2 class="entry-title"><a href="{HOST}/article/{n}/" rel="bookmark">記事 {n}</a>'
                    "</h2></article>" for n in ids)
    nxt = f'<nav class="navigation pagination"><a class="next page-numbers" href="{HOST}/category/news/page/{page + 1}/">次へ</a></nav>'
    return f'<!DOCTYPE html><html lang="ja"><body><main id="main" class="site-main">{items}{nxt}</main></body></html>'


def build_archive(out: Path, count: int, seed: int = 8) -> dict:
    rng = random.Random(seed)
    pool = _sentence_pool()
    templates = [(key, *_template(key)) for key in TEMPLATES]
    ids = list(range(FIRST_ID, FIRST_ID + count))
    if out.exists():
        out.unlink()
    recorder = WarcRecorder(out)
    html_type = [("Content-Type", "text/html; charset=UTF-8")]
    xml_type = [("Content-Type", "application/xml; charset=UTF-8")]
    newest = ids[::-1]
    try:
        recorder.write(f"{HOST}/robots.txt", 200, "OK", [("Content-Type", "text/plain")],
                       f"User-agent: *\nAllow: /\nSitemap: {HOST}/wp-sitemap.xml\n".encode(), date=_NOW)
        recorder.write(f"{HOST}/feed/", 200, "OK", [("Content-Type", "application/rss+xml; charset=UTF-8")],
                       _rss(newest[:50]).encode(), date=_NOW)
        chunks = [ids[i:i + PER_SITEMAP] for i in range(0, len(ids), PER_SITEMAP)]
        index = "".join(f"<sitemap><loc>{HOST}/wp-sitemap-posts-post-{i}.xml</loc></sitemap>"
                        for i in range(1, len(chunks) + 1))
        recorder.write(f"{HOST}/wp-sitemap.xml", 200, "OK", xml_type, (
            '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{index}</sitemapindex>").encode(), date=_NOW)
        for i, chunk in enumerate(chunks, 1):
            recorder.write(f"{HOST}/wp-sitemap-posts-post-{i}.xml", 200, "OK", xml_type,
                           _urlset(chunk).encode(), date=_NOW)
        for page in (1, 2, 3):
            url = f"{HOST}/category/news/" + (f"page/{page}/" if page > 1 else "")
            recorder.write(url, 200, "OK", html_type,
                           _listing(newest[(page - 1) * 20:page * 20], page).encode(), date=_NOW)
        size = 0
        for n in ids:
            body = article_page(n, templates, pool, rng).encode("utf-8")
            size += len(body)
            recorder.write(f"{HOST}/article/{n}/", 200, "OK", html_type, body, date=_NOW)
    finally:
        recorder.close()
    return {"articles": count, "html_bytes": size, "warc_bytes": out.stat().st_size, "sentences": len(pool)}
