"""Spider contracts for `scrapy check`: one per site, run offline against a replayed archive.

A contract's usual ``@url`` names one live page in a hand-written spider's docstring.  Our site
spiders are made from profiles (data), so they share one callback and one docstring
(BaseNewsSpider.parse): ``@sample_article`` picks the URL per spider instead - the site's first
article (in URL order) that the archive of NEWSCRAWL_REPLAY answers with a 200.  The archive can
be the shipped fixtures (`make check` builds it) or a real night recorded with NEWSCRAWL_RECORD:
"does every site's extraction still give a whole record on last night's pages?".  The generic
``news`` spider has no site, so no sample and no contract.  What the contract asks is coarse
(one item with these fields); tests/test_sites.py compares every field of every fixture article.
"""

from __future__ import annotations

from functools import lru_cache

from scrapy.contracts import Contract

from . import meta as M
from .replay.archive import WarcArchive
from .urls import canonical_url, same_site


class NoSample(ValueError):
    """No article of the spider's site to check against; the message says what to do."""


@lru_cache(maxsize=4)
def _archive(paths: tuple[str, ...]) -> WarcArchive:
    return WarcArchive(list(paths))  # one index for every spider of a check


def sample_article(profile, replay: tuple[str, ...]) -> str:
    """The first article URL of *profile*'s site answered 200 by the archive(s) *replay*."""
    if not replay:
        raise NoSample(f"{profile.key}: scrapy check runs against an archive: "
                       "-s NEWSCRAWL_REPLAY=FILE (`make check` builds one from the test fixtures)")
    archive = _archive(tuple(replay))
    for url in sorted({capture.uri for captures in archive.captures.values() for capture in captures}):
        if same_site(url, profile) and profile.is_article_url(canonical_url(url, profile)):
            stored = archive.get(url)
            if stored is not None and stored.status == 200:
                return url
    raise NoSample(f"{profile.key}: no article of the site in {', '.join(replay)}")


class SampleArticle(Contract):
    """``@sample_article``: request the spider's sample article (see the module's docstring)."""

    name = "sample_article"

    def __init__(self, method, *args) -> None:
        super().__init__(method, *args)
        self.spider = getattr(method, "__self__", None)

    def adjust_request_args(self, args: dict) -> dict:
        profile = getattr(self.spider, "profile", None)
        if profile is None:  # the generic spider: no site, no sample (the request is not made)
            return args
        url = sample_article(profile, self.spider.config.replay)
        args["url"] = url
        args["meta"] = {M.KIND: M.ARTICLE, M.PROFILE: profile.key, M.CANONICAL: canonical_url(url, profile)}
        return args
