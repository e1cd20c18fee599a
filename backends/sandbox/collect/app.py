"""Collect emulator: POST /v1/request of `collect-request.txt` on a Starlette app.

Behaviour chosen where the reference is silent (the client expects the same):
- Error bodies are `{"error": "<status name>", "message": "<detail>"}`.
- 400: a request breaking `backends/collect/rules.py` (unknown or malformed fields, a new
  contact without a valid `email`), naming the problem.
- 403: a campaign hidden for administrators when the API user is not one, or a
  `createdBy` user without access to the campaign.
- 404: unknown campaign, contact id, item, sample item, `createdBy` or `assignedTo`.
- 429: more than `rate_limit` requests per `rate_window` from one user, with Retry-After.
- 503 while `maintenance` is set; 500 for queued faults and unexpected failures.
- A new contact whose email is already known reuses that contact (Collect keys contacts
  by email). `errors` lists non-fatal problems: a campaign without a message sequence
  creates the request but cannot send its messages.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from backends.collect.rules import RULES
from backends.rules import Violation

from ..core import (
    BasicAuthMiddleware,
    OrjsonResponse,
    RecordingMiddleware,
    RequestLog,
    RulesMiddleware,
)
from .state import (
    API_PREFIX,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    EMAIL_RE,
    STATUS_NAMES,
    STATUS_TEXT,
    WORKSPACE_ID,
    Clock,
    CollectState,
    Contact,
    DocRequest,
    collect_time,
    seed,
    utc_now,
)


class CollectError(Exception):
    """An error answered with a status and a detail message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def error_response(
    status: int, message: str | None = None, headers: dict[str, str] | None = None
) -> OrjsonResponse:
    """The error body the sandbox uses for every status."""
    name = STATUS_NAMES.get(status, "Error")
    body = {"error": name, "message": message or STATUS_TEXT.get(status, name)}
    return OrjsonResponse(body, status, headers=headers)


def state_of(request: Request) -> CollectState:
    """The emulator state of the app serving this request."""
    return cast(CollectState, request.app.state.collect)


# --- validation -----------------------------------------------------------------------------


def _bad(message: str) -> CollectError:
    return CollectError(400, message)


def _opt_str(body: dict[str, Any], key: str, where: str = "") -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise _bad(f"{where}{key} must be a string")
    return value


def _opt_obj(body: dict[str, Any], key: str, where: str = "") -> dict[str, Any]:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad(f"{where}{key} must be an object")
    return value


def _contact(value: Any) -> str | dict[str, Any]:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if not isinstance(value, dict):
        raise _bad("contact is required: an existing contact id or a contact object")
    email = _opt_str(value, "email", "contact.")
    if not email or not EMAIL_RE.match(email.strip()):
        raise _bad("contact.email is required and must be a valid email address")
    for key in ("firstName", "lastName", "company"):
        _opt_str(value, key, "contact.")
    _opt_obj(value, "data", "contact.")
    return value


