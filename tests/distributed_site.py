"""Replayed sites for the distributed tests: many synthetic dailyview articles, and an archive of
monthly sitemaps for the backfill (built at test time from tests/synthetic.py's template).

    site = archive_site(tmp / "site", months(2023, 1, 24), per_month=3)   # index + 24 monthly sitemaps
    warc = build(site, tmp)                                                 # the WARC to replay
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
from pathlib import Path

from newscrawl.replay.build import build_warc
from tests.helpers import ROOT, SCRAPY
from tests.synthetic import article_page

BASE = "https://dailyview.net"
TEMPLATE_DATE = "2025-12-04T10:05:00+09:00"  # the template article's published time


def article_url(n: int) -> str:
    return f"{BASE}/article/{n}/"


def months(year: int, month: int, count: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _entry(url: str, file: str, content_type: str) -> str:
    return f'[[response]]\nurl = "{url}"\nfile = "{file}"\ncontent_type = "{content_type}"\n'


def archive_site(folder: Path, periods: list[tuple[int, int]], per_month: int) -> Path:
    """/wp-sitemap.xml indexes one sitemap per month (``sitemap-pt-post-YYYY-MM.xml``), each listing
    *per_month* articles published on the 15th of its month.  Article numbers: 1, 2, ... in month order."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    index = []
    n = 0
    for year, month in periods:
        name = f"sitemap-pt-post-{year}-{month:02d}.xml"
        index.append(f"<sitemap><loc>{BASE}/{name}</loc></sitemap>")
        urls = []
        for _ in range(per_month):
            n += 1
            day = f"{year}-{month:02d}-15T10:00:00+09:00"
            urls.append(f"<url><loc>{article_url(n)}</loc><lastmod>{day}</lastmod></url>")
            (folder / f"a{n}.html").write_text(distinct_page(n, day), encoding="utf-8")
            entries.append(_entry(article_url(n), f"a{n}.html", "text/html; charset=UTF-8"))
        (folder / name).write_text('<?xml version="1.0" encoding="UTF-8"?>'
                                   '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                   + "".join(urls) + "</urlset>", encoding="utf-8")
        entries.append(_entry(f"{BASE}/{name}", name, "application/xml; charset=UTF-8"))
    (folder / "wp-sitemap.xml").write_text('<?xml version="1.0" encoding="UTF-8"?>'
                                           '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                           + "".join(index) + "</sitemapindex>", encoding="utf-8")
    entries.append(_entry(f"{BASE}/wp-sitemap.xml", "wp-sitemap.xml", "application/xml; charset=UTF-8"))
    (folder / "site.toml").write_text("\n".join(entries), encoding="utf-8")
    return folder


_BODY_RE = re.compile(r'(<div class="entry-content">)(.*?)(</div><!-- \.entry-content -->)', re.S)
# words of news Japanese; a body is random sentences of them, so that no two articles are
# near-duplicates (tests/synthetic.py's bodies differ only in numbers: every article would be
# marked a near-duplicate of every other, which is not what a real archive looks like)
_WORDS = ("政府 与党 野党 国会 大統領 首相 外相 会談 協議 合意 発表 記者 会見 経済 物価 金利 輸出 半導体 企業 投資 "
          "株価 市場 為替 予算 選挙 世論 調査 支持率 地方 ソウル 釜山 仁川 大邱 光州 済州 東京 大阪 北朝鮮 ミサイル "
          "軍 演習 警察 事件 裁判 判決 検察 捜査 容疑者 被害 事故 火災 地震 台風 豪雨 気温 観光 航空 鉄道 道路 "
          "病院 医師 患者 学校 大学 学生 教育 入試 文化 映画 ドラマ 俳優 歌手 公演 アイドル 音楽 番組 放送 視聴率 "
          "野球 サッカー 選手 監督 試合 優勝 記録 五輪 代表 技術 人工知能 通信 電池 自動車 工場 雇用 賃金 労働 "
          "組合 住宅 価格 人口 出生 高齢 年金 福祉 環境 電力 原発 エネルギー 外交 同盟 首脳 制裁 交渉 協力").split()


def distinct_page(n: int, published: str = TEMPLATE_DATE) -> str:
    """The template article *n* with a body of its own (seeded by *n*: the same every run)."""
    rng = random.Random(n)
    paragraphs = "".join(
        "<p>" + "".join("".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 10))) + "。"
                        for _ in range(5)) + "</p>" for _ in range(4))
    page = _BODY_RE.sub(lambda m: m[1] + paragraphs + m[3], article_page(n), count=1)
    return page.replace(TEMPLATE_DATE, published)


