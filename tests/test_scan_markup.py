"""scan_markup matches only the tags it counts (containers, html/head/body) for speed
(newscrawl/extract/guards.py): its result must be exactly that of the plain scan of every tag it
replaced, kept here as the reference - on every fixture page and on generated tag soup (comments,
scripts, names that only start like a container, "<" inside attributes, odd case)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from newscrawl.extract.guards import Markup, scan_markup

FIXTURES = Path(__file__).parent / "fixtures"

# the pattern before the change: every tag matched, the loop picks the ones it counts
_EVERY_TAG_RE = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|textarea)\b[^<>]*>.*?(?:</\1\s*>|\Z)|<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>",
    re.DOTALL | re.IGNORECASE,
)


def reference_scan(text: str, max_depth: int) -> Markup:
    """scan_markup as it was: the same loop over every tag."""
    return scan_markup(text, max_depth, tags=_EVERY_TAG_RE)


_PIECES = ["<div>", "</div>", "<DIV class=x>", "<span/>", "<Span id='a'>", "</SPAN >", "<!--", "-->", "<!-- c -->",
           "<script>", "</script>", "<style a>", "</style>", "<textarea>", "</textarea >", "<html>", "</html>",
           "<body>", "</body>", "<head>", "</head>", "<header>", "</header>", "<divx>", "<div-x>", "<div2>",
           "<span_x>", "<\u017fpan>", "<\u212aA>", "<a title='<div>'>", "<a b>", "<p>", "</p>", "<br/>", "<b>",
           "<bodyx>", "< div>", "</ body>", "<tablex>", "<ul>", "</ol>", "<font>", "<center/>", "本文", "x", "<", ">",
           "<divあ>", "\n"]


def _soup(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 40)))


def _fixture_pages() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".html", ".htm", ".xml") and p.is_file())


def _fields(markup: Markup) -> tuple:
    return markup.depth, markup.too_deep, markup.truncated, markup.unclosed, markup.structure


def test_the_same_result_as_scanning_every_tag_on_every_fixture_page():
    pages = _fixture_pages()
    assert len(pages) >= 30
    for path in pages:
        text = path.read_text(encoding="utf-8", errors="replace")
        for max_depth in (3, 256):
            assert _fields(scan_markup(text, max_depth)) == _fields(reference_scan(text, max_depth)), path


@pytest.mark.parametrize("seed", range(4))
def test_the_same_result_as_scanning_every_tag_on_tag_soup(seed):
    rng = random.Random(seed)
    for _ in range(1500):
        text = _soup(rng)
        assert _fields(scan_markup(text, 4)) == _fields(reference_scan(text, 4)), text
