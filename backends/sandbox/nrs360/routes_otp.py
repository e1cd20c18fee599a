"""One-time passwords: POST /otp/generate and POST /otp/check."""

from __future__ import annotations

import string
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    EMAIL_RE,
    PHONE_RE,
    JsonObject,
    invalid,
    iso,
    not_found,
    ok,
    optional_bool,
    optional_int,
    optional_str,
    read_json,
    required_str,
    state_of,
)
from .state import Otp


def _otp_json(otp: Otp) -> JsonObject:
    return {
        "recipient": otp.recipient,
        "code": otp.code,
        "attempts": otp.attempts,
        "maxAttempts": otp.max_attempts,
        "maxSecondsValidity": otp.max_seconds_validity,
        "appId": otp.app_id,
        "createdAt": iso(otp.created_at),
        "updatedAt": iso(otp.updated_at),
        "expiresAt": iso(otp.expires_at),
    }


def _recipient(body: JsonObject) -> str:
    recipient = required_str(body, "recipient").strip()
    if not (PHONE_RE.match(recipient) or EMAIL_RE.match(recipient)):
        raise invalid("The recipient field must be a valid phone or email.")
    return recipient


async def generate_otp(request: Request) -> Response:
    """POST /otp/generate: a new code for (recipient, appId), replacing any previous one."""
    state = state_of(request)
    body = await read_json(request)
    # Same order as the documented parameters, so the first failing rule is reported.
    recipient = _recipient(body)
    alpha = optional_bool(body, "alpha", False)
    length = optional_int(body, "length", 4, 3, 10)
    max_attempts = optional_int(body, "maxAttempts", 3, 1, 10)
    validity = optional_int(body, "maxSecondsValidity", 60, 30, 600)
    app_id = optional_str(body, "appId", "") or ""
    reject_if_pending = optional_bool(body, "rejectIfPendingCode", False)

    now = state.now()
    previous = state.otps.get((recipient, app_id))
    pending = (
        previous is not None
        and not previous.consumed
        and previous.attempts < previous.max_attempts
        and now <= previous.expires_at
    )
    if reject_if_pending and pending:
        # The reference names the option but not its error; a 422 like the other
        # validation failures is the most plausible answer.
        raise invalid("A pending code already exists for this recipient.")

    alphabet = string.ascii_uppercase + string.digits if alpha else string.digits
    otp = Otp(
        recipient=recipient,
        app_id=app_id,
        code="".join(state.rng.choices(alphabet, k=length)),
        max_attempts=max_attempts,
        max_seconds_validity=validity,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(seconds=validity),
    )
    state.otps[(recipient, app_id)] = otp
    return ok({"data": _otp_json(otp)})


async def check_otp(request: Request) -> Response:
    """POST /otp/check: validate a code; every check counts as an attempt."""
    state = state_of(request)
    body = await read_json(request)
    recipient = required_str(body, "recipient").strip()
    code = body.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)  # a numeric code sent as a JSON number still means the same code
    if not isinstance(code, str) or not code.strip():
        raise invalid("The code field is required.")
    case_sensitive = optional_bool(body, "caseSensitive", False)
    app_id = optional_str(body, "appId", "") or ""

    otp = state.otps.get((recipient, app_id))
    if otp is None:
        # Never generated (or for another appId): the reference is silent; a 404 tells the
        # caller "nothing to check" apart from a wrong code.
        raise not_found()
    now = state.now()
    if otp.attempts >= otp.max_attempts:
        # Attempts stop counting once exhausted, so `attempts` never exceeds `maxAttempts`.
        reason = "Maximum attempts reached"
    else:
        otp.attempts += 1
        otp.updated_at = now
        matches = code == otp.code if case_sensitive else code.upper() == otp.code.upper()
        if now > otp.expires_at:
            reason = "Expired"
        elif otp.consumed or not matches:
            # A validated code is used up: checking it again is "Invalid code" (a replayed
            # code must not validate twice, and no other documented reason fits).
            reason = "Invalid code"
        else:
            reason = "Valid"
            otp.consumed = True
    valid = reason == "Valid"
    return ok({"data": {"valid": valid, "reason": reason, "otp": {"data": _otp_json(otp)}}})


ROUTES = [
    Route("/otp/generate", generate_otp, methods=["POST"]),
    Route("/otp/check", check_otp, methods=["POST"]),
]
