"""A synthetic dailyview site of N articles, made from the real fixture template.

Used where a test needs many articles (a crawl long enough to be killed halfway) or a
new article appearing in the feed on the next night.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.helpers import SITE_FIXTURES

TEMPLATE = SITE_FIXTURES / "dailyview" / "article_41207.html"
_BODY_RE = re.compile(r'(<div class="entry-content">)(.*?)(</div><!-- \.entry-content -->)', re.S)
_TITLE_RE = re.compile(r"ドラマ『ソウルの灯火』[^<\"]*")


def article_page(n: int, text_seed: str = "") -> str:
    page = TEMPLATE.read_text(encoding="utf-8")
    paragraphs = "".join(
        f"<p>合成記事{n}号の第{i}段落。{text_seed}ソウル市は{n}日、市内{i}カ所で新しい交通政策を試験的に始めると発表した。"
        f"関係者によると、対象地域は{n % 7 + 1}区で、期間は{i + 2}週間の予定だという。</p>"
        for i in range(1, 5)
    )
    page = _BODY_RE.sub(lambda m: m[1] + paragraphs + m[3], page, count=1)
    page = page.replace("https://dailyview.net/article/41207/", f"https://dailyview.net/article/{n}/")
    return _TITLE_RE.sub(f"合成記事{n}号の見出し", page)


def feed(numbers: list[int]) -> str:
    items = "".join(
        f"<item><title>合成記事{n}号の見出し</title><link>https://dailyview.net/article/{n}/</link>"
        f"<pubDate>Fri, 05 Dec 2025 06:20:00 +0000</pubDate></item>" for n in numbers)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>ピッコン</title>'
            f"<link>https://dailyview.net</link>{items}</channel></rss>")


def make_site(folder: Path, numbers: list[int], text_seed: dict[int, str] | None = None) -> Path:
    """A fixture folder (site.toml + files) serving a feed of *numbers* and their pages."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "feed.xml").write_text(feed(numbers), encoding="utf-8")
    entries = ['[[response]]\nurl = "https://dailyview.net/feed/"\nfile = "feed.xml"\n'
               'content_type = "application/rss+xml; charset=UTF-8"\n']
    for n in numbers:
        (folder / f"a{n}.html").write_text(article_page(n, (text_seed or {}).get(n, "")), encoding="utf-8")
        entries.append(f'[[response]]\nurl = "https://dailyview.net/article/{n}/"\nfile = "a{n}.html"\n'
                       'content_type = "text/html; charset=UTF-8"\n')
    (folder / "site.toml").write_text("\n".join(entries), encoding="utf-8")
    return folder
