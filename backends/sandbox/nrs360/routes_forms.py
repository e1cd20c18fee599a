"""Forms: /forms (create, update, list, show, delete, preview) and the annex's elements.

Where the reference is silent: create answers 201 and update 200 with the same shape as
show plus `links`; names are unique (the reference says "Unique name of the form");
element keys the annex does not list for a type are ignored, as Laravel ignores unknown
input; inputs need a `customField`, since that is where the answer is stored.
"""

from __future__ import annotations

import html
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    JsonObject,
    invalid,
    is_blank,
    iso,
    not_found,
    ok,
    optional_bool,
    page_params,
    paginate,
    read_json,
    required_str,
    state_of,
)
from .routes_blacklist import lists_of
from .routes_templates import html_page
from .state_lists import Form

MAX_NAME = 255
_URL_RE = re.compile(r"^https?://[^\s/]+\S*$")
_STATIC = frozenset({"h1", "h2", "h3", "h4", "p", "blockquote"})
_INPUT = frozenset({"text", "password", "email", "number", "date", "color"})
_CHOICE = frozenset({"select", "radio"})
# Keys each element type takes, from the annex.
_INPUT_KEYS = ("label", "required", "description", "placeholder", "customField")
_KEYS: dict[str, tuple[str, ...]] = {
    **{t: ("label",) for t in _STATIC},
    **{t: _INPUT_KEYS for t in _INPUT},
    "textarea": (*_INPUT_KEYS, "rows"),
    "countrySelector": ("label", "required", "description", "customField"),
    "select": ("label", "required", "description", "customField", "options"),
    "radio": ("label", "required", "description", "customField", "options"),
    "checkbox": ("label", "required", "customField"),
}


def form_json(request: Request, form: Form) -> JsonObject:
    """A form as list and show print it."""
    return {
        "id": form.id,
        "name": form.name,
        "placeholder": form.placeholder,
        "createdAt": iso(form.created_at),
        "updatedAt": iso(form.updated_at),
    }


def _element(index: int, item: Any) -> dict[str, object]:
    at = f"form fields.{index}"
    if not isinstance(item, dict):
        raise invalid(f"The {at} must be an array.")  # Laravel's word for a JSON object
    kind = item.get("type")
    if is_blank(kind):
        raise invalid(f"The {at}.type field is required.")
    if kind not in _KEYS:
        raise invalid(f"The selected {at}.type is invalid.")
    keys = _KEYS[kind]
    if is_blank(item.get("label")):
        raise invalid(f"The {at}.label field is required.")
    if "customField" in keys and is_blank(item.get("customField")):
        raise invalid(f"The {at}.custom field field is required when {at}.type is {kind}.")
    for key, attr in (
        ("label", "label"),
        ("description", "description"),
        ("placeholder", "placeholder"),
        ("customField", "custom field"),
    ):
        if key in keys and item.get(key) is not None and not isinstance(item[key], str):
            raise invalid(f"The {at}.{attr} must be a string.")
    required = item.get("required")
    if "required" in keys and required is not None and not isinstance(required, bool):
        # Like Laravel's boolean rule, 0/1 and "0"/"1" pass and are stored as booleans.
        if required not in (0, 1, "0", "1"):
            raise invalid(f"The {at}.required field must be true or false.")
        item = {**item, "required": bool(int(required))}
    if "rows" in keys and item.get("rows") is not None:
        rows = item["rows"]
        if not isinstance(rows, int) or isinstance(rows, bool):
            raise invalid(f"The {at}.rows must be an integer.")
        if rows < 1:
            raise invalid(f"The {at}.rows must be at least 1.")
    if "options" in keys:
        _options(at, kind, item.get("options"))
    return {"type": kind, **{k: item[k] for k in keys if item.get(k) is not None}}


def _options(at: str, kind: str, options: Any) -> None:
    if is_blank(options):
        raise invalid(f"The {at}.options field is required when {at}.type is {kind}.")
    if not isinstance(options, list):
        raise invalid(f"The {at}.options must be an array.")
    for number, option in enumerate(options):
        where = f"{at}.options.{number}"
        if not isinstance(option, dict):
            raise invalid(f"The {where} must be an array.")
        for key in ("label", "value"):
            value = option.get(key)
            if is_blank(value):
                raise invalid(f"The {where}.{key} field is required.")
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise invalid(f"The {where}.{key} must be a string.")


def _form_body(body: JsonObject, current: Form | None, request: Request) -> dict[str, Any]:
    name = required_str(body, "name").strip()
    if len(name) > MAX_NAME:
        raise invalid(f"The name may not be greater than {MAX_NAME} characters.")
    other = lists_of(request).form_by_name(name)
    if other is not None and other is not current:
        raise invalid("The name has already been taken.")
    values: dict[str, Any] = {
        "name": name,
        "editable": optional_bool(body, "editable", True),
        "reject_button": optional_bool(body, "rejectButton", False),
    }
    for key, attr, label in (
        ("backgroundUrl", "background_url", "background url"),
        ("logoUrl", "logo_url", "logo url"),
    ):
        url = body.get(key)
        if url is not None and (not isinstance(url, str) or not _URL_RE.match(url)):
            raise invalid(f"The {label} format is invalid.")
        values[attr] = url
    fields = body.get("formFields")
    if is_blank(fields):
        raise invalid("The form fields field is required.")
    if not isinstance(fields, list):
        raise invalid("The form fields must be an array.")
    values["fields"] = [_element(i, item) for i, item in enumerate(fields)]
    return values


