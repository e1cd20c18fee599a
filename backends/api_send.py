"""Sending on other channels and scheduled sends: the provider-neutral interface.

Every method raises NotSupported unless a backend overrides it; the UI checks
`Backend.supports(Capability...)` first. Area models live in `backends/models_send.py`.
"""

from __future__ import annotations

from backends.errors import NotSupported


class SendApi:
    """Sending on other channels and scheduled sends."""

    def _not_supported(self, what: str) -> NotSupported:
        label = getattr(self, "label", "this provider")
        return NotSupported(f"{label} does not support {what}")
