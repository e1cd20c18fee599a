"""Campaigns, reports, certificates, tools and coverage: the provider-neutral interface.

Every method raises NotSupported unless a backend overrides it; the UI checks
`Backend.supports(Capability...)` first. Area models live in `backends/models_reports.py`.
"""

from __future__ import annotations

from backends.errors import NotSupported


class ReportsApi:
    """Campaigns, event and key reports, certificates, tools and coverage."""

    def _not_supported(self, what: str) -> NotSupported:
        label = getattr(self, "label", "this provider")
        return NotSupported(f"{label} does not support {what}")
