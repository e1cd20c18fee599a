"""360nrs: email, voice, landing SMS, WhatsApp templates and scheduled sends."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from backends.base import Backend
from backends.capabilities import (
    LandingApi,
    MailApi,
    ScheduledApi,
    VoiceApi,
    VoiceAudioApi,
    WhatsAppTemplatesApi,
)
from backends.errors import MalformedResponse
from backends.http import parse_datetime
from backends.models.common import SendResult
from backends.models.send import (
    LandingRequest,
    MailingRequest,
    ScheduledChange,
    ScheduledList,
    ScheduledMessage,
    ScheduledType,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppTemplateMessage,
    WhatsAppTemplateRequest,
)
from backends.nrs360.common import (
    _int,
    _opt,
    otp_config_json,
    parse_send_result,
    schedule_format,
)


def _date(body: dict[str, Any], key: str, when: datetime | None) -> None:
    if when is not None:
        body[key] = schedule_format(when)


def _campaign(body: dict[str, Any], name: str | None, tags: tuple[str, ...]) -> None:
    _opt(body, "campaignName", name)
    _opt(body, "tags", list(tags))


def mailing_body(req: MailingRequest) -> dict[str, Any]:
    """The JSON body of POST /mailing."""
    if req.body is None and req.template_id is None and req.template_v2_id is None:
        raise ValueError("an email needs a body, a template id or a template v2 id")
    body: dict[str, Any] = {
        "to": list(req.to),
        "fromEmail": req.sender_email,
        "subject": req.subject,
        "replyTo": req.reply_to,
    }
    _opt(body, "body", req.body)
    _opt(body, "templateId", req.template_id)
    _opt(body, "templateV2Id", req.template_v2_id)
    _opt(body, "fromName", req.sender_name)
    _opt(body, "cc", list(req.cc))
    _opt(body, "bcc", list(req.bcc))
    _date(body, "scheduleDate", req.schedule_date)
    _campaign(body, req.campaign_name, req.tags)
    _opt(body, "certified", req.certified)
    _opt(body, "sub", [dict(s) for s in req.sub])
    _opt(
        body,
        "attachments",
        [
            {"name": a.name, "content": a.encoded(), "contentType": a.content_type}
            for a in req.attachments
        ],
    )
    _opt(body, "trackOpens", req.track_opens)
    _opt(body, "trackClicks", req.track_clicks)
    if req.otp_config is not None:
        body["otpConfig"] = otp_config_json(req.otp_config)
    return body


def _call_options(body: dict[str, Any], req: VoiceRequest | VoiceAudioRequest) -> dict[str, Any]:
    _opt(body, "callers", dict(req.callers) or None)
    _date(body, "scheduleDate", req.schedule_date)
    _opt(body, "retries", req.retries)
    _date(body, "expirationDate", req.expiration_date)
    _campaign(body, req.campaign_name, req.tags)
    return body


def voice_body(req: VoiceRequest) -> dict[str, Any]:
    """The JSON body of POST /voice."""
    body: dict[str, Any] = {
        "to": list(req.to),
        "message": req.message,
        "language": req.language,
        "gender": req.gender,
    }
    _call_options(body, req)
    _opt(body, "sub", [dict(s) for s in req.sub])
    _opt(body, "amd", req.amd)
    return body


def voice_audio_body(req: VoiceAudioRequest) -> dict[str, Any]:
    """The JSON body of POST /voiceAudio."""
    body: dict[str, Any] = {"to": list(req.to), "audioUrl": req.audio_url}
    _call_options(body, req)
    _opt(body, "amd", req.amd)
    return body


def landing_body(req: LandingRequest) -> dict[str, Any]:
    """The JSON body of POST /landingsms."""
    if req.template_body is None and req.template_id is None and req.template_v2_id is None:
        raise ValueError("a landing SMS needs a template body, a template id or a template v2 id")
    body: dict[str, Any] = {"to": list(req.to), "from": req.sender, "message": req.message}
    _opt(body, "templateBody", req.template_body)
    _opt(body, "templateId", req.template_id)
    _opt(body, "templateV2Id", req.template_v2_id)
    _opt(body, "encoding", req.encoding)
    _opt(body, "parts", req.parts)
    if req.trans is not None:
        body["trans"] = 1 if req.trans else 0
    _date(body, "scheduleDate", req.schedule_date)
    _date(body, "expirationDate", req.expiration_date)
    _opt(body, "notificationUrl", req.notification_url)
    _campaign(body, req.campaign_name, req.tags)
    _opt(body, "certified", req.certified)
    _opt(body, "sub", [dict(s) for s in req.sub])
    _opt(body, "splitParts", req.split_parts)
    _opt(body, "flash", req.flash)
    return body


def _whatsapp_message(m: WhatsAppTemplateMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"to": m.to}
    _opt(out, "headerFields", list(m.header_fields))
    _opt(out, "bodyFields", list(m.body_fields))
    _opt(out, "callToActionFields", list(m.call_to_action_fields))
    # The parameter table types defaultAnswer as an array but the reference's example
    # (and the field's meaning, "default response") is one string: we send the string.
    _opt(out, "defaultAnswer", m.default_answer)
    _opt(out, "buttonAnswers", list(m.button_answers))
    if m.location is not None:
        location: dict[str, Any] = {"lat": m.location.lat, "long": m.location.long}
        _opt(location, "name", m.location.name)
        _opt(location, "address", m.location.address)
        out["location"] = location
    return out


def whatsapp_template_body(req: WhatsAppTemplateRequest) -> dict[str, Any]:
    """The JSON body of POST /whatsapp."""
    body: dict[str, Any] = {
        "templateId": req.template_id,
        "from": req.sender,
        "messages": [_whatsapp_message(m) for m in req.messages],
    }
    _campaign(body, req.campaign_name, req.tags)
    return body


def _guid_json(guid: str | int) -> str | int:
    """A GUID as the reference's examples send it: a number when it is one."""
    if isinstance(guid, str) and guid.strip().isdigit():
        return int(guid)
    return guid


