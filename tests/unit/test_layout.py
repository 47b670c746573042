"""The package's shape: one folder per stage, imports going one way, small modules.

When this fails, the new import points up the pipeline: move the shared piece down (into the core or
the lower stage) rather than widening the table.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "aimlapi_contract"

CORE = {"__init__", "findings", "errors", "baseline", "redact", "files"}
ENTRY = {"check", "cli", "arguments", "plugin", "__main__"}
STAGES = ("sources", "spec", "validation", "page", "traffic", "live", "reports")

# Which stages each stage may import (itself always). The entry points may import anything.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "sources": {"core"},
    "spec": {"core", "sources"},
    "validation": {"core", "sources"},
    "page": {"core", "sources", "validation"},
    "traffic": {"core", "sources", "validation"},
    "reports": {"core", "sources"},
    "live": {"core", "sources", "validation", "traffic", "reports"},
}


def stage_of(parts: tuple[str, ...]) -> str:
    """The stage of a module given its dotted parts under the package: a folder, 'core' or 'entry'."""
    if not parts:
        return "core"
    if parts[0] in STAGES:
        return parts[0]
    return "entry" if parts[0] in ENTRY else "core"


def imported_modules(source: str, module: tuple[str, ...]) -> list[tuple[int, tuple[str, ...]]]:
    """(line, dotted parts under the package) of every package-internal import, wherever it sits in the source.

    `module` is the importing module's parts under the package (`("reports", "text")`).
    """
    here = module[:-1]
    found: list[tuple[int, tuple[str, ...]]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = base + tuple(node.module.split(".") if node.module else ())
            elif node.module and node.module.split(".")[0] == "aimlapi_contract":
                target = tuple(node.module.split(".")[1:])
            else:
                continue
            if not node.module:  # `from . import x`: x may be a module of that package
                found += [(node.lineno, target + (a.name,)) for a in node.names]
            else:
                found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "aimlapi_contract":
                    found.append((node.lineno, tuple(alias.name.split(".")[1:])))
    return found


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_imports_go_down_the_pipeline() -> None:
    wrong = []
    for path in modules():
        rel = path.relative_to(PACKAGE).with_suffix("").parts
        mine = stage_of(rel)
        if mine == "entry":
            continue
        for line, target in imported_modules(path.read_text(), rel):
            theirs = stage_of(target)
            if theirs != mine and theirs not in ALLOWED[mine]:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line}: {mine} imports {'.'.join(target)} ({theirs})")
    assert not wrong, "imports against the pipeline's direction:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("from ..live import SCENARIOS\n", ("live",), id="relative-package"),
        pytest.param("from aimlapi_contract.live.client import LiveClient\n", ("live", "client"), id="absolute"),
        pytest.param("def f():\n    from ..live.client import run_live\n", ("live", "client"), id="inside-a-function"),
    ],
)
def test_the_import_scan_sees_every_form(source: str, expected: tuple[str, ...]) -> None:
    # The direction test is only as good as its scan: a lazy import inside a function counts too.
    assert [t for _, t in imported_modules(source, ("reports", "text"))] == [expected]
    assert stage_of(expected) == "live" and "live" not in ALLOWED["reports"]


def test_the_tree_shows_the_stages() -> None:
    top = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))
    assert len(top) <= 10, f"{len(top)} top-level modules: {top}; new code goes into its stage's folder"
    folders = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert set(STAGES) <= set(folders), f"stage folders missing: {set(STAGES) - set(folders)}"
    for folder in folders:
        doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text()))
        assert doc, f"{folder}/__init__.py should say in a line or two what the stage does and hands on"


def test_no_module_is_too_long_to_read_in_one_sitting() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in modules() if (n := len(p.read_text().splitlines())) > 400}
    assert not long, f"modules over 400 lines: {long}"
