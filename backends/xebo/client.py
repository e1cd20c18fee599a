"""Xebo: send a survey through a collector by SMS, email or WhatsApp.

The reference names two paths for the send: the heading's `.../combined/auto` and the
cURL sample's `.../campaigns`. The heading is the documented endpoint (the sample looks
pasted from the campaigns page), so the client posts to `combined/auto`; the sandbox
accepts both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import httpx

from backends.base import Backend, Connection
from backends.capabilities import SurveysApi
from backends.errors import ConfigError, MalformedResponse
from backends.http import HttpClient, default_error_parser, path
from backends.models.surveys import RejectedContact, SurveySend, SurveySendResult
from backends.xebo.rules import RULES

# `{env}` in the base URL is the datacenter prefix from the account's `env` option, so
# the add-account dialog can prefill the template and the user types only `az4`.
# One DNS label: an option must not be able to point the secret at another host.
ENV_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
AUTH_MODES = ("bearer", "api-key")

TOKEN_EXPIRED_HINT = (
    "the Xebo access token expires after 24 hours: log in again and update the secret"
)
API_KEY_HINT = "the Xebo API key was refused: copy it again from the platform and update the secret"


def resolve_base_url(base_url: str, env: str) -> str:
    """The base URL with `{env}` replaced by the datacenter prefix."""
    if "{env}" not in base_url:
        return base_url
    env = env.strip().lower()
    if not ENV_RE.match(env):
        raise ConfigError(f"Xebo environment {env!r} is not a datacenter prefix such as az4")
    return base_url.replace("{env}", env)


def auth_headers(mode: str, secret: str) -> dict[str, str]:
    """The auth header the `auth` option selects."""
    if mode == "bearer":
        return {"Authorization": f"Bearer {secret}"}
    if mode == "api-key":
        return {"x-api-key": secret}
    raise ConfigError(f"Xebo auth must be one of {', '.join(AUTH_MODES)} (got {mode!r})")


def error_parser(mode: str) -> Callable[[httpx.Response, Any], tuple[int | str | None, str]]:
    """Parse `{"error": {"name", "message"}}`; a 401 says what to do about the secret."""

    def parse(response: httpx.Response, body: Any) -> tuple[int | str | None, str]:
        code, message = default_error_parser(response, body)
        if response.status_code == 401:
            hint = TOKEN_EXPIRED_HINT if mode == "bearer" else API_KEY_HINT
            message = f"{message} ({hint})"
        return code, message

    return parse


def _int(value: Any, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise MalformedResponse(f"{what} is not a number", status=200, provider="xebo")


def parse_rejected(item: Any) -> RejectedContact:
    """One rejected_list entry.

    The reference shows only an empty list. The sandbox answers `{"contact": {...},
    "reason": "..."}`; a bare contact object (reason under `reason`/`message`/`error`)
    or a bare address string are accepted too, so an unexpected shape still shows.
    """
    if isinstance(item, str):
        return RejectedContact({"address": item}, "")
    if not isinstance(item, dict):
        return RejectedContact({"value": item}, "")
    reason = next((str(item[k]) for k in ("reason", "message", "error") if item.get(k)), "")
    contact = item.get("contact")
    if isinstance(contact, dict):
        return RejectedContact(contact, reason)
    rest = {k: v for k, v in item.items() if k not in ("reason", "message", "error")}
    return RejectedContact(rest, reason)


def parse_send_result(body: Any) -> SurveySendResult:
    """The `{"msg", "msgId", "data": {accepted, rejected, rejected_list}}` answer."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise MalformedResponse("the answer has no data object", status=200, provider="xebo")
    data = body["data"]
    rejected_list = data.get("rejected_list", [])
    if not isinstance(rejected_list, list):
        raise MalformedResponse("rejected_list is not a list", status=200, provider="xebo")
    return SurveySendResult(
        accepted=_int(data.get("accepted"), "accepted"),
        rejected=_int(data.get("rejected"), "rejected"),
        rejected_list=tuple(parse_rejected(r) for r in rejected_list),
        message=str(body.get("msg") or ""),
        message_id=str(body.get("msgId") or ""),
    )


def send_body(send: SurveySend, collector_token: str) -> dict[str, Any]:
    """The JSON body of a survey send."""
    return {
        "collectortoken": collector_token,
        "medium": int(send.medium),
        "contacts": [c.to_json() for c in send.contacts],
    }


class XeboBackend(Backend, SurveysApi):
    """The Xebo survey-distribution API."""

    provider: ClassVar[str] = "xebo"
    # Its label, default URL, secret and settings: backends.providers (bodies, which
    # carry the collector token, are never logged).

    def _make_http(
        self, connection: Connection, transport: httpx.AsyncBaseTransport | None
    ) -> HttpClient:
        options: Mapping[str, str] = connection.options
        mode = (options.get("auth") or "bearer").strip().lower()
        return HttpClient(
            provider=self.provider,
            base_url=resolve_base_url(connection.base_url, options.get("env", "")),
            headers={"Accept": "application/json", **auth_headers(mode, connection.secret)},
            transport=transport,
            error_parser=error_parser(mode),
            secrets=(connection.secret,),
            rules=RULES,
        )

    def _option(self, name: str, label: str) -> str:
        value = self.connection.options.get(name, "").strip()
        if not value:
            raise ConfigError(f"the Xebo account has no {label}")
        return value

    async def send_survey(self, send: SurveySend) -> SurveySendResult:
        """Send the survey to every contact through the account's collector."""
        collector = self._option("collector_id", "collector ID")
        token = self._option("collector_token", "collector token")
        where = path("v2", "api", "collectors", collector, "combined", "auto")
        body = await self.http.json("POST", where, json=send_body(send, token))
        return parse_send_result(body)
