"""One call from an article container's HTML to clean body text."""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..sites.profile import SiteProfile, TextRules
from .lines import LineRules, clean_lines
from .paragraphs import to_paragraphs
from .structure import Remover, parse_fragment, remove_clutter

# The rule families that clean_body can be asked to leave out (benchmarks/ablation.py measures each).
TREE_FAMILIES = ("clutter_tag", "hidden", "clutter_class", "figure_like", "clutter_heading", "headed_links",
                 "link_block", "repeated_block")
LINE_RULES = ("link_line", "external_links", "end_marker", "email_line", "author_line", "paywall", "title_line",
              "declared")


def rule_families() -> tuple[str, ...]:
    """Every generic family clean_body knows, by name (tree rules, line rules, vocabulary line families)."""
    from .vocabulary import LINE_FAMILIES

    return TREE_FAMILIES + LINE_RULES + tuple(LINE_FAMILIES)


@dataclass
class CleanResult:
    body: str
    authors: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)
    paywalled: bool = False  # the body ends at a paywall / members-only notice: the article is cut short
    # with trace=True: every paragraph of the fragment in order, with the rule that removed it (None: kept)
    trace: list[tuple[str, str | None]] = field(default_factory=list)


@lru_cache(maxsize=64)
def line_rules(text: TextRules) -> LineRules:
    compile_all = lambda patterns: tuple(re.compile(p) for p in patterns)  # noqa: E731
    return LineRules(
        drop=compile_all(text.drop_lines),
        end=compile_all(text.end_markers),
        trailing=compile_all(text.trailing_lines),
        author=compile_all(text.author_lines),
    )


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def clean_body(body_html: str, profile: SiteProfile, title: str | None = None, *, trace: bool = False,
               declared: str | None = None, disabled: frozenset[str] = frozenset()) -> CleanResult:
    """The body text of an article container (or of the generic path's fragment).

    *declared* is the page's own statement of its text (JSON-LD articleBody): where it starts and
    ends inside the body, lines before and after it are not the article (a dateline, an error-report
    box).  *disabled* leaves rule families out (for measuring them); the crawl never passes it.
    """
    root = parse_fragment(body_html)
    remover = Remover(root, trace=trace)
    # the profile's picture containers hold captions and credits, never article text
    remove_clutter(root, profile.selectors.drop + profile.selectors.images, remover, disabled)
    own = () if "external_links" in disabled else (*profile.domains, profile.canonical_host)
    lines = clean_lines(to_paragraphs(root, own), line_rules(profile.text), disabled)
    removed = dict(remover.counts)
    for reason, count in lines.removed.items():
        removed[reason] = removed.get(reason, 0) + count
    # a container that starts above the headline repeats it: the title is not body text
    if title and "title_line" not in disabled:
        _drop_title(lines.paragraphs, lines.fates, _key(title), removed)
    if declared and "declared" not in disabled:
        _trim_to_declared(lines.paragraphs, lines.fates, _key(declared), removed)
    return CleanResult(body="\n\n".join(lines.paragraphs), authors=lines.authors, removed=removed,
                       paywalled=lines.paywalled, trace=lines.fates if trace else [])


def _drop_title(paragraphs: list[str], fates: list, title_key: str, removed: dict[str, int]) -> None:
    while paragraphs and _key(paragraphs[0]) == title_key:
        text = paragraphs.pop(0)
        removed["title_line"] = removed.get("title_line", 0) + 1
        for i, (fate_text, rule) in enumerate(fates):
            if rule is None and fate_text == text:
                fates[i] = (text, "line:title_line")
                break


_DECLARED_MIN_CHARS = 200  # a shorter articleBody is a teaser, no evidence of where the text ends
_EDGE_CHARS = 30  # how much of the declared text's first / last words must be found in the body
_LEAD_MIN_CHARS = 60
_SENTENCE_RE = re.compile(r"[。！？]|[.!?](?:\s|$)")
_LINE_MIN_CHARS = 10  # shorter lines are not looked up in the declared text ("1", "Tweet")


def _trim_to_declared(paragraphs: list[str], fates: list, declared: str, removed: dict[str, int]) -> None:
    if len(declared) < _DECLARED_MIN_CHARS or not paragraphs:
        return
    keys = [_key(p) for p in paragraphs]
    inside = [len(k) >= _LINE_MIN_CHARS and k in declared for k in keys]
    if not any(inside):
        return  # the declared text is another text (a list page's, a teaser): no evidence
    body = "".join(keys)
    first, last = inside.index(True), len(inside) - 1 - inside[::-1].index(True)
    cut = set()
    if declared[:_EDGE_CHARS] in body and declared[:_EDGE_CHARS] in "".join(keys[first:]):
        # above it: datelines and bylines go; a paragraph of prose is a lead the declared text left out
        cut.update(i for i in range(first) if keys[i] not in declared
                   and not (len(keys[i]) >= _LEAD_MIN_CHARS and _SENTENCE_RE.search(paragraphs[i])))
    if declared[-_EDGE_CHARS:] in body and declared[-_EDGE_CHARS:] in "".join(keys[: last + 1]):
        cut.update(i for i in range(last + 1, len(paragraphs)) if keys[i] not in declared)
    for i in sorted(cut, reverse=True):
        text = paragraphs.pop(i)
        removed["outside_declared"] = removed.get("outside_declared", 0) + 1
        for j, (fate_text, rule) in enumerate(fates):
            if rule is None and fate_text == text:
                fates[j] = (text, "line:outside_declared")
                break


def explain_removed(root, profile: SiteProfile | None = None) -> list[tuple[str, str]]:
    """(text, rule) of every block of a whole page that the tree rules would remove; *root* is not modified."""
    copied = copy.deepcopy(root)
    remover = Remover(copied, trace=True)
    drop = (profile.selectors.drop + profile.selectors.images) if profile else ()
    remove_clutter(copied, drop, remover)
    return [(p.text, p.removed) for p in to_paragraphs(copied) if p.removed]
