"""The DNS resolver Scrapy connects through, refusing non-public answers (TWISTED_DNS_RESOLVER).

Scrapy's HTTP/1.1 handler connects with ``reactor.connectTCP(host, ...)``, and Twisted asks the
reactor's resolver (``getHostByName``) for the address it then connects to.  Checking that
answer here, rather than resolving once more in a middleware, is what makes the check hold
against DNS rebinding: the address checked is the address connected to.  Scrapy's cache
(DNSCACHE_ENABLED) keeps the answer; every use of it is checked again.

AddressGuardMiddleware asks this resolver first (``unchecked_lookup``, the same cache) and refuses
a non-public answer itself, counted and logged.  So a refusal here, at connection time, means the
answer changed after that check (DNS rebinding, or a cache entry evicted and resolved anew): one
WARNING line, and the connection fails with ``RefusedLookup``, a DNSLookupError (Twisted then
fails it quietly as "no results"; the retry is refused by the middleware from the cached answer).
The environment's proxy hosts are not checked (the operator named them).
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred

from ..config import allowed_networks
from .addresses import AddressPolicy, RefusedLookup, proxy_hosts

logger = logging.getLogger(__name__)


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver (IPv4, DNS_TIMEOUT), with every answer checked by an AddressPolicy."""

    def __init__(self, reactor, cache_size: int, timeout: float, policy: AddressPolicy,
                 exempt: frozenset[str] = frozenset()) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.policy = policy
        self.exempt = exempt

    @classmethod
    def from_crawler(cls, crawler, reactor) -> "GuardedResolver":
        # *crawler* is the CrawlerProcess (Scrapy installs one resolver per process): its settings
        # are the project's and the command line's
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"),
                   AddressPolicy(allowed_networks(settings)), proxy_hosts())

    def unchecked_lookup(self, name: str) -> Deferred[str]:
        """The (cached) answer for *name*, for AddressGuardMiddleware, which checks it itself."""
        return super().getHostByName(name)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802 - Twisted's
        result = super().getHostByName(name, timeout)
        if name.lower().rstrip(".") not in self.exempt:
            result.addCallback(self._checked, name)
        return result

    def _checked(self, address: Any, name: str) -> Any:
        why = self.policy.refusal(str(address))
        if why is not None:
            logger.warning("Not connecting to %s: it now resolves to %s, a %s address, after the address check "
                           "(DNS rebinding?)", name, address, why.replace("_", "-"))
            raise RefusedLookup(name, str(address), why)
        return address
