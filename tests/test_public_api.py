"""newsarchive uses only public names of its dependencies.

A private name (``_Something``, ``module._private``) breaks on a dependency's next minor
release and would pin users to an old, unpatched version. The scan covers the code that
ships (``newsarchive/``, ``spiders/``, ``pipelines/``):

* imports: no ``from dep._mod import x``, ``from dep import _x``, ``import dep._mod``;
* attributes: no ``dep_name._x`` on a name imported from a dependency;
* inheritance: a class derived from a dependency's class reads no ``self._x`` that the
  class itself does not define (it would be the dependency's private state).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Names that start with "_" but are documented public API of their library:
#: lxml's element and tree types (https://lxml.de/api/lxml.etree._Element-class.html).
DOCUMENTED_PUBLIC = frozenset({"_Element", "_ElementTree", "_Comment", "_Attrib"})
OWN = ("newsarchive", "spiders", "pipelines")
SOURCES = sorted(p for root in OWN for p in (REPO / root).rglob("*.py"))


def _private(name: str) -> bool:
    if name in DOCUMENTED_PUBLIC:
        return False
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_own(module: str) -> bool:
    return module.split(".")[0] in OWN or module == "__future__"


def findings(source: str, where: str) -> list[str]:
    """Every use of a dependency's private name in ``source``."""
    tree = ast.parse(source)
    found: list[str] = []
    imported: set[str] = set()  # local names bound to a dependency's module or object
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _is_own(node.module):
                continue
            if any(_private(part) for part in node.module.split(".")):
                found.append(f"{where}:{node.lineno}: from {node.module} import ...")
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{where}:{node.lineno}: imports {node.module}.{alias.name}")
                imported.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_own(alias.name):
                    continue
                if any(_private(part) for part in alias.name.split(".")):
                    found.append(f"{where}:{node.lineno}: import {alias.name}")
                imported.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported
        ):
            found.append(f"{where}:{node.lineno}: {node.value.id}.{node.attr}")
        if isinstance(node, ast.ClassDef):
            found += _inherited_private(node, imported, where)
    return found


def _inherited_private(cls: ast.ClassDef, imported: set[str], where: str) -> list[str]:
    """``self._x`` read in a subclass of a dependency's class without being its own."""
    bases = {ast.unparse(base).split(".")[0] for base in cls.bases}
    if not bases & imported:
        return []
    own: set[str] = set()
    for node in ast.walk(cls):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            own.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            own.add(node.attr)
        elif isinstance(node, ast.AnnAssign | ast.Assign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            own.update(t.id for t in targets if isinstance(t, ast.Name))
    return [
        f"{where}:{node.lineno}: self.{node.attr} (private state of {', '.join(sorted(bases))})"
        for node in ast.walk(cls)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and _private(node.attr)
        and node.attr not in own
    ]


def test_the_scan_finds_what_it_is_meant_to_find():
    source = (
        "from scrapy.core.downloader.handlers.http11 import _ScrapyAgent\n"
        "from twisted.web._newclient import BODY\n"
        "import scrapy.utils._compression\n"
        "from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware\n"
        "from scrapy.utils import misc\n"
        "x = misc._private_helper\n"
        "class R(RobotsTxtMiddleware):\n"
        "    def f(self):\n"
        "        self._mine = 1\n"
        "        return self._parsers, self._mine\n"
    )
    found = findings(source, "x.py")
    assert len(found) == 5, found
    assert any("_ScrapyAgent" in f for f in found)
    assert any("_newclient" in f for f in found)
    assert any("_compression" in f for f in found)
    assert any("misc._private_helper" in f for f in found)
    assert any("self._parsers" in f for f in found)
    assert not any("self._mine" in f for f in found)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_private_name_of_a_dependency(path: Path):
    assert findings(path.read_text("utf-8"), str(path.relative_to(REPO))) == []
