"""`scrapy parse URL`: an article URL through its spider, printed as the record a night would export.

Scrapy's own parse command calls the spider's ``parse`` when no ``-c`` is given (BaseNewsSpider.parse:
the article, cleaned, public fields), and with it every extension and the default output of a
crawl: an empty JSONL file and a state file under data/ for a look at one page.  A look changes
nothing: here the default output, the cross-run state and the run's verdict are off (``-o FILE``
still writes where asked, and ``-s NEWSCRAWL_STATE_ENABLED=1`` gives the state back).
"""

from __future__ import annotations

from scrapy.commands.parse import Command as ScrapyParse
from scrapy.settings import SETTINGS_PRIORITIES

from ..extensions.health import HealthCheck

# above the spiders' own settings (update_settings writes the default output at "spider"), below -s
LOOK_ONLY = (SETTINGS_PRIORITIES["spider"] + SETTINGS_PRIORITIES["cmdline"]) // 2


def look_only(settings) -> None:
    """No default output, no state, no verdict: what `scrapy parse` and `scrapy check` must not write or say."""
    settings.set("NEWSCRAWL_OUTPUT", "", priority=LOOK_ONLY)
    settings.set("NEWSCRAWL_STATE_ENABLED", False, priority=LOOK_ONLY)
    settings.set_in_component_priority_dict("EXTENSIONS", HealthCheck, None)


class Command(ScrapyParse):
    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        look_only(self.settings)
