"""Boilerplate removal: the vocabulary (data) apart from the algorithms that apply it.

- vocabulary.py  what clutter looks like on Japanese news pages (tags, class tokens, headings, line patterns)
- structure.py   removal on the HTML tree: clutter elements, heading + link list, repeated blocks
- paragraphs.py  the cleaned tree to paragraphs of text
- lines.py       removal on paragraphs: shortcodes, credits, related-link lines, e-mail/byline, end markers
"""

from .pipeline_api import CleanResult, clean_body

__all__ = ["CleanResult", "clean_body"]
