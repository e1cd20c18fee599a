"""Secret store: environment override, refusal of unsafe backends, the real keyring."""

from __future__ import annotations

import subprocess
import sys
import types
import uuid
from typing import Any

import pytest

from tests.conftest import FakeKeyring
from tui.errors import SecretStoreError
from tui.secrets import SecretStore, env_var_name


def test_env_var_name() -> None:
    assert env_var_name("prod-eu.1") == "SWITCHBOARD_SECRET_PROD_EU_1"


def test_environment_overrides_keyring(fake_keyring: FakeKeyring) -> None:
    store = SecretStore(
        environ={"SWITCHBOARD_SECRET_MAIN": "from-env"}, keyring_module=fake_keyring
    )
    fake_keyring.set_password("switchboard", "main", "from-keyring")
    assert store.get("main") == "from-env"
    assert SecretStore(environ={}, keyring_module=fake_keyring).get("main") == "from-keyring"


def test_set_get_delete(fake_keyring: FakeKeyring) -> None:
    store = SecretStore(environ={}, keyring_module=fake_keyring)
    store.set("main", "s3cret")
    assert fake_keyring.store == {("switchboard", "main"): "s3cret"}
    assert store.delete("main") is True
    assert store.delete("main") is False
    with pytest.raises(SecretStoreError, match="No secret stored for account 'main'"):
        store.get("main")


def _module_with(backend_module: str) -> Any:
    backend = type("Keyring", (), {"__module__": backend_module})()
    calls: list[str] = []

    def refuse(*args: object) -> None:
        calls.append("called")
        raise AssertionError("an unsafe backend must never be used")

    return types.SimpleNamespace(
        get_keyring=lambda: backend,
        get_password=refuse,
        set_password=refuse,
        delete_password=refuse,
        errors=types.SimpleNamespace(PasswordDeleteError=KeyError),
        calls=calls,
    )


@pytest.mark.parametrize(
    "module", ["keyring.backends.fail", "keyring.backends.null", "keyrings.alt.file"]
)
def test_unsafe_backends_are_refused_with_advice(module: str) -> None:
    fake = _module_with(module)
    store = SecretStore(environ={}, keyring_module=fake)
    with pytest.raises(SecretStoreError) as err:
        store.set("main", "s3cret")
    assert "SWITCHBOARD_SECRET_MAIN" in err.value.message
    assert "Secret Service" in err.value.message
    with pytest.raises(SecretStoreError):
        store.get("main")
    assert fake.calls == []


def test_memory_secrets_for_ephemeral_accounts() -> None:
    store = SecretStore(environ={}, keyring_module=_module_with("keyring.backends.fail"))
    store.remember("sandbox", "demo")
    assert store.get("sandbox") == "demo"


async def test_async_wrappers(fake_keyring: FakeKeyring) -> None:
    store = SecretStore(environ={}, keyring_module=fake_keyring)
    await store.aset("a", "x")
    assert await store.aget("a") == "x"
    assert await store.adelete("a") is True


@pytest.mark.keyring
def test_real_keyring_store_read_delete(real_keyring: None) -> None:
    """Against the OS keyring (.ci/run starts an unlocked gnome-keyring under D-Bus)."""
    store = SecretStore(environ={})
    problem = store.keyring_problem()
    if problem:
        pytest.fail(f"CI must provide a real keyring: {problem}")
    name = f"test-{uuid.uuid4().hex[:8]}"
    store.set(name, "real-keyring-secret")
    try:
        assert SecretStore(environ={}).get(name) == "real-keyring-secret"
    finally:
        assert store.delete(name) is True
    with pytest.raises(SecretStoreError, match="No secret stored"):
        store.get(name)


def test_no_test_process_reaches_the_os_keyring() -> None:
    """This process and the CLI processes tests start (they inherit the environment) see
    the fail backend, whatever keyring the machine has."""
    import keyring

    assert type(keyring.get_keyring()).__module__ == "keyring.backends.fail"
    seen = subprocess.run(
        [sys.executable, "-c", "import keyring; print(type(keyring.get_keyring()).__module__)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert seen.stdout.strip() == "keyring.backends.fail"


class InitError(Exception):
    """What Secret Service raises when it cannot open a collection."""


def test_the_keyring_error_text_is_part_of_the_message() -> None:
    def refuse(*args: object) -> None:
        raise InitError("Failed to unlock the collection!\n(prompt dismissed)")

    module = types.SimpleNamespace(
        get_keyring=lambda: FakeKeyring().get_keyring(),
        get_password=refuse,
        set_password=refuse,
        delete_password=refuse,
        errors=types.SimpleNamespace(PasswordDeleteError=KeyError),
    )
    store = SecretStore(environ={}, keyring_module=module)
    for call in (
        lambda: store.get("a"),
        lambda: store.set("a", "s3cret"),
        lambda: store.delete("a"),
    ):
        with pytest.raises(SecretStoreError) as error:
            call()
        assert (
            "the keyring refused (InitError: Failed to unlock the collection! (prompt dismissed))"
            in str(error.value)
        )
