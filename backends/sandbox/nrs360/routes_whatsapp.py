"""WhatsApp conversations: list, show, read and reply within the 24-hour session."""

from __future__ import annotations

from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    ApiError,
    JsonObject,
    base_url,
    iso,
    not_found,
    ok,
    page_params,
    paginate,
    read_json,
    required_str,
    state_of,
)
from .state import Conversation, WaMessage

# A reply is acknowledged by WhatsApp a moment after it is sent and read a little later;
# the timestamps stay hidden until the (injected) clock reaches them.
_DELIVERY_DELAY = timedelta(seconds=2)
_READ_DELAY = timedelta(seconds=20)


def _known(moment: datetime | None, now: datetime) -> str | None:
    return iso(moment) if moment is not None and moment <= now else None


def _message_json(message: WaMessage, now: datetime) -> JsonObject:
    return {
        "id": message.id,
        "type": message.type,
        "msisdn": message.msisdn,
        "content": message.content,
        "reactions": list(message.reactions),
        "sentAt": iso(message.sent_at),
        "deliveredAt": _known(message.delivered_at, now),
        "readAt": _known(message.read_at, now),
        "failedAt": _known(message.failed_at, now),
    }


def _conversation_json(conversation: Conversation, now: datetime, base: str) -> JsonObject:
    contact = conversation.contact
    path = f"{conversation.business}/{conversation.customer}"
    return {
        "from": conversation.business,
        "to": conversation.customer,
        "totalMessages": len(conversation.messages),
        "status": conversation.status,
        "isSessionActive": conversation.is_session_active(now),
        "sessionExpiresAt": iso(conversation.session_expires_at()),
        "createdAt": iso(conversation.created_at),
        "updatedAt": iso(conversation.updated_at()),
        "links": {"messages": f"{base}/api/rest/whatsapp/conversations/{path}/messages"},
        "contact": {
            "data": {
                "msisdn": contact.msisdn,
                "firstName": contact.first_name,
                "lastName": contact.last_name,
                "email": contact.email,
                "interest": contact.interest,
                "comment": contact.comment,
                "country": contact.country,
            }
        },
    }


def _get_conversation(request: Request) -> Conversation:
    key = (request.path_params["from"].lstrip("+"), request.path_params["to"].lstrip("+"))
    conversation = state_of(request).conversations.get(key)
    if conversation is None:
        raise not_found()
    return conversation


async def list_conversations(request: Request) -> Response:
    """GET /whatsapp/conversations: most recently active first; filters from and to."""
    state = state_of(request)
    limit, page = page_params(request)
    conversations = sorted(state.conversations.values(), key=Conversation.updated_at, reverse=True)
    sender, recipient = request.query_params.get("from"), request.query_params.get("to")
    if sender:
        conversations = [c for c in conversations if c.business == sender.lstrip("+")]
    if recipient:
        conversations = [c for c in conversations if c.customer == recipient.lstrip("+")]
    chunk, meta = paginate(request, conversations, limit, page)
    now, base = state.now(), base_url(request)
    return ok({"data": [_conversation_json(c, now, base) for c in chunk], "meta": meta})


async def show_conversation(request: Request) -> Response:
    """GET /whatsapp/conversations/{from}/{to}."""
    conversation = _get_conversation(request)
    now = state_of(request).now()
    return ok({"data": _conversation_json(conversation, now, base_url(request))})


async def list_messages(request: Request) -> Response:
    """GET .../messages: newest first, as the reference's example orders them."""
    conversation = _get_conversation(request)
    limit, page = page_params(request)
    now = state_of(request).now()
    newest_first = sorted(conversation.messages, key=lambda m: m.sent_at, reverse=True)
    chunk, meta = paginate(request, newest_first, limit, page)
    meta = {
        "status": conversation.status,
        "isSessionActive": conversation.is_session_active(now),
        "sessionExpiresAt": iso(conversation.session_expires_at()),
        **meta,
    }
    return ok({"data": [_message_json(m, now) for m in chunk], "meta": meta})


async def send_message(request: Request) -> Response:
    """POST .../messages: a free-form reply, only while the customer's session is open."""
    conversation = _get_conversation(request)
    state = state_of(request)
    content = required_str(await read_json(request), "content")
    now = state.now()
    if not conversation.is_session_active(now):
        # The reference says only a template may be sent but gives no error; 400 with the
        # HTTP status as code follows the shape of its other non-validation errors.
        raise ApiError(
            400, 400, "The conversation session is not active. Only a template can be sent."
        )
    message = WaMessage(
        id=state.new_uuid(),
        type="text",
        msisdn=conversation.business,
        content=content,
        inbound=False,
        sent_at=now,
        delivered_at=now + _DELIVERY_DELAY,
        read_at=now + _READ_DELAY,
    )
    conversation.messages.append(message)
    # The reference shows no answer to this POST (every other create shows its object),
    # so none is given: a client that expects the message back fails here, not only on
    # the real platform. 201 because a message was created.
    return Response(status_code=201)


_CONVERSATION = "/whatsapp/conversations/{from}/{to}"
ROUTES = [
    Route("/whatsapp/conversations", list_conversations, methods=["GET"]),
    Route(_CONVERSATION, show_conversation, methods=["GET"]),
    Route(f"{_CONVERSATION}/messages", list_messages, methods=["GET"]),
    Route(f"{_CONVERSATION}/messages", send_message, methods=["POST"]),
]
