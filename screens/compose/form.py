"""The Compose screen's pure parts: channels, the validated draft, dates, counter and preview.

Nothing here touches widgets or the network, so each piece is tested on its own and the
screen module stays about layout and workers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from rich.text import Text

from backends.base import Backend, Capability
from backends.models.send import (
    LANDING_PLACEHOLDER,
    MAX_LANDING_PARTS,
    MAX_VOICE_MESSAGE,
    LandingRequest,
    MailingRequest,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppLocation,
    WhatsAppTemplateMessage,
    WhatsAppTemplateRequest,
)
from tui import dates
from tui.engine import placeholders, segments
from tui.engine.channels import Request
from tui.engine.recipients import Kind

# SMS_LIKE: channels whose text is an SMS: the live counter and the preflight's parts.
from tui.usecases.send import SMS_LIKE, SendRequest, SmsMessage, Source


@dataclass(frozen=True)
class Channel:
    """A way to send that the active backend may offer; `key` names its form fields."""

    key: str
    label: str
    capability: Capability
    kind: Kind = "phone"


CHANNELS: Final = (
    Channel("sms", "SMS", Capability.SMS),
    Channel("landing", "Landing SMS", Capability.LANDING_SMS),
    Channel("email", "Email", Capability.MAILING, "email"),
    Channel("voice", "Voice (text to speech)", Capability.VOICE),
    Channel("audio", "Voice (audio file)", Capability.VOICE_AUDIO),
    Channel("whatsapp", "WhatsApp template", Capability.WHATSAPP_TEMPLATES),
)
BY_KEY: Final = {c.key: c for c in CHANNELS}


def offered(backend: type[Backend]) -> list[Channel]:
    """The channels a backend class declares, in display order."""
    return [c for c in CHANNELS if backend.supports(c.capability)]


# --- dates ----------------------------------------------------------------------------


def parse_send_time(text: str, *, now: datetime | None = None) -> datetime | None:
    """A send time typed in Compose (tui.dates' rule: no offset is local time).

    Empty text (or "now", what the field's placeholder says) is None: at once. ValueError
    with a message for the operator, also for a moment already past (`now` given).
    """
    if text.strip().casefold() == "now":
        return None
    return dates.parse_optional(text, now=now)


# --- the live SMS counter ---------------------------------------------------------------

_ENCODING_NAMES: Final = {"gsm": "GSM 7-bit", "gsm-pt": "GSM-PT", "utf-16": "UCS-2 (UTF-16)"}


def counter(text: str, *, landing: bool = False, trans: bool = False) -> Text:
    """Encoding, characters, parts and characters left, offending characters highlighted."""
    limit = MAX_LANDING_PARTS if landing else segments.MAX_PARTS_SMS
    # Links and codes the provider generates count as long as it makes them, as in the
    # preflight ({LAND_URL}, {UNSUB_URL}, {OTP_CODE}, {x|shorten}); variables as written.
    info = segments.count(placeholders.for_counting(text), trans=trans, max_parts=limit)
    out = Text()
    out.append(_ENCODING_NAMES[info.encoding], style="bold")
    parts = "part" if info.parts == 1 else "parts"
    out.append(
        f" · {info.characters} characters · {info.parts} {parts} · {info.remaining} left"
        f" (max {limit} parts)"
    )
    if info.too_long:
        out.append(" · too long", style="bold red")
    if info.ucs2_chars:
        out.append("\nForce UCS-2: ")
        for char in info.ucs2_chars:
            out.append(f" {char} ", style="bold white on red")
            out.append(" ")
    return out


# --- per-recipient preview --------------------------------------------------------------


def preview(
    template: str, sample: Sequence[tuple[str, Mapping[str, str] | None]], *, limit: int = 3
) -> Text:
    """The template rendered for the first recipients; missing variables flagged."""
    out = Text()
    if not template:
        return Text("Type a message to see it as each recipient gets it.", style="dim")
    if not sample:
        sample = [("(no recipient yet)", None)]
    for index, (to, variables) in enumerate(sample[:limit]):
        if index:
            out.append("\n")
        out.append(f"{to}: ", style="bold")
        try:
            rendered = placeholders.render(template, variables or {})
        except ValueError as exc:
            out.append(str(exc), style="red")
            continue
        out.append(rendered.text)
        if rendered.missing:
            out.append(f"  (no value for {', '.join(rendered.missing)})", style="yellow")
    return out


# --- the draft --------------------------------------------------------------------------


def split_values(text: str, sep: str = ",") -> tuple[str, ...]:
    """Non-empty, stripped items of a separated list (newlines separate too)."""
    return tuple(v.strip() for v in text.replace("\n", sep).split(sep) if v.strip())


@dataclass(frozen=True)
class Draft:
    """What the operator filled in, validated; turned into a request per channel."""

    channel: Channel
    source: str  # "typed", "group" or "csv"
    recipients: str  # the typed list, the group name or the CSV path
    sender: str = ""
    message: str = ""
    campaign: str | None = None
    schedule: datetime | None = None
    expires: datetime | None = None
    certified: bool = False
    trans: bool = False
    flash: bool = False
    from_email: str = ""
    from_name: str | None = None
    reply_to: str = ""
    subject: str = ""
    html: str | None = None
    template_id: int | None = None
    language: str = ""
    gender: str = ""
    audio_url: str = ""
    header_fields: tuple[str, ...] = ()
    body_fields: tuple[str, ...] = ()
    cta_fields: tuple[str, ...] = ()
    button_answers: tuple[str, ...] = ()
    default_answer: str | None = None
    location: WhatsAppLocation | None = None
    to_column: str | None = None  # the CSV column holding the recipients

    def sms_options(self) -> dict[str, object]:
        """The SmsRequest options a journaled job carries."""
        return {
            "campaign_name": self.campaign,
            "schedule_date": self.schedule,
            "expiration_date": self.expires,
            "certified": True if self.certified else None,
            "trans": True if self.trans else None,
            "flash": True if self.flash else None,
        }


def validate(draft: Draft) -> None:
    """Raise ValueError naming the first field that cannot be sent as typed."""
    key = draft.channel.key
    if not draft.recipients.strip():
        what = {"typed": "recipients", "group": "a group name", "csv": "a CSV file"}
        raise ValueError(f"enter {what[draft.source]}")
    if key in ("sms", "landing", "whatsapp") and not draft.sender.strip():
        raise ValueError("enter the sender")
    if key in SMS_LIKE | {"voice"} and not draft.message:
        raise ValueError("type the message")
    if key == "landing" and LANDING_PLACEHOLDER not in draft.message:
        raise ValueError(f"a landing SMS must contain {LANDING_PLACEHOLDER}")
    if key in ("landing", "email") and draft.html is None and draft.template_id is None:
        raise ValueError("give an HTML body or a template id")
    if key == "email" and not (draft.from_email and draft.reply_to and draft.subject):
        raise ValueError("an email needs a from address, a reply-to address and a subject")
    if key == "voice" and len(draft.message) > MAX_VOICE_MESSAGE:
        raise ValueError(f"a spoken message takes at most {MAX_VOICE_MESSAGE} characters")
    if key == "audio" and not draft.audio_url:
        raise ValueError("enter the audio file's URL")
    if key == "whatsapp" and draft.template_id is None:
        raise ValueError("enter the template id")
    if draft.schedule and draft.expires and draft.expires <= draft.schedule:
        raise ValueError("the expiry must come after the scheduled time")
    _check_placeholders(draft)


def _check_placeholders(draft: Draft) -> None:
    """A typo in a filter ({name|foo}) is refused here, not in the middle of a preflight."""
    key = draft.channel.key
    texts: list[tuple[str, str]] = []
    if key in SMS_LIKE | {"voice"}:
        texts.append(("message", draft.message))
    if key in ("landing", "email") and draft.html:
        texts.append(("HTML body", draft.html))
    if key == "whatsapp":
        fields = (*draft.header_fields, *draft.body_fields, *draft.cta_fields)
        for text in fields:
            try:
                placeholders.check_local(text)
            except ValueError as exc:
                raise ValueError(f"WhatsApp variables: {exc}") from None
        return
    for where, text in texts:
        try:
            placeholders.check_filters(text)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None


def job_template(draft: Draft) -> Request:
    """The request a non-SMS channel's job sends, without recipients (the engine adds them
    per batch, with their variables)."""
    to: tuple[str, ...] = ()
    key = draft.channel.key
    if key == "landing":
        return LandingRequest(
            to=to,
            sender=draft.sender,
            message=draft.message,
            template_body=draft.html,
            template_v2_id=draft.template_id,
            trans=True if draft.trans else None,
            schedule_date=draft.schedule,
            expiration_date=draft.expires,
            campaign_name=draft.campaign,
            certified=True if draft.certified else None,
            flash=True if draft.flash else None,
        )
    if key == "email":
        return MailingRequest(
            to=to,
            sender_email=draft.from_email,
            subject=draft.subject,
            reply_to=draft.reply_to,
            body=draft.html,
            template_v2_id=draft.template_id,
            sender_name=draft.from_name,
            schedule_date=draft.schedule,
            campaign_name=draft.campaign,
            certified=True if draft.certified else None,
        )
    if key == "voice":
        return VoiceRequest(
            to=to,
            message=draft.message,
            language=draft.language,
            gender="M" if draft.gender == "M" else "F",
            schedule_date=draft.schedule,
            expiration_date=draft.expires,
            campaign_name=draft.campaign,
        )
    if key == "audio":
        return VoiceAudioRequest(
            to=to,
            audio_url=draft.audio_url,
            schedule_date=draft.schedule,
            expiration_date=draft.expires,
            campaign_name=draft.campaign,
        )
    if key == "whatsapp":
        assert draft.template_id is not None  # validate() checked it
        return WhatsAppTemplateRequest(
            template_id=draft.template_id,
            sender=draft.sender,
            # One message template: the engine fills in each recipient's variables.
            messages=(
                WhatsAppTemplateMessage(
                    to="",
                    header_fields=draft.header_fields,
                    body_fields=draft.body_fields,
                    call_to_action_fields=draft.cta_fields,
                    default_answer=draft.default_answer,
                    button_answers=draft.button_answers,
                    location=draft.location,
                ),
            ),
            campaign_name=draft.campaign,
        )
    raise ValueError(f"{draft.channel.label} is sent through the engine, not directly")


def send_request(account: str, draft: Draft, *, column_hint: str) -> SendRequest:
    """The send use case's request for a draft; `column_hint` says, in the screen's words,
    what to do when no CSV column looks like the recipients'."""
    if draft.source == "csv":
        source = Source(csv=draft.recipients, to_column=draft.to_column, column_hint=column_hint)
    elif draft.source == "group":
        source = Source(group=draft.recipients)
    else:
        source = Source(values=split_values(draft.recipients))
    what = (
        SmsMessage(draft.sender, draft.message, draft.sms_options())
        if draft.channel.key == "sms"
        else job_template(draft)
    )
    return SendRequest(account, what, source, label=draft.channel.label)
