"""Site profiles: one TOML file per site in this folder (see profile.py for the fields)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .profile import ProfileError, SiteProfile, generic_profile, load_profile

PROFILE_DIR = Path(__file__).parent

__all__ = ["ProfileError", "SiteProfile", "all_profiles", "generic_profile", "get_profile", "profile_for_url"]


# Folders of profiles kept outside the registry (test sites, a user's private sites), separated
# by os.pathsep. An environment variable, not a Scrapy setting: the spider loader builds the
# spider list (sites.py) before any -s value reaches project code.
EXTRA_PROFILES_ENV = "NEWSCRAWL_EXTRA_PROFILES"


def extra_profile_dirs() -> list[Path]:
    return [Path(p) for p in os.environ.get(EXTRA_PROFILES_ENV, "").split(os.pathsep) if p.strip()]


@lru_cache(maxsize=1)
def all_profiles() -> dict[str, SiteProfile]:
    """Every profile, by key, in file-name order; then those of NEWSCRAWL_EXTRA_PROFILES."""
    profiles = {p.stem: load_profile(p) for p in sorted(PROFILE_DIR.glob("*.toml"))}
    for folder in extra_profile_dirs():
        if not folder.is_dir():
            raise ProfileError(f"{EXTRA_PROFILES_ENV}: {folder} is not a folder")
        for path in sorted(folder.glob("*.toml")):
            if path.stem in profiles:
                raise ProfileError(f"{path}: key {path.stem!r} is already a profile")
            profiles[path.stem] = load_profile(path)
    return profiles


def get_profile(key: str) -> SiteProfile:
    try:
        return all_profiles()[key]
    except KeyError:
        raise KeyError(f"no site profile {key!r}; known: {', '.join(all_profiles())}") from None


def profile_for_url(host: str) -> SiteProfile | None:
    """The profile whose domains include *host* (or a parent domain of it)."""
    host = host.lower()
    for profile in all_profiles().values():
        for domain in profile.domains:
            if host == domain or host.endswith("." + domain):
                return profile
    return None
