"""backends.providers is the one source of each provider's account metadata: the backend
classes carry exactly what it says, and the registry knows the same providers."""

from __future__ import annotations

import pytest

from backends.errors import ConfigError
from backends.providers import PROVIDER_INFO, provider_info
from backends.registry import PROVIDERS


def test_every_backend_class_carries_its_providers_metadata() -> None:
    assert set(PROVIDERS) == set(PROVIDER_INFO)
    for name, cls in PROVIDERS.items():
        info = PROVIDER_INFO[name]
        assert cls.provider == info.name
        assert (cls.label, cls.default_base_url, cls.secret_label) == (
            info.label,
            info.default_base_url,
            info.secret_label,
        )
        assert (cls.needs_username, cls.extra_fields) == (info.needs_username, info.extra_fields)
    assert PROVIDERS["8x8"].extra_fields[0].name == "subaccount_id"
    assert PROVIDERS["xebo"].needs_username is False and PROVIDERS["360nrs"].needs_username


def test_an_unknown_provider_is_named_with_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown provider 'nope' \(known: 360nrs, 8x8, "):
        provider_info("nope")
