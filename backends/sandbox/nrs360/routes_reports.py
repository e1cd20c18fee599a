"""360nrs emulator: campaigns list, events and keystroke reports, delivery certificates.

Everything is derived from `state.sending` (what was actually sent) and `reports_gen`
(what happened to it by the injected clock's "now").

Choices the reference leaves open, made the same way everywhere here:
- Date filters are ISO 8601 (a missing offset means UTC); `afterDate` is inclusive and
  `beforeDate` exclusive, so consecutive windows neither overlap nor lose an event. An
  unencoded `+` arrives as a space and the date is refused (422), as the reference warns.
- `name` matches the whole campaign name, case-insensitively, `*` standing for any text.
- CSV answers are comma-separated with a header row and `\\n` line ends (PHP's fputcsv);
  `showCustomFields=1` appends one column per custom field, named by its key, in the
  order the sending first used them.
- The keystroke report exists only for voice sendings; any other sending answers 404.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    JsonObject,
    attribute,
    base_url,
    invalid,
    iso,
    not_found,
    ok,
    optional_bool,
    state_of,
)
from .coverage import country_of_phone
from .reports_gen import (
    API_CHANNELS,
    VOICE_CHANNELS,
    Event,
    certificate_pdf,
    event_counts,
    key_events,
    sending_events,
    sent_at,
)
from .state import Contact, Nrs360State
from .state_sending import Campaign, Sending, SentItem

#: The channel filter's documented values.
CHANNEL_FILTERS = ("sms", "mailing", "landing", "text2speech", "voice-interactive")
_HEAD = (
    "campaignName",
    "campaignId",
    "sendingId",
    "contactId",
    "event",
    "phone",
    "email",
    "landline",
    "countryIso",
)
VOICE_COLUMNS = (*_HEAD, "callDurationSeconds", "createdAt")
OTHER_COLUMNS = (*_HEAD, "browser", "os", "url", "createdAt")
KEYS_COLUMNS = ("phonenumber", "key", "message")
_SMS_CHANNELS = frozenset({"sms", "landingsms"})


# --- filters ------------------------------------------------------------------------------


def query_date(request: Request, key: str) -> datetime | None:
    """An ISO 8601 query parameter as an aware UTC datetime; 422 when it is not one."""
    value = request.query_params.get(key)
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise invalid(f"The {attribute(key)} is not a valid date.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def in_window(moment: datetime, after: datetime | None, before: datetime | None) -> bool:
    """Whether `moment` is in [after, before)."""
    return (after is None or moment >= after) and (before is None or moment < before)


def name_matcher(pattern: str) -> re.Pattern[str]:
    """The campaign-name filter: `*` is any text, everything else literal."""
    parts = (re.escape(part) for part in pattern.split("*"))
    return re.compile(".*".join(parts), re.IGNORECASE | re.DOTALL)


def _sending_of(state: Nrs360State, request: Request) -> Sending:
    sending = state.sending.sendings.get(request.path_params["sending_id"])
    if sending is None:
        raise not_found()
    return sending


def _csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")


# --- campaigns ----------------------------------------------------------------------------


def _sms_parts(state: Nrs360State, sending: Sending) -> int:
    """SMS parts of a sending: from the stored messages, else one per recipient."""
    parts = sum(m.parts for m in state.sms.values() if m.sending_id == sending.id)
    return parts or len(sending.items)


def _expires_at(sending: Sending) -> datetime | None:
    value = sending.content.get("expirationDate")
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def sending_json(state: Nrs360State, campaign: Campaign, sending: Sending, base: str) -> JsonObject:
    """One sending as the campaigns list shows it."""
    now = state.now()
    events = sending_events(sending, now)
    times = [sent_at(sending, item) for item in sending.items] or [sent_at(sending)]
    processed = sum(1 for t in times if t <= now)
    started = min(times) if min(times) <= now else None
    return {
        "id": sending.id,
        "campaignName": campaign.name,
        # API sendings stay OPENED (they accept more messages) once they have started.
        "status": "OPENED" if started else "PENDING",
        "channel": API_CHANNELS.get(sending.channel, sending.channel),
        "total": len(sending.items),
        "processed": processed,
        "totalSmsParts": _sms_parts(state, sending) if sending.channel in _SMS_CHANNELS else None,
        "cost": round(sending.cost, 4),
        "currency": "EUR",
        "tags": list(campaign.tags),
        "scheduledAt": iso(sending.scheduled_at),
        "expiresAt": iso(_expires_at(sending)),
        "startedAt": iso(started),
        "finishedAt": None,
        "createdAt": iso(sending.created_at),
        "updatedAt": iso(max((e.at for e in events), default=sending.created_at)),
        "events": event_counts(events),
        "links": {
            "self": f"{base}/api/rest/sendings/{sending.id}",
            "eventsReport": f"{base}/api/rest/sendings/{sending.id}/reports/events",
        },
    }


def campaign_json(state: Nrs360State, campaign: Campaign, base: str) -> JsonObject:
    """One campaign with its sendings."""
    sendings = sorted(
        (s for s in state.sending.sendings.values() if s.campaign_id == campaign.id),
        key=lambda s: s.id,
    )
    data = [sending_json(state, campaign, s, base) for s in sendings]
    updated = max((s.created_at for s in sendings), default=campaign.created_at)
    return {
        "id": campaign.id,
        "name": campaign.name,
        # Campaigns made by API sends are the platform's "basic" kind.
        "type": "basic",
        "createdAt": iso(campaign.created_at),
        "updatedAt": iso(max(updated, campaign.created_at)),
        "links": {
            "self": f"{base}/api/rest/campaigns/{campaign.id}",
            "sendings": f"{base}/api/rest/campaigns/{campaign.id}/sendings",
        },
        "sendings": {"data": data},
    }


async def list_campaigns(request: Request) -> Response:
    """GET /campaigns: filtered by name (with `*`), channel and creation date."""
    state = state_of(request)
    query = request.query_params
    name = query.get("name")
    channel = query.get("channel")
    if channel is not None and channel not in CHANNEL_FILTERS:
        raise invalid("The selected channel is invalid.")
    after = query_date(request, "afterDate")
    before = query_date(request, "beforeDate")
    matcher = name_matcher(name) if name else None
    base = base_url(request)
    found = [
        campaign_json(state, c, base)
        for c in sorted(state.sending.campaigns.values(), key=lambda c: c.id)
        if (matcher is None or matcher.fullmatch(c.name))
        and (channel is None or API_CHANNELS.get(c.channel, c.channel) == channel)
        and in_window(c.created_at, after, before)
    ]
    return ok({"data": found})


# --- events and keys reports --------------------------------------------------------------


def _contact(state: Nrs360State, sending: Sending, item: SentItem) -> Contact | None:
    if sending.channel == "mailing":
        wanted = item.to.lower()
        return next((c for c in state.contacts.values() if (c.email or "").lower() == wanted), None)
    return state.contact_by_phone(item.to)


def _field_keys(sending: Sending) -> list[str]:
    keys: dict[str, None] = {}
    for item in sending.items:
        keys.update(dict.fromkeys(item.custom_fields))
    return list(keys)


def _event_row(
    state: Nrs360State, campaign: Campaign | None, sending: Sending, event: Event, voice: bool
) -> list[object]:
    item = event.item
    contact = _contact(state, sending, item)
    mailing = sending.channel == "mailing"
    phone = "" if mailing else item.to
    email = item.to if mailing else ""
    country = contact.country_iso if contact else None
    if contact is not None:
        phone = phone or (contact.phone or "")
        email = email or (contact.email or "")
    if not country and phone:
        found = country_of_phone(phone)
        country = found.iso if found else ""
    row: list[object] = [
        campaign.name if campaign else "",
        sending.campaign_id,
        sending.id,
        contact.id if contact else "",
        event.kind,
        phone,
        email,
        contact.landline or "" if contact else "",
        country or "",
    ]
    if voice:
        row.append("" if event.call_duration is None else event.call_duration)
    else:
        row += [event.browser, event.os, event.url]
    row.append(iso(event.at))
    return row


async def events_report(request: Request) -> Response:
    """GET /sendings/{id}/reports/events: the sending's events as CSV."""
    state = state_of(request)
    sending = _sending_of(state, request)
    after = query_date(request, "afterDate")
    before = query_date(request, "beforeDate")
    custom = optional_bool(request.query_params, "showCustomFields", False)
    voice = sending.channel in VOICE_CHANNELS
    campaign = state.sending.campaigns.get(sending.campaign_id)
    columns = [*(VOICE_COLUMNS if voice else OTHER_COLUMNS)]
    keys = _field_keys(sending) if custom else []
    rows = []
    for event in sending_events(sending, state.now()):
        if not in_window(event.at, after, before):
            continue
        row = _event_row(state, campaign, sending, event, voice)
        rows.append(row + [event.item.custom_fields.get(k, "") for k in keys])
    return _csv(columns + keys, rows)


