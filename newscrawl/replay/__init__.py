"""Replay and record: crawl from a WARC archive, or save a live crawl into one.

- archive.py     reading (an index of URL -> record) and writing WARC records (warcio)
- middleware.py  the downloader middlewares behind NEWSCRAWL_REPLAY and NEWSCRAWL_RECORD
- build.py       fixtures (site.toml + files) -> WARC, for tests and for turning edits into archives
- unpack.py      WARC -> fixture files, for turning a recorded night into test fixtures
"""
