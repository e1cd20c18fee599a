"""The application's own errors, on the backends' error tree (`backends.errors`).

Backends raise what a provider or a connection does; these come from the application
around them (the OS keyring here), so they live with it. `ConfigError` stays in
`backends.errors`: the registry and the Xebo client raise it for account settings.
"""

from __future__ import annotations

from backends.errors import SwitchboardError


class SecretStoreError(SwitchboardError):
    """No usable keyring, or the keyring refused an operation."""

    title = "Secret store"
