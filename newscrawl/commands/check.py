"""`scrapy check`: each site spider's contract (newscrawl/contracts.py), against a replayed archive.

    scrapy check -s NEWSCRAWL_REPLAY=night.warc.gz [SITE ...]     # `make check`: the test fixtures

Like `scrapy parse`, a check writes nothing and judges no night: no default output, no state (an
article exported before would be skipped, and the check would test nothing), no verdict.  Without
an archive it does not start (one line, exit status 2): a contract checked live would depend on
today's front page, and the sample URL comes from the archive.
"""

from __future__ import annotations

from scrapy.commands.check import Command as ScrapyCheck

from .checks import EXIT_USAGE, say
from .parse import look_only


class Command(ScrapyCheck):
    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        look_only(self.settings)

    def run(self, args, opts) -> None:
        if not opts.list and not self.settings.get("NEWSCRAWL_REPLAY"):
            say("newscrawl: scrapy check runs each site's contract against an archive: "
                "-s NEWSCRAWL_REPLAY=FILE (`make check` builds one from the test fixtures)")
            self.exitcode = EXIT_USAGE
            return
        super().run(args, opts)
