"""One-time codes: generate one and check one, with their checks, for both front ends.

`switchboard otp generate|check` and the OTP screen build a GenerateRequest or a
CheckRequest from their arguments or form and run `generate` / `check`: a request that
cannot be right is refused before the provider is asked (OtpRefused, one line), and the
answer is the backend's Otp / OtpCheck.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from backends.base import Backend
from backends.capabilities import OtpApi
from backends.models.common import Otp, OtpCheck
from tui.engine.phones import normalise_phone

# The ranges the 360nrs reference documents for POST /otp/generate: "length: ... The
# minimum value is 3 and the maximum is 10", "maxAttempts: ... The minimum value is 1 and
# the maximum is 10", "maxSecondsValidity: ... The minimum value is 30 and the maximum is
# 600". Keyed by the name the messages use.
RANGES: Final = {"length": (3, 10), "max attempts": (1, 10), "validity": (30, 600)}


class OtpRefused(ValueError):
    """A request the checks refuse; its message is one line either front end shows."""


@dataclass(frozen=True)
class GenerateRequest:
    """What to generate a code with; None leaves an option to the provider."""

    recipient: str
    length: int | None = None
    alpha: bool | None = None
    max_attempts: int | None = None
    validity: int | None = None
    app_id: str | None = None
    reject_if_pending: bool | None = None


@dataclass(frozen=True)
class CheckRequest:
    """A code to check for a recipient."""

    recipient: str
    code: str
    app_id: str | None = None
    case_sensitive: bool | None = None


def whole_number(name: str, raw: str) -> int | None:
    """A typed option ("" for none) as a whole number, or OtpRefused."""
    text = raw.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise OtpRefused(f"{name} must be a whole number") from None


def otp_recipient(text: str) -> str:
    """The recipient as the provider writes it (its examples: "34666555444"): an email is
    kept as typed; a phone number typed as people write it ("+34 600 111 333",
    "600111333") is normalised the way Compose does, so generating and checking agree."""
    recipient = text.strip()
    if not recipient or "@" in recipient:
        return recipient
    number = normalise_phone(recipient)
    if isinstance(number, str):
        raise OtpRefused(f"{recipient} is not a valid phone number or email")
    return number[0]


def checked_generate(request: GenerateRequest) -> GenerateRequest:
    """The request with its recipient normalised and app id trimmed, or OtpRefused."""
    recipient = otp_recipient(request.recipient)
    if not recipient:
        raise OtpRefused("enter a phone number or an email")
    for name, value in (
        ("length", request.length),
        ("max attempts", request.max_attempts),
        ("validity", request.validity),
    ):
        low, high = RANGES[name]
        if value is not None and not low <= value <= high:
            raise OtpRefused(f"{name} must be between {low} and {high}")
    app_id = request.app_id.strip() if request.app_id else None
    return GenerateRequest(
        recipient,
        length=request.length,
        alpha=request.alpha or None,
        max_attempts=request.max_attempts,
        validity=request.validity,
        app_id=app_id or None,
        reject_if_pending=request.reject_if_pending or None,
    )


def checked_check(request: CheckRequest) -> CheckRequest:
    """The request with its fields trimmed, or OtpRefused."""
    recipient, code = otp_recipient(request.recipient), request.code.strip()
    if not recipient or not code:
        raise OtpRefused("enter a recipient and a code to check")
    app_id = request.app_id.strip() if request.app_id else None
    return CheckRequest(recipient, code, app_id or None, request.case_sensitive or None)


async def generate(backend: Backend, request: GenerateRequest) -> Otp:
    """Generate a code (OtpRefused before any request when the request cannot be right)."""
    r = checked_generate(request)
    return await backend.capability(OtpApi).otp_generate(
        r.recipient,
        length=r.length,
        alpha=r.alpha,
        max_attempts=r.max_attempts,
        validity=r.validity,
        app_id=r.app_id,
        reject_if_pending=r.reject_if_pending,
    )


async def check(backend: Backend, request: CheckRequest) -> OtpCheck:
    """Check a code (OtpRefused before any request when the request cannot be right)."""
    r = checked_check(request)
    return await backend.capability(OtpApi).otp_check(
        r.recipient, r.code, app_id=r.app_id, case_sensitive=r.case_sensitive
    )
