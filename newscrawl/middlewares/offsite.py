"""Scrapy's offsite filter, counted and said, with ports counted.

Requests go only to the spider's ``allowed_domains`` (a profile's ``domains``, subdomains
included; for ``news``, the hosts it was given).  Scrapy's OffsiteMiddleware enforces that
when a request is scheduled, but says so at DEBUG, counts outside ``newscrawl/`` and ignores
the port.  This subclass (in its place, priority 50) keeps the rule, adds the port and counts
``newscrawl/offsite/filtered`` with one WARNING per refused host.  Non-HTTP URLs are left to
HttpOnlyMiddleware's count.

Ports, as in ``newscrawl.urls.same_site``: another port of the same host is another server,
so another site.  A domain written without a port admits the scheme's default port (80, 443);
``host:port`` admits exactly that port.  The ``news`` spider's allowed_domains are the hosts
it was given, without ports: the ports of the URLs it was given are admitted on those hosts.
"""

from __future__ import annotations

import logging
import weakref
from typing import Iterable
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware as ScrapyOffsiteMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from .. import stats as keys

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_port(netloc: str) -> tuple[str, int | None]:
    """``("example.jp", None)`` from ``example.jp``, ``("127.0.0.1", 8123)`` from ``127.0.0.1:8123``."""
    netloc = netloc.strip()
    if netloc.count(":") > 1 and not netloc.startswith("["):
        netloc = f"[{netloc}]"  # a bare IPv6 address (what urlsplit().hostname gives)
    parts = urlsplit(f"//{netloc}")
    try:
        port = parts.port
    except ValueError:
        port = -1  # a port that no URL has: the entry admits nothing
    return (parts.hostname or "").rstrip("."), port


def on_domains(url: str, domains: Iterable[str]) -> bool:
    """The URL's host is one of *domains* (or a subdomain) on a port that domain admits.

    Any entry may admit the URL (``example.jp`` and ``example.jp:8080`` side by side), unlike
    ``urls.same_site``, which stops at the first entry naming the host.
    """
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return False
    port = port or DEFAULT_PORTS.get(parts.scheme.lower())
    for domain in domains:
        name, wanted = _host_port(domain.lower())
        if name and (host == name or host.endswith("." + name)):
            if wanted is None:
                if port == DEFAULT_PORTS.get(parts.scheme.lower()):
                    return True
            elif port == wanted:
                return True
    return False


def _netloc(url: str) -> str:
    """``host:port`` of a URL when it names a port other than its scheme's default, else ``host``
    (``www.`` dropped: the news spider's allowed_domains are written so, and admit subdomains)."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port and port != DEFAULT_PORTS.get(parts.scheme.lower()) else host


_DOMAINS: "weakref.WeakKeyDictionary[object, tuple[tuple, tuple[str, ...]]]" = weakref.WeakKeyDictionary()


def spider_domains(spider) -> tuple[str, ...]:
    """The spider's allowed_domains, with the ports of the URLs it was given.

    A domain the spider was given only on other ports than the default (``news -a
    url=http://127.0.0.1:8123/``) stands for those ports; one given on a default port too keeps
    the default ports and adds the others.  Kept per spider (a urls_file may give thousands of
    URLs; this runs for every request).
    """
    domains = tuple(d for d in getattr(spider, "allowed_domains", None) or [] if d)
    try:
        cached = _DOMAINS.get(spider)
    except TypeError:  # not weakly referenceable (a stand-in in a test)
        cached = None
    if cached is not None and cached[0] == domains:
        return cached[1]
    args = getattr(spider, "args", None)
    given: dict[str, set[str]] = {}
    for url in [*getattr(args, "urls", ()), *getattr(args, "feeds", ()), *getattr(args, "sitemaps", ())]:
        netloc = _netloc(url)
        given.setdefault(_host_port(netloc)[0], set()).add(netloc)
    result: list[str] = []
    for domain in domains:
        netlocs = given.get(_host_port(domain)[0], set())
        if domain in netlocs or not netlocs:
            result.append(domain)  # given on a default port (or not given at all: a profile's domain)
        result.extend(sorted(netlocs - {domain}))
    result = tuple(dict.fromkeys(result))
    try:
        _DOMAINS[spider] = (domains, result)
    except TypeError:
        pass
    return result


class OffsiteMiddleware(ScrapyOffsiteMiddleware):
    def should_follow(self, request: Request, spider) -> bool:
        domains = spider_domains(spider)
        return not domains or on_domains(request.url, domains)

    def process_request(self, request: Request, spider=None) -> None:
        try:
            return super().process_request(request)
        except IgnoreRequest:
            parts = urlsplit(request.url)
            if parts.scheme in ("http", "https"):
                where = parts.netloc.lower().rpartition("@")[2]
                keys.inc(self.stats, keys.OFFSITE_FILTERED)
                if where not in getattr(self, "_warned", set()):
                    self.__dict__.setdefault("_warned", set()).add(where)
                    logger.warning("Off-site request not made (%s is not on allowed_domains %s; ports count): %s",
                                   where, list(spider_domains(self.crawler.spider)), request.url[:200])
            raise
