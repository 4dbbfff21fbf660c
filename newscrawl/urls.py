"""Canonical article URLs: one spelling per article, so that dedup and state agree.

Rules (tested in tests/test_urls.py): fragments, tracking parameters (utm_*, fbclid,
gclid, ...), default ports, ``index.html`` and AMP variants go; mobile and alternate
hosts map to the profile's canonical host; on a profiled site only the query
parameters that identify an article (``keep_query``) survive.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import safe_url_string

from .sites.profile import SiteProfile

TRACKING_PARAM_RE = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|yclid|msclkid|mc_cid|mc_eid|igshid|_ga|_gl|"
    r"_hsenc|_hsmi|spm|ncid|cmpid|ito|amp|outputType|from|ref_src)$",
    re.IGNORECASE,
)
INDEX_PAGE_RE = re.compile(r"/(index|default)\.(html?|php|asp)$", re.IGNORECASE)
AMP_PATH_RE = re.compile(r"/amp/?$")
DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_in(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def same_site(url: str, profile: SiteProfile) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return _host_in(host, profile.domains)


def canonical_url(url: str, profile: SiteProfile | None = None) -> str:
    """The canonical spelling of *url* (see the module docstring)."""
    parts = urlsplit(safe_url_string(url.strip()))
    scheme = parts.scheme.lower() or "https"
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    profiled = profile is not None and profile.key != "news" and _host_in(host, profile.domains)
    if profiled:
        host = profile.host_aliases.get(host, host)
        if profile.canonical_host and host not in profile.host_aliases.values() and host != profile.canonical_host:
            # a bare domain (no "www.") of a site whose canonical host has one
            if profile.canonical_host.endswith("." + host):
                host = profile.canonical_host
        scheme = "https"  # every profiled site serves HTTPS; feeds still say http:// (kbs)
        port = None
    elif host.startswith("amp."):
        host = host[4:]
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    else:
        netloc = host

    path = parts.path or "/"
    path = INDEX_PAGE_RE.sub("/", path)
    path = AMP_PATH_RE.sub("/", path)

    query = parse_qsl(parts.query, keep_blank_values=True)
    if profiled:
        query = [(k, v) for k, v in query if k in profile.keep_query]
    else:
        query = [(k, v) for k, v in query if not TRACKING_PARAM_RE.match(k)]
    return urlunsplit((scheme, netloc, path, urlencode(query, safe=":/"), ""))


def choose_canonical(page_url: str, link_canonical: str | None, profile: SiteProfile | None) -> str:
    """``<link rel=canonical>`` wins when it points to the same site; otherwise the page URL."""
    if link_canonical:
        link_canonical = link_canonical.strip()
        if link_canonical.startswith(("http://", "https://")):
            page_host = (urlsplit(page_url).hostname or "").lower()
            link_host = (urlsplit(link_canonical).hostname or "").lower()
            if profile is not None and profile.key != "news":
                ok = _host_in(link_host, profile.domains)
            else:
                ok = _registered(link_host) == _registered(page_host)
            if ok:
                return canonical_url(link_canonical, profile)
    return canonical_url(page_url, profile)


def _registered(host: str) -> str:
    """A cheap registered-domain guess (last two labels, three for co.kr-like ones)."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in {"co", "or", "go", "ne", "ac", "com", "net"} and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
