"""Canonical article URLs: one spelling per article, so that dedup and state agree.

Rules (tested in tests/test_urls.py): fragments, tracking parameters (utm_*, fbclid,
gclid, ...), default ports, ``index.html`` and AMP variants go; mobile and alternate
hosts map to the profile's canonical host; on a profiled site only the query
parameters that identify an article (``keep_query``) survive.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

from .sites.profile import SiteProfile

TRACKING_PARAM_RE = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|yclid|msclkid|mc_cid|mc_eid|igshid|_ga|_gl|"
    r"_hsenc|_hsmi|spm|ncid|cmpid|ito|amp|outputType|from|ref_src)$",
    re.IGNORECASE,
)
INDEX_PAGE_RE = re.compile(r"/(index|default)\.(html?|php|asp)$", re.IGNORECASE)
AMP_PATH_RE = re.compile(r"/amp/?$")
DEFAULT_PORTS = {"http": 80, "https": 443}


def url_key(url: str) -> str:
    """A lookup key of a URL as written: query order, percent-encoding and fragments do not matter.

    Not the canonical URL (which drops parameters and rewrites hosts): two spellings of one fetch.
    """
    return canonicalize_url(url, keep_fragments=False)


def fuzzy_key(url: str) -> str:
    """A looser key of a URL: no scheme, no ``www.``, no tracking parameters, sorted query, no trailing
    ``/`` or ``index.html`` - two spellings an archive and a crawl may disagree on, one page."""
    parts = urlsplit(safe_url_string(url.strip()))
    host = (parts.hostname or "").lower().rstrip(".").removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    path = INDEX_PAGE_RE.sub("/", parts.path or "/").rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAM_RE.match(k))
    return f"{host}{path}" + (f"?{urlencode(query)}" if query else "")


def _host_in(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def same_site(url: str, profile: SiteProfile) -> bool:
    """The URL is on one of the profile's domains (subdomains included) and on the same port.

    A domain written without a port admits only the default ports (a feed entry pointing at
    another port of the site's host is another server); ``host:port`` admits exactly that port.
    """
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    default = port is None or port == DEFAULT_PORTS.get(parts.scheme.lower())
    for domain in profile.domains:  # any entry may admit it: "example.jp" and "example.jp:8080" side by side
        name, _, wanted = domain.lower().partition(":")
        if host == name or host.endswith("." + name):
            if (port is not None and str(port) == wanted) if wanted else default:
                return True
    return False


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
