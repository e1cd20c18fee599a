"""The 360nrs sandbox answers the reference's shapes: no field its examples do not show.

A client parser can only come to rely on a field that some answer carries. Each sandbox
answer below is compared, key by key and at every depth, with the reference's example for
its endpoint (the verbatim copies in test_nrs360_examples): a key the example lacks is a
failure, so the sandbox cannot let a parser depend on something the platform never sends.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from backends.sandbox.nrs360 import BUSINESS_NUMBER, Nrs360State
from tests.backends import test_nrs360_examples as ex
from tests.backends.conftest import API


def example(text: str) -> Any:
    return orjson.loads(text)


def merged(items: list[Any]) -> Any:
    """The union of a list's example items (the reference shows different fields per item)."""
    objects = [i for i in items if isinstance(i, dict)]
    if not objects:
        return items[0] if items else None
    out: dict[str, Any] = {}
    for item in objects:
        for key, value in item.items():
            known = out.get(key)
            if isinstance(known, list) and isinstance(value, list):
                out[key] = known + value
            elif known is None or not isinstance(known, dict | list):
                out[key] = value
    return out


def extra_keys(actual: Any, documented: Any, where: str = "") -> list[str]:
    """Paths of keys in `actual` that `documented` does not have."""
    if isinstance(actual, dict) and isinstance(documented, dict):
        found = []
        for key, value in actual.items():
            if key not in documented:
                found.append(f"{where}.{key}")
            else:
                found += extra_keys(value, documented[key], f"{where}.{key}")
        return found
    if isinstance(actual, list) and isinstance(documented, list) and documented:
        model = merged(documented)
        return [
            k for n, item in enumerate(actual) for k in extra_keys(item, model, f"{where}[{n}]")
        ]
    return []


