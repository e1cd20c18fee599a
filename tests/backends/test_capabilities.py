"""Capabilities are derived from the methods a provider overrides, never declared.

What each provider offers is pinned here as it was declared before the derivation (behaviour
kept); every stub of the base belongs to a capability; an advertised capability never
reaches a stub; a provider that implements part of a capability, or declares its
capabilities, is refused when its class is created.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from backends import api_lists, api_reports, api_send
from backends.base import CAPABILITY_METHODS, Backend, Capability
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
    """Whether a method's body (docstring aside) is only `raise <NotSupported>`."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
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


def _base_stubs() -> set[str]:
    return {
        name
        for cls in (Backend, api_send.SendApi, api_lists.ListsApi, api_reports.ReportsApi)
        for name, member in vars(cls).items()
        if inspect.iscoroutinefunction(member) and _is_stub(member)
    }


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_derived_capabilities_are_what_each_provider_offered(provider: str) -> None:
    cls = PROVIDERS[provider]
    assert cls.capabilities == OFFERED[provider]
    for capability in Capability:
        assert cls.supports(capability) is (capability in OFFERED[provider])


def test_every_stub_of_the_base_belongs_to_exactly_one_capability() -> None:
    stubs = _base_stubs()
    assert len(stubs) > 60  # the detector sees the stubs (it would pass on none)
    mapped = [name for names in CAPABILITY_METHODS.values() for name in names]
    assert len(mapped) == len(set(mapped)), "a method is listed under two capabilities"
    assert set(mapped) == stubs
    assert set(CAPABILITY_METHODS) == set(Capability)


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_an_advertised_capability_never_reaches_a_stub(provider: str) -> None:
    cls = PROVIDERS[provider]
    for capability in cls.capabilities:
        for name in CAPABILITY_METHODS[capability]:
            method = getattr(cls, name)
            assert method is not getattr(Backend, name), (capability, name)
            assert not _is_stub(method), f"{provider} advertises {capability} by a stub {name}"


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_no_provider_overrides_a_method_of_a_capability_it_lacks(provider: str) -> None:
    # An override that only raises NotSupported would hide the base's message and, with
    # the capability's other methods, advertise a capability it does not have.
    cls = PROVIDERS[provider]
    for capability, names in CAPABILITY_METHODS.items():
        if capability not in cls.capabilities:
            assert not [n for n in names if cls.implements(n)], (provider, capability)


def test_the_stub_detector_tells_a_stub_from_an_implementation() -> None:
    assert _is_stub(Backend.send_sms)
    assert not _is_stub(PROVIDERS["360nrs"].send_sms)


def test_a_provider_implementing_part_of_a_capability_is_refused() -> None:
    with pytest.raises(TypeError, match="part of 'otp'; missing: otp_check"):

        class HalfOtp(Backend):
            provider: ClassVar[str] = "half-otp"

            async def otp_generate(self, recipient: str, **options: Any) -> Any:
                return None


def test_a_mixin_may_implement_part_of_a_capability() -> None:
    # Per-area mixins (like 360nrs's) are checked through the provider class combining them.
    class Half(Backend):
        async def otp_generate(self, recipient: str, **options: Any) -> Any:
            return None

    class Whole(Half):
        provider: ClassVar[str] = "whole-otp"

        async def otp_check(self, recipient: str, code: str, **options: Any) -> Any:
            return None

    assert Half.capabilities == frozenset()
    assert Whole.capabilities == frozenset({Capability.OTP})
    assert Whole.supports(Capability.OTP) and not Whole.supports(Capability.SMS)


def test_declaring_capabilities_is_refused() -> None:
    with pytest.raises(TypeError, match="declares capabilities"):

        class Declared(Backend):
            provider: ClassVar[str] = "declared"
            capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.SMS})
