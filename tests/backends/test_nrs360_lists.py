"""The 360nrs lists client against the sandbox: blacklist, email validation, templates, forms.

One contract test per endpoint: what reached the provider (method, path, query, headers,
body) as the reference shows it, and what the client made of the answer.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from backends.base import Capability
from backends.errors import BadRequest, InvalidInput, MalformedResponse, NotFound
from backends.models.lists import (
    BlacklistEntry,
    EmailValidation,
    EmailVerdict,
    Form,
    FormElement,
    FormInput,
    FormOption,
    Template,
)
from backends.nrs360.client import Nrs360Backend
from backends.sandbox.core import RecordedRequest, RequestLog
from backends.sandbox.nrs360 import Nrs360State
from tests.backends.conftest import API, BASE_URL, START, FakeClock, mocked


def only(log: RequestLog, method: str, path: str, *, accept: str = "application/json") -> Any:
    """The single request with this method and path, authenticated as the demo user."""
    found = log.matching(method, path)
    assert len(found) == 1, [(r.method, r.path) for r in log.requests]
    request: RecordedRequest = found[0]
    header = request.headers["authorization"]
    assert base64.b64decode(header.removeprefix("Basic ")) == b"demo:demo-api-password"
    assert request.headers["accept"] == accept
    if request.body:
        assert request.headers["content-type"] == "application/json"
    else:
        assert "content-type" not in request.headers
    return request


def body_of(request: RecordedRequest) -> str:
    """The JSON body, canonical, so `1` and `true` differ."""
    return json.dumps(request.json(), sort_keys=True)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def test_capabilities() -> None:
    for capability in (
        Capability.BLACKLIST,
        Capability.EMAIL_VALIDATION,
        Capability.TEMPLATES,
        Capability.FORMS,
    ):
        assert Nrs360Backend.supports(capability)


# --- blacklist ------------------------------------------------------------------------------


async def test_blacklist_list_default_query(backend: Nrs360Backend, log: RequestLog) -> None:
    page = await backend.blacklist_list("sms")
    request = only(log, "GET", f"{API}/v2/blacklist/sms")
    assert request.query == {"page": ["1"], "limit": ["100"]}
    assert request.body == b""
    assert page.page == 1 and page.total == len(page.items) == 4
    assert page.total_pages == 1 and not page.has_next
    spring = [e for e in page.items if e.campaign_name == "Spring sale"]
    assert {e.recipient for e in spring} == {"99000000001", "99000000002"}
    assert all(e.sending_id == 100_017 and e.type == "sms" for e in spring)
    assert [e.is_definitive for e in page.items].count(True) == 1
    assert all(e.created_at is not None and e.created_at.tzinfo for e in page.items)


async def test_blacklist_list_every_filter(backend: Nrs360Backend, log: RequestLog) -> None:
    page = await backend.blacklist_list(
        "sms", page=1, limit=5, recipient="99000000001", sending_id=100_017
    )
    request = only(log, "GET", f"{API}/v2/blacklist/sms")
    assert request.query == {
        "page": ["1"],
        "limit": ["5"],
        "recipient": ["99000000001"],
        "sendingId": ["100017"],
    }
    assert [e.recipient for e in page.items] == ["99000000001"]
    assert page.per_page == 5


async def test_blacklist_email_filter_is_url_encoded(
    backend: Nrs360Backend, log: RequestLog
) -> None:
    page = await backend.blacklist_list("mailing", recipient="unsubscribed@example.com")
    request = only(log, "GET", f"{API}/v2/blacklist/mailing")
    assert "recipient=unsubscribed%40example.com" in request.query_string
    (entry,) = page.items
    assert entry == BlacklistEntry(
        type="mailing",
        recipient="unsubscribed@example.com",
        is_definitive=False,
        sending_id=100_021,
        campaign_name="Newsletter",
        created_at=entry.created_at,
    )


async def test_blacklist_pages_and_iterates(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    for n in range(7):
        state.lists.blacklist_add("voice", f"3466600000{n}", START - timedelta(minutes=n))
    page = await backend.blacklist_list("voice", page=2, limit=3)
    assert (page.page, page.total, page.total_pages) == (2, 8, 3)
    assert [e.recipient for e in page.items] == ["34666000003", "34666000004", "34666000005"]
    log.clear()
    every = [e.recipient async for e in backend.iter_blacklist("voice", limit=3)]
    assert len(every) == 8 and every[0] == "34666000000"
    assert [r.query["page"] for r in log.requests] == [["1"], ["2"], ["3"]]


async def test_blacklist_add(backend: Nrs360Backend, log: RequestLog, state: Nrs360State) -> None:
    entry = await backend.blacklist_add("sms", "34666555444")
    request = only(log, "PUT", f"{API}/v2/blacklist/sms")
    assert request.query == {}
    assert body_of(request) == canonical({"recipient": "34666555444"})
    assert entry == BlacklistEntry(
        type="sms", recipient="34666555444", is_definitive=False, created_at=START
    )
    assert state.lists.is_blacklisted("sms", "34666555444")
    assert state.lists.is_blacklisted("sms", "+34666555444")


async def test_blacklist_remove(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    await backend.blacklist_remove("sms", "99000000001")
    request = only(log, "DELETE", f"{API}/v2/blacklist/sms")
    assert request.query == {}
    assert body_of(request) == canonical({"recipient": "99000000001"})
    assert not state.lists.is_blacklisted("sms", "99000000001")
    with pytest.raises(NotFound):
        await backend.blacklist_remove("sms", "99000000001")


async def test_blacklist_refusals(backend: Nrs360Backend, log: RequestLog) -> None:
    with pytest.raises(BadRequest) as caught:
        await backend.blacklist_add("mailing", "not-an-email")
    assert (caught.value.status, caught.value.code) == (422, 422)
    assert caught.value.message == "The recipient format is invalid."
    with pytest.raises(BadRequest, match="definitively"):
        await backend.blacklist_remove("sms", "99000000004")
    with pytest.raises(ValueError, match="sms, mailing, voice"):
        await backend.blacklist_list("whatsapp")  # type: ignore[arg-type]
    assert len(log.requests) == 2  # the bad type never left


# --- email validation -------------------------------------------------------------------------


async def test_validations_list(backend: Nrs360Backend, log: RequestLog) -> None:
    page = await backend.validations_list()
    request = only(log, "GET", f"{API}/validation/emails")
    assert request.query == {"page": ["1"]}
    done, fresh = page.items
    assert done == EmailValidation(
        id=1,
        status="finished",
        total=5,
        processed=5,
        valid=done.valid,
        estimated_cost=0.0175,
        cost=0.0175,
        currency="EUR",
        created_at=START - timedelta(days=3),
        updated_at=done.finished_at,
        finished_at=START - timedelta(days=3) + timedelta(seconds=6),
        result_url=f"{BASE_URL}/validation/emails/1/result",
    )
    assert done.finished and 0 < done.valid < 5
    assert (fresh.status, fresh.processed, fresh.cost, fresh.result_url) == ("pending", 0, 0, None)


async def test_validations_iterate(backend: Nrs360Backend, log: RequestLog) -> None:
    ids = [v.id async for v in backend.iter_validations()]
    assert ids == [1, 2]


async def test_validation_show_progresses_with_the_clock(
    backend: Nrs360Backend, log: RequestLog, clock: FakeClock
) -> None:
    created = await backend.validation_create(emails=[f"person{n}@example.com" for n in range(20)])
    assert created.status == "pending" and created.total == 20
    assert created.estimated_cost == 0.07 and created.cost == 0
    clock.advance(seconds=6)
    started = await backend.validation(created.id)
    assert only(log, "GET", f"{API}/validation/emails/{created.id}").query == {}
    assert (started.status, started.processed) == ("started", 5)
    assert started.cost == 0.07 and started.finished_at is None
    clock.advance(seconds=10)
    finished = await backend.validation(created.id)
    assert (finished.status, finished.processed) == ("finished", 20)
    assert finished.finished_at == START + timedelta(seconds=9)
    assert finished.result_url == f"{BASE_URL}/validation/emails/{created.id}/result"


async def test_validation_result_csv(backend: Nrs360Backend, log: RequestLog) -> None:
    result = await backend.validation_result(1)
    request = only(
        log, "GET", f"{API}/validation/emails/1/result", accept="text/csv, application/json;q=0.5"
    )
    assert request.query == {} and request.body == b""
    assert result.csv.splitlines()[0] == "email;result"
    assert result.rows[0] == EmailVerdict("ana.garcia@example.com", result.rows[0].result)
    verdicts = {r.email: r.result for r in result.rows}
    assert len(verdicts) == 5
    assert verdicts["nobody@example.invalid"] == "undeliverable"
    assert verdicts["info@example.org"] == "risky"
    assert set(verdicts.values()) <= {"deliverable", "undeliverable", "risky"}
    shown = await backend.validation(1)
    assert shown.valid == result.counts()["deliverable"]


async def test_validation_result_is_404_until_finished(backend: Nrs360Backend) -> None:
    with pytest.raises(NotFound):
        await backend.validation_result(2)


async def test_validation_result_csv_parsing() -> None:
    csv = "email;result\r\na@example.com;deliverable\r\n\r\nb@example.com;risky\r\n"
    backend = mocked(lambda r: httpx.Response(200, text=csv, headers={"content-type": "text/csv"}))
    async with backend:
        result = await backend.validation_result(7)
    assert result.rows == (
        EmailVerdict("a@example.com", "deliverable"),
        EmailVerdict("b@example.com", "risky"),
    )
    broken = mocked(lambda r: httpx.Response(200, text="email;result\nlonely\n"))
    async with broken:
        with pytest.raises(MalformedResponse, match="line 2"):
            await broken.validation_result(7)


async def test_validation_create_every_parameter(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    vip = next(g.id for g in state.groups.values() if g.name == "VIP")
    members = {c.email for c in state.contacts.values() if vip in c.group_ids and c.email}
    created = await backend.validation_create(
        emails=["extra@example.com"],
        group_ids=[vip],
        force=True,
        allow_risky=True,
        notification_url="https://example.com/notificationUrl",
    )
    request = only(log, "POST", f"{API}/validation/emails")
    assert request.query == {}
    assert body_of(request) == canonical(
        {
            "groupsIds": [vip],
            "emails": ["extra@example.com"],
            "force": True,
            "allowRisky": True,
            "notificationUrl": "https://example.com/notificationUrl",
        }
    )
    assert created.total == len(members) + 1
    assert created.status == "pending" and created.created_at == START
    assert created.finished_at is None and created.result_url is None


async def test_validation_create_minimal_body(backend: Nrs360Backend, log: RequestLog) -> None:
    await backend.validation_create(group_ids=[1])
    assert body_of(only(log, "POST", f"{API}/validation/emails")) == canonical({"groupsIds": [1]})


async def test_validation_create_refusals(backend: Nrs360Backend, log: RequestLog) -> None:
    with pytest.raises(ValueError, match="at least one email or one group"):
        await backend.validation_create()
    assert log.requests == []
    # notificationUrl: "Callback URL in which progress notifications will be received".
    with pytest.raises(InvalidInput, match="notificationUrl 'ftp://x' is not an http"):
        await backend.validation_create(emails=["x@example.com"], notification_url="ftp://x")
    assert log.requests == []
    with pytest.raises(BadRequest, match=r"The selected groups ids.0 is invalid."):
        await backend.validation_create(group_ids=[999])


async def test_validation_delete(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    await backend.validation_delete(2)
    request = only(log, "DELETE", f"{API}/validation/emails/2")
    assert request.body == b"" and request.query == {}
    assert 2 not in state.lists.validations
    with pytest.raises(NotFound):
        await backend.validation(2)


# --- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize(("v2", "prefix"), [(False, "templates"), (True, "v2/templates")])
async def test_templates_list(
    backend: Nrs360Backend, log: RequestLog, v2: bool, prefix: str
) -> None:
    page = await backend.templates_list(v2=v2)
    request = only(log, "GET", f"{API}/{prefix}")
    assert request.query == {"page": ["1"]}
    assert len(page.items) == 3 and page.total == 3
    first = page.items[0]
    assert first.version == (2 if v2 else 1)
    if v2:
        # v2 listings carry the type and leave the HTML out.
        assert first.type == "HTML" and first.html is None
    else:
        assert first.type is None and first.html and "{name}" in first.html
    assert first.updated_at is None and first.created_at is not None


async def test_templates_iterate(backend: Nrs360Backend) -> None:
    names = [t.name async for t in backend.iter_templates(v2=True)]
    assert names == ["Order shipped", "Appointment reminder", "Invoice available"]


@pytest.mark.parametrize(("v2", "prefix"), [(False, "templates"), (True, "v2/templates")])
async def test_template_show(
    backend: Nrs360Backend, log: RequestLog, v2: bool, prefix: str
) -> None:
    template = await backend.template(1, v2=v2)
    request = only(log, "GET", f"{API}/{prefix}/1")
    assert request.query == {} and request.body == b""
    assert template.id == 1 and template.html
    assert template.type == ("HTML" if v2 else None)


@pytest.mark.parametrize(("v2", "prefix"), [(False, "templates"), (True, "v2/templates")])
async def test_template_create(
    backend: Nrs360Backend, log: RequestLog, v2: bool, prefix: str
) -> None:
    template = await backend.template_create("New Template", "<h1>Hello world</h1>", v2=v2)
    request = only(log, "POST", f"{API}/{prefix}")
    assert body_of(request) == canonical({"name": "New Template", "html": "<h1>Hello world</h1>"})
    assert template == Template(
        id=4,
        name="New Template",
        version=2 if v2 else 1,
        html="<h1>Hello world</h1>",
        type="HTML" if v2 else None,
        created_at=START,
        updated_at=START,
    )


@pytest.mark.parametrize(("v2", "prefix"), [(False, "templates"), (True, "v2/templates")])
async def test_template_update(
    backend: Nrs360Backend, log: RequestLog, clock: FakeClock, v2: bool, prefix: str
) -> None:
    clock.advance(hours=1)
    template = await backend.template_update(1, "Renamed", "<p>{name}</p>", v2=v2)
    request = only(log, "PUT", f"{API}/{prefix}/1")
    assert body_of(request) == canonical({"name": "Renamed", "html": "<p>{name}</p>"})
    assert (template.id, template.name, template.html) == (1, "Renamed", "<p>{name}</p>")
    assert template.updated_at == START + timedelta(hours=1)


@pytest.mark.parametrize(("v2", "prefix"), [(False, "templates"), (True, "v2/templates")])
async def test_template_delete(
    backend: Nrs360Backend, log: RequestLog, v2: bool, prefix: str
) -> None:
    await backend.template_delete(2, v2=v2)
    assert only(log, "DELETE", f"{API}/{prefix}/2").body == b""
    with pytest.raises(NotFound):
        await backend.template(2, v2=v2)
    # The other version's template 2 is a different template.
    assert (await backend.template(2, v2=not v2)).id == 2


@pytest.mark.parametrize(("v2", "prefix"), [(False, "templates"), (True, "v2/templates")])
async def test_template_preview(
    backend: Nrs360Backend, log: RequestLog, v2: bool, prefix: str
) -> None:
    html = await backend.template_preview(2, v2=v2)
    request = only(
        log, "GET", f"{API}/{prefix}/2/preview", accept="text/html, application/json;q=0.5"
    )
    assert request.body == b""
    assert html.startswith("<!DOCTYPE html>") and "{name}" in html
    assert "[form_" not in html and "[show_link]" not in html


async def test_template_refusals(backend: Nrs360Backend, log: RequestLog) -> None:
    # "html | string | Yes": an empty one never leaves.
    with pytest.raises(InvalidInput, match=r"The html field is required."):
        await backend.template_create("Empty", "")
    assert log.requests == []
    with pytest.raises(NotFound):
        await backend.template_update(99, "x", "<p>x</p>", v2=True)


# --- forms ----------------------------------------------------------------------------------

EVERY_ELEMENT: list[dict[str, Any]] = [
    {"type": "h1", "label": "Title"},
    {"type": "h2", "label": "Subtitle"},
    {"type": "h3", "label": "Your opinion is very important to us"},
    {"type": "h4", "label": "Small title"},
    {"type": "p", "label": "This is my paragraph"},
    {"type": "blockquote", "label": "My blockquote"},
    *[
        {
            "type": kind,
            "label": "My field",
            "required": True,
            "description": "Help text",
            "placeholder": "My placeholder",
            "customField": f"my_{kind}_field",
        }
        for kind in ("text", "password", "email", "number", "date", "color")
    ],
    {
        "type": "textarea",
        "label": "My field",
        "required": False,
        "description": "Help text",
        "placeholder": "My placeholder",
        "customField": "my_string_custom_field",
        "rows": 3,
    },
    {
        "type": "countrySelector",
        "label": "Country",
        "required": True,
        "description": "Help text",
        "customField": "my_country",
    },
    *[
        {
            "type": kind,
            "label": "Pick one",
            "required": True,
            "description": "Help text",
            "customField": f"my_{kind}",
            "options": [
                {"label": "Label 1", "value": "value1"},
                {"label": "Label 2", "value": "value2"},
            ],
        }
        for kind in ("select", "radio")
    ],
    {"type": "checkbox", "label": "My checkbox text", "required": True, "customField": "ok"},
]


def every_element_form(name: str = "My_form") -> FormInput:
    return FormInput.from_json(
        {
            "name": name,
            "editable": False,
            "rejectButton": True,
            "backgroundUrl": "https://example.com/assets/wizard.jpg",
            "logoUrl": "https://example.com/assets/logo.png",
            "formFields": EVERY_ELEMENT,
        }
    )


async def test_forms_list(backend: Nrs360Backend, log: RequestLog) -> None:
    page = await backend.forms_list()
    request = only(log, "GET", f"{API}/forms")
    assert request.query == {"page": ["1"]}
    assert [(f.id, f.name, f.placeholder) for f in page.items] == [
        (1, "Satisfaction survey", "{FORM_1}"),
        (2, "Appointment change", "{FORM_2}"),
    ]
    assert [f.id async for f in backend.iter_forms()] == [1, 2]


async def test_form_show(backend: Nrs360Backend, log: RequestLog) -> None:
    form = await backend.form(2)
    assert only(log, "GET", f"{API}/forms/2").body == b""
    assert form == Form(
        id=2,
        name="Appointment change",
        placeholder="{FORM_2}",
        created_at=START - timedelta(days=20),
        updated_at=None,
    )


async def test_form_create_with_every_element(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State
) -> None:
    form = await backend.form_create(every_element_form())
    request = only(log, "POST", f"{API}/forms")
    assert request.query == {}
    assert body_of(request) == canonical(
        {
            "name": "My_form",
            "editable": False,
            "rejectButton": True,
            "backgroundUrl": "https://example.com/assets/wizard.jpg",
            "logoUrl": "https://example.com/assets/logo.png",
            "formFields": EVERY_ELEMENT,
        }
    )
    assert form == Form(
        id=3, name="My_form", placeholder="{FORM_3}", created_at=START, updated_at=START
    )
    stored = state.lists.forms[3]
    assert stored.fields == EVERY_ELEMENT
    assert (stored.editable, stored.reject_button) == (False, True)


async def test_form_create_minimal_body(backend: Nrs360Backend, log: RequestLog) -> None:
    element = FormElement(type="h3", label="Hello")
    await backend.form_create(FormInput(name="Tiny", fields=(element,)))
    assert body_of(only(log, "POST", f"{API}/forms")) == canonical(
        {"name": "Tiny", "formFields": [{"type": "h3", "label": "Hello"}]}
    )


async def test_form_update(
    backend: Nrs360Backend, log: RequestLog, state: Nrs360State, clock: FakeClock
) -> None:
    clock.advance(minutes=5)
    choice = FormElement(
        type="select",
        label="Time",
        custom_field="slot",
        options=(FormOption("Morning", "am"), FormOption("Evening", "pm")),
    )
    form = await backend.form_update(1, FormInput(name="Survey v2", fields=(choice,)))
    request = only(log, "PUT", f"{API}/forms/1")
    assert body_of(request) == canonical(
        {
            "name": "Survey v2",
            "formFields": [
                {
                    "type": "select",
                    "label": "Time",
                    "customField": "slot",
                    "options": [
                        {"label": "Morning", "value": "am"},
                        {"label": "Evening", "value": "pm"},
                    ],
                }
            ],
        }
    )
    assert (form.id, form.name, form.updated_at) == (1, "Survey v2", START + timedelta(minutes=5))
    assert len(state.lists.forms[1].fields) == 1


async def test_form_delete(backend: Nrs360Backend, log: RequestLog) -> None:
    await backend.form_delete(1)
    assert only(log, "DELETE", f"{API}/forms/1").body == b""
    with pytest.raises(NotFound):
        await backend.form(1)


async def test_form_preview_renders_every_element(backend: Nrs360Backend, log: RequestLog) -> None:
    created = await backend.form_create(every_element_form())
    log.clear()
    html = await backend.form_preview(created.id)
    only(
        log, "GET", f"{API}/forms/{created.id}/preview", accept="text/html, application/json;q=0.5"
    )
    for tag in ("<h1>Title</h1>", "<blockquote>", 'type="password"', 'type="color"', "<textarea"):
        assert tag in html
    assert 'type="radio" name="my_radio" value="value2"' in html
    assert '<option value="ES">Spain</option>' in html and "Reject" in html


async def test_form_name_must_be_unique(backend: Nrs360Backend) -> None:
    element = FormElement(type="p", label="x")
    with pytest.raises(BadRequest, match=r"The name has already been taken."):
        await backend.form_create(FormInput(name="Satisfaction survey", fields=(element,)))
    # Keeping its own name on update is fine.
    await backend.form_update(1, FormInput(name="Satisfaction survey", fields=(element,)))


# --- form elements, client-side ---------------------------------------------------------------


def test_every_annex_element_round_trips() -> None:
    form = every_element_form()
    assert [e.to_json() for e in form.fields] == EVERY_ELEMENT
    assert FormInput.from_json(form.to_json()) == form


@pytest.mark.parametrize(
    ("element", "message"),
    [
        ({"type": "h5", "label": "x"}, r"formFields\[0\]: unknown type 'h5'"),
        ({"label": "x"}, r"unknown type None"),
        ({"type": "h1"}, r"formFields\[0\] \(h1\): missing required key\(s\) label"),
        ({"type": "text", "label": "x"}, r"\(text\): missing required key\(s\) customField"),
        (
            {"type": "select", "label": "x", "customField": "f"},
            r"\(select\): missing required key\(s\) options",
        ),
        (
            {"type": "radio", "label": "x", "customField": "f", "options": [{"label": "a"}]},
            r"options\[0\]: value is required",
        ),
        (
            {"type": "radio", "label": "x", "customField": "f", "options": "a,b"},
            r"options must be a list",
        ),
        (
            {"type": "countrySelector", "label": "x", "customField": "f", "placeholder": "p"},
            r"unexpected key\(s\) placeholder",
        ),
        (
            {"type": "text", "label": "x", "custom_field": "f"},
            r"unexpected key\(s\) custom_field",
        ),
        (
            {"type": "textarea", "label": "x", "customField": "f", "rows": 0},
            r"rows must be a positive integer",
        ),
        (
            {"type": "checkbox", "label": "x", "customField": "f", "required": "yes"},
            r"required must be true or false",
        ),
        ("h1", r"formFields\[0\]: must be an object"),
    ],
)
def test_bad_elements_are_clear_value_errors(element: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FormInput.from_json({"name": "f", "formFields": [element]})


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ([], "a form must be a JSON object"),
        ({"formFields": [{"type": "p", "label": "x"}]}, "name: required"),
        ({"name": "f", "formFields": []}, "formFields: required"),
        ({"name": "f", "formFields": [], "colour": "red"}, r"unexpected key\(s\) colour"),
        ({"name": "f", "editable": "yes", "formFields": []}, "editable: must be true or false"),
        ({"name": "f", "logoUrl": "logo.png", "formFields": []}, "logoUrl: must be an http"),
    ],
)
def test_bad_forms_are_clear_value_errors(form: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FormInput.from_json(form)


def test_elements_built_in_code_are_checked_too() -> None:
    with pytest.raises(ValueError, match="missing required key"):
        FormElement(type="email", label="Email")
    with pytest.raises(ValueError, match="formFields: required"):
        FormInput(name="x", fields=())
    option = FormElement.from_json(
        {"type": "radio", "label": "n", "customField": "f", "options": [{"label": "a", "value": 1}]}
    ).options[0]
    assert option == FormOption("a", "1")
