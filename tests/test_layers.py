"""The map holds: data flows one way, and the pure layers stay pure (walks every import of newscrawl/).

- sites/ (profiles: data) imports nothing of ours but itself;
- extract/, page/ and discovery/ (what a page says) import no Scrapy at all, and neither the spiders
  nor the pipelines: a test, a benchmark or a notebook runs them without a crawl;
- state/, pipelines/ and middlewares/ do not import spiders/ (they find what they need in request
  meta and through the crawler);
- nothing imports tests/ or benchmarks/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "newscrawl"


def _imports(path: Path, root: Path = PACKAGE.parent) -> set[str]:
    """Every module *path* imports (absolute names; relative imports resolved), wherever in the file."""
    module = ".".join(path.relative_to(root).with_suffix("").parts)
    package = module.removesuffix(".__init__") if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def _modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def _violations(layer: str, forbidden) -> list[str]:
    return [f"{path.relative_to(PACKAGE.parent)} imports {name}"
            for path in _modules(layer) for name in sorted(_imports(path)) if forbidden(name)]


def _ours(name: str) -> bool:
    return name == "newscrawl" or name.startswith("newscrawl.")


def _under(name: str, *layers: str) -> bool:
    return any(name == f"newscrawl.{layer}" or name.startswith(f"newscrawl.{layer}.") for layer in layers)


@pytest.mark.parametrize("layer", ["sites"])
def test_profiles_import_nothing_of_ours(layer):
    assert _violations(layer, lambda n: _ours(n) and not _under(n, "sites")) == []


@pytest.mark.parametrize("layer", ["extract", "page", "discovery"])
def test_extraction_imports_no_crawl_machinery(layer):
    assert _modules(layer)
    assert _violations(layer, lambda n: n == "scrapy" or n.startswith("scrapy.") or n.startswith("twisted")) == []
    assert _violations(layer, lambda n: _under(n, "spiders", "pipelines", "middlewares", "state", "commands",
                                               "extensions", "export", "browser", "replay")) == []


@pytest.mark.parametrize("layer", ["state", "pipelines", "middlewares", "export", "replay", "extensions"])
def test_the_item_and_request_side_do_not_import_the_spiders(layer):
    assert _violations(layer, lambda n: _under(n, "spiders", "commands")) == []


def test_nothing_imports_tests_or_benchmarks():
    for path in PACKAGE.rglob("*.py"):
        assert not [n for n in _imports(path) if n.split(".")[0] in {"tests", "benchmarks"}], path


def test_the_walk_sees_every_kind_of_import(tmp_path):
    # the checker itself: relative, absolute, package-level and lazy (inside a function) imports
    sample = tmp_path / "newscrawl" / "extract" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text("from ..sites import profile\nimport scrapy.http\n"
                      "def f():\n    from ..spiders.base import BaseNewsSpider\n", encoding="utf-8")
    found = _imports(sample, tmp_path)
    assert {"newscrawl.sites", "scrapy.http", "newscrawl.spiders.base"} <= found
    init = tmp_path / "newscrawl" / "extract" / "__init__.py"
    init.write_text("from .sample import f\n", encoding="utf-8")
    assert "newscrawl.extract.sample" in _imports(init, tmp_path)
