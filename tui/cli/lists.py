"""`switchboard blacklist, validation, templates, forms`."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the commands of this area."""
