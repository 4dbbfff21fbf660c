"""Site profiles: one TOML file per site in this folder (see profile.py for the fields)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from .profile import ProfileError, SiteProfile, generic_profile, load_profile

PROFILE_DIR = Path(__file__).parent

__all__ = ["ProfileError", "SiteProfile", "all_profiles", "generic_profile", "get_profile", "profile_for_url",
           "resolve_profile", "site_of"]
GENERIC_KEY = "news"  # the generic spider's key: its profile is made per host


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


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def _netloc(url: str) -> str:
    """host, or host:port when the port is not the scheme's default (``www.`` dropped)."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}:{port}" if port and port != default else host


@lru_cache(maxsize=1024)
def _generic_for(netloc: str) -> SiteProfile:
    return generic_profile(netloc)


def resolve_profile(key: str, url: str) -> SiteProfile:
    """The profile a request is crawled with: the site's, or (``news``) the generic one of its host.

    Requests carry the key in their meta (newscrawl.meta.PROFILE), so that middlewares and pipelines
    find the profile without asking the spider.
    """
    if key and key != GENERIC_KEY:
        return get_profile(key)
    return _generic_for(_netloc(url))


def site_of(profile: SiteProfile, url: str) -> str:
    """The record's ``site``: the profile's key, or the host for the generic spider."""
    return profile.key if profile.key != GENERIC_KEY else host_of(url)


def profile_for_item(item) -> SiteProfile:
    """The profile an item was extracted with: its site's, or the generic one of its URL's host."""
    site = item.get("site") or ""
    if site in all_profiles():
        return all_profiles()[site]
    return resolve_profile(GENERIC_KEY, item.get("url") or "")
