"""Print constraints that install the declared minimum versions (CI's floor pass).

Each runtime dependency `name>=X` of pyproject.toml becomes `name==X`, so the floors the
project declares are the versions tested; the test tools keep their constraints.txt pins
(they are not what users install). Everything else is left to the resolver: the floors'
own dependencies have their own floors.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def name_of(requirement: str) -> str:
    """The normalised distribution name of a requirement ("tomli-w>=1.0" -> "tomli-w")."""
    name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = []
    for requirement in project["dependencies"]:
        floor = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*>=\s*([^,;\s]+)", requirement)
        if floor is None:
            print(f"no plain >= floor in {requirement!r}", file=sys.stderr)
            return 1
        lines.append(f"{floor[1]}=={floor[2]}")
    tools = {name_of(r) for r in project["optional-dependencies"]["test"]}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#") and name_of(line) in tools:
            lines.append(line)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
