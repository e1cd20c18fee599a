"""360nrs: blacklist, email validation, templates and forms."""

from __future__ import annotations

from backends.base import Backend


class Nrs360Lists(Backend):
    """360nrs implementation of `ListsApi` (mixed into Nrs360Backend)."""
