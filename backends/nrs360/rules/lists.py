"""360nrs request rules: email validation, blacklists, templates and forms."""

from __future__ import annotations

from collections.abc import Mapping

from backends.nrs360.rules.checks import (
    _allowed,
    _array,
    _blank,
    _body,
    _booleans,
    _invalid,
    _is_url,
    _json_object,
    _page_limit,
    _required,
    _string,
    _v,
)
from backends.rules import Outgoing, Rules, Violation

# --- email validation ---------------------------------------------------------------------


def _validation_targets(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # groupsIds: "No (whenever there are emails)"; emails: "No (whenever there are groupIds)".
    body = _body(out)
    if _blank(body.get("groupsIds")) and _blank(body.get("emails")):
        return _invalid("The groups ids field is required when emails is not present.")
    return None


def _validation_url(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # notificationUrl: "Callback URL in which progress notifications will be received".
    value = _body(out).get("notificationUrl")
    if value is not None and not _is_url(value):
        return _v(109, f"notificationUrl {value!r} is not an http(s) URL")
    return None


# --- blacklist -----------------------------------------------------------------------------

_BLACKLISTS = ("sms", "mailing", "voice")


def _blacklist_type(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "type | Blacklist type: sms, mailing, voice."
    kind = params.get("type")
    if kind not in _BLACKLISTS:
        return _invalid("The selected type is invalid.")
    return None


_RECIPIENT = (
    _json_object,
    _required("recipient"),
    _string("recipient"),
    _allowed("recipient"),
)

# --- templates and forms -----------------------------------------------------------------

# Templates (v1 and v2): "name | string | Yes" and "html | string | Yes".
_TEMPLATE_WRITE = (
    _json_object,
    _required("name"),
    _string("name"),
    _required("html"),
    _string("html"),
    _allowed("name", "html"),
)

# Form elements of the annex: H1-H4, Paragraph, Blockquote, the inputs, Select, radio, checkbox.
_FORM_TYPES = frozenset(
    {"h1", "h2", "h3", "h4", "p", "blockquote", "text", "password", "email", "number",
     "textarea", "date", "color", "countrySelector", "select", "radio", "checkbox"}
)  # fmt: skip


def _form_fields(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # formFields: "array | Yes | Set of elements that the form will have. See annex to see
    # all the elements." (each element has a "type" and a "label").
    fields = _body(out).get("formFields")
    if _blank(fields):
        return _invalid("The form fields field is required.")
    if not isinstance(fields, list):
        return _invalid("The form fields must be an array.")
    for i, item in enumerate(fields):
        if not isinstance(item, Mapping):
            # Laravel's word for a JSON object.
            return _invalid(f"The form fields.{i} must be an array.")
        if _blank(item.get("type")):
            return _invalid(f"The form fields.{i}.type field is required.")
        if item.get("type") not in _FORM_TYPES:
            return _invalid(f"The selected form fields.{i}.type is invalid.")
        if _blank(item.get("label")):
            return _invalid(f"The form fields.{i}.label field is required.")
    return None


_FORM_WRITE = (
    _json_object,
    # name: "string | Yes | Unique name of the form."
    _required("name"),
    _string("name"),
    _booleans("editable", "rejectButton"),
    _form_fields,
    _allowed("name", "editable", "rejectButton", "backgroundUrl", "logoUrl", "formFields"),
)


def add(rules: Rules) -> None:
    """Declare this area's endpoints."""
    rules.endpoint("GET", "/validation/emails", _page_limit)
    rules.endpoint("GET", "/validation/emails/{id}")
    rules.endpoint("GET", "/validation/emails/{id}/result")
    rules.endpoint(
        "POST",
        "/validation/emails",
        _json_object,
        _validation_targets,
        _array("groupsIds"),
        _array("emails"),
        _booleans("force", "allowRisky"),
        _validation_url,
        _allowed("groupsIds", "emails", "force", "allowRisky", "notificationUrl"),
    )
    rules.endpoint("DELETE", "/validation/emails/{id}")
    rules.endpoint("GET", "/v2/blacklist/{type}", _blacklist_type, _page_limit)
    # "recipient | string | Yes | Recipient to add to the blacklist." (and "to remove").
    rules.endpoint("PUT", "/v2/blacklist/{type}", _blacklist_type, *_RECIPIENT)
    rules.endpoint("DELETE", "/v2/blacklist/{type}", _blacklist_type, *_RECIPIENT)
    for _root in ("/templates", "/v2/templates"):
        rules.endpoint("GET", _root, _page_limit)
        rules.endpoint("GET", _root + "/{id}")
        rules.endpoint("POST", _root, *_TEMPLATE_WRITE)
        rules.endpoint("PUT", _root + "/{id}", *_TEMPLATE_WRITE)
        rules.endpoint("DELETE", _root + "/{id}")
        rules.endpoint("GET", _root + "/{id}/preview")
    # The heading says "POST {{DASHBOARD_HOST}}/api/rest/form", its cURL posts to
    # ".../api/rest/forms": both are documented, both accepted (the client uses /forms, the
    # collection every other forms call is on). The PUT cURL's ".../forms" without an id is
    # a slip of the sample: the heading's /forms/<ID> says which form.
    rules.endpoint("POST", "/form", *_FORM_WRITE)
    rules.endpoint("POST", "/forms", *_FORM_WRITE)
    rules.endpoint("PUT", "/forms/{id}", *_FORM_WRITE)
    rules.endpoint("GET", "/forms", _page_limit)
    rules.endpoint("GET", "/forms/{id}")
    rules.endpoint("DELETE", "/forms/{id}")
    rules.endpoint("GET", "/forms/{id}/preview")