async def keys_report(request: Request) -> Response:
    """GET /sendings/{id}/reports/keys: keys pressed in a voice sending's calls, as CSV."""
    state = state_of(request)
    sending = _sending_of(state, request)
    if sending.channel not in VOICE_CHANNELS:
        raise not_found()
    after = query_date(request, "afterDate")
    before = query_date(request, "beforeDate")
    rows = [
        [press.item.to, press.key, press.message]
        for press in key_events(sending, state.now())
        if in_window(press.at, after, before)
    ]
    return _csv(KEYS_COLUMNS, rows)


# --- certificates -------------------------------------------------------------------------


def _find_item(state: Nrs360State, channel: str, message_id: str) -> tuple[Sending, SentItem]:
    for sending in state.sending.sendings.values():
        if sending.channel != channel:
            continue
        for item in sending.items:
            if item.id == message_id:
                return sending, item
    raise not_found()


def _certificate_lines(
    state: Nrs360State, sending: Sending, item: SentItem, channel: str
) -> list[str]:
    content = sending.content
    campaign = state.sending.campaigns.get(sending.campaign_id)
    if channel == "sms":
        sender = str(content.get("from") or "")
        text = str(content.get("message") or "")
        label = "Message"
    else:
        name = content.get("fromName")
        address = str(content.get("fromEmail") or "")
        sender = f"{name} <{address}>" if isinstance(name, str) and name else address
        text = str(content.get("subject") or "")
        label = "Subject"
    story = {e.kind: e for e in sending_events(sending, state.now()) if e.item is item}
    if "delivered" in story:
        outcome = f"Delivered: {iso(story['delivered'].at)}"
    elif story.keys() - {"sent"}:
        kind = sorted(story.keys() - {"sent"})[0]
        outcome = f"Not delivered ({kind}): {iso(story[kind].at)}"
    else:
        outcome = "Delivery: pending"
    fingerprint = hashlib.sha256(f"{sender}\n{item.to}\n{text}".encode()).hexdigest()
    return [
        f"Message id: {item.id}",
        f"Campaign: {campaign.name if campaign else ''} ({sending.campaign_id})",
        f"Sending id: {sending.id}",
        f"Sender: {sender}",
        f"Recipient: {item.to}",
        f"{label}: {text}",
        f"Sent: {iso(sent_at(sending, item))}",
        outcome,
        f"Content fingerprint (SHA-256): {fingerprint}",
        "",
        "Issued by the 360nrs sandbox for testing: it certifies nothing.",
    ]


