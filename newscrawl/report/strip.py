"""What the cleaning removed from one sample page, grouped for display.

A sample's ``strip`` is the page's text line by line, in page order, each line either kept
(it is in the exported body) or removed by a named rule.  Consecutive lines with the same
fate form one block, so a ランキング list removed by ``tree:clutter_heading`` reads as one
struck-out block under one label.  The page text outside the article container (menus,
footers: rule ``outside_article``) is most of a page and rarely interesting, so a long run
of it is collapsed into a <details> element to keep the page short.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

OUTSIDE = "outside_article"
COLLAPSE_OUTSIDE_AFTER = 3  # a run of more outside_article lines than this is collapsed


@dataclass
class Block:
    kept: bool
    rule: str | None  # the removing rule (None for kept lines, or a removed line without a rule)
    lines: list[str] = field(default_factory=list)

    @property
    def collapsed(self) -> bool:
        return not self.kept and self.rule == OUTSIDE and len(self.lines) > COLLAPSE_OUTSIDE_AFTER


def blocks(strip: list[dict]) -> list[Block]:
    """Consecutive lines with the same fate (kept, or removed by the same rule) as one block each."""
    out: list[Block] = []
    for line in strip:
        kept = line.get("kept") is True
        rule = None if kept else (line.get("rule") or None)
        if not out or out[-1].kept != kept or out[-1].rule != rule:
            out.append(Block(kept, rule))
        out[-1].lines.append(line.get("text", ""))
    return out


def removed_by_rule(strip: list[dict]) -> list[tuple[str, int]]:
    """How many lines each rule removed, most first (a line removed without a rule: '(no rule)')."""
    counts = Counter((line.get("rule") or "(no rule)") for line in strip if line.get("kept") is not True)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
