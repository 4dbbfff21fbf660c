"""One spider class per site profile, made from the profile: a site is data, not code.

Scrapy's spider loader finds classes defined in this module; each is a ProfileSpider
named after its profile key, so `scrapy list` shows every site in newscrawl/sites/.
"""

from __future__ import annotations

import sys

from ..sites import all_profiles
from ..sites.profile import ProfileError
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


try:
    _profiles = all_profiles()
except ProfileError as _exc:
    # imported by Scrapy's spider loader before any command runs: a broken profile (a bad regex, an
    # unknown key, TOML that does not parse) stops every command with one line and the usage status
    sys.stderr.write(f"newscrawl: site profile not usable: {_exc}\n")
    raise SystemExit(2) from None

for _key, _profile in _profiles.items():
    _cls = _spider_class(_key, _profile)
    globals()[_cls.__name__] = _cls
del _key, _profile, _cls, _profiles  # the loop variables would make the spider loader see the last class twice
