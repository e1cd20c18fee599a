"""Capabilities are the interfaces a provider inherits (backends.capabilities), never declared.

What each provider offers is pinned here as it was declared by hand before (behaviour kept);
the base has no capability method left (no stubs); every method of an interface a provider
inherits is implemented, and not as a stub; a provider missing one cannot be instantiated.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from backends.base import Backend, Capability, Connection
from backends.capabilities import INTERFACES, OtpApi, SmsApi
from backends.errors import NotSupported
from backends.registry import PROVIDERS

C = Capability

# The capabilities each provider declared by hand before they were derived.
OFFERED: dict[str, frozenset[Capability]] = {
    "360nrs": frozenset(
        {
            C.ACCOUNT,
            C.SMS,
            C.SMS_STATUS,
            C.OTP,
            C.CONTACTS,
            C.CONTACTS_LISTING,
            C.GROUPS,
            C.WHATSAPP_CONVERSATIONS,
            C.MAILING,
            C.VOICE,
            C.VOICE_AUDIO,
            C.LANDING_SMS,
            C.WHATSAPP_TEMPLATES,
            C.SCHEDULED,
            C.BLACKLIST,
            C.EMAIL_VALIDATION,
            C.TEMPLATES,
            C.FORMS,
            C.CAMPAIGNS,
            C.REPORTS,
            C.CERTIFICATES,
            C.SHORTENER,
            C.IMAGES,
            C.COVERAGE,
        }
    ),
    "xebo": frozenset({C.SURVEYS}),
    "collect": frozenset({C.DOCUMENT_REQUESTS}),
    "8x8": frozenset({C.SURVEY_BATCH}),
    "xerochat": frozenset({C.CONTACTS, C.GROUPS, C.FLOWS, C.LABELS, C.SUBSCRIBERS, C.USERS}),
}


def _is_stub(function: Callable[..., Any]) -> bool:
    return _is_stub_source(textwrap.dedent(inspect.getsource(function)))


def _is_stub_source(source: str) -> bool:
    """Whether a method's body (docstring aside) is only `raise <NotSupported>`."""
    tree = ast.parse(source)
    node = tree.body[0]
    assert isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
    body = [
        s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc
    called = exc.func if isinstance(exc, ast.Call) else exc
    name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
    return name in {"_unsupported", "_not_supported", "NotSupported"}


def _interface_methods(api: type) -> list[str]:
    return sorted(getattr(api, "__abstractmethods__", frozenset()))


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_derived_capabilities_are_what_each_provider_offered(provider: str) -> None:
    cls = PROVIDERS[provider]
    assert cls.capabilities == OFFERED[provider]
    for capability in Capability:
        assert cls.supports(capability) is (capability in OFFERED[provider])


def test_one_interface_per_capability_and_the_base_has_no_stub_left() -> None:
    assert set(INTERFACES) == set(Capability)
    assert all(api.offers is capability for capability, api in INTERFACES.items())
    methods = [m for api in INTERFACES.values() for m in _interface_methods(api)]
    assert len(methods) > 70  # the interfaces carry the methods the base used to stub
    assert len(methods) == len(set(methods)), "a method is in two interfaces"
    assert [m for m in methods if hasattr(Backend, m)] == []


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_an_offered_capability_never_reaches_a_stub(provider: str) -> None:
    cls = PROVIDERS[provider]
    assert not inspect.isabstract(cls)
    for capability in cls.capabilities:
        for name in _interface_methods(INTERFACES[capability]):
            method = getattr(cls, name)
            assert not getattr(method, "__isabstractmethod__", False), (capability, name)
            assert not _is_stub(method), f"{provider} offers {capability} by a stub {name}"
    # and nothing it lacks is reachable as a method at all
    for capability in set(Capability) - cls.capabilities:
        assert not [n for n in _interface_methods(INTERFACES[capability]) if hasattr(cls, n)]


def test_the_stub_detector_tells_a_stub_from_an_implementation() -> None:
    source = 'async def f(self):\n    """Doc."""\n    raise self._unsupported(\'x\')\n'
    assert _is_stub_source(source)
    assert not _is_stub(PROVIDERS["360nrs"].send_sms)


async def test_capability_narrows_or_names_what_is_missing() -> None:
    nrs = PROVIDERS["360nrs"](Connection("https://example.invalid"))
    xebo = PROVIDERS["xebo"](
        Connection("https://example.invalid", options={"collector_token": "t"})
    )
    try:
        assert nrs.capability(SmsApi) is nrs
        with pytest.raises(NotSupported, match=r"^Xebo does not support SMS$"):
            xebo.capability(SmsApi)
    finally:
        await nrs.aclose()
        await xebo.aclose()


def test_a_provider_implementing_part_of_a_capability_cannot_be_instantiated() -> None:
    class HalfOtp(Backend, OtpApi):
        provider: ClassVar[str] = "half-otp"

        async def otp_generate(self, recipient: str, **options: Any) -> Any:
            return None

    assert inspect.isabstract(HalfOtp)
    with pytest.raises(TypeError, match="otp_check"):
        HalfOtp(Connection("https://example.invalid"))


def test_declaring_capabilities_is_refused() -> None:
    with pytest.raises(TypeError, match="declares capabilities"):

        class Declared(Backend):
            provider: ClassVar[str] = "declared"
            capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.SMS})
