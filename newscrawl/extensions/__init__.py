"""Scrapy extensions: the run's health verdict and summary (health.py), progress lines (progress.py)."""