def _due_date(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad("dueDate must be an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _bad("dueDate must be an ISO 8601 string") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _items(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(i, str) for i in value):
        raise _bad("items must be a non-empty array of item ids")
    return list(dict.fromkeys(value))


def _sample(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _bad("sample must be an object with itemId and url")
    item, url = value.get("itemId"), value.get("url")
    if not isinstance(item, str) or not item:
        raise _bad("sample.itemId is required")
    if not isinstance(url, str) or not re.match(r"^https?://\S+$", url):
        raise _bad("sample.url must be an http(s) URL")
    return {"itemId": item, "url": url}


# --- the endpoint ----------------------------------------------------------------------------


def _request_json(request: Request, state: CollectState, req: DocRequest) -> dict[str, Any]:
    contact = state.contacts[req.contact_id]
    out_contact: dict[str, Any] = {
        "_id": contact.id,
        "email": contact.email,
        "firstName": contact.first_name,
        "lastName": contact.last_name,
        "nbRequest": contact.nb_requests,
        "createdAt": collect_time(contact.created_at),
    }
    if contact.last_activity is not None:
        out_contact["lastActivity"] = collect_time(contact.last_activity)
    return {
        "_id": req.id,
        "campaignId": req.campaign_id,
        "createdAt": collect_time(req.created_at),
        # The sandbox serves the portal page itself, so the link works offline.
        "portalUrl": f"{request.base_url}portal/{WORKSPACE_ID}/{req.id}",
        "status": req.status,
        "dueDate": collect_time(req.due_date),
        "privacy": "private",
        "contact": out_contact,
        "branding": {"useBranding": False},
    }


def _resolve_contact(state: CollectState, spec: str | dict[str, Any]) -> Contact:
    if isinstance(spec, str):
        found = state.contacts.get(spec)
        if found is None:
            raise CollectError(404, f"Contact {spec} not found")
        return found
    email = str(spec["email"]).strip()
    contact = next((c for c in state.contacts.values() if c.email.lower() == email.lower()), None)
    if contact is None:
        contact = Contact(state.new_id(), email, state.now)
        state.contacts[contact.id] = contact
    for key, attr in (
        ("firstName", "first_name"),
        ("lastName", "last_name"),
        ("company", "company"),
    ):
        if spec.get(key) is not None:
            setattr(contact, attr, spec[key])
    contact.data.update(spec.get("data") or {})
    return contact


async def create_request(request: Request) -> Response:
    """POST /v1/request: a new request for a campaign to a new or existing contact."""
    state = state_of(request)
    wait = state.retry_after(request.state.username)
    if wait is not None:
        raise CollectError(429, STATUS_TEXT[429], {"Retry-After": str(wait)})
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise _bad("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise _bad("the body must be a JSON object")
    campaign_id = _opt_str(body, "campaignId")
    if not campaign_id:
        raise _bad("campaignId is required")
    contact_spec = _contact(body.get("contact"))
    items = _items(body.get("items"))
    data = _opt_obj(body, "data")
    sample = _sample(body.get("sample"))
    due = _due_date(body.get("dueDate"))
    created_by = _opt_str(body, "createdBy")
    assigned_to = _opt_str(body, "assignedTo")
    send_message = body.get("sendMessage", True)
    if not isinstance(send_message, bool):
        raise _bad("sendMessage must be a boolean")

    campaign = state.campaigns.get(campaign_id)
    if campaign is None:
        raise CollectError(404, f"Campaign {campaign_id} not found")
    if campaign.admin_only and request.state.username not in state.admins:
        raise CollectError(403, f"Campaign {campaign_id} is hidden for administrators only")
    for item in [*(items or []), *([sample["itemId"]] if sample else [])]:
        if item not in campaign.items:
            raise CollectError(404, f"Item {item} not found in campaign {campaign_id}")
    if created_by is not None:
        creator = state.members.get(created_by)
        if creator is None:
            raise CollectError(404, f"User {created_by} not found")
        if creator.campaigns is not None and campaign_id not in creator.campaigns:
            raise CollectError(403, f"User {created_by} has no access to campaign {campaign_id}")
    assignee = state.member(assigned_to) if assigned_to is not None else None
    if assigned_to is not None and assignee is None:
        raise CollectError(404, f"Team member {assigned_to} not found")
    contact = _resolve_contact(state, contact_spec)

    now = state.now
    req = DocRequest(
        id=state.new_id(),
        campaign_id=campaign_id,
        contact_id=contact.id,
        items=items or list(campaign.items),
        created_at=now,
        due_date=due or now + timedelta(days=campaign.due_days),
        data=data,
        sample=sample,
        created_by=created_by,
        assigned_to=assignee.id if assignee else None,
        messages_sent=send_message and campaign.has_messages,
    )
    state.requests[req.id] = req
    contact.nb_requests += 1
    contact.last_activity = now
    errors = []
    if send_message and not campaign.has_messages:
        errors.append(f"Campaign {campaign_id} has no message sequence: no message was sent")
    return OrjsonResponse({"request": _request_json(request, state, req), "errors": errors})


async def portal(request: Request) -> Response:
    """GET /portal/{workspace}/{id}: the page the contact's link opens (no auth)."""
    req = state_of(request).requests.get(request.path_params["request_id"])
    if req is None:
        return HTMLResponse("<h1>Request not found</h1>", 404)
    campaign = state_of(request).campaigns[req.campaign_id]
    items = "".join(f"<li>{html.escape(campaign.items[i])}</li>" for i in req.items)
    return HTMLResponse(
        f"<h1>{html.escape(campaign.name)}</h1><p>Status: {html.escape(req.status)}</p>"
        f"<ul>{items}</ul><p>(Switchboard sandbox: nothing can be uploaded here.)</p>"
    )


class GateMiddleware:
    """Maintenance (503) and queued faults, answered before authentication."""

    def __init__(self, app: Any, state: CollectState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX + "/"):
            if self.state.maintenance:
                await error_response(503)(scope, receive, send)
                return
            if self.state.faults:
                status = self.state.faults.pop(0)
                headers = {"Retry-After": "1"} if status == 429 else None
                await error_response(status, headers=headers)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ApiAuthMiddleware(BasicAuthMiddleware):
    """Basic auth for the API only; the portal page is public, as a contact's link is."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(API_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class ApiRulesMiddleware(RulesMiddleware):
    """The request rules for the API only; the portal page is not part of it."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(API_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _refusal(violation: Violation) -> Response:
    """The sandbox's error body for a request breaking `collect_rules`."""
    return error_response(violation.status, violation.message)


async def _collect_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CollectError)
    return error_response(exc.status, exc.message, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail))


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500)


def create_app(
    *,
    users: dict[str, str] | None = None,
    admins: set[str] | None = None,
    clock: Clock | None = None,
) -> Starlette:
    """A seeded Collect emulator; state on `app.state.collect`, log on `app.state.log`."""
    state = CollectState(clock=clock or utc_now, admins=set(admins or ()))
    seed(state)
    log = RequestLog()
    accounts = users if users is not None else {DEMO_USERNAME: DEMO_PASSWORD}
    app = Starlette(
        routes=[
            Route(f"{API_PREFIX}/request", create_request, methods=["POST"]),
            Route("/portal/{workspace}/{request_id}", portal, methods=["GET"]),
        ],
        middleware=[
            Middleware(RecordingMiddleware, log=log),
            Middleware(GateMiddleware, state=state),
            Middleware(
                ApiAuthMiddleware,
                users=accounts,
                on_failure=lambda: error_response(401),
            ),
            # "401 Unauthorized -- Your API key is wrong." comes first, then the rules.
            Middleware(ApiRulesMiddleware, rules=RULES, root=API_PREFIX, error=_refusal),
        ],
        exception_handlers={
            CollectError: _collect_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
    )
    app.state.collect = state
    app.state.log = log
    return app
