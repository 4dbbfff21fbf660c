"""One time format for the name of every file a night writes, on the night's local date.

Scrapy names outputs ``%(time)s`` in UTC (``2025-12-04T18-10-00+00-00``) and crawlall named its
summaries another way (``2025-12-04T18-10-00Z``): the 03:10 KST night of 2025-12-05 was filed under
the 4th, in two spellings.  Every name is now a ``stamp``: Scrapy's own spelling (colons as dashes,
the offset at the end), but of the local time of the run's start in the site's time zone (the
profile's ``utc_offset``):

    data/yonhap/2025-12-05T03-10-00+09-00.jsonl      data/runs/2025-12-05T03-10-00+09-00.json

so that a name starts with the date a person calls that night, sorts in time order, and says its
own offset.  ``uri_params`` is the FEED_URI_PARAMS function that puts it in ``%(time)s``;
``parse_stamp`` reads it back (and the old runs' ``Z``, for data written before).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from ..extract.dates import parse_offset
from ..sites.profile import SiteProfile

STAMP_FORMAT = "%Y-%m-%dT%H-%M-%S%z"
DEFAULT_OFFSET = SiteProfile.__dataclass_fields__["utc_offset"].default  # the generic spider's sites
_STAMP_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d)(?:\.\d+)?(Z|[+-]\d\d-?\d\d)$")


def stamp(moment: datetime, utc_offset: str = DEFAULT_OFFSET) -> str:
    """*moment* (aware; naive is UTC) as a file-name stamp in the zone *utc_offset* (``+09:00``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    text = moment.astimezone(parse_offset(utc_offset)).strftime(STAMP_FORMAT)  # ...+0900
    return f"{text[:-2]}-{text[-2:]}"  # ...+09-00, as Scrapy spells %(time)s


def parse_stamp(text: str) -> datetime | None:
    """The aware time a stamp names (this format, Scrapy's ``+00-00`` or the old runs' ``Z``), or None."""
    match = _STAMP_RE.match(text)
    if not match:
        return None
    zone = "+0000" if match[2] == "Z" else match[2][0] + match[2][1:].replace("-", "")  # +09-00 -> +0900
    try:
        return datetime.strptime(match[1] + zone, STAMP_FORMAT)
    except ValueError:
        return None


def offset_of(spider) -> str:
    """The time zone a spider's files are named in: its profile's, else the default (+09:00)."""
    profile = getattr(spider, "profile", None)
    return getattr(profile, "utc_offset", None) or DEFAULT_OFFSET


def night_offset(profiles) -> str:
    """The zone of a night of several sites: theirs when they share one, else UTC."""
    offsets = {p.utc_offset for p in profiles}
    return offsets.pop() if len(offsets) == 1 else "+00:00"


def uri_params(params: dict, spider) -> dict:
    """FEED_URI_PARAMS: ``%(time)s`` is the stamp of now in the spider's zone (the rest as Scrapy gives)."""
    return {**params, "time": stamp(datetime.now(timezone.utc), offset_of(spider))}
