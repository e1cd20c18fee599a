"""The send use case (tui.usecases.send) against the 360nrs sandbox, for every channel:
what is prepared (counts, preflight), what is refused and how, the confirmation's
question, the job it journals, and the job run to the end by the engine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backends.base import Connection
from backends.models.send import (
    LandingRequest,
    MailingRequest,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppTemplateMessage,
    WhatsAppTemplateRequest,
)
from backends.nrs360.client import Nrs360Backend
from backends.sandbox.nrs360 import BUSINESS_NUMBER, DEMO_PASSWORD, DEMO_USERNAME, create_app
from tui.engine.journal import JobStatus, Journal
from tui.engine.sender import run_job
from tui.usecases import send
from tui.usecases.confirm import Need
from tui.usecases.send import SendRefused, SendRequest, SmsMessage, Source, Stage

URL = "http://sandbox/api/rest"
# Two valid numbers, the first typed twice (once formatted), one that is no number.
TYPED = ("34600000001", "+34 600 000 001", "34600000002", "123")


@pytest.fixture
def app() -> Starlette:
    app = create_app()
    app.state.nrs.balance_cents = 10**9
    return app


@pytest.fixture
def backend(app: Starlette) -> Nrs360Backend:
    return Nrs360Backend(
        Connection(URL, DEMO_USERNAME, DEMO_PASSWORD), transport=httpx.ASGITransport(app)
    )


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


def posts(app: Starlette, path: str) -> list[Any]:
    return [r.json() for r in app.state.log.matching("POST", f"/api/rest/{path}")]


async def run_to_end(journal: Journal, prepared: send.Prepared, backend: Nrs360Backend) -> int:
    job_id = send.create_job(journal, prepared, backend.provider)
    updates = [p async for p in run_job(journal, job_id, backend)]
    assert updates[-1].status is JobStatus.DONE
    return job_id


async def test_sms_prepared_confirmed_journaled_and_sent(
    app: Starlette, backend: Nrs360Backend, journal: Journal, tmp_path: Path
) -> None:
    app.state.nrs.lists.blacklist_add("sms", "34600000002", datetime.now(UTC))
    request = SendRequest(
        "demo", SmsMessage("TEST", "Hello {name}"), Source(values=TYPED), label="SMS"
    )
    async with backend:
        prepared = await send.prepare(backend, request, check_first=True)
        assert prepared.refusal is None
        r = prepared.recipients
        assert (len(r.valid), len(r.invalid), r.duplicates, r.blacklisted) == (2, 1, 1, 1)
        assert [x.to for x in prepared.sendable] == ["34600000001"]
        assert prepared.not_sent == 2
        assert prepared.summary is not None and prepared.summary.currency
        assert prepared.pricing is not None
        assert prepared.question() == "Send to 1 recipients?"
        question = prepared.question(detailed=True)
        assert question.startswith("Send SMS from account demo to 1 recipient (estimated ")
        assert "• 1 invalid recipients are left out" in question
        assert prepared.confirmation().need is Need.NOTHING
        assert prepared.confirmation(review=True).need is Need.ASK
        job_id = await run_to_end(journal, prepared, backend)
    (post,) = posts(app, "sms")
    assert post["to"] == ["34600000001"] and post["from"] == "TEST"
    assert journal.totals(job_id).accepted == 1
    # The results file: the journal's outcome, then the rows never sent.
    out = tmp_path / "results.csv"
    assert send.write_results(out, journal, job_id, prepared) == 3
    text = out.read_text()
    assert "ACCEPTED" in text and "INVALID" in text and "BLACKLISTED" in text


async def test_sms_refusals(backend: Nrs360Backend, tmp_path: Path) -> None:
    async with backend:
        # Nothing to prepare: the recipients cannot be loaded at all.
        missing = SendRequest("demo", SmsMessage("T", "x"), Source(csv=tmp_path / "no.csv"))
        with pytest.raises(SendRefused, match="no such file"):
            await send.prepare(backend, missing, check_first=True)
        # The job's own checks, with the first request: refused before any journal.
        options = {"tags": ("a",)}
        tags = SendRequest("demo", SmsMessage("T", "x", options), Source(values=TYPED[:1]))
        prepared = await send.prepare(backend, tags, check_first=True)
        assert prepared.refusal is not None and prepared.refusal.stage is Stage.RULES
        assert "tags need a campaign name" in prepared.refusal.reason
        # Not checked when only previewing (a dry run).
        assert (await send.prepare(backend, tags, check_first=False)).refusal is None
        # The preflight's own refusal: the text cannot be carried as asked.
        long = SendRequest(
            "demo", SmsMessage("T", "x" * 400, {"parts": 1}), Source(values=TYPED[:1])
        )
        prepared = await send.prepare(backend, long, check_first=True)
        assert prepared.refusal is not None and prepared.refusal.stage is Stage.PREFLIGHT
        assert prepared.summary is not None
        assert prepared.refusal.reason == prepared.summary.refusal != ""


def _wa() -> WhatsAppTemplateRequest:
    message = WhatsAppTemplateMessage(
        to="", header_fields=("Order",), body_fields=("Ana", "#42"), call_to_action_fields=("t",)
    )
    return WhatsAppTemplateRequest(template_id=123, sender=BUSINESS_NUMBER, messages=(message,))


CHANNELS: dict[str, tuple[Any, str, tuple[str, ...]]] = {
    "landing": (
        LandingRequest(to=(), sender="TEST", message="See {LAND_URL}", template_body="<p>Hi</p>"),
        "landingsms",
        TYPED,
    ),
    "email": (
        MailingRequest(
            to=(),
            sender_email="news@switchboard.example",
            subject="S",
            reply_to="help@example.com",
            body="<p>Hi</p>",
        ),
        "mailing",
        ("ana@example.com", "ana@EXAMPLE.com", "luis@example.com", "not-an-email"),
    ),
    "voice": (
        VoiceRequest(to=(), message="Hello", language="es_ES", gender="F"),
        "voice",
        TYPED,
    ),
    "audio": (VoiceAudioRequest(to=(), audio_url="https://example.com/a.mp3"), "voiceAudio", TYPED),
    "whatsapp": (_wa(), "whatsapp", TYPED),
}


@pytest.mark.parametrize("channel", sorted(CHANNELS))
async def test_each_channel_prepared_and_sent(
    channel: str, app: Starlette, backend: Nrs360Backend, journal: Journal
) -> None:
    template, path, values = CHANNELS[channel]
    request = SendRequest("demo", template, Source(values=values), label=channel)
    assert request.channel == channel
    async with backend:
        prepared = await send.prepare(backend, request, check_first=True)
        assert prepared.refusal is None, prepared.refusal
        r = prepared.recipients
        # Normalised, validated and de-duplicated: the one invalid is left out.
        assert (len(r.valid), len(r.invalid), r.duplicates) == (2, 1, 1)
        # Only the SMS-like channel has a preflight with prices.
        assert (prepared.summary is not None) is (channel == "landing")
        assert prepared.question() == "Send to 2 recipients?"
        assert prepared.question(detailed=True).startswith(
            f"Send {channel} from account demo to 2 recipients"
        )
        job_id = await run_to_end(journal, prepared, backend)
    assert journal.totals(job_id).accepted == 2
    sent = posts(app, path)
    if channel == "whatsapp":
        assert [m["to"] for m in sent[0]["messages"]] == ["34600000001", "34600000002"]
    else:
        assert sent[0]["to"] == [v.to for v in r.valid]


async def test_a_template_one_recipient_cannot_take_is_refused(backend: Nrs360Backend) -> None:
    landing = LandingRequest(to=(), sender="TEST", message="no link", template_body="<p>Hi</p>")
    async with backend:
        prepared = await send.prepare(
            backend, SendRequest("demo", landing, Source(values=TYPED)), check_first=True
        )
    assert prepared.refusal == send.Refusal(Stage.TEMPLATE, "a landing SMS must contain {LAND_URL}")


async def test_above_the_threshold_the_count_is_typed(backend: Nrs360Backend) -> None:
    many = tuple(f"346{i:08d}" for i in range(11))
    voice = VoiceRequest(to=(), message="Hello", language="es_ES", gender="F")
    async with backend:
        prepared = await send.prepare(
            backend, SendRequest("demo", voice, Source(values=many)), check_first=False
        )
    confirmation = prepared.confirmation()
    assert confirmation.need is Need.TYPE and confirmation.phrase == "11"
    assert prepared.confirmation(assume_yes=True).need is Need.NOTHING