async def answer(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    response = await client.request(method, f"{API}{path}", **kwargs)
    assert response.status_code < 300, (path, response.status_code, response.text)
    return response.json()


def same_shape(actual: Any, text: str) -> None:
    assert extra_keys(actual, example(text)) == []


async def test_sending_answers(client: httpx.AsyncClient) -> None:
    sms = {"to": ["34666555444", "34"], "from": "TEST", "message": "SMS text message"}
    sent = await answer(client, "POST", "/sms", json=sms)
    same_shape(sent, ex.SMS_207)
    status = await answer(client, "GET", f"/sms/{sent['result'][0]['id']}")
    same_shape(status, ex.SMS_STATUS)
    mail = {
        "to": ["test@example.com", "invalidEmail"],
        "fromEmail": "info@sample.com",
        "replyTo": "replyto@example.com",
        "subject": "TEST",
        "body": "<html><body>Hi</body></html>",
    }
    same_shape(await answer(client, "POST", "/mailing", json=mail), ex.MAIL_207)
    voice = {"to": ["34666666666", "34"], "message": "Test", "gender": "F", "language": "es_ES"}
    same_shape(await answer(client, "POST", "/voice", json=voice), ex.VOICE_207)
    audio = {"to": ["34666666666"], "audioUrl": "https://example.com/audio.mp3"}
    same_shape(await answer(client, "POST", "/voiceAudio", json=audio), ex.VOICE_AUDIO_202)
    landing = {
        "to": ["34666555444", "34"],
        "message": "TEST API LANDING {LAND_URL}",
        "from": "LANDINGAPI",
        "templateBody": "<html><body><h1>HELLO LANDING</h1></body></html>",
    }
    same_shape(await answer(client, "POST", "/landingsms", json=landing), ex.SMS_207)
    campaigns = await answer(client, "GET", "/campaigns")
    assert campaigns["data"]
    same_shape(campaigns, ex.CAMPAIGNS)


async def test_scheduled_answers(client: httpx.AsyncClient, state: Nrs360State) -> None:
    later = (state.now().replace(year=state.now().year + 1)).strftime("%Y%m%d%H%M%S")
    sms = {"to": ["34666555444", "34666555333"], "from": "TEST", "message": "Later"}
    await answer(client, "POST", "/sms", json={**sms, "scheduleDate": later})
    listed = await answer(client, "GET", "/scheduled")
    assert len(listed["result"]) == 2
    same_shape(listed, ex.SCHEDULED_MULTI)
    guid = listed["result"][0]["guid"]
    same_shape(
        await answer(client, "GET", "/scheduled", params={"guid": guid}), ex.SCHEDULED_SINGLE
    )
    moved = await answer(client, "PUT", "/scheduled", json={"guid": [guid], "scheduleDate": later})
    same_shape(moved, ex.SCHEDULED_UPDATE)
    gone = await answer(client, "DELETE", "/scheduled", json={"guid": [guid]})
    same_shape(gone, ex.SCHEDULED_DELETE)


async def test_whatsapp_answers(client: httpx.AsyncClient, state: Nrs360State) -> None:
    listed = await answer(client, "GET", "/whatsapp/conversations")
    same_shape(listed, ex.CONVERSATIONS)
    customer = listed["data"][0]["to"]
    where = f"/whatsapp/conversations/{BUSINESS_NUMBER}/{customer}"
    same_shape(await answer(client, "GET", where), '{"data": ' + ex.CONVERSATION + "}")
    same_shape(await answer(client, "GET", f"{where}/messages"), ex.MESSAGES)
    now = state.now()
    active = next(c for c in state.conversations.values() if c.is_session_active(now))
    reply = await client.post(
        f"{API}/whatsapp/conversations/{BUSINESS_NUMBER}/{active.customer}/messages",
        json={"content": "Message content"},
    )
    # The reference shows no answer to a reply at all.
    assert (reply.status_code, reply.content) == (201, b"")


async def test_contact_answers(client: httpx.AsyncClient) -> None:
    listed = await answer(client, "GET", "/contacts", params={"include": "customFields,groups"})
    same_shape(listed, ex.CONTACTS)
    shown = await answer(client, "GET", "/contacts/1", params={"include": "customFields,groups"})
    same_shape(shown, ex.CONTACT)
    body = {
        "email": "new.contact@example.com",
        "phone": "3466666666",
        "countryIso": "ES",
        "groupsNames": ["My contact list"],
        "customFields": [{"key": "company", "value": "ACME inc."}],
    }
    created = await answer(client, "POST", "/contacts", json=body)
    same_shape(created, ex.CONTACT_SAVED)
    updated = await answer(client, "PUT", f"/contacts/{created['data']['id']}", json=body)
    same_shape(updated, ex.CONTACT_SAVED)
    same_shape(await answer(client, "GET", "/groups"), ex.GROUPS)
    same_shape(await answer(client, "GET", "/groups/1"), ex.GROUP)
    group = await answer(client, "POST", "/groups", json={"name": "My new contact list"})
    same_shape(group, ex.GROUP)
    renamed = await answer(client, "PUT", f"/groups/{group['data']['id']}", json={"name": "New"})
    same_shape(renamed, ex.GROUP)


async def test_list_answers(client: httpx.AsyncClient) -> None:
    # The notification examples show `error` on a validation (the sandbox adds it to a
    # failed job, so it says why): allowed on top of the list's own fields.
    validations = example(ex.VALIDATIONS)
    validations["data"][0]["error"] = ""
    listed = await answer(client, "GET", "/validation/emails")
    assert extra_keys(listed, validations) == []
    one = listed["data"][0]["id"]
    shown = await answer(client, "GET", f"/validation/emails/{one}")
    assert extra_keys(shown, {"data": validations["data"][0]}) == []
    created = await answer(client, "POST", "/validation/emails", json={"emails": ["a@b.es"]})
    same_shape(created, ex.VALIDATION_CREATED)
    same_shape(await answer(client, "GET", "/v2/blacklist/sms"), ex.BLACKLIST)
    added = await answer(client, "PUT", "/v2/blacklist/sms", json={"recipient": "99000000000"})
    same_shape(added, ex.BLACKLIST_ADDED)
    same_shape(await answer(client, "GET", "/templates"), ex.TEMPLATES)
    template = {"name": "New Template", "html": "<h1>Hello world</h1>"}
    saved = await answer(client, "POST", "/templates", json=template)
    same_shape(saved, ex.TEMPLATE_SAVED)
    same_shape(
        await answer(client, "PUT", f"/templates/{saved['data']['id']}", json=template),
        ex.TEMPLATE_SAVED,
    )
    same_shape(await answer(client, "GET", "/v2/templates"), ex.TEMPLATES_V2)
    v2 = (await answer(client, "GET", "/v2/templates"))["data"][0]["id"]
    same_shape(await answer(client, "GET", f"/v2/templates/{v2}"), ex.TEMPLATE_V2)
    same_shape(await answer(client, "GET", "/forms"), ex.FORMS)
    form = (await answer(client, "GET", "/forms"))["data"][0]["id"]
    same_shape(await answer(client, "GET", f"/forms/{form}"), ex.FORM)


async def test_tool_answers(client: httpx.AsyncClient) -> None:
    urls = {"urls": [{"longUrl": "https://example.com/test1"}, {"longUrl": "invalidUrl"}]}
    same_shape(await answer(client, "POST", "/shortener/shorten", json=urls), ex.SHORTENED)
    png = (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kg"
        "AAAABJRU5ErkJggg=="
    )
    images = {"images": [{"externalId": "test1", "extension": "png", "base64": png}]}
    same_shape(await answer(client, "POST", "/images/generate", json=images), ex.IMAGES)
    generated = await answer(client, "POST", "/otp/generate", json={"recipient": "34666555444"})
    same_shape(generated, ex.OTP)
    code = generated["data"]["code"]
    check = {"recipient": "34666555444", "code": code}
    same_shape(await answer(client, "POST", "/otp/check", json=check), ex.OTP_EXPIRED)
    same_shape(await answer(client, "GET", "/sms/coverage"), ex.COVERAGE)
    same_shape(await answer(client, "GET", "/sms/coverageByCountry"), ex.COVERAGE_BY_COUNTRY)


def test_extra_keys_sees_a_nested_extra() -> None:
    documented = {"data": [{"id": 1, "links": {"self": "x"}}, {"name": "n"}]}
    assert extra_keys({"data": [{"id": 2, "name": "m"}]}, documented) == []
    found = extra_keys(
        {"data": [{"id": 2, "links": {"self": "y", "up": "z"}, "size": 3}]}, documented
    )
    assert found == [".data[0].links.up", ".data[0].size"]
