"""newscrawl: Japanese-language news about Korea, crawled into clean JSONL."""

__version__ = "0.1.0"
