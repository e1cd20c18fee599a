"""SMS endpoints: send (POST /sms) and look up sent messages (GET /sms/{ids}).

The option validators are in send_options, shared with the other send endpoints
(routes_send); accepting and recording SMS recipients (also the landing SMS's) is here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    PHONE_RE,
    ApiError,
    JsonObject,
    base_url,
    iso,
    not_found,
    ok,
    optional_bool,
    read_json,
    state_of,
)
from .dlr import events_at
from .events import schedule_events
from .send_options import (
    BLACKLISTED,
    ENCODINGS,
    _max_parts,
    _parse_date,
    _sender_too_long,
    available_times,
    campaign_fields,
    contact_fields,
    issue_otp,
    notification_urls,
    otp_config,
    parts_needed,
    recipients,
    rejected,
    split_placeholders,
    substitutions,
)
from .state import SMS_PART_COST_CENTS, Nrs360State, SmsMessage
from .state_sending import CERTIFIED_COST_CENTS, SentItem


async def send_sms(request: Request) -> Response:
    """POST /sms: validate, charge and store one message per valid recipient."""
    state = state_of(request)
    body = await read_json(request)
    # Checked in the order of the documented parameters, so the first failure is reported.
    message = body.get("message")
    if not isinstance(message, str) or not message:
        raise ApiError(400, 104, "Text message missing")
    sender = body.get("from")
    if not isinstance(sender, str) or not sender.strip():
        raise ApiError(400, 106, "Sender missing")
    if _sender_too_long(sender):
        raise ApiError(400, 107, "Sender too long")
    encoding = body.get("encoding") or "gsm"
    if encoding not in ENCODINGS:
        raise ApiError(400, 113, "Invalid coding")
    max_parts = _max_parts(body)
    # 121/119 are the reference's codes for these two dates; 108 ("No valid Datetime for
    # send") is not documented for any parameter of this endpoint.
    scheduled_at = _parse_date(body.get("scheduleDate"), 121, "Invalid scheduled date")
    expires_at = _parse_date(body.get("expirationDate"), 119, "Invalid expiration date")
    if expires_at is not None and expires_at <= (scheduled_at or state.now()):
        # A message that expires before it may be sent could never be delivered.
        raise ApiError(400, 119, "Invalid expiration date")
    targets = recipients(body)
    notification_urls(body, len(targets), per_recipient=True)
    optional_bool(body, "trans", False)
    campaign_name, tags = campaign_fields(body)
    certified = optional_bool(body, "certified", False)
    subs = substitutions(body, len(targets))
    split = optional_bool(body, "splitParts", False)
    optional_bool(body, "flash", False)
    available_times(body)
    otp = otp_config(body, "message")
    # `parts`: "If the number of parts is less than that required for sending the text,
    # the message will fail with error 105": the text each recipient gets, variables in.
    needs = parts_needed(
        message, encoding, targets, fields_getter(state, subs), otp["length"] if otp else 4
    )
    parts = max(needs, default=1)
    if parts > max_parts:
        raise ApiError(400, 105, "Text message too long")
    if split and parts > 1:
        split_placeholders(message, encoding)

    valid = [t for t in targets if isinstance(t, str) and PHONE_RE.match(t)]
    if not valid:
        raise ApiError(400, 102, "No valid recipients")
    blocked = {t for t in valid if state.lists.is_blacklisted("sms", t)}
    sendable = [t for t in valid if t not in blocked]
    if not sendable:
        # Nothing left to send is the documented whole-request 400, not an empty 207.
        raise ApiError(400, 102, "No valid recipients")
    # The whole request is refused when it cannot be paid for: half a campaign is worse.
    cost = charge_for(targets, needs, set(sendable), certified)
    if cost > state.balance_cents:
        raise ApiError(402, 111, "Not enough credits")
    state.balance_cents -= cost

    campaign_id = state.campaign_id(campaign_name)
    sending_id = state.new_sending_id()
    now = state.now()
    results, items = accept_sms(
        state,
        targets,
        valid=set(valid),
        blocked=blocked,
        message=SmsMessage(
            id="",
            sender=sender,
            to="",
            message=message,
            encoding=encoding,
            parts=parts,
            campaign_id=campaign_id,
            sending_id=sending_id,
            accepted_at=now,
            scheduled_at=scheduled_at,
            expires_at=expires_at,
        ),
        subs=subs,
        otp=otp,
        needs=needs,
    )
    if items:
        record_sms(state, body, "sms", items, campaign_id, campaign_name, tags, cost)
        notify(request, body, items)
        schedule_events(request, items, "sms", campaign_name)
    status = 202 if len(items) == len(targets) else 207
    return ok({"campaignId": campaign_id, "sendingId": sending_id, "result": results}, status)


def notify(request: Request, body: JsonObject, items: list[SentItem]) -> None:
    """Have each accepted message's notificationUrl called when its fate comes: one URL
    for all, or the one in the recipient's position ("as many elements as the send
    recipients")."""
    urls = body.get("notificationUrl")
    if not urls:
        return
    notifier = request.app.state.notifier
    state = state_of(request)
    by_target = (
        dict(zip(body.get("to") or [], urls, strict=False)) if isinstance(urls, list) else {}
    )
    for item in items:
        url = by_target.get(item.to) if by_target else urls
        if isinstance(url, str):
            sms = state.sms[item.id]
            notifier.schedule(sms, url, f"{sms.parts * SMS_PART_COST_CENTS / 100:.2f}")


