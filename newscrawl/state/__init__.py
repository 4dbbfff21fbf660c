"""Cross-run state: what was exported, so that each article is collected once across nights.

- store.py       the SQLite store (WAL): articles, gone URLs, text fingerprints
- extension.py   opens the store per crawl, recovers from a killed run, marks items once written
- middleware.py  skips already-exported article URLs before they are requested
- cli.py         `python -m newscrawl.state` : counts, reset a site, prune
"""

from .store import StateStore

__all__ = ["StateStore"]
