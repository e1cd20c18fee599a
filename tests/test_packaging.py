"""What is installed: declared dependencies, their pins and floors, and `make run`'s stamp.

Read from pyproject.toml, constraints.txt, the Makefile and the source (ast): the
dependencies are exactly what the code imports, each pinned, each with a floor that CI
installs; `make run` installs once and starts without pip afterwards.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("backends", "tui", "screens")
# Distributions whose import name is not their name with '-' as '_'.
IMPORT_NAMES = {"phonenumberslite": "phonenumbers", "email-validator": "email_validator"}


def project() -> dict[str, object]:
    data: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return data


def dependency_names() -> list[str]:
    deps = project()["dependencies"]
    assert isinstance(deps, list)
    return [re.split(r"[\s\[<>=!~;]", str(d), maxsplit=1)[0].lower() for d in deps]


def imported_top_levels() -> set[str]:
    """Third-party top-level modules imported by the installed packages."""
    found: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - set(PACKAGES) - {"__future__"}


def test_every_import_is_declared_and_every_dependency_imported() -> None:
    declared = {IMPORT_NAMES.get(n, n.replace("-", "_")): n for n in dependency_names()}
    imported = imported_top_levels()
    assert sorted(imported - declared.keys()) == [], "imported but not declared"
    assert sorted(declared.keys() - imported) == [], "declared but never imported"
    # The 46 MB phonenumbers (38 MB of it geodata never read) is not what is installed.
    assert "phonenumbers" not in dependency_names()


def test_every_dependency_has_a_floor_and_a_pin() -> None:
    pins = {
        re.sub(r"[-_.]+", "-", line.split("==")[0]).lower()
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    deps = project()["dependencies"]
    extras = project()["optional-dependencies"]
    assert isinstance(deps, list) and isinstance(extras, dict)
    for requirement in [*deps, *extras["test"]]:
        name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
        assert re.sub(r"[-_.]+", "-", name).lower() in pins, f"{name} is not in constraints.txt"
    done = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "min_constraints.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    floors = dict(line.split("==") for line in done.stdout.splitlines())
    # 0.80 and 1.0 start blank (no query_ancestor), 2.0-4.x lack Static.update(layout=).
    assert floors["textual"] == "5.0"
    for requirement in deps:
        name, floor = requirement.split(">=")
        assert floors[name] == floor


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_installs_once(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()

    def dry_run() -> str:
        done = subprocess.run(
            ["make", "-n", "run"], cwd=tmp_path, capture_output=True, text=True, check=True
        )
        return done.stdout

    assert "pip install" in dry_run()  # nothing installed yet
    (venv / ".installed").touch()
    planned = dry_run()
    assert "pip" not in planned and "switchboard --sandbox" in planned
    # A changed pyproject.toml or constraints.txt installs again.
    for name in ("pyproject.toml", "constraints.txt"):
        later = (venv / ".installed").stat().st_mtime + 10
        os.utime(tmp_path / name, (later, later))
        assert "pip install --quiet -c constraints.txt -e ." in dry_run()
        (venv / ".installed").touch()
        os.utime(venv / ".installed", (later + 1, later + 1))
        assert "pip" not in dry_run()
