"""`switchboard mail|voice|landing send, whatsapp send-template, scheduled`."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the commands of this area."""