def many_articles(folder: Path, count: int) -> tuple[Path, list[str]]:
    """A site of *count* articles with distinct bodies, and their URLs."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for n in range(1, count + 1):
        (folder / f"a{n}.html").write_text(distinct_page(n), encoding="utf-8")
        entries.append(_entry(article_url(n), f"a{n}.html", "text/html; charset=UTF-8"))
    (folder / "site.toml").write_text("\n".join(entries), encoding="utf-8")
    return folder, [article_url(n) for n in range(1, count + 1)]


def build(site: Path, tmp: Path) -> Path:
    warc = tmp / f"{site.name}.warc.gz"
    build_warc(warc, [site])
    return warc


def worker(spider: str, redis_url: str, data: Path, out: Path, *args: str, warc: Path | None = None,
           settings: dict | None = None, default_output: bool = False) -> subprocess.Popen:
    """`scrapy crawl SPIDER -s NEWSCRAWL_REDIS_URL=... -O out` as a background process; its log is
    out.log, its stats out.stats.json.  *default_output*: no -O (the default output in the data folder)."""
    cmd = [SCRAPY, "crawl", spider, "-s", "LOG_LEVEL=INFO", *args] + ([] if default_output else ["-O", str(out)])
    every = {"NEWSCRAWL_STATS_FILE": str(out.with_suffix(".stats.json")), **(settings or {})}
    if redis_url:
        every["NEWSCRAWL_REDIS_URL"] = redis_url
    if warc is not None:
        every["NEWSCRAWL_REPLAY"] = str(warc)
    for key, value in every.items():
        cmd += ["-s", f"{key}={value}"]
    log = out.with_suffix(".log").open("ab")
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data)}
    return subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)


def stats_of(out: Path) -> dict:
    path = out.with_suffix(".stats.json")
    return json.loads(path.read_text()) if path.exists() else {}


def lines(paths) -> list[dict]:
    return [json.loads(line) for path in paths if Path(path).exists()
            for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


class PageLog:
    """Add-on: append every archive page a crawl walks (once its links are queued and its lease
    settled) to FAULT_PAGES_LOG; with FAULT_KILL_AFTER_PAGES=N, SIGKILL the crawl right after its
    Nth page: a walk killed mid-way at a moment that does not depend on timing.

        -s 'ADDONS={"tests.distributed_site.PageLog": 0}' -s FAULT_PAGES_LOG=pages.txt -s FAULT_KILL_AFTER_PAGES=5
    """

    def __init__(self, crawler=None) -> None:
        self.crawler = crawler

    def update_settings(self, settings) -> None:  # add-on: Scrapy builds it with from_crawler, which is all it needs
        pass

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider) -> None:
        import signal

        source = spider.queue_source
        settings = self.crawler.settings
        after = settings.getint("FAULT_KILL_AFTER_PAGES")
        log = Path(settings.get("FAULT_PAGES_LOG"))
        walked = []
        parse_page = source.parse_page

        def parse_and_log(response):
            parse_page(response)
            walked.append(response.url)
            with log.open("a", encoding="utf-8") as fh:
                fh.write(response.url + "\n")
            if after and len(walked) >= after:
                os.kill(os.getpid(), signal.SIGKILL)

        source.parse_page = parse_and_log


class DropRequests:
    """Add-on: a spider middleware that silently drops the start requests whose URL ends with
    FAULT_DROP_SUFFIX, as a component that loses a request without a word would."""

    def __init__(self, crawler=None) -> None:
        self.suffix = crawler.settings.get("FAULT_DROP_SUFFIX", "") if crawler is not None else ""

    def update_settings(self, settings) -> None:  # add-on
        settings["SPIDER_MIDDLEWARES"]["tests.distributed_site.DropRequests"] = 40

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        async for request in start:
            if not (self.suffix and getattr(request, "url", "").endswith(self.suffix)):
                yield request
