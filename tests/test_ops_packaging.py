"""Honest packaging (issue 15, finding 5): no private Scrapy API, every import declared where it belongs
(runtime, [browser], [report], [redis], [test], [bench]), the browser optional with one clear line when
it is missing, browser tests that skip (or, in CI, fail) without a Chromium."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT, SCRAPY, crawl, site_warc

PACKAGE = ROOT / "newscrawl"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    return re.match(r"^\s*([A-Za-z0-9_.-]+)", requirement)[1].lower().replace("_", "-")


DEPENDENCIES = {_name(r) for r in PROJECT["dependencies"]}
EXTRAS = {extra: {_name(r) for r in reqs} for extra, reqs in PROJECT["optional-dependencies"].items()}


# -- no private Scrapy API -----------------------------------------------------------------------------------
def _private_uses(path: Path) -> list[str]:
    """Private names reached from outside: `x._y` (x not self/cls), getattr(x, "_y"), scrapy's _modules/_names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        own = lambda value: isinstance(value, ast.Name) and value.id in ("self", "cls")  # noqa: E731
        if isinstance(node, ast.Attribute) and re.match(r"^_[^_]", node.attr) and not own(node.value):
            found.append(ast.unparse(node))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) > 1
              and isinstance(node.args[1], ast.Constant) and re.match(r"^_[^_]", str(node.args[1].value))
              and not own(node.args[0])):
            found.append(ast.unparse(node))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "scrapy":
            private = [a.name for a in node.names if a.name.startswith("_")]
            if private or any(part.startswith("_") for part in node.module.split(".")):
                found.append(f"from {node.module} import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names
                      if a.name.startswith("scrapy.") and any(p.startswith("_") for p in a.name.split("."))]
    return found


def test_no_private_scrapy_api_is_used():
    uses = {str(p.relative_to(ROOT)): _private_uses(p) for p in sorted(PACKAGE.rglob("*.py"))}
    assert {path: found for path, found in uses.items() if found} == {}


def test_the_scan_finds_private_uses(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from scrapy.utils._compression import _DecompressionMaxSizeExceeded\n"
                      "self.crawler_process._create_crawler(name)\n"
                      "getattr(crawler, '_private', None)\n"
                      "self._mine = cls._shared\n", encoding="utf-8")
    assert len(_private_uses(sample)) == 3


def test_the_scrapy_crawl_command_uses_the_public_create_crawler():
    source = (PACKAGE / "commands" / "crawl.py").read_text(encoding="utf-8")
    assert "crawler_process.create_crawler(" in source and "_create_crawler" not in source


# -- every import declared where it belongs ------------------------------------------------------------------
OPTIONAL_PACKAGES = {"browser": "browser", "report": "report", "distributed": "redis", "queue": "redis"}
# imported directly, installed by a declared dependency (Scrapy's own, Jinja2's)
TRANSITIVE = {"brotli": "scrapy", "markupsafe": "jinja2"}


def _third_party_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "newscrawl"}


def test_every_import_is_declared_in_the_right_place():
    distributions = packages_distributions()
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        part = path.relative_to(PACKAGE).parts[0]
        allowed = DEPENDENCIES | EXTRAS.get(OPTIONAL_PACKAGES.get(part, ""), set())
        if part == "browser":
            allowed |= {"playwright"}  # scrapy-playwright's own dependency, the same extra
        for module in _third_party_imports(path):
            if module in TRANSITIVE and TRANSITIVE[module] in allowed:
                continue
            dists = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
            if not dists & allowed:
                problems.append(f"{path.relative_to(ROOT)} imports {module} ({', '.join(sorted(dists))})")
    assert problems == []


def test_extras_hold_what_only_they_need():
    assert "jsonschema" not in DEPENDENCIES and "jsonschema" in EXTRAS["test"]
    assert not {"readability-lxml", "justext"} & (DEPENDENCIES | EXTRAS["test"])
    assert {"readability-lxml", "justext"} <= EXTRAS["bench"]
    assert "scrapy-playwright" not in DEPENDENCIES and EXTRAS["browser"] == {"scrapy-playwright"}
    test_extra = " ".join(PROJECT["optional-dependencies"]["test"])
    assert re.search(r"newscrawl\[browser,redis,report\]", test_extra)  # the tests exercise every extra


def test_the_tests_import_no_benchmark_extractor():
    imports = set().union(*(_third_party_imports(p) for p in (ROOT / "tests").rglob("*.py")))
    assert not imports & {"readability", "justext"}


