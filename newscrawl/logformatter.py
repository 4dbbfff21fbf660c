"""Log lines about items that name the article, not dump it.

Scrapy's LogFormatter prints the whole item when it is dropped ("Dropped: duplicate_url" followed by
the item) or when a pipeline fails on it.  A newscrawl item carries working fields (the article's
HTML fragment, the strip trace of the clean step) that run to many kilobytes: a night's log drowned
in them.  These lines say the same in one line: the reason and the article's URL (and title).
"""

from __future__ import annotations

from scrapy.logformatter import LogFormatter


def _name(item) -> str:
    """The article as one short phrase: its URL and, when known, a title cut to 60 characters."""
    get = item.get if hasattr(item, "get") else (lambda key, default=None: default)
    url = get("url") or "(no URL)"
    title = str(get("title") or "")
    return f"{url} ({title[:60]}{'…' if len(title) > 60 else ''})" if title else str(url)


class ArticleLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider):
        result = super().dropped(item, exception, response, spider)  # keeps Scrapy's level rules
        result["msg"] = "Dropped: %(exception)s: %(article)s"
        result["args"] = {"exception": exception, "article": _name(item)}
        return result

    def item_error(self, item, exception, response, spider):
        result = super().item_error(item, exception, response, spider)
        result["msg"] = "Error processing %(article)s"
        result["args"] = {"article": _name(item)}
        return result

    def scraped(self, item, response, spider):
        result = super().scraped(item, response, spider)
        result["msg"] = "Scraped from %(src)s: %(article)s"
        result["args"] = {"src": result["args"]["src"], "article": _name(item)}
        return result
