"""newscrawl's downloader middlewares: hostile and broken HTTP, handled and counted.

Each is a small class, switched off (``NotConfigured``) by its setting, counting under
``newscrawl/`` and logging one line per event (docs/bad-input.md lists every case):

- scheme.py       HttpOnlyMiddleware: no request leaves for file://, ftp://, data:, s3:// ...
- offsite.py      OffsiteMiddleware: Scrapy's allowed_domains filter, counted and logged
- redirects.py    RedirectGuardMiddleware: a redirect to another site or back to a URL
                  already visited is not followed (Scrapy would drop it silently)
- gone.py         GoneMiddleware: an article answering 404/410 is remembered in the state
                  and never retried
- retry_after.py  RetryAfterMiddleware: 429/503 with Retry-After wait as asked, within a bound
- transport.py    TransportEventsMiddleware: timeouts, resets, oversize bodies, and pages
                  that came through only after a retry
"""
