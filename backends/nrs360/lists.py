"""360nrs: blacklist, email validation, templates and forms."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from backends.base import Backend
from backends.capabilities import BlacklistApi, EmailValidationApi, FormsApi, TemplatesApi
from backends.errors import MalformedResponse
from backends.http import parse_datetime, path
from backends.models.common import Page
from backends.models.lists import (
    BLACKLIST_KINDS,
    BlacklistEntry,
    BlacklistKind,
    EmailValidation,
    EmailVerdict,
    Form,
    FormInput,
    Template,
    ValidationResult,
)
from backends.nrs360.common import _int, _object, _opt, _rows, _str, optional_data, parse_page

CSV_HEADER = ("email", "result")


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def parse_blacklist_entry(d: Mapping[str, Any]) -> BlacklistEntry:
    """A blacklist entry (PUT answers leave out sendingId)."""
    return BlacklistEntry(
        type=str(d.get("type", "")),
        recipient=str(d.get("recipient", "")),
        is_definitive=d.get("isDefinitive") is True,
        sending_id=_int(d.get("sendingId")),
        campaign_name=_str(d.get("campaignName")),
        created_at=parse_datetime(d.get("createdAt")),
    )


def parse_validation(d: Mapping[str, Any]) -> EmailValidation:
    """An email validation job."""
    return EmailValidation(
        id=_int(d.get("id")) or 0,
        status=str(d.get("status", "")),
        total=_int(d.get("total")) or 0,
        processed=_int(d.get("processed")) or 0,
        valid=_int(d.get("valid")) or 0,
        estimated_cost=_float(d.get("estimatedCost")),
        cost=_float(d.get("cost")),
        currency=str(d.get("currency") or ""),
        created_at=parse_datetime(d.get("createdAt")),
        updated_at=parse_datetime(d.get("updatedAt")),
        finished_at=parse_datetime(d.get("finishedAt")),
        result_url=_str(d.get("resultUrl")),
        error=str(d.get("error") or ""),
    )


def parse_validation_csv(text: str) -> tuple[EmailVerdict, ...]:
    """The rows of a result CSV (`email;result`, header first)."""
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if rows and tuple(c.strip().lower() for c in rows[0]) == CSV_HEADER:
        rows = rows[1:]
    out = []
    for number, row in enumerate(rows, start=2):
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) < 2:
            raise MalformedResponse(
                f"result CSV line {number} has no result column", status=200, provider="360nrs"
            )
        out.append(EmailVerdict(email=row[0].strip(), result=row[1].strip()))
    return tuple(out)


def parse_template(d: Mapping[str, Any], version: int) -> Template:
    """A v1 or v2 template."""
    return Template(
        id=_int(d.get("id")) or 0,
        name=str(d.get("name", "")),
        version=version,
        html=_str(d.get("html")),
        type=_str(d.get("type")),
        created_at=parse_datetime(d.get("createdAt")),
        updated_at=parse_datetime(d.get("updatedAt")),
    )


def parse_form(d: Mapping[str, Any]) -> Form:
    """A form."""
    return Form(
        id=_int(d.get("id")) or 0,
        name=str(d.get("name", "")),
        placeholder=str(d.get("placeholder") or ""),
        created_at=parse_datetime(d.get("createdAt")),
        updated_at=parse_datetime(d.get("updatedAt")),
    )


def _kind(kind: str) -> str:
    if kind not in BLACKLIST_KINDS:
        raise ValueError(
            f"blacklist type must be one of {', '.join(BLACKLIST_KINDS)}, not {kind!r}"
        )
    return kind


class Nrs360Lists(Backend, BlacklistApi, EmailValidationApi, TemplatesApi, FormsApi):
    """360nrs blacklists, email validation, templates and forms (mixed into Nrs360Backend)."""

    async def _object(self, method: str, where: str, **kwargs: Any) -> Mapping[str, Any]:
        return _object(await self.http.json(method, where, **kwargs))

    # --- blacklist -----------------------------------------------------------------
    async def blacklist_list(
        self,
        kind: BlacklistKind,
        *,
        page: int = 1,
        limit: int = 100,
        recipient: str | None = None,
        sending_id: int | None = None,
    ) -> Page[BlacklistEntry]:
        params = {"page": page, "limit": limit, "recipient": recipient, "sendingId": sending_id}
        body = await self.http.json("GET", path("v2", "blacklist", _kind(kind)), params=params)
        items = tuple(parse_blacklist_entry(d) for d in _rows(body))
        return Page(items, *parse_page(body, items))

    async def blacklist_add(self, kind: BlacklistKind, recipient: str) -> BlacklistEntry:
        where = path("v2", "blacklist", _kind(kind))
        return parse_blacklist_entry(
            await self._object("PUT", where, json={"recipient": recipient})
        )

    async def blacklist_remove(self, kind: BlacklistKind, recipient: str) -> None:
        # The reference sends the recipient as a JSON body even on DELETE.
        where = path("v2", "blacklist", _kind(kind))
        await self.http.request("DELETE", where, json={"recipient": recipient})

    # --- email validation ----------------------------------------------------------
    async def validations_list(
        self, *, page: int = 1, limit: int | None = None
    ) -> Page[EmailValidation]:
        body = await self.http.json(
            "GET", "validation/emails", params={"page": page, "limit": limit}
        )
        items = tuple(parse_validation(d) for d in _rows(body))
        return Page(items, *parse_page(body, items))

    async def validation(self, validation_id: int) -> EmailValidation:
        return parse_validation(
            await self._object("GET", path("validation", "emails", validation_id))
        )

    async def validation_result(self, validation_id: int) -> ValidationResult:
        response = await self.http.request(
            "GET",
            path("validation", "emails", validation_id, "result"),
            # CSV for the result, JSON still welcome for an error body.
            headers={"Accept": "text/csv, application/json;q=0.5"},
        )
        text = response.content.decode("utf-8-sig", errors="replace")
        return ValidationResult(csv=text, rows=parse_validation_csv(text))

    async def validation_create(
        self,
        *,
        emails: Sequence[str] = (),
        group_ids: Sequence[int] = (),
        force: bool | None = None,
        allow_risky: bool | None = None,
        notification_url: str | None = None,
    ) -> EmailValidation:
        if not emails and not group_ids:
            raise ValueError("give at least one email or one group id to validate")
        body: dict[str, Any] = {}
        _opt(body, "groupsIds", list(group_ids))
        _opt(body, "emails", list(emails))
        _opt(body, "force", force)
        _opt(body, "allowRisky", allow_risky)
        _opt(body, "notificationUrl", notification_url)
        return parse_validation(await self._object("POST", "validation/emails", json=body))

    async def validation_delete(self, validation_id: int) -> None:
        await self.http.request("DELETE", path("validation", "emails", validation_id))

    # --- templates -----------------------------------------------------------------
    @staticmethod
    def _templates(v2: bool, *rest: object) -> str:
        return path("v2", "templates", *rest) if v2 else path("templates", *rest)

    async def templates_list(
        self, *, v2: bool = False, page: int = 1, limit: int | None = None
    ) -> Page[Template]:
        params = {"page": page, "limit": limit}
        body = await self.http.json("GET", self._templates(v2), params=params)
        items = tuple(parse_template(d, 2 if v2 else 1) for d in _rows(body))
        return Page(items, *parse_page(body, items))

    async def template(self, template_id: int, *, v2: bool = False) -> Template:
        d = await self._object("GET", self._templates(v2, template_id))
        return parse_template(d, 2 if v2 else 1)

    async def template_create(self, name: str, html: str, *, v2: bool = False) -> Template:
        body = {"name": name, "html": html}
        return parse_template(
            await self._object("POST", self._templates(v2), json=body), 2 if v2 else 1
        )

    async def template_update(
        self, template_id: int, name: str, html: str, *, v2: bool = False
    ) -> Template:
        where = self._templates(v2, template_id)
        d = await self._object("PUT", where, json={"name": name, "html": html})
        return parse_template(d, 2 if v2 else 1)

    async def template_delete(self, template_id: int, *, v2: bool = False) -> None:
        await self.http.request("DELETE", self._templates(v2, template_id))

    async def template_preview(self, template_id: int, *, v2: bool = False) -> str:
        return await self._html(self._templates(v2, template_id, "preview"))

    async def _html(self, where: str) -> str:
        response = await self.http.request(
            "GET", where, headers={"Accept": "text/html, application/json;q=0.5"}
        )
        return response.text

    # --- forms ---------------------------------------------------------------------
    async def forms_list(self, *, page: int = 1, limit: int | None = None) -> Page[Form]:
        body = await self.http.json("GET", "forms", params={"page": page, "limit": limit})
        items = tuple(parse_form(d) for d in _rows(body))
        return Page(items, *parse_page(body, items))

    async def form(self, form_id: int) -> Form:
        return parse_form(await self._object("GET", path("forms", form_id)))

    async def form_create(self, form: FormInput) -> Form:
        # The reference's heading says /form but its curl posts to /forms, like every
        # other forms endpoint; /forms is the consistent reading.
        # The reference shows no answer to a form's POST or PUT (only that they succeed):
        # the form is taken from the answer when it carries one as `data`, else read back.
        response = await self.http.request("POST", "forms", json=form.to_json())
        data = optional_data(response.content)
        if data is not None:
            return parse_form(data)
        # "name ... Unique name of the form.": the new form is the one with this name.
        page = 1
        while True:
            listed = await self.forms_list(page=page, limit=1000)
            for found in listed.items:
                if found.name == form.name:
                    return found
            if not listed.has_next or not listed.items:
                break
            page += 1
        raise MalformedResponse(
            f"the form {form.name!r} was accepted but is not listed",
            status=response.status_code,
            provider="360nrs",
        )

    async def form_update(self, form_id: int, form: FormInput) -> Form:
        # The reference's curl omits the id; the heading's /forms/<ID> is the usable form.
        response = await self.http.request("PUT", path("forms", form_id), json=form.to_json())
        data = optional_data(response.content)
        return parse_form(data) if data is not None else await self.form(form_id)

    async def form_delete(self, form_id: int) -> None:
        await self.http.request("DELETE", path("forms", form_id))

    async def form_preview(self, form_id: int) -> str:
        return await self._html(path("forms", form_id, "preview"))
