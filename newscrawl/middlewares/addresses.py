"""No request to a loopback, private, link-local, multicast or reserved address.

A crawler on a server is inside someone's network: a feed entry, a redirect or an allowed
domain whose DNS answers ``127.0.0.1``, ``10.x`` or ``169.254.169.254`` (the cloud metadata
service) must not make it talk to that network.  The rule is on the resolved address:

- AddressGuardMiddleware (before robots.txt and the download) checks an IP literal in the URL
  (``http://169.254.169.254/``, ``http://[::1]/``; Twisted would connect to it without asking
  any resolver) and resolves a host name through the reactor's resolver, so that a refused
  request fails at once with ``RefusedAddress`` (an IgnoreRequest: the errback counts
  ``ignored/<kind>/RefusedAddress``), counted ``refused/address`` and
  ``refused/address/<why>``, with one log line;
- GuardedResolver (resolver.py, TWISTED_DNS_RESOLVER) is the resolver the connection itself
  goes through: it checks every answer, cached or not, at the moment of connecting, so a name
  that answered a public address to the check and a private one to the connection (DNS
  rebinding) is refused there too;
- browser pages: Chromium resolves names itself, so the browser's routing checks every request
  of a page with the same policy (newscrawl/browser/traffic.py).

NEWSCRAWL_ALLOWED_NETWORKS lists networks allowed all the same (a test server on 127.0.0.1, an
intranet mirror).  Not checked: a replay (no socket is opened), and a host name behind a proxy
(the proxy resolves it; an IP literal is still refused).  The proxies named by the environment
(``https_proxy`` ...) are the operator's choice and are never refused.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Iterable
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError

from .. import stats as keys
from ..config import config_of

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the well-known NAT64 prefix embeds an IPv4 address


class RefusedAddress(IgnoreRequest):
    """The request would connect to an address that is not on the public internet."""

    def __init__(self, host: str, address: str, why: str) -> None:
        super().__init__(f"{host} is {address} ({why.replace('_', '-')} address)")
        self.host, self.address, self.why = host, address, why


class RefusedLookup(DNSLookupError):
    """GuardedResolver's refusal at connection time: a DNSLookupError, so Twisted fails it quietly."""

    def __init__(self, host: str, address: str, why: str) -> None:
        super().__init__(f"{host} resolves to {address}, a {why.replace('_', '-')} address: refused")
        self.host, self.address, self.why = host, address, why


def literal_address(host: str) -> Address | None:
    """The IP address a URL's host *is*, when it is written as one (``[::1]`` brackets allowed)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def embedded_ipv4(address: Address) -> Address:
    """The IPv4 address an IPv6 one stands for (``::ffff:127.0.0.1``, 6to4, NAT64), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def address_kind(address: Address) -> str | None:
    """Why *address* is not a public one (``loopback``, ``private``, ...), or None when it is."""
    address = embedded_ipv4(address)
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link_local"  # 169.254.169.254, the cloud metadata service, is here
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:  # before private: Python counts 240.0.0.0/4 among its private networks
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "not_global"  # e.g. 100.64.0.0/10, carrier-grade NAT
    return None


class AddressPolicy:
    """Which addresses a request may connect to: public ones, and the allowed networks."""

    def __init__(self, allowed: Iterable[Network] = ()) -> None:
        self.allowed = tuple(allowed)

    def refusal(self, address: str | Address) -> str | None:
        """Why a connection to *address* is refused, or None when it may be made."""
        if isinstance(address, str):
            parsed = literal_address(address)
            if parsed is None:
                return "not_an_address"
            address = parsed
        why = address_kind(address)
        if why is None:
            return None
        plain = embedded_ipv4(address)
        if any(plain in net or address in net for net in self.allowed):  # other IP versions: False
            return None
        return why


def proxy_hosts() -> frozenset[str]:
    """The host names of the environment's proxies (http_proxy, https_proxy ...): never refused."""
    hosts = set()
    for name, url in getproxies().items():
        if name == "no" or not url:
            continue
        host = urlsplit(url if "://" in url else f"http://{url}").hostname
        if host:
            hosts.add(host.lower())
    return frozenset(hosts)


def proxied(request: Request, settings) -> bool:
    """Whether the request goes through a proxy (the proxy resolves its host): HttpProxyMiddleware's rule."""
    if "proxy" in request.meta:
        return request.meta["proxy"] is not None
    if not settings.getbool("HTTPPROXY_ENABLED"):
        return False
    parts = urlparse_cached(request)
    return parts.scheme in getproxies() and not proxy_bypass(parts.hostname or "")


class AddressGuardMiddleware:
    """Refuses a request whose host is, or resolves to, a non-public address; counts and logs it."""

    def __init__(self, crawler: Crawler, policy: AddressPolicy) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "AddressGuardMiddleware":
        config = config_of(crawler)
        if config.replaying:
            raise NotConfigured  # a replay opens no socket: nothing to guard, and no DNS lookup
        return cls(crawler, AddressPolicy(config.allowed_networks))

    async def process_request(self, request: Request, spider=None) -> None:
        host = urlparse_cached(request).hostname or ""
        address = literal_address(host)
        if address is not None:
            why = self.policy.refusal(address)
            if why is not None:
                raise RefusedAddress(host, str(address), why)
            return None
        if not host or proxied(request, self.crawler.settings):
            return None
        from twisted.internet import reactor

        # GuardedResolver's cache: the connection gets this same answer (and checks it again)
        lookup = getattr(reactor.resolver, "unchecked_lookup", None) or reactor.resolve
        try:
            resolved = await maybe_deferred_to_future(lookup(host))
        except DNSLookupError:
            return None  # the download fails with its own DNS error (counted, retried)
        why = self.policy.refusal(str(resolved))
        if why is not None:
            raise RefusedAddress(host, str(resolved), why)
        return None

    def process_exception(self, request: Request, exception: Exception, spider=None) -> None:
        if isinstance(exception, RefusedAddress):
            keys.inc(self.stats, keys.REFUSED_ADDRESS)
            keys.inc(self.stats, keys.refused_address(exception.why))
            where = exception.address if exception.host == exception.address else \
                f"{exception.host} resolves to {exception.address}"
            logger.error("Refused a request to a %s address (%s; NEWSCRAWL_ALLOWED_NETWORKS can allow a network): %s",
                         exception.why.replace("_", "-"), where, request.url[:200])
        return None
