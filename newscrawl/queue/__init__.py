"""`python -m newscrawl.queue`: the distributed queue's command line (newscrawl/distributed/cli.py)."""
