"""360nrs: sending on other channels and scheduled sends."""

from __future__ import annotations

from backends.base import Backend


class Nrs360Send(Backend):
    """360nrs implementation of `SendApi` (mixed into Nrs360Backend)."""