def _get(request: Request) -> Form:
    form = lists_of(request).forms.get(request.path_params["id"])
    if form is None:
        raise not_found()
    return form


async def list_forms(request: Request) -> Response:
    """GET /forms: paginated."""
    lists = lists_of(request)
    limit, page = page_params(request)
    chunk, meta = paginate(request, list(lists.forms.values()), limit, page)
    return ok({"data": [form_json(request, f) for f in chunk], "meta": meta})


async def show_form(request: Request) -> Response:
    """GET /forms/{id}."""
    return ok({"data": form_json(request, _get(request))})


async def create_form(request: Request) -> Response:
    """POST /forms."""
    lists = lists_of(request)
    values = _form_body(await read_json(request), None, request)
    form = lists.new_form(values.pop("name"), values.pop("fields"), state_of(request).now())
    for attr, value in values.items():
        setattr(form, attr, value)
    # The reference shows no answer to POST or PUT /forms (unlike templates, which show
    # theirs): none is given, so a client cannot come to rely on one.
    return Response(status_code=201)


async def update_form(request: Request) -> Response:
    """PUT /forms/{id}: replaces settings and elements (omitted settings get defaults)."""
    form = _get(request)
    values = _form_body(await read_json(request), form, request)
    for attr, value in values.items():
        setattr(form, attr, value)
    form.updated_at = state_of(request).now()
    return Response(status_code=200)


async def delete_form(request: Request) -> Response:
    """DELETE /forms/{id}: 204."""
    form = _get(request)
    del lists_of(request).forms[form.id]
    return Response(status_code=204)


async def preview_form(request: Request) -> Response:
    """GET /forms/{id}/preview: the form as HTML."""
    form = _get(request)
    return html_page(form.name, render_form(form))


def render_form(form: Form) -> str:
    """The form's HTML (inputs are named after their custom field)."""
    esc = html.escape
    parts: list[str] = []
    if form.logo_url:
        parts.append(f'<img class="logo" src="{esc(form.logo_url)}" alt="">')
    style = (
        f' style="background-image: url({esc(form.background_url)})"' if form.background_url else ""
    )
    parts.append(f'<form method="post"{style}>')
    for number, field in enumerate(form.fields):
        kind, label = str(field["type"]), esc(str(field.get("label", "")))
        if kind in _STATIC:
            parts.append(f"<{kind}>{label}</{kind}>")
            continue
        name = esc(str(field.get("customField", "")))
        need = " required" if field.get("required") is True else ""
        hint = esc(str(field.get("placeholder", "")))
        ident = f"field-{number}"
        parts.append(f'<div class="field"><label for="{ident}">{label}</label>')
        if kind in _INPUT:
            parts.append(
                f'<input id="{ident}" type="{kind}" name="{name}" placeholder="{hint}"{need}>'
            )
        elif kind == "textarea":
            rows = field.get("rows", 3)
            parts.append(
                f'<textarea id="{ident}" name="{name}" rows="{rows}" placeholder="{hint}"{need}>'
                "</textarea>"
            )
        elif kind == "checkbox":
            parts.append(f'<input id="{ident}" type="checkbox" name="{name}" value="1"{need}>')
        else:
            options = field.get("options") if kind in _CHOICE else []
            parts.append(_choices(kind, ident, name, need, options))
        if field.get("description"):
            parts.append(f"<small>{esc(str(field['description']))}</small>")
        parts.append("</div>")
    parts.append('<button type="submit">Submit</button>')
    if form.reject_button:
        parts.append('<button type="button" class="reject">Reject</button>')
    parts.append("</form>")
    return "\n".join(parts)


def _choices(kind: str, ident: str, name: str, need: str, options: Any) -> str:
    esc = html.escape
    pairs = [
        (esc(str(o.get("label"))), esc(str(o.get("value"))))
        for o in (options if isinstance(options, list) else [])
        if isinstance(o, dict)
    ]
    if kind == "radio":
        return "\n".join(
            f'<label><input type="radio" name="{name}" value="{v}"{need}> {lbl}</label>'
            for lbl, v in pairs
        )
    if kind == "countrySelector":
        # The platform fills in every country; a few make the preview recognisable.
        pairs = [("Spain", "ES"), ("Portugal", "PT"), ("France", "FR"), ("United Kingdom", "GB")]
    items = "".join(f'<option value="{v}">{lbl}</option>' for lbl, v in pairs)
    return f'<select id="{ident}" name="{name}"{need}>{items}</select>'


ROUTES = [
    Route("/forms", list_forms, methods=["GET"]),
    Route("/forms", create_form, methods=["POST"]),
    Route("/forms/{id:int}", show_form, methods=["GET"]),
    Route("/forms/{id:int}", update_form, methods=["PUT"]),
    Route("/forms/{id:int}", delete_form, methods=["DELETE"]),
    Route("/forms/{id:int}/preview", preview_form, methods=["GET"]),
]
