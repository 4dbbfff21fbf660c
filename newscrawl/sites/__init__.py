"""Site profiles: one TOML file per site in this folder (see profile.py for the fields)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .profile import ProfileError, SiteProfile, generic_profile, load_profile

PROFILE_DIR = Path(__file__).parent

__all__ = ["ProfileError", "SiteProfile", "all_profiles", "generic_profile", "get_profile", "profile_for_url"]


@lru_cache(maxsize=1)
def all_profiles() -> dict[str, SiteProfile]:
    """Every profile, by key, in file-name order."""
    return {p.stem: load_profile(p) for p in sorted(PROFILE_DIR.glob("*.toml"))}


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