def fields_getter(state: Nrs360State, subs: list[dict[str, str]] | None) -> Any:
    """(index, target) -> the variables the platform fills that recipient's text with."""

    def fields_of(index: int, target: Any) -> dict[str, str]:
        if subs:
            return subs[index]
        return contact_fields(state.contact_by_phone(target)) if isinstance(target, str) else {}

    return fields_of


def charge_for(targets: list[Any], needs: list[int], sendable: set[str], certified: bool) -> int:
    """What sending to the sendable targets costs: each part is charged as one message."""
    extra = CERTIFIED_COST_CENTS if certified else 0
    return sum(
        n * SMS_PART_COST_CENTS + extra
        for t, n in zip(targets, needs, strict=True)
        if isinstance(t, str) and t in sendable
    )


def accept_sms(
    state: Nrs360State,
    targets: list[Any],
    *,
    valid: set[str],
    blocked: set[str],
    message: SmsMessage,
    subs: list[dict[str, str]] | None,
    otp: JsonObject | None = None,
    needs: list[int] | None = None,
) -> tuple[list[JsonObject], list[SentItem]]:
    """Per-recipient results of an SMS or landing SMS send, storing each accepted message.

    `message` is the template every accepted recipient's stored message is copied from.
    """
    results: list[JsonObject] = []
    items: list[SentItem] = []
    for index, target in enumerate(targets):
        if not isinstance(target, str) or target not in valid:
            results.append(rejected(target))
            continue
        if target in blocked:
            results.append(rejected(target, BLACKLISTED))
            continue
        sms = replace(message, id=state.new_sms_id(), to=target)
        if needs is not None:
            # "The server will only use the minimum necessary parts for sending the text".
            sms = replace(sms, parts=needs[index])
        state.sms[sms.id] = sms
        fields = subs[index] if subs else contact_fields(state.contact_by_phone(target))
        items.append(SentItem(sms.id, target, fields))
        if otp is not None:
            issue_otp(state, target, otp)
        results.append(
            {
                "accepted": True,
                "to": target,
                "id": sms.id,
                "parts": sms.parts,
                "scheduledAt": iso(sms.scheduled_at),
                "expiresAt": iso(sms.expires_at),
            }
        )
    return results, items


def record_sms(
    state: Nrs360State,
    body: JsonObject,
    channel: str,
    items: list[SentItem],
    campaign_id: int,
    campaign_name: str | None,
    tags: list[str],
    cost_cents: int,
) -> None:
    """Record an accepted SMS or landing SMS send; a future one is listed as scheduled."""
    first = state.sms[items[0].id]
    now = state.now()
    sending = state.sending.record(
        campaign_id=campaign_id,
        campaign_name=campaign_name,
        channel=channel,
        tags=tags,
        sending_id=first.sending_id,
        now=now,
        items=items,
        scheduled_at=first.scheduled_at,
        content=dict(body),
        cost_cents=cost_cents,
    )
    if first.scheduled_at is not None and first.scheduled_at > now:
        contents = {
            item.id: {
                "to": item.to,
                "from": first.sender,
                "encoding": first.encoding,
                "message": first.message,
                "campaignId": campaign_id,
                "sendingId": first.sending_id,
            }
            for item in items
        }
        state.sending.schedule(sending, "SMS", now, contents)


def _sms_json(state: Nrs360State, sms: SmsMessage, base: str) -> JsonObject:
    # Scheduled messages have no events until their time comes (by the injected clock);
    # the others are sent at once and reach their seeded fate after its delay (dlr).
    known = events_at(state.seed, sms, state.now())
    events = [
        {"type": kind, "date": iso(when), "isMobile": False, "browser": "", "os": ""}
        for kind, when in known
    ]
    return {
        "id": sms.id,
        "from": sms.sender,
        "to": sms.to,
        "message": sms.message,
        "campaignId": sms.campaign_id,
        "sendingId": sms.sending_id,
        "isDelivered": any(kind == "delivered" for kind, _ in known),
        "isClicked": False,
        "events": events,
        "customFields": contact_fields(state.contact_by_phone(sms.to)),
        "links": {"self": f"{base}/api/rest/sms/{sms.id}"},
    }


async def show_sms(request: Request) -> Response:
    """GET /sms/{ids}: known ids among the comma-separated list; 404 when none is known."""
    state = state_of(request)
    ids = [i.strip() for i in request.path_params["ids"].split(",") if i.strip()]
    found = [state.sms[i] for i in ids if i in state.sms]
    if not found:
        raise not_found()
    base = base_url(request)
    return ok({"data": [_sms_json(state, sms, base) for sms in found]})


ROUTES = [
    Route("/sms", send_sms, methods=["POST"]),
    Route("/sms/{ids}", show_sms, methods=["GET"]),
]