def _guids(guids: Sequence[str | int]) -> list[str | int]:
    """The GUID list of a PUT/DELETE; never empty, since empty means "every message"."""
    if isinstance(guids, str):
        raise ValueError("pass GUIDs as a list, not one string")
    if not guids:
        raise ValueError("no GUID given; changing every scheduled message is a separate call")
    return [_guid_json(g) for g in guids]


def scheduled_query(
    guids: Sequence[str | int] | None, type: str | None, sending_id: int | None
) -> dict[str, Any]:
    """Query parameters of GET /scheduled.

    One GUID goes as `guid=100` (the reference's "single GUID" answer, with content);
    several go as `guid[]=100&guid[]=101`: the API is PHP, which reads an array only
    from bracketed names (repeated plain names keep just the last value).
    """
    params: dict[str, Any] = {"type": type, "sendingId": sending_id}
    ids = [str(g) for g in guids or ()]
    if len(ids) == 1:
        params["guid"] = ids[0]
    elif ids:
        params["guid[]"] = ids
    return params


def parse_scheduled(d: Mapping[str, Any], *, with_content: bool) -> ScheduledMessage:
    """One scheduled message (its dates are 'YYYY-MM-DD HH:MM:SS' UTC)."""
    content = d.get("content")
    guid = d.get("guid")
    if not isinstance(guid, str | int) or isinstance(guid, bool):
        raise MalformedResponse("a scheduled message has no guid", status=200, provider="360nrs")
    return ScheduledMessage(
        guid=str(guid),
        type=str(d.get("type", "")),
        sending_id=_int(d.get("sending_id")),
        scheduled_at=parse_datetime(d.get("scheduled_at")),
        created_at=parse_datetime(d.get("created_at")),
        updated_at=parse_datetime(d.get("updated_at")),
        content=dict(content) if with_content and isinstance(content, dict) else None,
    )


