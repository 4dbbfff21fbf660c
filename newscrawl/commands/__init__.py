"""Project commands: a strict `crawl` and the nightly `crawlall`."""
