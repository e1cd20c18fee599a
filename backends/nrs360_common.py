"""Helpers shared by the 360nrs client modules: request building and answer parsing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from backends.errors import MalformedResponse
from backends.http import parse_datetime
from backends.models import OtpConfig, RecipientResult, SendResult


def schedule_format(when: datetime) -> str:
    """A datetime as the YYYYmmddHHiiss UTC string the API expects."""
    if when.tzinfo is None:
        raise ValueError("schedule and expiry times must carry a time zone")
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def _opt(body: dict[str, Any], key: str, value: Any) -> None:
    """Set an optional field only when it was given, so defaults stay the server's."""
    if value is not None and value != () and value != []:
        body[key] = value


def otp_config_json(cfg: OtpConfig) -> dict[str, Any]:
    """The otpConfig object."""
    out: dict[str, Any] = {}
    _opt(out, "alpha", cfg.alpha)
    _opt(out, "length", cfg.length)
    _opt(out, "maxAttempts", cfg.max_attempts)
    _opt(out, "maxSecondsValidity", cfg.max_seconds_validity)
    _opt(out, "appId", cfg.app_id)
    _opt(out, "rejectIfPendingCode", cfg.reject_if_pending)
    return out


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _data(body: Any, provider: str = "360nrs") -> Any:
    if not isinstance(body, dict) or "data" not in body:
        raise MalformedResponse("the answer has no 'data' field", status=200, provider=provider)
    return body["data"]


def parse_send_result(body: Any) -> SendResult:
    """Map a 202/207 send answer to per-recipient results."""
    if not isinstance(body, dict) or not isinstance(body.get("result"), list):
        raise MalformedResponse(
            "the send answer has no 'result' list", status=200, provider="360nrs"
        )
    results = []
    for item in body["result"]:
        if not isinstance(item, dict) or not isinstance(item.get("to"), str):
            raise MalformedResponse("a send result has no recipient", status=200, provider="360nrs")
        raw_err = item.get("error")
        err: dict[str, Any] = raw_err if isinstance(raw_err, dict) else {}
        results.append(
            RecipientResult(
                to=item["to"],
                accepted=item.get("accepted") is True,
                id=_str(item.get("id")),
                parts=_int(item.get("parts")),
                error_code=err.get("code"),
                error=_str(err.get("description")),
                scheduled_at=parse_datetime(item.get("scheduledAt")),
                expires_at=parse_datetime(item.get("expiresAt")),
            )
        )
    return SendResult(
        results=tuple(results),
        campaign_id=_int(body.get("campaignId")),
        sending_id=_int(body.get("sendingId")),
    )


def parse_page(body: Any, items: tuple[Any, ...]) -> tuple[int, int, int, int]:
    """(page, per_page, total, total_pages) from `meta.pagination`, defaulting to one page."""
    pag = body.get("meta", {}).get("pagination", {}) if isinstance(body, dict) else {}
    page = _int(pag.get("current_page")) or 1
    per_page = _int(pag.get("per_page")) or len(items)
    total = _int(pag.get("total"))
    total_pages = _int(pag.get("total_pages")) or 1
    return page, per_page, total if total is not None else len(items), total_pages
