"""Request meta keys newscrawl sets and reads (one name each, so no component spells one wrong).

Imports nothing: spiders, middlewares, the state and the browser code all read these.
"""

KIND = "newscrawl_kind"  # "feed", "sitemap", "listing" (discovery: always fetched) or "article"
PROFILE = "newscrawl_profile"  # the site key the request is crawled for ("news": the generic profile)
SOURCE = "newscrawl_source"  # where the URL was found: a feed/sitemap/listing URL, or "arguments"
CANONICAL = "newscrawl_canonical"  # an article's identity (state, dedup, the record's url)
PREVIOUS = "newscrawl_previous"  # the state row of an article fetched again (refetch window, ignore-state)
SITEMAP_DEPTH = "newscrawl_sitemap_depth"
LISTING_PAGE = "newscrawl_listing_page"
LISTING_FOUND = "newscrawl_listing_found"  # article links a listing walk has given so far (its cap)
CAPTURED_AT = "newscrawl_captured_at"  # replay: when the archive captured the response (aware datetime)
BROWSER = "newscrawl_browser"  # render this page in the browser (browser/config.py)

DISCOVERY_KINDS = frozenset({"feed", "sitemap", "listing"})
ARTICLE = "article"
