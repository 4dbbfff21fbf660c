"""Looking after the data folder: `python -m newscrawl.data prune --keep-days N` (prune.py).

A night adds a run summary (and its HTML page), sometimes a ``.torn`` side file, and rows to the
state; nothing removed them.  Pruning keeps the exported JSONL (the product) and everything of the
last N days, and removes the rest of what only grows.
"""
