"""360nrs: campaigns, event and key reports, certificates, tools and coverage."""

from __future__ import annotations

from backends.base import Backend


class Nrs360Reports(Backend):
    """360nrs implementation of `ReportsApi` (mixed into Nrs360Backend)."""
