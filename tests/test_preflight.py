"""Without a network, a live crawl fails at once with one clear line and its own exit status."""

from __future__ import annotations

import os
import subprocess

from newscrawl.commands.preflight import EXIT_NO_NETWORK, unresolvable
from tests.helpers import ROOT, SCRAPY

PROFILE = """key = "offline"
name = "A site that cannot resolve"
domains = ["newscrawl-test.invalid"]
article_urls = ['^https://newscrawl-test\\\\.invalid/a/\\\\d+$']
[discovery]
feeds = ["https://newscrawl-test.invalid/feed/"]
"""


def test_invalid_hosts_do_not_resolve():
    assert unresolvable(["newscrawl-test.invalid"]) == ["newscrawl-test.invalid"]


def _run(tmp_path, command: list[str], **env):
    (tmp_path / "profiles").mkdir(exist_ok=True)
    (tmp_path / "profiles" / "offline.toml").write_text(PROFILE, encoding="utf-8")
    full_env = {**os.environ, "NEWSCRAWL_EXTRA_PROFILES": str(tmp_path / "profiles"),
                "NEWSCRAWL_DATA_DIR": str(tmp_path / "data"), **env}
    for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        full_env.pop(name, None)
    return subprocess.run([SCRAPY, *command], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60)


def test_crawl_without_network_exits_4_with_one_line(tmp_path):
    proc = _run(tmp_path, ["crawl", "offline"])
    assert proc.returncode == EXIT_NO_NETWORK
    assert "newscrawl: no network: cannot resolve newscrawl-test.invalid" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_crawlall_without_network_exits_4(tmp_path):
    proc = _run(tmp_path, ["crawlall", "--sites", "offline"])
    assert proc.returncode == EXIT_NO_NETWORK
    assert "newscrawl: no network" in proc.stderr and "Traceback" not in proc.stderr
