"""Boilerplate removal: the vocabulary (data) apart from the algorithms that apply it.

- vocabulary.py  what clutter looks like on Japanese news pages (tags, class tokens, headings, line families)
- measure.py     every element's text/link/picture sizes in one walk (keeps the tree rules linear)
- structure.py   removal on the HTML tree: clutter elements, captioned pictures, heading + link list,
                 link blocks, repeated blocks
- paragraphs.py  the cleaned tree to paragraphs of text (link text: own site or cited source)
- lines.py       removal on paragraphs: shortcodes, link lines, end markers, e-mail/byline, paywall
                 notices, line families
- pipeline_api.py  clean_body (with trace, the declared articleBody, families left out) and explain_removed
"""

from .pipeline_api import CleanResult, clean_body, explain_removed

__all__ = ["CleanResult", "clean_body", "explain_removed"]