def _certificate(request: Request, channel: str, title: str) -> Response:
    state = state_of(request)
    message_id = request.path_params["message_id"]
    sending, item = _find_item(state, channel, message_id)
    # Only messages sent as certified have a certificate, and only once they have left.
    if sending.content.get("certified") is not True or sent_at(sending, item) > state.now():
        raise not_found()
    lines = _certificate_lines(state, sending, item, channel)
    body = certificate_pdf(title, lines, sent_at(sending, item))
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="certificate-{item.id}.pdf"'},
    )


async def sms_certificate(request: Request) -> Response:
    """GET /sms/certificates/{id}: the PDF certificate of a certified SMS."""
    return _certificate(request, "sms", "Certified SMS")


async def mail_certificate(request: Request) -> Response:
    """GET /mailing/certificates/{id}: the PDF certificate of a certified email."""
    return _certificate(request, "mailing", "Certified email")


ROUTES = [
    Route("/campaigns", list_campaigns, methods=["GET"]),
    Route("/sendings/{sending_id:int}/reports/events", events_report, methods=["GET"]),
    Route("/sendings/{sending_id:int}/reports/keys", keys_report, methods=["GET"]),
    Route("/sms/certificates/{message_id}", sms_certificate, methods=["GET"]),
    Route("/mailing/certificates/{message_id}", mail_certificate, methods=["GET"]),
]
