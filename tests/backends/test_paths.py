"""Values put into URL paths reach the provider as one segment holding exactly the value.

An id or number with `/`, `?`, a space or `+` must not move the request to another path,
cut it short or change on the way: each is percent-encoded on its own. The sandbox's
recorded raw path (still encoded) is split and decoded here, as a server routes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import unquote

import httpx
import pytest

from backends.base import Connection
from backends.errors import NotFound
from backends.http import path, segment
from backends.models.common import SmsRequest
from backends.models.surveys import SurveyContact, SurveyMedium, SurveySend
from backends.nrs360.client import Nrs360Backend
from backends.sandbox.core import RequestLog
from backends.sandbox.nrs360 import BUSINESS_NUMBER, Nrs360State
from backends.sandbox.xebo import DEMO_OPTIONS
from backends.xebo.client import XeboBackend

AWKWARD = ("a/b", "what?x=1", "two words", "+34 666", "50%", "x#y")


def segments(raw_path: str, root: str = "/api/rest") -> list[str]:
    """The decoded segments of a raw path below `root`, split before decoding."""
    assert raw_path.startswith(root + "/"), raw_path
    return [unquote(s) for s in raw_path[len(root) + 1 :].split("/")]


def test_path_encodes_each_segment_alone() -> None:
    assert path("sms", "certificates", "a/b") == "sms/certificates/a%2Fb"
    assert path("contacts", 12) == "contacts/12"
    for value in AWKWARD:
        assert "/" not in segment(value) and "?" not in segment(value)
        assert " " not in segment(value) and "#" not in segment(value)
        assert unquote(segment(value)) == value
    # A plus sign travels encoded: some servers read a raw one as a space.
    assert segment("+34") == "%2B34"


async def test_sms_status_ids_keep_their_comma_separator(
    backend: Nrs360Backend, log: RequestLog
) -> None:
    ids = ["a/b", "what?x=1", "two words", "+34"]
    with pytest.raises(NotFound):
        await backend.sms_status(ids)
    (request,) = log.requests
    assert request.raw_path == "/api/rest/sms/a%2Fb,what%3Fx%3D1,two%20words,%2B34"
    (joined,) = segments(request.raw_path)[1:]
    # "It is possible to specify multiple identifiers separated by commas."
    assert joined.split(",") == ids
    assert request.query_string == ""


async def test_sms_status_of_a_real_id_through_the_helper(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    sent = await backend.send_sms(SmsRequest(to=("34666555444",), sender="TEST", message="Hi"))
    sms_id = sent.results[0].id
    assert sms_id is not None
    (status,) = await backend.sms_status([sms_id])
    assert status.id == sms_id
    assert segments(log.requests[-1].raw_path) == ["sms", sms_id]


@pytest.mark.parametrize("value", AWKWARD)
async def test_whatsapp_paths_carry_the_numbers_whole(
    backend: Nrs360Backend, log: RequestLog, value: str
) -> None:
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: backend.conversation(value, "34666555444"),
        lambda: backend.conversation_messages("34666777555", value),
        lambda: backend.reply(value, value, "hello"),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            await call()
    first, second, third = (segments(r.raw_path) for r in log.requests)
    assert first == ["whatsapp", "conversations", value, "34666555444"]
    assert second == ["whatsapp", "conversations", "34666777555", value, "messages"]
    assert third == ["whatsapp", "conversations", value, value, "messages"]
    assert all(r.query.get("page", ["1"]) == ["1"] for r in log.requests)


async def test_a_number_with_a_plus_reaches_its_conversation(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    customer = next(iter(state.conversations.values())).customer
    found = await backend.conversation("+" + BUSINESS_NUMBER, customer)
    assert (found.sender, found.recipient) == (BUSINESS_NUMBER, customer)
    assert log.requests[-1].raw_path.endswith(f"/%2B{BUSINESS_NUMBER}/{customer}")


@pytest.mark.parametrize("value", AWKWARD)
async def test_certificate_ids_are_one_segment(
    backend: Nrs360Backend, log: RequestLog, value: str
) -> None:
    for fetch in (backend.sms_certificate, backend.mail_certificate):
        with pytest.raises(NotFound):
            await fetch(value)
    sms, mail = (segments(r.raw_path) for r in log.requests)
    assert sms == ["sms", "certificates", value]
    assert mail == ["mailing", "certificates", value]


async def test_xebo_collector_id_is_one_segment() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode("ascii"))
        return httpx.Response(404, json={"message": "not found"})

    options = {**DEMO_OPTIONS, "collector_id": "col/1 ?x"}
    connection = Connection("http://xebo.test", secret="t", options=options)
    async with XeboBackend(connection, transport=httpx.MockTransport(handler)) as backend:
        with pytest.raises(NotFound):
            await backend.send_survey(
                SurveySend(SurveyMedium.EMAIL, (SurveyContact(email="a@example.com"),))
            )
    (raw,) = seen
    assert raw == "/v2/api/collectors/col%2F1%20%3Fx/combined/auto"
