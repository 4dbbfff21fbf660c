"""One spider class per site profile, made from the profile: a site is data, not code.

Scrapy's spider loader finds classes defined in this module; each is a ProfileSpider
named after its profile key, so `scrapy list` shows every site in newscrawl/sites/.
"""

from __future__ import annotations

from ..sites import all_profiles
from .base import ProfileSpider


def _spider_class(key: str, profile) -> type[ProfileSpider]:
    return type(
        f"{key.capitalize()}Spider",
        (ProfileSpider,),
        {
            "name": key,
            "profile": profile,
            "allowed_domains": list(profile.domains),
            "__module__": __name__,
            "__doc__": f"{profile.name}: discovery and articles from newscrawl/sites/{key}.toml.",
        },
    )


for _key, _profile in all_profiles().items():
    _cls = _spider_class(_key, _profile)
    globals()[_cls.__name__] = _cls
del _key, _profile, _cls  # the loop variables would make the spider loader see the last class twice
