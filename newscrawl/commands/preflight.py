"""Before a live crawl: can the site hosts be resolved at all?

Without a network every request fails after its retries, Scrapy prints a traceback
per robots.txt and the night ends with a wall of errors.  One look-up per host first
turns "no network" into one clear line and its own exit status.
"""

from __future__ import annotations

import os
import socket
from concurrent.futures import ThreadPoolExecutor

EXIT_NO_NETWORK = 4
_PROXY_VARIABLES = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")


def _resolves(host: str) -> bool:
    try:
        socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
        return True
    except (OSError, UnicodeError):
        return False


def unresolvable(hosts: list[str], timeout: float = 10.0) -> list[str]:
    """The hosts that do not resolve (all of them when DNS itself is down).

    Behind a proxy the local resolver may know nothing and the crawl still work: no check then.
    """
    hosts = sorted(set(h for h in hosts if h))
    if not hosts or any(os.environ.get(v) for v in _PROXY_VARIABLES):
        return []
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        with ThreadPoolExecutor(max_workers=min(8, len(hosts))) as pool:
            results = list(pool.map(_resolves, hosts))
    finally:
        socket.setdefaulttimeout(previous)
    return [h for h, ok in zip(hosts, results) if not ok]


def url_hosts(urls: list[str]) -> list[str]:
    from urllib.parse import urlsplit

    return sorted({(urlsplit(u).hostname or "").lower() for u in urls} - {""})


def no_network_message(profiles, hosts: list[str] = ()) -> str | None:
    """The one line to print when not one host of *profiles* (and *hosts*) resolves; None when the
    network is there.  Loopback and literal addresses always "resolve": tests and local servers."""
    hosts = sorted({h for profile in profiles for h in profile_hosts(profile)} | set(hosts))
    missing = unresolvable(hosts)
    if not missing or len(missing) < len(hosts):
        return None
    where = f"cannot resolve {missing[0]}" if len(missing) == 1 else \
        f"none of the {len(missing)} site hosts resolves ({', '.join(missing[:3])}, ...)"
    return (f"newscrawl: no network: {where}; check DNS and connectivity, "
            "or replay an archive with -s NEWSCRAWL_REPLAY=FILE")


def profile_hosts(profile) -> list[str]:
    from urllib.parse import urlsplit

    found = profile.discovery
    urls = list(found.feeds) + list(found.sitemaps) + list(found.listing_pages)
    hosts = [urlsplit(u).hostname or "" for u in urls]
    return hosts or [profile.canonical_host or profile.domains[0]]
