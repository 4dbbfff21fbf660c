"""newscrawl's downloader middlewares: hostile and broken HTTP, handled and counted.

Each is a small class, switched off (``NotConfigured``) by its setting, counting under
``newscrawl/`` and logging one line per event (docs/bad-input.md lists every case,
docs/security.md the site and address rules):

- scheme.py       HttpOnlyMiddleware: no request leaves for file://, ftp://, data:, s3:// ...
- addresses.py    AddressGuardMiddleware: no request to a loopback, private, link-local,
                  multicast or reserved address, checked after DNS resolution
- resolver.py     GuardedResolver (TWISTED_DNS_RESOLVER): the same check on the address the
                  connection is made to (DNS rebinding)
- offsite.py      OffsiteMiddleware: Scrapy's allowed_domains filter, ports counted, logged
- redirects.py    RedirectGuardMiddleware: a redirect to another site (host or port) or back
                  to a URL already visited is not followed (Scrapy would drop it silently)
- gone.py         GoneMiddleware: an article answering 404/410 is remembered in the state
                  and never retried
- retry_after.py  RetryAfterMiddleware: 429/503 with Retry-After wait as asked, within a bound
- transport.py    TransportEventsMiddleware: timeouts, resets, oversize bodies, and pages
                  that came through only after a retry
"""
