"""360nrs emulator: GET, PUT and DELETE /scheduled.

A scheduled item is one recipient of an SMS, landing SMS or email sent with a future
`scheduleDate`; it is listed until the injected clock reaches its date (then it has been
sent). GUIDs are numeric strings. Choices the reference leaves open:
- GET takes `guid=100` (one GUID: the "single GUID" answer, with its content) or
  `guid[]=100&guid[]=101` (PHP's array syntax: the "multi GUID" answer); an unknown
  single GUID is 404, unknown GUIDs among several are simply not listed.
- A GUID that is not a number is 120 "Invalid GUID", and so is an empty GUID list in a
  PUT or DELETE: only a request without `guid` at all means "every scheduled message".
- A new date must be in the future (else 121): an earlier one would not be a schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import ApiError, JsonObject, as_int, invalid, ok, read_json, state_of
from .send_options import _parse_date
from .state import Nrs360State
from .state_sending import ScheduledItem

TYPES = ("SMS", "MAILING")


def _when(moment: datetime) -> str:
    """Dates as the reference prints them here: 'YYYY-MM-DD HH:MM:SS' (UTC)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _guid(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return str(int(value))
    raise ApiError(400, 120, "Invalid GUID")


def _guids(value: Any) -> list[str] | None:
    """GUIDs of a PUT/DELETE body: one, a list, or None (absent: every message)."""
    if value is None:
        return None
    if isinstance(value, list):
        if not value:
            raise ApiError(400, 120, "Invalid GUID")
        return [_guid(v) for v in value]
    return [_guid(value)]


def _type(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if value not in TYPES:
        raise invalid("The selected type is invalid.")
    return str(value)


def _selected(
    state: Nrs360State,
    guids: Iterable[str] | None,
    type: str | None,
    sending_id: int | None = None,
) -> list[ScheduledItem]:
    wanted = set(guids) if guids is not None else None
    return [
        item
        for item in state.sending.pending(state.now())
        if (wanted is None or item.guid in wanted)
        and (type is None or item.type == type)
        and (sending_id is None or item.sending_id == sending_id)
    ]


def _item_json(item: ScheduledItem) -> JsonObject:
    return {
        "guid": item.guid,
        "type": item.type,
        "sending_id": item.sending_id,
        "created_at": _when(item.created_at),
        "updated_at": _when(item.updated_at),
        "scheduled_at": _when(item.scheduled_at),
    }


async def list_scheduled(request: Request) -> Response:
    """GET /scheduled: every pending item, or those of some GUIDs, a type, a sending."""
    state = state_of(request)
    query = request.query_params
    type = _type(query.get("type"))
    sending = query.get("sendingId")
    sending_id = as_int(sending, "sendingId") if sending else None
    many = query.getlist("guid[]")
    # PHP keeps the last of repeated plain names, so `guid=1&guid=2` means GUID 2.
    single = query.getlist("guid")[-1:] if not many else []
    guids = [_guid(g) for g in many or single] or None
    items = _selected(state, guids, type, sending_id)
    if single:
        if not items:
            raise ApiError(404, 404, "Resource not found")
        (item,) = items
        result = {
            "guid": item.guid,
            "type": item.type,
            "content": item.content,
            "created_at": _when(item.created_at),
            "updated_at": _when(item.updated_at),
            "scheduled_at": _when(item.scheduled_at),
        }
        return ok({"result": result, "total": 1})
    return ok({"result": [_item_json(i) for i in items], "total": len(items)})


async def update_scheduled(request: Request) -> Response:
    """PUT /scheduled: a new date for some GUIDs, or (without guid) for every item."""
    state = state_of(request)
    body = await read_json(request)
    guids = _guids(body.get("guid"))
    type = _type(body.get("type"))
    when = _parse_date(body.get("scheduleDate"), 121, "Invalid scheduled date")
    now = state.now()
    if when is None or when <= now:
        raise ApiError(400, 121, "Invalid scheduled date")
    items = _selected(state, guids, type)
    for item in items:
        state.sending.reschedule(item, when, now)
        sms = state.sms.get(item.item_id)
        if sms is not None:
            sms.scheduled_at = when
    return ok({"result": True, "updated": len(items)})


async def delete_scheduled(request: Request) -> Response:
    """DELETE /scheduled: cancel some GUIDs, or (without guid) every item."""
    state = state_of(request)
    body = await read_json(request)
    guids = _guids(body.get("guid"))
    type = _type(body.get("type"))
    items = _selected(state, guids, type)
    for item in items:
        # Like the platform, a cancelled message's credit goes back to the balance.
        state.balance_cents += state.sending.cancel(item)
        # A cancelled SMS was never sent: it no longer exists for GET /sms either.
        state.sms.pop(item.item_id, None)
    return ok({"result": True, "deleted": len(items)})


ROUTES = [
    Route("/scheduled", list_scheduled, methods=["GET"]),
    Route("/scheduled", update_scheduled, methods=["PUT"]),
    Route("/scheduled", delete_scheduled, methods=["DELETE"]),
]
