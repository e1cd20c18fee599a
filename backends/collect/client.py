"""Collect: send a document/information request for a campaign (POST /request, Basic auth).

The reference documents each error status with one sentence but no error body. The
sandbox answers `{"error": "<status name>", "message": "<detail>"}`; the client shows the
reference's sentence, rephrased as what to do, followed by any detail the body carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from backends.base import Backend, Connection
from backends.capabilities import DocumentRequestsApi
from backends.collect.rules import RULES
from backends.errors import MalformedResponse
from backends.http import HttpClient, parse_datetime
from backends.models.surveys import (
    DocumentRequest,
    NewRequestContact,
    RequestContact,
    SentRequest,
)

STATUS_MESSAGES: Mapping[int, str] = {
    400: "Collect refused the request as invalid",
    401: "Collect refused the username or password (API key): check the account's credentials",
    403: "the object requested is hidden for administrators only, or the user has no access",
    404: "the campaign, contact, item or team member could not be found",
    429: "too many requests to Collect: slow down and try again later",
    # A failed send may still have created the request: say so rather than "try again".
    500: (
        "Collect had a problem with its server; the request may or may not have been "
        "created: check the campaign before sending again"
    ),
    503: "Collect is temporarily offline for maintenance: try again later",
}


def error_parser(response: httpx.Response, body: Any) -> tuple[int | str | None, str]:
    """The documented meaning of the status, then the provider's detail if any."""
    status = response.status_code
    detail = ""
    if isinstance(body, dict):
        for key in ("message", "reason", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                detail = value
                break
    elif isinstance(body, str):
        detail = body
    base = STATUS_MESSAGES.get(status) or (
        "Collect had a problem with its server" if status >= 500 else ""
    )
    if not base:
        return None, detail or response.reason_phrase or f"HTTP {status}"
    return None, f"{base}: {detail}" if detail and detail != response.reason_phrase else base


def due_date_json(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z (naive times are taken as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _contact_json(contact: NewRequestContact) -> dict[str, Any]:
    out: dict[str, Any] = {"email": contact.email}
    for key, value in (
        ("firstName", contact.first_name),
        ("lastName", contact.last_name),
        ("company", contact.company),
    ):
        if value is not None:
            out[key] = value
    if contact.data:
        out["data"] = dict(contact.data)
    return out


def request_body(req: DocumentRequest) -> dict[str, Any]:
    """The JSON body of POST /request; unset optional fields are left out."""
    body: dict[str, Any] = {
        "campaignId": req.campaign_id,
        "contact": req.contact if isinstance(req.contact, str) else _contact_json(req.contact),
    }
    if req.items:
        body["items"] = list(req.items)
    if req.data:
        body["data"] = dict(req.data)
    if req.sample is not None:
        body["sample"] = {"itemId": req.sample.item_id, "url": req.sample.url}
    if req.due_date is not None:
        body["dueDate"] = due_date_json(req.due_date)
    if req.created_by is not None:
        body["createdBy"] = req.created_by
    if req.assigned_to is not None:
        body["assignedTo"] = req.assigned_to
    if req.send_message is not None:
        body["sendMessage"] = req.send_message
    return body


def parse_time(value: Any) -> datetime | None:
    """Collect's `2022-07-04 07:20:06 UTC` (or ISO 8601) timestamps."""
    if isinstance(value, str) and value.endswith(" UTC"):
        value = value.removesuffix(" UTC")
    return parse_datetime(value)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_contact(d: Any) -> RequestContact | None:
    """The request's contact object (None when absent)."""
    if not isinstance(d, dict):
        return None
    nb = d.get("nbRequest")
    return RequestContact(
        id=_str(d.get("_id")),
        email=_str(d.get("email")),
        first_name=_str(d.get("firstName")),
        last_name=_str(d.get("lastName")),
        nb_requests=nb if isinstance(nb, int) and not isinstance(nb, bool) else None,
        created_at=parse_time(d.get("createdAt")),
        last_activity=parse_time(d.get("lastActivity")),
    )


def _error_text(item: Any) -> str:
    # The shape of `errors` entries is undocumented: strings or objects with a message.
    if isinstance(item, dict):
        for key in ("message", "reason", "error"):
            if isinstance(item.get(key), str):
                return str(item[key])
    return str(item)


def parse_sent_request(body: Any) -> SentRequest:
    """The `{"request": {...}, "errors": [...]}` answer."""
    if not isinstance(body, dict) or not isinstance(body.get("request"), dict):
        raise MalformedResponse("the answer has no request object", status=200, provider="collect")
    d = body["request"]
    if not isinstance(d.get("_id"), str) or not d["_id"]:
        raise MalformedResponse("the request has no _id", status=200, provider="collect")
    errors = body.get("errors")
    return SentRequest(
        id=d["_id"],
        campaign_id=_str(d.get("campaignId")),
        portal_url=_str(d.get("portalUrl")),
        status=_str(d.get("status")),
        created_at=parse_time(d.get("createdAt")),
        due_date=parse_time(d.get("dueDate")),
        privacy=_str(d.get("privacy")),
        contact=parse_contact(d.get("contact")),
        errors=tuple(_error_text(e) for e in errors) if isinstance(errors, list) else (),
    )


class CollectBackend(Backend, DocumentRequestsApi):
    """The Collect API (usecollect.com)."""

    provider: ClassVar[str] = "collect"
    # Its label, default URL and secret: backends.providers.

    def _make_http(
        self, connection: Connection, transport: httpx.AsyncBaseTransport | None
    ) -> HttpClient:
        return HttpClient(
            provider=self.provider,
            base_url=connection.base_url,
            auth=httpx.BasicAuth(connection.username, connection.secret),
            headers={"Accept": "application/json"},
            transport=transport,
            error_parser=error_parser,
            secrets=(connection.secret,),
            username=connection.username,
            rules=RULES,
        )

    async def send_request(self, request: DocumentRequest) -> SentRequest:
        """Create the request; the answer carries the contact's portal URL."""
        body = await self.http.json("POST", "request", json=request_body(request))
        return parse_sent_request(body)
