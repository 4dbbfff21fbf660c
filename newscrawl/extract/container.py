"""The article's container: the element that holds most of the page's prose and little else.

This is our own "densest block" candidate of the generic path.  Each element is scored from
the blocks inside it (textblocks.py): prose characters count for it, link and other characters
against it, so the argmax is the smallest element that still holds (nearly) all the prose - the
article's own container - and not the page around it.  Unlike pruning the page first, this never
throws the article away: a wrong class name costs at most a weight, never the text.

Why by hand: readability-lxml scores paragraphs by commas and climbs only two levels, and
trafilatura returns text, not the element; neither gives the container to clean with our rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from .textblocks import PageBlocks, Stats, page_blocks

# Weights of a character of each kind.  Links cost more than other text: a container that
# grows to take in the navigation must gain far more prose than it takes links.
LINK_WEIGHT = 1.0
OTHER_WEIGHT = 0.3


@dataclass
class Container:
    element: object
    stats: Stats
    score: float
    page: Stats  # sums over the whole page, for evidence (share of the page's prose)


def score(stats: Stats) -> float:
    return stats.prose - LINK_WEIGHT * stats.link - OTHER_WEIGHT * stats.other


# An element inside a demoted block (a footer, a comment list) is chosen only when nothing outside
# scores at least this share of it: the article is rarely there, but a page may wrap everything in
# an odd class ("nav-open"), and then the article is there all the same.
DEMOTED_MARGIN = 0.5


def find_container(root, blocks: PageBlocks | None = None) -> Container | None:
    """The best-scoring element under *root* (root itself included), or None for a page without text."""
    blocks = blocks or page_blocks(root)
    best = {True: (None, 0.0), False: (None, 0.0)}
    for element, stats in blocks.stats.items():
        value = score(stats)
        inside = element in blocks.demoted
        if value > best[inside][1]:
            best[inside] = (element, value)
    (free, free_score), (held, held_score) = best[False], best[True]
    if free is not None and free_score >= DEMOTED_MARGIN * held_score:
        best, best_score = free, free_score
    else:
        best, best_score = held, held_score
    if best is None:
        return None
    page = blocks.stats.get(root) or Stats()
    return Container(best, blocks.stats[best], best_score, page)
