"""Spiders: one per site profile (generated in sites.py) and `news`, the generic one."""
