"""Checks before anything is journaled: what a job would refuse, and the provider's rules
on the first batch's request (the HTTP layer's check-only mode: nothing is sent)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
from collections.abc import (
    Callable,
    Coroutine,
    Iterable,
    Mapping,
    Sequence,
)
from typing import Any

from backends.base import Backend
from backends.capabilities import (
    LandingApi,
    MailApi,
    SmsApi,
    VoiceApi,
    VoiceAudioApi,
    WhatsAppTemplatesApi,
)
from backends.http import Checked, HttpClient, checking_only
from backends.models.send import (
    LandingRequest,
    MailingRequest,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppTemplateRequest,
)
from tui.engine.channels import (
    Request,
    check_request,
    iter_job_rows,
    job_rows,
    landing_plan,
)
from tui.engine.channels import _wa_message as wa_message
from tui.engine.journal_rows import Claimed, JobRecipient
from tui.engine.sms_job import SmsChannel, sms_template


async def precheck(
    backend: Backend, send: Callable[[Backend], Coroutine[Any, Any, object]]
) -> None:
    """Run the provider's request rules on what `send` would send, without sending it;
    InvalidInput when they refuse it (so nothing is journaled for a send that every batch
    would fail the same way). A backend without an HTTP layer of rules is not called."""
    http = getattr(backend, "http", None)
    if not isinstance(http, HttpClient) or http.rules is None:
        return
    with checking_only(), contextlib.suppress(Checked):
        await send(backend)


async def check_sms_send(
    backend: Backend,
    sender: str,
    message: str,
    recipients: Iterable[JobRecipient],
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What create_sms_job would refuse (ValueError) or the provider's rules would refuse in
    the first batch's request (InvalidInput), before anything is journaled; the job's
    template (sms_template), which create_sms_job can take instead of counting again."""
    # The rows one at a time (no list of them): each is checked as the template reads it.
    rows = iter_job_rows(recipients)
    to, variables, country = row = next(rows)  # "no recipients" when there is none
    # Every recipient's text is counted: off the event loop (a console's UI runs there).
    template = await asyncio.to_thread(
        sms_template, sender, message, itertools.chain((row,), rows), options
    )
    first = Claimed(0, to, variables, country)
    request = SmsChannel.from_template(template).request([first])
    await precheck(backend, lambda b: b.capability(SmsApi).send_sms(request))
    return template


async def check_channel_send(
    backend: Backend, request: Request, recipients: Sequence[JobRecipient]
) -> None:
    """For a landing SMS, check_sms_send's checks (the other channels' job checks are
    create_channel_job's own); for every channel, the provider's rules on the first
    batch's request: ValueError or InvalidInput before anything is journaled."""
    if not isinstance(request, LandingRequest):
        rows = job_rows(recipients)
        if rows:
            await _check_first_request(backend, request, rows[0][0], rows[0][1])
        return
    rows = job_rows(recipients)
    await asyncio.to_thread(check_request, request, rows)
    planned = await asyncio.to_thread(landing_plan, request, rows)
    to, variables, _ = rows[0]
    first = dataclasses.replace(planned, to=(to,), sub=(variables,) if variables else ())
    await precheck(backend, lambda b: b.capability(LandingApi).send_landing(first))


async def _check_first_request(
    backend: Backend, request: Request, to: str, variables: Mapping[str, str] | None
) -> None:
    """The rules on what the channel sends its first recipient (as RequestChannel.request
    builds it), so a send every batch would fail the same way is refused up front."""
    if isinstance(request, WhatsAppTemplateRequest):
        try:
            message = wa_message(request.messages[0], to, variables or {})
        except ValueError:
            return  # create_channel_job says what is wrong with the variables
        wa = dataclasses.replace(request, messages=(message,))
        await precheck(
            backend, lambda b: b.capability(WhatsAppTemplatesApi).send_whatsapp_template(wa)
        )
    elif isinstance(request, VoiceAudioRequest):
        audio = dataclasses.replace(request, to=(to,))
        await precheck(backend, lambda b: b.capability(VoiceAudioApi).send_voice_audio(audio))
    elif isinstance(request, MailingRequest | VoiceRequest):
        sub = (variables,) if variables else ()
        first = dataclasses.replace(request, to=(to,), sub=sub)
        if isinstance(first, MailingRequest):
            await precheck(backend, lambda b: b.capability(MailApi).send_mailing(first))
        else:
            await precheck(backend, lambda b: b.capability(VoiceApi).send_voice(first))
