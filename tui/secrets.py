"""Account secrets: environment override, then a real OS keyring, never a file.

Order (DESIGN.md): `SWITCHBOARD_SECRET_<ACCOUNT>` first; then in-memory secrets of
ephemeral accounts (the sandbox); then the keyring, but only if its backend is a real
one (Secret Service, KWallet, macOS Keychain, Windows). A plaintext or null backend is
refused with a message saying what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from tui.errors import SecretStoreError

SERVICE = "switchboard"
ENV_PREFIX = "SWITCHBOARD_SECRET_"
# Module prefixes of keyring backends that keep secrets in an OS-protected store.
REAL_BACKENDS = (
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.kwallet",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
)
KEYRING_TIMEOUT = 10.0

T = TypeVar("T")


def env_var_name(account: str) -> str:
    """The environment variable that overrides an account's secret."""
    return ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", account.upper())


def shared_variables(accounts: Iterable[str]) -> dict[str, list[str]]:
    """Secret variables more than one account maps to, with those accounts.

    `acme-prod`, `acme_prod` and `Acme-Prod` all read SWITCHBOARD_SECRET_ACME_PROD: the
    variable cannot say which account it is for, so it is used for none of them.
    """
    by_var: dict[str, list[str]] = {}
    for name in accounts:
        by_var.setdefault(env_var_name(name), []).append(name)
    return {var: names for var, names in by_var.items() if len(names) > 1}


def sharing_text(var: str, names: Iterable[str]) -> str:
    """One sentence on accounts sharing a secret variable."""
    listed = " and ".join(repr(n) for n in names)
    return (
        f"accounts {listed} share the secret variable {var}: it is ignored for them, "
        "their secrets come from the keyring (rename all but one to tell them apart)"
    )


def refused(exc: BaseException, secret: str = "") -> str:
    """Why the keyring refused, its own words included: "InitError" alone says nothing of
    a locked collection or a missing D-Bus session."""
    detail = " ".join(str(exc).split())
    if secret:
        detail = detail.replace(secret, "***")
    name = type(exc).__name__
    return f"the keyring refused ({name}: {detail})" if detail else f"the keyring refused ({name})"


def _is_real(backend: Any) -> bool:
    module = type(backend).__module__
    if module.startswith("keyring.backends.chainer"):
        return any(_is_real(b) for b in getattr(backend, "backends", ()))
    return module.startswith(REAL_BACKENDS)


class SecretStore:
    """Get, set and delete account secrets."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        keyring_module: Any | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._keyring = keyring_module
        self._memory: dict[str, str] = {}
        # Accounts whose secret variable another account shares (see `shared_variables`):
        # the environment is never read for them.
        self.ambiguous: frozenset[str] = frozenset()

    def _module(self) -> Any:
        if self._keyring is None:
            import keyring

            self._keyring = keyring
        return self._keyring

    def keyring_problem(self) -> str | None:
        """Why the OS keyring cannot be used, or None if it can."""
        try:
            backend = self._module().get_keyring()
        except Exception as exc:  # a broken keyring config raises anything
            return f"the keyring could not be loaded ({type(exc).__name__}: {exc})"
        if not _is_real(backend):
            name = f"{type(backend).__module__}.{type(backend).__name__}"
            return f"no secure OS keyring is available (keyring backend is {name})"
        return None

    def _unusable(self, account: str, problem: str) -> SecretStoreError:
        return SecretStoreError(
            f"Cannot use the secret for account {account!r}: {problem}. "
            "Start and unlock a Secret Service keyring (for example gnome-keyring or "
            f"KWallet), or {self._env_advice(account)}."
        )

    def _env_advice(self, account: str) -> str:
        var = env_var_name(account)
        if account in self.ambiguous:
            return f"rename the account: {var} is shared with another account and not used"
        return f"set the environment variable {var}"

    def _from_env(self, account: str) -> str | None:
        if account in self.ambiguous:
            return None
        return self._environ.get(env_var_name(account)) or None

    def from_environment(self, account: str) -> bool:
        """Whether the environment overrides this account's secret."""
        return self._from_env(account) is not None

    def remember(self, account: str, secret: str) -> None:
        """Hold a secret in memory only (ephemeral accounts such as the sandbox)."""
        self._memory[account] = secret

    def get(self, account: str) -> str:
        """The account's secret, or SecretStoreError saying how to provide one."""
        from_env = self._from_env(account)
        if from_env:
            return from_env
        if account in self._memory:
            return self._memory[account]
        problem = self.keyring_problem()
        if problem:
            raise self._unusable(account, problem)
        try:
            secret = self._module().get_password(SERVICE, account)
        except Exception as exc:
            raise self._unusable(account, refused(exc)) from None
        if not secret:
            raise SecretStoreError(
                f"No secret stored for account {account!r}. Add it again with "
                f"'switchboard account add {account} ...' or {self._env_advice(account)}."
            )
        return str(secret)

    def set(self, account: str, secret: str) -> None:
        """Store a secret in the keyring."""
        if not secret:
            raise SecretStoreError("the secret is empty")
        problem = self.keyring_problem()
        if problem:
            raise self._unusable(account, problem)
        try:
            self._module().set_password(SERVICE, account, secret)
        except Exception as exc:
            raise self._unusable(account, refused(exc, secret)) from None

    def delete(self, account: str) -> bool:
        """Forget an account's secret; True if one was stored."""
        found = self._memory.pop(account, None) is not None
        if self.keyring_problem():
            return found
        errors = self._module().errors
        try:
            self._module().delete_password(SERVICE, account)
        except errors.PasswordDeleteError:
            return found
        except Exception as exc:
            raise self._unusable(account, refused(exc)) from None
        return True

    async def _off_loop(self, fn: Callable[[], T]) -> T:
        """`fn` in a daemon thread of its own, given up after KEYRING_TIMEOUT.

        A keyring daemon can block (unlock prompt, dead D-Bus) and a thread stuck in it
        cannot be stopped: not on the UI loop, and not in asyncio's default executor, whose
        threads are joined when the loop closes and at interpreter exit, so a stuck call
        would hold the exit forever. A daemon thread is left behind when the process ends.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def settle(result: T | None, error: BaseException | None) -> None:
            if future.done():  # timed out or cancelled meanwhile
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(cast(T, result))

        def work() -> None:
            try:
                result, error = fn(), None
            except BaseException as exc:  # handed to the awaiting task as it is
                result, error = None, exc
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits
                loop.call_soon_threadsafe(settle, result, error)

        threading.Thread(target=work, name="switchboard-keyring", daemon=True).start()
        try:
            return await asyncio.wait_for(future, KEYRING_TIMEOUT)
        except TimeoutError:
            raise SecretStoreError(
                f"the keyring did not answer within {KEYRING_TIMEOUT:.0f} s; is it locked?"
            ) from None

    async def aget(self, account: str) -> str:
        """`get` off the event loop, with a timeout."""
        return await self._off_loop(lambda: self.get(account))

    async def aset(self, account: str, secret: str) -> None:
        """`set` off the event loop, with a timeout."""
        await self._off_loop(lambda: self.set(account, secret))

    async def adelete(self, account: str) -> bool:
        """`delete` off the event loop, with a timeout."""
        return await self._off_loop(lambda: self.delete(account))