def parse_scheduled_list(body: Any) -> ScheduledList:
    """Either answer shape of GET /scheduled: `result` a list (many) or an object (one)."""
    result = body.get("result") if isinstance(body, dict) else None
    if isinstance(result, dict):
        items: tuple[ScheduledMessage, ...] = (parse_scheduled(result, with_content=True),)
    elif isinstance(result, list):
        if not all(isinstance(d, dict) for d in result):
            raise MalformedResponse(
                "a scheduled message is not an object", status=200, provider="360nrs"
            )
        items = tuple(parse_scheduled(d, with_content=False) for d in result)
    else:
        raise MalformedResponse(
            "the scheduled answer has no 'result'", status=200, provider="360nrs"
        )
    total = _int(body.get("total"))
    return ScheduledList(items, total if total is not None else len(items))


def parse_change(body: Any, key: str) -> ScheduledChange:
    """`{"result": true, "updated"|"deleted": n}`."""
    count = _int(body.get(key)) if isinstance(body, dict) else None
    if count is None:
        raise MalformedResponse(f"the answer has no '{key}' count", status=200, provider="360nrs")
    return ScheduledChange(result=body.get("result") is True, count=count)


class Nrs360Send(
    Backend, MailApi, VoiceApi, VoiceAudioApi, LandingApi, WhatsAppTemplatesApi, ScheduledApi
):
    """360nrs sending on other channels and scheduled sends (mixed into Nrs360Backend)."""

    async def _send(self, path: str, body: dict[str, Any]) -> SendResult:
        return parse_send_result(await self.http.json("POST", path, json=body))

    async def send_mailing(self, request: MailingRequest) -> SendResult:
        return await self._send("mailing", mailing_body(request))

    async def send_voice(self, request: VoiceRequest) -> SendResult:
        return await self._send("voice", voice_body(request))

    async def send_voice_audio(self, request: VoiceAudioRequest) -> SendResult:
        return await self._send("voiceAudio", voice_audio_body(request))

    async def send_landing(self, request: LandingRequest) -> SendResult:
        return await self._send("landingsms", landing_body(request))

    async def send_whatsapp_template(self, request: WhatsAppTemplateRequest) -> SendResult:
        return await self._send("whatsapp", whatsapp_template_body(request))

    async def scheduled_list(
        self,
        guids: Sequence[str | int] | None = None,
        type: ScheduledType | None = None,
        sending_id: int | None = None,
    ) -> ScheduledList:
        params = scheduled_query(guids, type, sending_id)
        return parse_scheduled_list(await self.http.json("GET", "scheduled", params=params))

    async def _update(
        self, guids: list[str | int] | None, when: datetime, type: str | None
    ) -> ScheduledChange:
        body: dict[str, Any] = {}
        _opt(body, "guid", guids)
        body["scheduleDate"] = schedule_format(when)
        _opt(body, "type", type)
        return parse_change(await self.http.json("PUT", "scheduled", json=body), "updated")

    async def _delete(self, guids: list[str | int] | None, type: str | None) -> ScheduledChange:
        body: dict[str, Any] = {}
        _opt(body, "guid", guids)
        _opt(body, "type", type)
        return parse_change(await self.http.json("DELETE", "scheduled", json=body), "deleted")

    async def scheduled_update(
        self,
        guids: Sequence[str | int],
        schedule_date: datetime,
        type: ScheduledType | None = None,
    ) -> ScheduledChange:
        return await self._update(_guids(guids), schedule_date, type)

    async def scheduled_update_all(
        self, schedule_date: datetime, type: ScheduledType | None = None
    ) -> ScheduledChange:
        # Without a guid the API reschedules every scheduled message: that is this call.
        return await self._update(None, schedule_date, type)

    async def scheduled_delete(
        self, guids: Sequence[str | int], type: ScheduledType | None = None
    ) -> ScheduledChange:
        return await self._delete(_guids(guids), type)

    async def scheduled_delete_all(self, type: ScheduledType | None = None) -> ScheduledChange:
        # Without a guid the API deletes every scheduled message: that is this call.
        return await self._delete(None, type)
