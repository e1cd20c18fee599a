"""Blacklists: GET/PUT/DELETE /v2/blacklist/{sms|mailing|voice}."""

from __future__ import annotations

import random

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    EMAIL_RE,
    PHONE_RE,
    JsonObject,
    as_int,
    invalid,
    iso,
    not_found,
    ok,
    page_params,
    paginate,
    read_json,
    required_str,
    state_of,
)
from .state_lists import BlacklistEntry, ListsState, normalise_recipient

KINDS = ("sms", "mailing", "voice")
# Used only when the app factory did not seed the lists itself (see `lists_of`).
FALLBACK_SEED = 360


def lists_of(request: Request) -> ListsState:
    """The lists state, seeded on first use and with validations brought up to now."""
    state = state_of(request)
    lists = state.lists
    if not lists.seeded:
        lists.seed(random.Random(FALLBACK_SEED), state.now)
    lists.advance()
    return lists


def _kind(request: Request) -> str:
    kind: str = request.path_params["type"]
    if kind not in KINDS:
        # A route constraint would answer 404; the API validates the type instead.
        raise invalid("The selected type is invalid.")
    return kind


def _entry_json(entry: BlacklistEntry, *, with_sending: bool = True) -> JsonObject:
    data: JsonObject = {"type": entry.type, "recipient": entry.recipient}
    data["isDefinitive"] = entry.is_definitive
    if with_sending:
        data["sendingId"] = entry.sending_id
    data["campaignName"] = entry.campaign_name
    data["createdAt"] = iso(entry.created_at)
    return data


def _recipient(kind: str, body: JsonObject) -> str:
    recipient = required_str(body, "recipient").strip()
    pattern = EMAIL_RE if kind == "mailing" else PHONE_RE
    if not pattern.match(recipient):
        raise invalid("The recipient format is invalid.")
    return normalise_recipient(kind, recipient)


async def list_blacklist(request: Request) -> Response:
    """GET /v2/blacklist/{type}: newest first, filtered by recipient and sendingId."""
    kind = _kind(request)
    lists = lists_of(request)
    limit, page = page_params(request)
    entries = list(lists.blacklist[kind].values())
    query = request.query_params
    if query.get("recipient"):
        wanted = normalise_recipient(kind, query["recipient"])
        entries = [e for e in entries if e.recipient == wanted]
    if query.get("sendingId"):
        sending = as_int(query["sendingId"], "sendingId")
        entries = [e for e in entries if e.sending_id == sending]
    entries.sort(key=lambda e: (e.created_at, e.recipient), reverse=True)
    chunk, meta = paginate(request, entries, limit, page)
    return ok({"data": [_entry_json(e) for e in chunk], "meta": meta})


async def add_to_blacklist(request: Request) -> Response:
    """PUT /v2/blacklist/{type}: idempotent; the answer leaves out sendingId, as documented."""
    kind = _kind(request)
    lists = lists_of(request)
    recipient = _recipient(kind, await read_json(request))
    entry = lists.blacklist_add(kind, recipient, state_of(request).now())
    return ok({"data": _entry_json(entry, with_sending=False)})


async def remove_from_blacklist(request: Request) -> Response:
    """DELETE /v2/blacklist/{type}: 204, or 404 when the recipient is not listed."""
    kind = _kind(request)
    lists = lists_of(request)
    recipient = _recipient(kind, await read_json(request))
    entry = lists.blacklist[kind].get(recipient)
    if entry is None:
        raise not_found()
    if entry.is_definitive:
        # isDefinitive marks hard bounces and complaints; the platform keeps those for good.
        raise invalid("The recipient is definitively blacklisted and cannot be removed.")
    del lists.blacklist[kind][recipient]
    return Response(status_code=204)


ROUTES = [
    Route("/v2/blacklist/{type}", list_blacklist, methods=["GET"]),
    Route("/v2/blacklist/{type}", add_to_blacklist, methods=["PUT"]),
    Route("/v2/blacklist/{type}", remove_from_blacklist, methods=["DELETE"]),
]
