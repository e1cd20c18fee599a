"""Domain models: blacklist, email validation, templates and forms.

Form elements follow the 360nrs annex: a form is a list of typed elements (headings,
inputs, choices). `FormElement` is one dataclass for every type; `ELEMENT_TYPES` says which
keys each type takes and needs, and `FormElement.from_json` checks them client-side so a
bad form file fails with a message that names the element and the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

_URL_RE = re.compile(r"^https?://[^\s/]+\S*$")

BlacklistKind = Literal["sms", "mailing", "voice"]
BLACKLIST_KINDS: tuple[BlacklistKind, ...] = ("sms", "mailing", "voice")


@dataclass(frozen=True)
class BlacklistEntry:
    """A recipient the provider will not send to on one channel."""

    type: str
    recipient: str
    is_definitive: bool = False
    sending_id: int | None = None
    campaign_name: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class EmailValidation:
    """An email validation job: pending, started, finished or failed."""

    id: int
    status: str
    total: int
    processed: int
    valid: int
    estimated_cost: float | None = None
    cost: float | None = None
    currency: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    finished_at: datetime | None = None
    result_url: str | None = None
    error: str = ""

    @property
    def finished(self) -> bool:
        """Whether the result CSV is available."""
        return self.status == "finished"


@dataclass(frozen=True)
class EmailVerdict:
    """One row of a validation's result: deliverable, undeliverable or risky."""

    email: str
    result: str


@dataclass(frozen=True)
class ValidationResult:
    """A validation's result: the CSV exactly as received, and its parsed rows."""

    csv: str
    rows: tuple[EmailVerdict, ...]

    def counts(self) -> dict[str, int]:
        """How many emails got each verdict."""
        out: dict[str, int] = {}
        for row in self.rows:
            out[row.result] = out.get(row.result, 0) + 1
        return out


@dataclass(frozen=True)
class Template:
    """An email/landing HTML template; `version` 1 is the legacy editor, 2 the current one.

    `html` is None where the provider leaves it out (v2 listings); `type` is v2 only.
    """

    id: int
    name: str
    version: int = 1
    html: str | None = None
    type: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Form:
    """A web form; `placeholder` (e.g. `{FORM_1}`) links it from a message."""

    id: int
    name: str
    placeholder: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class FormOption:
    """One choice of a select or radio element."""

    label: str
    value: str


@dataclass(frozen=True)
class ElementSpec:
    """Which keys a form element type takes (`allowed`) and must have (`required`)."""

    allowed: frozenset[str]
    required: frozenset[str]


_STATIC = ElementSpec(frozenset({"type", "label"}), frozenset({"type", "label"}))
# Inputs save the answer into a contact custom field, so customField is required: without
# it the provider would have nowhere to store what the person typed (the annex shows it on
# every input; it marks nothing as optional, so we choose the safe reading).
_INPUT_KEYS = frozenset({"type", "label", "required", "description", "placeholder", "customField"})
_INPUT = ElementSpec(_INPUT_KEYS, frozenset({"type", "label", "customField"}))
_NEEDS_FIELD = frozenset({"type", "label", "customField"})
ELEMENT_TYPES: dict[str, ElementSpec] = {
    "h1": _STATIC,
    "h2": _STATIC,
    "h3": _STATIC,
    "h4": _STATIC,
    "p": _STATIC,
    "blockquote": _STATIC,
    "text": _INPUT,
    "password": _INPUT,
    "email": _INPUT,
    "number": _INPUT,
    "date": _INPUT,
    "color": _INPUT,
    "textarea": ElementSpec(_INPUT_KEYS | {"rows"}, _NEEDS_FIELD),
    "countrySelector": ElementSpec(_INPUT_KEYS - {"placeholder"}, _NEEDS_FIELD),
    "select": ElementSpec(
        (_INPUT_KEYS - {"placeholder"}) | {"options"}, _NEEDS_FIELD | {"options"}
    ),
    "radio": ElementSpec((_INPUT_KEYS - {"placeholder"}) | {"options"}, _NEEDS_FIELD | {"options"}),
    "checkbox": ElementSpec(frozenset({"type", "label", "required", "customField"}), _NEEDS_FIELD),
}
_STR_KEYS = ("label", "description", "placeholder", "customField")


