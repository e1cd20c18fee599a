"""Domain models: sending on other channels and scheduled sends."""

from __future__ import annotations
