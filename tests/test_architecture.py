"""The layers' import contracts and the module size limit, read from the source with ast.

Layers: `backends` (provider clients, request rules, sandbox) knows nothing of the
application; `tui` (engine, CLI, config, use cases) knows nothing of the console's screens
or Textual, except `tui/app.py`, the console itself; `screens` never goes through the CLI.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("backends", "tui", "screens")
MAX_LINES = 500

# Modules over MAX_LINES when the limit was set. The list may only shrink: the test fails
# when a module not listed grows past the limit, and when a listed one is back under it
# (then take it off the list).
KNOWN_LARGE: frozenset[str] = frozenset()

# (layer, what it must never import, modules of the layer allowed to)
CONTRACTS: tuple[tuple[str, tuple[str, ...], frozenset[str]], ...] = (
    ("backends", ("tui", "screens", "textual"), frozenset()),
    # tui/app.py is the console: it alone puts the screens on Textual.
    ("tui", ("screens", "textual"), frozenset({"tui/app.py"})),
    ("screens", ("tui.cli",), frozenset()),
)


def modules(package: str) -> Iterator[Path]:
    yield from sorted((ROOT / package).rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported(source: str, module: str) -> set[str]:
    """Every module name `source` (the module `module`, dotted) imports, at any depth of
    the file (also under TYPE_CHECKING or inside functions), relative imports resolved;
    `from a import b` counts as importing both `a` and `a.b`."""
    names: set[str] = set()
    package = module.split(".")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # In a package's __init__ the package itself is level 1.
                base = package[: len(package) - node.level]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            names.add(stem)
            names.update(f"{stem}.{alias.name}" for alias in node.names)
    return names


def dotted(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts if parts[-1] != "__init__" else [*parts[:-1], "__init__"])


def breaches(names: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names for f in forbidden if n == f or n.startswith(f + "."))


@pytest.mark.parametrize(("layer", "forbidden", "allowed"), CONTRACTS, ids=lambda v: str(v))
def test_import_contracts(layer: str, forbidden: tuple[str, ...], allowed: frozenset[str]) -> None:
    found = {}
    for path in modules(layer):
        if rel(path) in allowed:
            continue
        bad = breaches(imported(path.read_text(encoding="utf-8"), dotted(path)), forbidden)
        if bad:
            found[rel(path)] = bad
    assert found == {}, f"{layer} must not import {', '.join(forbidden)}"


# The provider-neutral core of `backends` (with the capability interfaces and the models),
# and the provider packages it must never import (the core is what every provider imports;
# an import back is a cycle).
CORE = ("base.py", "http.py", "errors.py", "rules.py", "models/*.py", "capabilities/*.py")
PROVIDERS = ("nrs360", "xebo", "collect", "eightbyeight", "xerochat")
PROVIDER_MODULES = (*(f"backends.{p}" for p in PROVIDERS), "backends.sandbox")
# Except a provider's models: the interfaces of a capability only one provider has (8x8's
# survey batches, XeroChat's users and flows) name them. They are leaves (below), so
# importing one loads nothing else of the provider and closes no cycle.
PROVIDER_MODELS = frozenset(f"backends.{p}.models" for p in PROVIDERS)


def provider_imports(names: set[str]) -> list[str]:
    return sorted(
        n
        for n in names
        for p in PROVIDER_MODULES
        # a provider's own modules: backends.nrs360.rules, backends.sandbox.core, ...
        if (n == p or n.startswith(p + "."))
        and not (n in PROVIDER_MODELS or n.rpartition(".")[0] in PROVIDER_MODELS)
    )


def test_the_backend_core_imports_no_provider_module() -> None:
    core = sorted(path for pattern in CORE for path in (ROOT / "backends").glob(pattern))
    assert {
        "backends/base.py",
        "backends/models/common.py",
        "backends/http.py",
        "backends/capabilities/messaging.py",
    } <= {rel(p) for p in core}
    found = {
        rel(path): bad
        for path in core
        if (bad := provider_imports(imported(path.read_text(encoding="utf-8"), dotted(path))))
    }
    assert found == {}


def test_a_provider_package_and_its_models_import_nothing_of_a_provider() -> None:
    # What lets the core import a provider's models without loading its client: the
    # package's __init__ imports nothing, its models import only the core.
    found = {}
    for provider in PROVIDERS:
        package = ROOT / "backends" / provider
        init = package / "__init__.py"
        names = imported(init.read_text(encoding="utf-8"), dotted(init))
        if names - {"__future__", "__future__.annotations"}:
            found[rel(init)] = sorted(names)
        models = package / "models.py"
        if models.exists():
            names = imported(models.read_text(encoding="utf-8"), dotted(models))
            bad = sorted(
                n for n in names for p in PROVIDER_MODULES if n == p or n.startswith(p + ".")
            )
            if bad:
                found[rel(models)] = bad
    assert found == {}


def test_the_provider_import_check_sees_a_cycle() -> None:
    # What backends/base.py did before the 8x8 batch models moved out of the client.
    source = """
from typing import TYPE_CHECKING
from backends.eightbyeight.models import SurveyBatch
if TYPE_CHECKING:
    from backends.eightbyeight.client import SurveyBatch, SurveyBatchResult
"""
    assert provider_imports(imported(source, "backends.base")) == [
        "backends.eightbyeight.client",
        "backends.eightbyeight.client.SurveyBatch",
        "backends.eightbyeight.client.SurveyBatchResult",
    ]
    assert provider_imports({"backends.nrs360.rules", "backends.sandbox.core"}) == [
        "backends.nrs360.rules",
        "backends.sandbox.core",
    ]
    assert provider_imports({"backends.xerochat.client", "backends.xerochat.models.Label"}) == [
        "backends.xerochat.client"
    ]


def test_the_checker_sees_every_form_of_import() -> None:
    source = """
from __future__ import annotations
from typing import TYPE_CHECKING
import textual.widgets
from tui import cli
from ..engine import journal
if TYPE_CHECKING:
    from screens.common import sb_app
def later() -> None:
    from textual.app import App
"""
    names = imported(source, "tui.cli.jobs")
    assert breaches(names, ("textual",)) == ["textual.app", "textual.app.App", "textual.widgets"]
    assert breaches(names, ("tui.cli",)) == ["tui.cli"]
    assert breaches(names, ("screens",)) == ["screens.common", "screens.common.sb_app"]
    assert "tui.engine.journal" in names
    assert breaches({"tuition", "textualize"}, ("tui", "textual")) == []


def test_no_module_grows_past_the_limit_and_the_known_list_only_shrinks() -> None:
    sizes = {
        rel(path): len(path.read_text(encoding="utf-8").splitlines())
        for package in PACKAGES
        for path in modules(package)
    }
    large = {path for path, lines in sizes.items() if lines > MAX_LINES}
    new = {path: sizes[path] for path in large - KNOWN_LARGE}
    assert new == {}, f"modules over {MAX_LINES} lines: split them"
    shrunk = {path: sizes.get(path) for path in KNOWN_LARGE - large}
    assert shrunk == {}, "under the limit (or gone) now: take them off KNOWN_LARGE"


# A screen class reads in one sitting: the "about 300 lines", with a little room.
MAX_SCREEN_CLASS_LINES = 320


def test_no_screen_class_grows_past_about_300_lines() -> None:
    large = {}
    for path in modules("screens"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_SCREEN_CLASS_LINES:
                    large[f"{rel(path)}:{node.name}"] = lines
    assert large == {}, "screen classes too long to read in one sitting: split them"