@dataclass(frozen=True)
class FormElement:
    """One element of a form (see `ELEMENT_TYPES` for what each type takes)."""

    type: str
    label: str
    required: bool | None = None
    description: str | None = None
    placeholder: str | None = None
    custom_field: str | None = None
    rows: int | None = None
    options: tuple[FormOption, ...] = ()

    def __post_init__(self) -> None:
        self.validate()

    def validate(self, where: str = "form element") -> None:
        """ValueError naming the first problem with this element."""
        self.from_json(self.to_json(), where=where)

    def to_json(self) -> dict[str, Any]:
        """The element as the API expects it (unset keys left out)."""
        out: dict[str, Any] = {"type": self.type, "label": self.label}
        for key, value in (
            ("required", self.required),
            ("description", self.description),
            ("placeholder", self.placeholder),
            ("customField", self.custom_field),
            ("rows", self.rows),
        ):
            if value is not None:
                out[key] = value
        if self.options:
            out["options"] = [{"label": o.label, "value": o.value} for o in self.options]
        return out

    @classmethod
    def from_json(cls, data: Any, *, where: str = "form element") -> FormElement:
        """An element from its API JSON, or ValueError saying what is wrong and where."""
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: must be an object")
        kind = data.get("type")
        spec = ELEMENT_TYPES.get(kind) if isinstance(kind, str) else None
        if spec is None:
            known = ", ".join(ELEMENT_TYPES)
            raise ValueError(f"{where}: unknown type {kind!r} (one of: {known})")
        where = f"{where} ({kind})"
        unknown = sorted(set(data) - spec.allowed)
        if unknown:
            raise ValueError(
                f"{where}: unexpected key(s) {', '.join(unknown)}; "
                f"a {kind} takes {', '.join(sorted(spec.allowed))}"
            )
        missing = [k for k in sorted(spec.required) if data.get(k) in (None, "", [])]
        if missing:
            raise ValueError(f"{where}: missing required key(s) {', '.join(missing)}")
        for key in _STR_KEYS:
            if key in data and not isinstance(data[key], str):
                raise ValueError(f"{where}: {key} must be a string")
        required = data.get("required")
        if required is not None and not isinstance(required, bool):
            raise ValueError(f"{where}: required must be true or false")
        rows = data.get("rows")
        if rows is not None and (not isinstance(rows, int) or isinstance(rows, bool) or rows < 1):
            raise ValueError(f"{where}: rows must be a positive integer")
        raw_options = data.get("options") or []
        if not isinstance(raw_options, list):
            raise ValueError(f"{where}: options must be a list of {{label, value}} objects")
        options = tuple(_option(o, f"{where} options[{i}]") for i, o in enumerate(raw_options))
        # Bypass __post_init__: everything was just checked.
        element = object.__new__(cls)
        for name, value in (
            ("type", kind),
            ("label", data["label"]),
            ("required", required),
            ("description", data.get("description")),
            ("placeholder", data.get("placeholder")),
            ("custom_field", data.get("customField")),
            ("rows", rows),
            ("options", options),
        ):
            object.__setattr__(element, name, value)
        return element


def _option(data: Any, where: str) -> FormOption:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: must be an object with label and value")
    label, value = data.get("label"), data.get("value")
    if not isinstance(label, str) or not label:
        raise ValueError(f"{where}: label is required and must be a string")
    # Values are strings in the annex; numbers are accepted and sent as given text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or value == "":
        raise ValueError(f"{where}: value is required and must be a string")
    return FormOption(label, value)


@dataclass(frozen=True)
class FormInput:
    """Everything to create or replace a form."""

    name: str
    fields: tuple[FormElement, ...]
    editable: bool | None = None
    reject_button: bool | None = None
    background_url: str | None = None
    logo_url: str | None = None

    def __post_init__(self) -> None:
        _check_form(self.to_json())

    def to_json(self) -> dict[str, Any]:
        """The POST/PUT /forms body (unset options left to the server's defaults)."""
        body: dict[str, Any] = {"name": self.name}
        for key, value in (
            ("editable", self.editable),
            ("rejectButton", self.reject_button),
            ("backgroundUrl", self.background_url),
            ("logoUrl", self.logo_url),
        ):
            if value is not None:
                body[key] = value
        body["formFields"] = [f.to_json() for f in self.fields]
        return body

    @classmethod
    def from_json(cls, data: Any) -> FormInput:
        """A form from the API's JSON shape (e.g. a form file), or ValueError."""
        fields = _check_form(data)
        return cls(
            name=data["name"],
            fields=fields,
            editable=data.get("editable"),
            reject_button=data.get("rejectButton"),
            background_url=data.get("backgroundUrl"),
            logo_url=data.get("logoUrl"),
        )


def _check_form(data: Any) -> tuple[FormElement, ...]:
    """The elements of a valid form body, or ValueError naming the first problem."""
    if not isinstance(data, Mapping):
        raise ValueError("a form must be a JSON object")
    allowed = {"name", "editable", "rejectButton", "backgroundUrl", "logoUrl", "formFields"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(
            f"unexpected key(s) {', '.join(unknown)}; a form takes {', '.join(sorted(allowed))}"
        )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name: required, a non-empty string")
    for key in ("editable", "rejectButton"):
        if key in data and not isinstance(data[key], bool):
            raise ValueError(f"{key}: must be true or false")
    for key in ("backgroundUrl", "logoUrl"):
        url = data.get(key)
        if url is not None and (not isinstance(url, str) or not _URL_RE.match(url)):
            raise ValueError(f"{key}: must be an http(s) URL")
    raw = data.get("formFields")
    if not isinstance(raw, list) or not raw:
        raise ValueError("formFields: required, a non-empty list of form elements")
    return tuple(
        FormElement.from_json(item, where=f"formFields[{i}]") for i, item in enumerate(raw)
    )
