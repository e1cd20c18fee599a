"""360nrs: the REST API under `{{DASHBOARD_HOST}}/api/rest` with HTTP Basic auth."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

from backends.base import Connection
from backends.capabilities import (
    AccountApi,
    ContactsApi,
    ContactsListingApi,
    ConversationsApi,
    GroupsApi,
    OtpApi,
    SmsApi,
    SmsStatusApi,
)
from backends.errors import InvalidInput, MalformedResponse, NotFound
from backends.http import HttpClient, parse_datetime, path, segment
from backends.models.common import (
    AccountInfo,
    ChatMessage,
    Contact,
    ContactFilter,
    ContactInfo,
    ContactInput,
    Conversation,
    ConversationMessages,
    CustomField,
    Group,
    GroupRef,
    MessageEvent,
    Otp,
    OtpCheck,
    OtpConfig,
    Page,
    SendResult,
    SmsMessage,
    SmsRequest,
)
from backends.nrs360.common import (
    _int,
    _object,
    _opt,
    _rows,
    _str,
    optional_data,
    otp_config_json,
    parse_page,
    parse_send_result,
    schedule_format,
)
from backends.nrs360.lists import Nrs360Lists
from backends.nrs360.reports import Nrs360Reports
from backends.nrs360.rules import RULES
from backends.nrs360.send import Nrs360Send


def sms_body(req: SmsRequest) -> dict[str, Any]:
    """The JSON body of POST /sms for a request."""
    body: dict[str, Any] = {"to": list(req.to), "from": req.sender, "message": req.message}
    _opt(body, "encoding", req.encoding)
    _opt(body, "parts", req.parts)
    if req.trans is not None:
        body["trans"] = 1 if req.trans else 0
    if req.schedule_date is not None:
        body["scheduleDate"] = schedule_format(req.schedule_date)
    if req.expiration_date is not None:
        body["expirationDate"] = schedule_format(req.expiration_date)
    _opt(body, "campaignName", req.campaign_name)
    _opt(body, "tags", list(req.tags))
    _opt(body, "certified", req.certified)
    _opt(body, "sub", [dict(s) for s in req.sub])
    _opt(body, "splitParts", req.split_parts)
    _opt(body, "flash", req.flash)
    if req.available_times:
        body["availableTimes"] = [
            {**({"day": t.day} if t.day is not None else {}), "from": t.start, "to": t.end}
            for t in req.available_times
        ]
    if req.otp_config is not None:
        body["otpConfig"] = otp_config_json(req.otp_config)
    if isinstance(req.notification_url, tuple):
        body["notificationUrl"] = list(req.notification_url)
    else:
        _opt(body, "notificationUrl", req.notification_url)
    return body


def parse_otp(d: Mapping[str, Any]) -> Otp:
    """An OTP object."""
    return Otp(
        recipient=str(d.get("recipient", "")),
        code=str(d.get("code", "")),
        attempts=_int(d.get("attempts")) or 0,
        max_attempts=_int(d.get("maxAttempts")) or 0,
        max_seconds_validity=_int(d.get("maxSecondsValidity")) or 0,
        app_id=str(d.get("appId") or ""),
        created_at=parse_datetime(d.get("createdAt")),
        expires_at=parse_datetime(d.get("expiresAt")),
    )


def _field_value(value: Any) -> str:
    # A decimal may come as a JSON number; a missing value is no text, not "None".
    return "" if value is None else str(value)


def parse_contact(d: Mapping[str, Any]) -> Contact:
    """A contact with whatever subresources were included."""
    fields = d.get("customFields", {})
    groups = d.get("groups", {})
    field_rows = fields.get("data", []) if isinstance(fields, dict) else []
    group_rows = groups.get("data", []) if isinstance(groups, dict) else []
    return Contact(
        id=_int(d.get("id")) or 0,
        email=_str(d.get("email")),
        phone=_str(d.get("phone")),
        landline=_str(d.get("landline")),
        country=_str(d.get("countryIso")),
        name=_str(d.get("name")),
        surname=_str(d.get("surname")),
        external_id=_str(d.get("externalId")),
        custom_fields=tuple(
            CustomField(
                str(f.get("key")), _field_value(f.get("value")), str(f.get("type") or "string")
            )
            for f in field_rows
            if isinstance(f, dict)
        ),
        groups=tuple(
            GroupRef(_int(g.get("id")) or 0, str(g.get("name")))
            for g in group_rows
            if isinstance(g, dict)
        ),
        created_at=parse_datetime(d.get("createdAt")),
        updated_at=parse_datetime(d.get("updatedAt")),
    )


def contact_body(data: ContactInput) -> dict[str, Any]:
    """The JSON body to create or update a contact.

    An empty string in the input means "clear it": the field is sent as null, which the
    platform (Laravel, whose nullable fields store a null) takes as "no value"; leaving
    the field out would keep the old value. A custom field with an empty value is sent
    with a null value, which removes it: the reference offers no other way to delete one,
    and a field without a value is no field. The emulator does both.
    """
    if data.external_id is not None:
        # The reference's POST and PUT /contacts parameter tables have no externalId (it is
        # only a filter of GET /contacts): sent, it would be dropped or refused.
        raise InvalidInput("360nrs contacts have no external id to set (it is only a filter)")
    body: dict[str, Any] = {}
    for key, value in (
        ("email", data.email),
        ("phone", data.phone),
        ("landline", data.landline),
        ("countryIso", data.country),
        ("name", data.name),
        ("surname", data.surname),
    ):
        if value == "":
            body[key] = None
        else:
            _opt(body, key, value)
    _opt(body, "groupsIds", list(data.group_ids))
    _opt(body, "groupsNames", list(data.group_names))
    _opt(
        body,
        "customFields",
        [
            {"key": f.key, "type": f.type, "value": f.value}
            if f.value != ""
            else {"key": f.key, "value": None}
            for f in data.custom_fields
        ],
    )
    return body


def parse_group(d: Mapping[str, Any]) -> Group:
    """A group: id and name, all the reference gives (no member count)."""
    return Group(id=_int(d.get("id")) or 0, name=str(d.get("name", "")))


def parse_conversation(d: Mapping[str, Any]) -> Conversation:
    """A WhatsApp conversation."""
    contact = d.get("contact", {})
    cdata = contact.get("data") if isinstance(contact, dict) else None
    return Conversation(
        sender=str(d.get("from", "")),
        recipient=str(d.get("to", "")),
        total_messages=_int(d.get("totalMessages")) or 0,
        status=str(d.get("status", "")),
        session_active=d.get("isSessionActive") is True,
        session_expires_at=parse_datetime(d.get("sessionExpiresAt")),
        created_at=parse_datetime(d.get("createdAt")),
        updated_at=parse_datetime(d.get("updatedAt")),
        contact=ContactInfo(
            msisdn=str(cdata.get("msisdn") or ""),
            first_name=str(cdata.get("firstName") or ""),
            last_name=str(cdata.get("lastName") or ""),
            email=str(cdata.get("email") or ""),
            country=str(cdata.get("country") or ""),
        )
        if isinstance(cdata, dict)
        else None,
    )


def parse_chat_message(d: Mapping[str, Any]) -> ChatMessage:
    """One WhatsApp message."""
    reactions = d.get("reactions")
    return ChatMessage(
        id=str(d.get("id", "")),
        type=str(d.get("type", "")),
        msisdn=str(d.get("msisdn", "")),
        content=str(d.get("content") or ""),
        reactions=tuple(str(r) for r in reactions) if isinstance(reactions, list) else (),
        sent_at=parse_datetime(d.get("sentAt")),
        delivered_at=parse_datetime(d.get("deliveredAt")),
        read_at=parse_datetime(d.get("readAt")),
        failed_at=parse_datetime(d.get("failedAt")),
    )


class Nrs360Backend(
    Nrs360Send,
    Nrs360Lists,
    Nrs360Reports,
    AccountApi,
    SmsApi,
    SmsStatusApi,
    OtpApi,
    ContactsApi,
    GroupsApi,
    ContactsListingApi,
    ConversationsApi,
):
    """The 360nrs REST API."""

    provider: ClassVar[str] = "360nrs"
    # Its label, default URL and secret: backends.providers.
    # The reference: countryIso "required when phone or landline is specified", and a PUT
    # takes the same required fields as a POST (an address and the groups).
    contact_number_needs_country: ClassVar[bool] = True
    contact_update_replaces: ClassVar[bool] = True
    # No external_id: the reference lets a list filter by externalId but no write sets it.
    contact_fields: ClassVar[tuple[str, ...]] = (
        "name",
        "surname",
        "email",
        "phone",
        "landline",
        "country",
    )

    def _make_http(
        self, connection: Connection, transport: httpx.AsyncBaseTransport | None
    ) -> HttpClient:
        return HttpClient(
            provider=self.provider,
            base_url=connection.base_url,
            auth=httpx.BasicAuth(connection.username, connection.secret),
            headers={"Accept": "application/json"},
            transport=transport,
            secrets=(connection.secret,),
            username=connection.username,
            rules=RULES,
        )

    async def account(self) -> AccountInfo:
        # "It returns account information such as username, email, time zone, language,
        # balance, creation date, country and currency": the reference shows no body, so
        # neither the `data` wrapper every other object has nor any one field is required.
        body = await self.http.json("GET", "account")
        d = body.get("data", body) if isinstance(body, dict) else None
        if not isinstance(d, dict):
            raise MalformedResponse(
                "account data is not an object", status=200, provider=self.provider
            )
        balance = d.get("balance")
        return AccountInfo(
            username=str(d.get("username", "")),
            balance=float(balance) if isinstance(balance, int | float) else None,
            currency=str(d.get("currency") or ""),
            email=str(d.get("email") or ""),
            country=str(d.get("country") or ""),
            timezone=str(d.get("timezone") or ""),
            language=str(d.get("language") or ""),
            created_at=parse_datetime(d.get("creationDate")),
        )

    async def send_sms(self, request: SmsRequest) -> SendResult:
        return parse_send_result(await self.http.json("POST", "sms", json=sms_body(request)))

    async def sms_status(self, ids: list[str]) -> list[SmsMessage]:
        # "It is possible to specify multiple identifiers separated by commas": the commas
        # stay separators, each id is encoded on its own.
        rows = _rows(await self.http.json("GET", path("sms") + "/" + ",".join(map(segment, ids))))
        out = []
        for d in rows:
            raw_events = d.get("events")
            custom = d.get("customFields")
            events: list[Any] = raw_events if isinstance(raw_events, list) else []
            out.append(
                SmsMessage(
                    id=str(d.get("id", "")),
                    to=str(d.get("to", "")),
                    sender=str(d.get("from", "")),
                    message=str(d.get("message", "")),
                    campaign_id=_int(d.get("campaignId")),
                    sending_id=_int(d.get("sendingId")),
                    delivered=d.get("isDelivered") is True,
                    clicked=d.get("isClicked") is True,
                    events=tuple(
                        MessageEvent(str(e.get("type")), parse_datetime(e.get("date")))
                        for e in events
                        if isinstance(e, dict)
                    ),
                    custom_fields=dict(custom) if isinstance(custom, dict) else {},
                )
            )
        return out

    async def otp_generate(
        self,
        recipient: str,
        *,
        length: int | None = None,
        alpha: bool | None = None,
        max_attempts: int | None = None,
        validity: int | None = None,
        app_id: str | None = None,
        reject_if_pending: bool | None = None,
    ) -> Otp:
        body: dict[str, Any] = {"recipient": recipient}
        body.update(
            otp_config_json(
                OtpConfig(alpha, length, max_attempts, validity, app_id, reject_if_pending)
            )
        )
        return parse_otp(_object(await self.http.json("POST", "otp/generate", json=body)))

    async def otp_check(
        self,
        recipient: str,
        code: str,
        *,
        app_id: str | None = None,
        case_sensitive: bool | None = None,
    ) -> OtpCheck:
        body: dict[str, Any] = {"recipient": recipient, "code": code}
        _opt(body, "appId", app_id)
        _opt(body, "caseSensitive", case_sensitive)
        d = _object(await self.http.json("POST", "otp/check", json=body))
        otp = d.get("otp", {}).get("data") if isinstance(d.get("otp"), dict) else None
        return OtpCheck(
            valid=d.get("valid") is True,
            reason=str(d.get("reason", "")),
            otp=parse_otp(otp) if isinstance(otp, dict) else None,
        )

    async def contacts_page(
        self,
        page: int = 1,
        *,
        limit: int = 100,
        filters: ContactFilter | None = None,
        include_details: bool = False,
    ) -> Page[Contact]:
        f = filters or ContactFilter()
        params = {
            "page": page,
            "limit": limit,
            "include": "customFields,groups" if include_details else None,
            "email": f.email,
            # Numbers are stored and shown without a "+" (the reference's 34666666666);
            # a filter typed as +34... would match nothing. The emulator does the same.
            "phone": f.phone.lstrip("+") if f.phone else None,
            "landline": f.landline.lstrip("+") if f.landline else None,
            # ISO codes as the reference writes them (countryIso=ES); its filters match a
            # specific value, so "es" typed by a user is sent as "ES".
            "countryIso": f.country.upper() if f.country else None,
            "externalId": f.external_id,
        }
        body = await self.http.json("GET", "contacts", params=params)
        items = tuple(parse_contact(d) for d in _rows(body))
        return Page(items, *parse_page(body, items))

    async def contact(self, contact_id: int) -> Contact:
        params = {"include": "customFields,groups"}
        body = await self.http.json("GET", path("contacts", contact_id), params=params)
        return parse_contact(_object(body))

    async def _saved_contact(self, body: Any) -> Contact:
        # `include` is documented on the reads only, and the reference's POST and PUT
        # answers show neither groups nor custom fields: the saved contact is read again
        # with them, so a caller gets the whole contact, not one that seems to have none.
        written = parse_contact(_object(body))
        try:
            return await self.contact(written.id)
        except NotFound:
            # Saved all the same: a read that lags behind the write is no failure of it.
            return written

    async def create_contact(self, data: ContactInput) -> Contact:
        body = await self.http.json("POST", "contacts", json=contact_body(data))
        return await self._saved_contact(body)

    async def update_contact(self, contact_id: int, data: ContactInput) -> Contact:
        where = path("contacts", contact_id)
        body = await self.http.json("PUT", where, json=contact_body(data))
        return await self._saved_contact(body)

    async def delete_contact(self, contact_id: int) -> None:
        await self.http.request("DELETE", path("contacts", contact_id))

    async def groups_page(self, page: int = 1, *, limit: int = 100) -> Page[Group]:
        body = await self.http.json("GET", "groups", params={"page": page, "limit": limit})
        items = tuple(parse_group(d) for d in _rows(body))
        return Page(items, *parse_page(body, items))

    async def group(self, group_id: int) -> Group:
        return parse_group(_object(await self.http.json("GET", path("groups", group_id))))

    async def create_group(self, name: str) -> Group:
        return parse_group(_object(await self.http.json("POST", "groups", json={"name": name})))

    async def update_group(self, group_id: int, name: str) -> Group:
        body = await self.http.json("PUT", path("groups", group_id), json={"name": name})
        return parse_group(_object(body))

    async def delete_group(self, group_id: int) -> None:
        await self.http.request("DELETE", path("groups", group_id))

    async def conversations_page(
        self,
        page: int = 1,
        *,
        limit: int = 100,
        sender: str | None = None,
        recipient: str | None = None,
    ) -> Page[Conversation]:
        params = {"page": page, "limit": limit, "from": sender, "to": recipient}
        body = await self.http.json("GET", "whatsapp/conversations", params=params)
        items = tuple(parse_conversation(d) for d in _rows(body))
        return Page(items, *parse_page(body, items))

    async def conversation(self, sender: str, recipient: str) -> Conversation:
        where = path("whatsapp", "conversations", sender, recipient)
        return parse_conversation(_object(await self.http.json("GET", where)))

    async def conversation_messages(
        self, sender: str, recipient: str, *, page: int = 1, limit: int = 100
    ) -> ConversationMessages:
        where = path("whatsapp", "conversations", sender, recipient, "messages")
        body = await self.http.json("GET", where, params={"page": page, "limit": limit})
        messages = tuple(parse_chat_message(d) for d in _rows(body))
        raw_meta = body.get("meta") if isinstance(body, dict) else None
        meta = raw_meta if isinstance(raw_meta, dict) else {}
        cur, _, _, total_pages = parse_page(body, messages)
        return ConversationMessages(
            messages=messages,
            status=str(meta.get("status", "")),
            session_active=meta.get("isSessionActive") is True,
            session_expires_at=parse_datetime(meta.get("sessionExpiresAt")),
            page=cur,
            total_pages=total_pages,
        )

    async def reply(self, sender: str, recipient: str, content: str) -> ChatMessage | None:
        # The reference shows no answer to this POST (a 2xx is the success): a message is
        # returned only when the answer carries one as `data`, the shape of its GET.
        where = path("whatsapp", "conversations", sender, recipient, "messages")
        response = await self.http.request("POST", where, json={"content": content})
        d = optional_data(response.content)
        return parse_chat_message(d) if d is not None else None
