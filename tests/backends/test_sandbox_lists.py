"""The 360nrs emulator's lists: documented errors, pagination, CSV, validation progress."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from backends.sandbox.nrs360 import Nrs360State
from backends.sandbox.nrs360.state_lists import ListsState
from tests.backends.conftest import API, START, FakeClock


def error(code: int, description: str) -> dict[str, Any]:
    return {"error": {"code": code, "description": description}}


def invalid(description: str) -> dict[str, Any]:
    return error(422, description)


# --- authentication and seeding ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/v2/blacklist/sms", "/validation/emails", "/templates", "/v2/templates", "/forms"],
)
async def test_every_area_needs_credentials(app: Starlette, path: str) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as anonymous:
        response = await anonymous.get(API + path)
    assert response.status_code == 401
    assert response.json() == error(103, "Username or password unknown")


async def test_demo_data(client: httpx.AsyncClient) -> None:
    counts = {}
    for path in ("/validation/emails", "/templates", "/v2/templates", "/forms"):
        counts[path] = (await client.get(API + path)).json()["meta"]["pagination"]["total"]
    assert counts == {"/validation/emails": 2, "/templates": 3, "/v2/templates": 3, "/forms": 2}
    for kind in ("sms", "mailing", "voice"):
        assert (await client.get(f"{API}/v2/blacklist/{kind}")).json()["data"]


def test_demo_data_is_deterministic_and_seeded_once() -> None:
    first, second = ListsState(), ListsState()
    first.seed(random.Random(7), lambda: START)
    second.seed(random.Random(7), lambda: START)
    assert first.validations == second.validations
    assert first.verdict("someone@example.com") == second.verdict("someone@example.com")
    first.seed(random.Random(8), lambda: START)
    assert len(first.templates[1]) == 3 and len(first.forms) == 2


# --- blacklist ------------------------------------------------------------------------------


@pytest.mark.refused_requests
async def test_blacklist_invalid_type_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/v2/blacklist/whatsapp")
    assert response.status_code == 422
    assert response.json() == invalid("The selected type is invalid.")


@pytest.mark.parametrize(
    ("kind", "body", "description"),
    [
        ("sms", {}, "The recipient field is required."),
        ("sms", {"recipient": ""}, "The recipient field is required."),
        ("sms", {"recipient": 34666555444}, "The recipient must be a string."),
        ("sms", {"recipient": "hello"}, "The recipient format is invalid."),
        ("voice", {"recipient": "a@example.com"}, "The recipient format is invalid."),
        ("mailing", {"recipient": "34666555444"}, "The recipient format is invalid."),
    ],
)
@pytest.mark.refused_requests
async def test_blacklist_put_validation(
    client: httpx.AsyncClient, kind: str, body: dict[str, Any], description: str
) -> None:
    response = await client.put(f"{API}/v2/blacklist/{kind}", json=body)
    assert response.status_code == 422
    assert response.json() == invalid(description)


async def test_blacklist_put_is_idempotent_and_normalises(
    client: httpx.AsyncClient, state: Nrs360State, clock: FakeClock
) -> None:
    first = await client.put(f"{API}/v2/blacklist/mailing", json={"recipient": "Ana@Example.com"})
    assert first.status_code == 200
    assert first.json() == {
        "data": {
            "type": "mailing",
            "recipient": "ana@example.com",
            "isDefinitive": False,
            "campaignName": None,
            "createdAt": "2025-03-10T12:00:00+00:00",
        }
    }
    clock.advance(minutes=1)
    again = await client.put(f"{API}/v2/blacklist/mailing", json={"recipient": "ana@example.com"})
    assert again.json() == first.json()
    assert state.lists.is_blacklisted("mailing", "ANA@example.com")
    assert not state.lists.is_blacklisted("sms", "ana@example.com")


@pytest.mark.refused_requests
async def test_blacklist_filters(client: httpx.AsyncClient) -> None:
    by_sending = await client.get(f"{API}/v2/blacklist/sms", params={"sendingId": 100017})
    assert {e["recipient"] for e in by_sending.json()["data"]} == {"99000000001", "99000000002"}
    by_phone = await client.get(f"{API}/v2/blacklist/sms", params={"recipient": "+99000000003"})
    assert [e["recipient"] for e in by_phone.json()["data"]] == ["99000000003"]
    bad = await client.get(f"{API}/v2/blacklist/sms", params={"sendingId": "abc"})
    assert bad.status_code == 422
    assert bad.json() == invalid("The sending id must be an integer.")
    too_many = await client.get(f"{API}/v2/blacklist/sms", params={"limit": 1001})
    assert too_many.json() == invalid("The limit must be between 1 and 1000.")


async def test_blacklist_pagination_links(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/v2/blacklist/sms", params={"limit": 2})
    pagination = response.json()["meta"]["pagination"]
    assert pagination == {
        "total": 4,
        "count": 2,
        "per_page": 2,
        "current_page": 1,
        "total_pages": 2,
        "links": {"next": "http://sandbox/api/rest/v2/blacklist/sms?limit=2&page=2"},
    }


@pytest.mark.refused_requests
async def test_blacklist_delete(client: httpx.AsyncClient, state: Nrs360State) -> None:
    gone = await client.request(
        "DELETE", f"{API}/v2/blacklist/sms", json={"recipient": "99000000001"}
    )
    assert gone.status_code == 204 and gone.content == b""
    assert not state.lists.is_blacklisted("sms", "99000000001")
    again = await client.request(
        "DELETE", f"{API}/v2/blacklist/sms", json={"recipient": "99000000001"}
    )
    assert again.status_code == 404 and again.json() == error(404, "Resource not found")
    missing = await client.request("DELETE", f"{API}/v2/blacklist/sms")
    assert missing.json() == invalid("The recipient field is required.")
    kept = await client.request(
        "DELETE", f"{API}/v2/blacklist/sms", json={"recipient": "99000000004"}
    )
    assert kept.status_code == 422
    assert state.lists.is_blacklisted("sms", "99000000004")


@pytest.mark.refused_requests
async def test_invalid_json_is_400_125(client: httpx.AsyncClient) -> None:
    for method, path in (
        ("PUT", "/v2/blacklist/sms"),
        ("POST", "/validation/emails"),
        ("POST", "/templates"),
        ("PUT", "/v2/templates/1"),
        ("POST", "/forms"),
    ):
        response = await client.request(
            method, API + path, content=b"{nope", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, path
        assert response.json() == error(125, "Invalid JSON")


# --- email validation -------------------------------------------------------------------------


NO_TARGET = "The groups ids field is required when emails is not present."


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({}, 422, invalid(NO_TARGET)),
        ({"emails": []}, 422, invalid(NO_TARGET)),
        ({"emails": "a@example.com"}, 422, invalid("The emails must be an array.")),
        ({"groupsIds": 1}, 422, invalid("The groups ids must be an array.")),
        ({"groupsIds": ["x"]}, 422, invalid("The groups ids.0 must be an integer.")),
        ({"groupsIds": [999]}, 422, invalid("The selected groups ids.0 is invalid.")),
        (
            {"emails": ["a@example.com", "nope"]},
            422,
            invalid("The emails.1 must be a valid email address."),
        ),
        (
            {"emails": ["a@example.com"], "force": "maybe"},
            422,
            invalid("The force field must be true or false."),
        ),
        (
            {"emails": ["a@example.com"], "allowRisky": 2},
            422,
            invalid("The allow risky field must be true or false."),
        ),
        (
            {"emails": ["a@example.com"], "notificationUrl": "not a url"},
            400,
            error(109, "Notification URL incorrect"),
        ),
    ],
)  # fmt: skip
@pytest.mark.refused_requests
async def test_validation_create_errors(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, expected: dict[str, Any]
) -> None:
    response = await client.post(f"{API}/validation/emails", json=body)
    assert response.status_code == status
    assert response.json() == expected


async def test_validation_lifecycle(client: httpx.AsyncClient, clock: FakeClock) -> None:
    emails = ["one@example.com", "ONE@example.com", "two@example.com", "info@example.com"]
    created = await client.post(f"{API}/validation/emails", json={"emails": emails})
    assert created.status_code == 201
    job = created.json()["data"]
    # The same address in two cases is checked once.
    assert (job["status"], job["total"], job["processed"], job["valid"]) == ("pending", 3, 0, 0)
    assert job["estimatedCost"] == 0.0105 and job["cost"] == 0 and job["currency"] == "EUR"
    assert job["finishedAt"] is None and job["resultUrl"] is None and "error" not in job
    url = f"{API}/validation/emails/{job['id']}"
    assert (await client.get(url + "/result")).status_code == 404
    clock.advance(seconds=5)
    started = (await client.get(url)).json()["data"]
    assert (started["status"], started["processed"], started["cost"]) == ("started", 0, 0.0105)
    clock.advance(seconds=1)
    done = (await client.get(url)).json()["data"]
    assert (done["status"], done["processed"]) == ("finished", 3)
    assert done["finishedAt"] == done["updatedAt"] == "2025-03-10T12:00:06+00:00"
    assert done["resultUrl"] == f"http://sandbox{url}/result"
    result = await client.get(url + "/result")
    assert result.status_code == 200
    assert result.headers["content-type"] == "text/csv; charset=utf-8"
    lines = result.text.splitlines()
    assert lines[0] == "email;result" and len(lines) == 4
    verdicts = dict(line.split(";") for line in lines[1:])
    assert verdicts["info@example.com"] == "risky"
    assert done["valid"] == list(verdicts.values()).count("deliverable")


async def test_risky_emails_are_blacklisted_unless_allowed(
    client: httpx.AsyncClient, state: Nrs360State, clock: FakeClock
) -> None:
    await client.post(f"{API}/validation/emails", json={"emails": ["sales@example.com"]})
    allowed = {"emails": ["support@example.com"], "allowRisky": True}
    await client.post(f"{API}/validation/emails", json=allowed)
    assert not state.lists.is_blacklisted("mailing", "sales@example.com")
    clock.advance(seconds=10)
    # No request needed: the send path asks is_blacklisted, which catches up with the clock.
    assert state.lists.is_blacklisted("mailing", "sales@example.com")
    assert not state.lists.is_blacklisted("mailing", "support@example.com")
    listed = await client.get(
        f"{API}/v2/blacklist/mailing", params={"recipient": "sales@example.com"}
    )
    assert listed.json()["data"][0]["createdAt"] == "2025-03-10T12:00:06+00:00"


async def test_force_checks_known_emails_again(client: httpx.AsyncClient, clock: FakeClock) -> None:
    # ana.garcia@example.com was checked by the seeded, finished validation.
    known = {"emails": ["ana.garcia@example.com"]}
    skipped = (await client.post(f"{API}/validation/emails", json=known)).json()["data"]
    assert skipped["total"] == 0
    forced = (await client.post(f"{API}/validation/emails", json={**known, "force": True})).json()
    assert forced["data"]["total"] == 1
    clock.advance(seconds=5)
    failed = (await client.get(f"{API}/validation/emails/{skipped['id']}")).json()["data"]
    assert failed["status"] == "failed"
    assert failed["error"] == "Failed to process email validation"
    assert failed["cost"] == 0 and failed["resultUrl"] is None


async def test_validation_of_groups_uses_members_emails(
    client: httpx.AsyncClient, state: Nrs360State
) -> None:
    staff = next(g.id for g in state.groups.values() if g.name == "Staff")
    emails = {c.email for c in state.contacts.values() if staff in c.group_ids and c.email}
    response = await client.post(f"{API}/validation/emails", json={"groupsIds": [str(staff)]})
    assert response.json()["data"]["total"] == len(emails) > 0


async def test_validation_list_pages_and_delete(client: httpx.AsyncClient) -> None:
    for n in range(3):
        await client.post(f"{API}/validation/emails", json={"emails": [f"p{n}@example.com"]})
    page = (await client.get(f"{API}/validation/emails", params={"limit": 2, "page": 3})).json()
    assert [v["id"] for v in page["data"]] == [5]
    assert page["meta"]["pagination"]["links"] == {
        "previous": "http://sandbox/api/rest/validation/emails?limit=2&page=2"
    }
    deleted = await client.delete(f"{API}/validation/emails/5")
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await client.delete(f"{API}/validation/emails/5")).status_code == 404
    assert (await client.get(f"{API}/validation/emails/5/result")).status_code == 404


# --- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/templates", "/v2/templates"])
@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({}, "The name field is required."),
        ({"name": "  ", "html": "<p/>"}, "The name field is required."),
        ({"name": "x"}, "The html field is required."),
        ({"name": 5, "html": "<p/>"}, "The name must be a string."),
        ({"name": "x", "html": ["<p/>"]}, "The html must be a string."),
        ({"name": "x" * 256, "html": "<p/>"}, "The name may not be greater than 255 characters."),
    ],
)
@pytest.mark.refused_requests
async def test_template_validation(
    client: httpx.AsyncClient, prefix: str, body: dict[str, Any], description: str
) -> None:
    for method, path in (("POST", prefix), ("PUT", f"{prefix}/1")):
        response = await client.request(method, API + path, json=body)
        assert response.status_code == 422
        assert response.json() == invalid(description)


@pytest.mark.parametrize(("prefix", "v2"), [("/templates", False), ("/v2/templates", True)])
async def test_template_create_and_update_answers(
    client: httpx.AsyncClient, prefix: str, v2: bool
) -> None:
    body = {"name": "New Template", "html": "<h1>Hello world</h1>"}
    created = await client.post(API + prefix, json=body)
    assert created.status_code == 201
    url = f"http://sandbox{API}{prefix}/4"
    expected: dict[str, Any] = {"id": 4, "name": "New Template"}
    if v2:
        expected["type"] = "HTML"
    expected |= {
        "html": "<h1>Hello world</h1>",
        "createdAt": "2025-03-10T12:00:00+00:00",
        "updatedAt": "2025-03-10T12:00:00+00:00",
        "links": {"self": url, "preview": url + "/preview"},
    }
    assert created.json() == {"data": expected}
    assert list(created.json()["data"]) == list(expected)  # key order as documented
    updated = await client.put(f"{API}{prefix}/4", json=body)
    assert updated.status_code == 201  # as the reference documents for updates
    shown = (await client.get(f"{API}{prefix}/4")).json()["data"]
    assert "links" not in shown and shown["html"] == "<h1>Hello world</h1>"


async def test_template_not_found_and_delete(client: httpx.AsyncClient) -> None:
    for method in ("GET", "PUT", "DELETE"):
        # A body the rules accept: the unknown id is what is answered.
        body = {"name": "x", "html": "<p>x</p>"} if method == "PUT" else None
        response = await client.request(method, f"{API}/templates/99", json=body)
        assert response.status_code == 404, method
    assert (await client.get(f"{API}/v2/templates/99/preview")).status_code == 404
    deleted = await client.delete(f"{API}/v2/templates/3")
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await client.get(f"{API}/v2/templates/3")).status_code == 404
    assert (await client.get(f"{API}/templates/3")).status_code == 200


async def test_template_preview_replaces_documented_links(client: httpx.AsyncClient) -> None:
    html = "<p>Hi {name}</p>[unsubscribe_link] [show_link] [form_1] [form_99] [attachment_7]"
    await client.post(f"{API}/templates", json={"name": "Links", "html": html})
    response = await client.get(f"{API}/templates/4/preview")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    base = "http://sandbox"
    assert (
        f"<p>Hi {{name}}</p>{base}/unsubscribe/preview {base}{API}/templates/4/preview "
        f"{base}{API}/forms/1/preview # {base}/attachments/7"
    ) in response.text
    assert "<title>Links</title>" in response.text


async def test_template_preview_keeps_a_whole_document(client: httpx.AsyncClient) -> None:
    page = "<html><body><h1>Hello</h1></body></html>"
    await client.post(f"{API}/v2/templates", json={"name": "Doc", "html": page})
    assert (await client.get(f"{API}/v2/templates/4/preview")).text == page


# --- forms ----------------------------------------------------------------------------------


def form(*fields: Any, **settings: Any) -> dict[str, Any]:
    return {"name": "My_form", **settings, "formFields": list(fields)}


TEXT = {"type": "text", "label": "Name", "customField": "form_name"}


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"formFields": [TEXT]}, "The name field is required."),
        ({"name": "Satisfaction survey", "formFields": [TEXT]}, "The name has already been taken."),
        ({"name": "x"}, "The form fields field is required."),
        ({"name": "x", "formFields": {"a": 1}}, "The form fields must be an array."),
        (form("h1"), "The form fields.0 must be an array."),
        (form({"label": "x"}), "The form fields.0.type field is required."),
        (form(TEXT, {"type": "h5", "label": "x"}), "The selected form fields.1.type is invalid."),
        (form({"type": "h1"}), "The form fields.0.label field is required."),
        (
            form({"type": "email", "label": "Email"}),
            "The form fields.0.custom field field is required when form fields.0.type is email.",
        ),
        (
            form({"type": "select", "label": "x", "customField": "f"}),
            "The form fields.0.options field is required when form fields.0.type is select.",
        ),
        (
            form({"type": "radio", "label": "x", "customField": "f", "options": "a"}),
            "The form fields.0.options must be an array.",
        ),
        (
            form({"type": "radio", "label": "x", "customField": "f", "options": [{"label": "a"}]}),
            "The form fields.0.options.0.value field is required.",
        ),
        (
            form({**TEXT, "required": "yes"}),
            "The form fields.0.required field must be true or false.",
        ),
        (
            form({"type": "textarea", "label": "x", "customField": "f", "rows": "3"}),
            "The form fields.0.rows must be an integer.",
        ),
        (
            form({"type": "textarea", "label": "x", "customField": "f", "rows": 0}),
            "The form fields.0.rows must be at least 1.",
        ),
        (form({**TEXT, "description": 5}), "The form fields.0.description must be a string."),
        (form(TEXT, editable="no"), "The editable field must be true or false."),
        (form(TEXT, rejectButton=3), "The reject button field must be true or false."),
        (form(TEXT, logoUrl="logo.png"), "The logo url format is invalid."),
        (form(TEXT, backgroundUrl=1), "The background url format is invalid."),
    ],
)  # fmt: skip
@pytest.mark.refused_requests
async def test_form_validation(
    client: httpx.AsyncClient, body: dict[str, Any], description: str
) -> None:
    response = await client.post(f"{API}/forms", json=body)
    assert response.status_code == 422
    assert response.json() == invalid(description)


async def test_form_create_update_answers(client: httpx.AsyncClient, state: Nrs360State) -> None:
    extra = {**TEXT, "required": 1, "colour": "red"}
    created = await client.post(f"{API}/forms", json=form(extra, rejectButton=True))
    # The reference shows no answer to POST or PUT /forms: none is given.
    assert (created.status_code, created.content) == (201, b"")
    assert (await client.get(f"{API}/forms/3")).json() == {
        "data": {
            "id": 3,
            "name": "My_form",
            "placeholder": "{FORM_3}",
            "createdAt": "2025-03-10T12:00:00+00:00",
            "updatedAt": "2025-03-10T12:00:00+00:00",
        }
    }
    stored = state.lists.forms[3]
    # Unknown keys are dropped, 1 is stored as the boolean it means.
    assert stored.fields == [{**TEXT, "required": True}]
    assert (stored.editable, stored.reject_button) == (True, True)
    updated = await client.put(f"{API}/forms/3", json=form(TEXT))
    assert (updated.status_code, updated.content) == (200, b"")
    assert stored.reject_button is False  # a replace: omitted settings get their defaults
    shown = (await client.get(f"{API}/forms/3")).json()["data"]
    assert list(shown) == ["id", "name", "placeholder", "createdAt", "updatedAt"]


async def test_form_not_found_delete_and_preview(client: httpx.AsyncClient) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = await client.request(method, f"{API}/forms/99", json=form(TEXT))
        assert response.status_code == 404, method
    preview = await client.get(f"{API}/forms/2/preview")
    assert preview.headers["content-type"] == "text/html; charset=utf-8"
    assert '<input id="field-1" type="date" name="appointment"' in preview.text
    deleted = await client.delete(f"{API}/forms/2")
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await client.get(f"{API}/forms/2/preview")).status_code == 404


async def test_form_preview_escapes_html(client: httpx.AsyncClient) -> None:
    evil = {"type": "p", "label": "<script>alert(1)</script>"}
    await client.post(f"{API}/forms", json=form(evil))
    text = (await client.get(f"{API}/forms/3/preview")).text
    assert "<script>" not in text and "&lt;script&gt;" in text
