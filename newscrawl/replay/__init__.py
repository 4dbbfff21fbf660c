"""Replay and record: crawl from WARC archives (ours or other tools'), or save a live crawl into one.

- sources.py     what NEWSCRAWL_REPLAY names: WARC files, folders of them, WACZ; the checks before a run
- archive.py     the replay index (URL -> capture; revisits resolved; damage detected) and lookup tiers
- payload.py     one archived response as the crawler sees it: decoded once, its capture time
- recorder.py    writing WARCs like the standard tools (warcinfo, request/response pairs)
- middleware.py  the downloader middlewares behind NEWSCRAWL_REPLAY and NEWSCRAWL_RECORD
- build.py       fixtures (site.toml + files) -> WARC, for tests and for turning edits into archives
- unpack.py      WARC -> fixture files, for turning a recorded night into test fixtures

docs/replay.md says what a user sees.
"""