def test_every_floor_is_a_floor():
    """`name>=X` everywhere (what .ci/min-versions installs exactly), Scrapy at least 2.18."""
    for requirement in PROJECT["dependencies"] + [r for reqs in PROJECT["optional-dependencies"].values()
                                                   for r in reqs if not r.startswith("newscrawl[")]:
        assert re.match(r"^[A-Za-z0-9_.-]+(\[[a-z,]+\])?>=[0-9][0-9.]*$", requirement), requirement
    scrapy = next(r for r in PROJECT["dependencies"] if _name(r) == "scrapy")
    assert tuple(map(int, scrapy.split(">=")[1].split("."))) >= (2, 18)  # scrapy.utils.asyncio.sleep


# -- the browser is optional ---------------------------------------------------------------------------------
def test_a_browser_profile_without_the_browser_extra_says_what_to_install(tmp_path):
    """scrapy-playwright made unimportable (as on an install without [browser]): one line, exit 3."""
    shadow = tmp_path / "shadow" / "scrapy_playwright"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("No module named \'scrapy_playwright\'")\n')
    env = {"NEWSCRAWL_EXTRA_PROFILES": str(FIXTURES / "browser" / "profiles"),
           "PYTHONPATH": os.pathsep.join([str(tmp_path / "shadow"), str(ROOT)])}
    result = crawl(["jsnews"], tmp_path, warc=site_warc(FIXTURES / "browser", tmp_path), env=env,
                   settings={"NEWSCRAWL_MAX_AGE_DAYS": "0"})
    assert result.returncode == 3 and result.records == []
    said = [line for line in result.stderr.splitlines() if "pip install 'newscrawl[browser]'" in line]
    assert len(said) == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.stats["finish_reason"] == "browser_missing"
    assert result.stats["newscrawl/browser/missing_package"] == 1
    # a site without browser pages does not care
    (tmp_path / "hani").mkdir()
    plain = crawl(["hani"], tmp_path / "hani", warc=site_warc("hani", tmp_path), env=env,
                  settings={"NEWSCRAWL_MAX_AGE_DAYS": "0"})
    assert plain.returncode == 0 and len(plain.records) == 3


BROWSER_TEST = '''import pytest

@pytest.mark.browser
def test_needs_chromium():
    pass
'''


@pytest.mark.parametrize("require, outcome", [("", "1 skipped"), ("1", "1 error")])
def test_browser_tests_skip_without_chromium_unless_required(tmp_path, require, outcome):
    (tmp_path / "test_fake_browser.py").write_text(BROWSER_TEST, encoding="utf-8")
    env = {**os.environ, "NEWSCRAWL_BROWSER_EXECUTABLE": str(tmp_path / "no-chromium"),
           "NEWSCRAWL_REQUIRE_BROWSER": require}
    proc = subprocess.run([str(Path(SCRAPY).parent / "python"), "-m", "pytest", "-p", "tests.conftest", "-rs",
                           "-p", "no:cacheprovider", str(tmp_path / "test_fake_browser.py")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert outcome in proc.stdout, proc.stdout[-2000:]
    assert "no Chromium found: apt-get install chromium" in proc.stdout


# -- a plain install: no extra ---------------------------------------------------------------------------------
EXTRAS_MODULES = ("redis", "scrapy_playwright", "matplotlib", "jinja2")  # [redis], [browser], [report]


def _without_extras(tmp: Path) -> dict:
    """An environment where importing an extra's package fails, as after `pip install newscrawl`."""
    shims = tmp / "no-extras"
    for name in EXTRAS_MODULES:
        (shims / name).mkdir(parents=True)
        (shims / name / "__init__.py").write_text(f'raise ImportError("No module named {name} (not installed)")\n')
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(shims), os.environ.get("PYTHONPATH", "")]))}


def test_a_nightly_crawl_needs_no_extra(tmp_path):
    result = crawl(["dailyview"], tmp_path, warc=site_warc("dailyview", tmp_path), env=_without_extras(tmp_path),
                   settings={"NEWSCRAWL_MAX_AGE_DAYS": "0"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.records) == 4 and "Traceback" not in result.stderr


def test_crawlall_without_the_report_extra_still_writes_its_summary(tmp_path):
    env = {**os.environ, **_without_extras(tmp_path), "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([SCRAPY, "crawlall", "--sites", "dailyview", "-s", "NEWSCRAWL_MAX_AGE_DAYS=0",
                           "-s", f"NEWSCRAWL_REPLAY={site_warc('dailyview', tmp_path)}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert len(list((tmp_path / "data" / "runs").glob("*.json"))) == 1
