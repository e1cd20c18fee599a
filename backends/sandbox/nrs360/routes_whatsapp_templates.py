"""WhatsApp template sends (POST /whatsapp): the account's approved templates and senders,
each message checked against its template, rendered and delivered into its conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    PHONE_RE,
    ApiError,
    JsonObject,
    read_json,
    state_of,
)
from .seed import BUSINESS_NUMBER
from .send_options import (
    _answer,
    _campaign_and_sending,
    _charge,
    campaign_fields,
    contact_fields,
    rejected,
)
from .state import Conversation, Nrs360State, WaContact, WaMessage
from .state_sending import (
    WHATSAPP_TEMPLATE_COST_CENTS,
    SentItem,
)

_COORDINATE_RE = re.compile(r"^-?\d{1,3}(\.\d+)?$")
_WA_DELIVERY = timedelta(seconds=2)


@dataclass(frozen=True)
class WaTemplate:
    """An approved WhatsApp template: how many positional variables each part takes."""

    id: int
    name: str
    text: str
    header: int = 0
    body: int = 0
    actions: int = 0
    buttons: int = 0
    location: bool = False


#: The account's approved templates (the platform's template ids are small integers).
WA_TEMPLATES = {
    t.id: t
    for t in (
        WaTemplate(
            123,
            "order_update",
            "{{h1}}: Hi {{1}}, your order {{2}} is on its way.",
            header=1,
            body=2,
            actions=1,
            buttons=2,
        ),
        WaTemplate(124, "store_location", "Find us here.", location=True),
        WaTemplate(125, "auth_code", "{{1}} is your verification code.", body=1),
        WaTemplate(126, "welcome", "Welcome! Reply to this message to talk to us."),
    )
}
#: WhatsApp numbers registered on the account.
WA_SENDERS = frozenset({BUSINESS_NUMBER})
# --- WhatsApp templates -------------------------------------------------------------------


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _message_error(template: WaTemplate, index: int, message: Any) -> str | None:
    """Why one entry of `messages` cannot be sent with this template (None if it can)."""
    prefix = f"The messages.{index}"
    if not isinstance(message, dict):
        return f"{prefix} must be an object."
    for key, needed in (
        ("headerFields", template.header),
        ("bodyFields", template.body),
        ("callToActionFields", template.actions),
    ):
        value = message.get(key, [])
        if not _string_list(value):
            return f"{prefix}.{key} must be an array of strings."
        if len(value) != needed:
            return f"{prefix}.{key} field must contain {needed} items."
    answers = message.get("buttonAnswers", [])
    if not _string_list(answers) or len(answers) > template.buttons:
        return f"{prefix}.buttonAnswers field must contain at most {template.buttons} items."
    # The table types defaultAnswer as an array, its example as a string: take either.
    default = message.get("defaultAnswer")
    if default is not None and not (isinstance(default, str) or _string_list(default)):
        return f"{prefix}.defaultAnswer must be a string."
    location = message.get("location")
    if template.location:
        if not isinstance(location, dict):
            return f"{prefix}.location field is required."
        for key in ("lat", "long"):
            if not _COORDINATE_RE.match(str(location.get(key, ""))):
                return f"{prefix}.location.{key} field must be a valid coordinate."
    return None


def _render(template: WaTemplate, message: JsonObject) -> str:
    text = template.text
    for number, value in enumerate(message.get("bodyFields", []), start=1):
        text = text.replace(f"{{{{{number}}}}}", value)
    for number, value in enumerate(message.get("headerFields", []), start=1):
        text = text.replace(f"{{{{h{number}}}}}", value)
    return text


def _deliver_template(state: Nrs360State, sender: str, to: str, text: str, id: str) -> None:
    """Append the template to the conversation (opening one), as the inbox would show it."""
    now = state.now()
    key = (sender, to.lstrip("+"))
    conversation = state.conversations.get(key)
    if conversation is None:
        contact = state.contact_by_phone(to)
        conversation = Conversation(
            business=sender,
            customer=key[1],
            contact=WaContact(
                msisdn=key[1],
                first_name=contact.name if contact else None,
                last_name=contact.surname if contact else None,
                email=contact.email if contact else None,
                interest=None,
                comment=None,
                country=contact.country_iso if contact else None,
            ),
            created_at=now,
        )
        state.conversations[key] = conversation
    conversation.messages.append(
        WaMessage(id, "template", sender, text, False, now, delivered_at=now + _WA_DELIVERY)
    )


async def send_whatsapp(request: Request) -> Response:
    """POST /whatsapp: an approved template to each entry of `messages`."""
    state = state_of(request)
    body = await read_json(request)
    template_id = body.get("templateId")
    if isinstance(template_id, str) and template_id.isdigit():
        template_id = int(template_id)
    template = WA_TEMPLATES.get(template_id) if isinstance(template_id, int) else None
    if template is None:
        raise ApiError(400, 140, "Invalid template")
    sender = body.get("from")
    if not isinstance(sender, str) or not sender.strip():
        raise ApiError(400, 106, "Sender missing")
    if sender.lstrip("+") not in WA_SENDERS:
        # "The sender must be registered on the platform": 115 is the table's nearest.
        raise ApiError(400, 115, "Sender is not verified")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, 102, "No valid recipients")
    campaign_name, tags = campaign_fields(body)

    errors: list[JsonObject | None] = []
    for index, message in enumerate(messages):
        to = message.get("to") if isinstance(message, dict) else None
        if not isinstance(to, str) or not PHONE_RE.match(to):
            text = f"The messages.{index}.to field does not contain a valid phone number"
            errors.append({"code": 102, "description": text})
            continue
        reason = _message_error(template, index, message)
        errors.append({"code": 422, "description": reason} if reason else None)
    accepted = sum(1 for e in errors if e is None)
    if not accepted:
        first = next(e for e in errors if e is not None)
        raise ApiError(400, first["code"], first["description"])
    cost = accepted * WHATSAPP_TEMPLATE_COST_CENTS
    _charge(state, cost)

    campaign_id, sending_id = _campaign_and_sending(state, campaign_name)
    results: list[JsonObject] = []
    items: list[SentItem] = []
    for message, error in zip(messages, errors, strict=True):
        to = message.get("to") if isinstance(message, dict) else None
        if error is not None:
            results.append(rejected(to, error))
            continue
        assert isinstance(to, str)
        fields = {str(i): v for i, v in enumerate(message.get("bodyFields", []), start=1)}
        item = SentItem(state.new_uuid(), to, fields or contact_fields(state.contact_by_phone(to)))
        items.append(item)
        _deliver_template(state, sender.lstrip("+"), to, _render(template, message), item.id)
        results.append({"accepted": True, "to": to, "id": item.id})
    state.sending.record(
        campaign_id=campaign_id,
        campaign_name=campaign_name,
        channel="whatsapp",
        tags=tags,
        sending_id=sending_id,
        now=state.now(),
        items=items,
        scheduled_at=None,
        content=dict(body),
        cost_cents=cost,
    )
    return _answer(campaign_id, sending_id, results, len(items))


ROUTES = [Route("/whatsapp", send_whatsapp, methods=["POST"])]
