"""XeroChat's request rules, written from its API reference (`xerochat-api.txt`).

Every endpoint the reference documents, with the method it names, where its parameters
go, which fields it requires and allows, and their value formats; each check quotes the
sentence it comes from. The client refuses a request breaking one before it leaves
(`backends/xerochat/client.py`), the emulator refuses it with XeroChat's error body
(`backends/sandbox/xerochat/app.py`).

XeroChat has no error codes and its reference shows error bodies only, never a status:
`{"status": "error", "message": ...}`. Which status comes with them is not documented; we
take HTTP 200 (a PHP page echoing JSON), as the emulator answers every documented error,
and a broken rule is answered the same way. Missing
fields use the reference's own messages where it documents one ("The flow_campaign_id
field is required", "The contact type ID is required", ...) and the same
"The <field> field is required" wording where it does not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

from backends.emails import email_problem
from backends.rules import Check, Outgoing, Rules, Violation

__all__ = ["RULES"]

# "Error Result Example: {"status": "error", "message": ...}": shown without a status;
# taken as HTTP 200 (see the module docstring).
ERROR_STATUS = 200

RULES = Rules(
    "xerochat",
    # No documented answer for a path it does not have: the PHP framework's 404 page.
    unknown=Violation("is not an endpoint the XeroChat reference documents", 404),
    # Not documented either; 405 with XeroChat's error body (the emulator's choice).
    wrong_method=Violation("uses a method the XeroChat reference does not document here", 405),
)

# "PARAMETERS ... api_key | String | Your API key" in every endpoint's table, and "To use
# this API, you need an API key."
API_KEY = "api_key"

_INTEGER = re.compile(r"\d+")
# A "Numeric" mobile number: digits, a leading + allowed (PHP's is_numeric takes it too;
# decimals and exponents, which it also takes, are no phone number).
_NUMERIC = re.compile(r"\+?\d+")


def _fail(message: str) -> Violation:
    return Violation(message, ERROR_STATUS)


def _fields(out: Outgoing) -> Mapping[str, Sequence[str]]:
    """Every parameter of a request: its query and its form fields.

    Where each may be is checked apart (`_in_query`, `_in_form`); here both count, so a
    field sent in the wrong place is reported as misplaced rather than as missing.
    """
    merged: dict[str, list[str]] = {k: list(v) for k, v in out.query.items()}
    if out.form and isinstance(out.body, Mapping):
        for key, values in out.body.items():
            merged.setdefault(key, []).extend(values)
    return merged


def _value(out: Outgoing, name: str) -> str:
    """A parameter's value, stripped (for "given or blank"); empty when not given."""
    return _raw(out, name).strip()


def _raw(out: Outgoing, name: str) -> str:
    """A parameter's value as sent (for its format); empty when not given."""
    values = _fields(out).get(name)
    return values[0] if values else ""


# --- where parameters go ---------------------------------------------------------------------


def _in_query(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "To get user info you need to make a GET call to the following endpoint", with the
    # parameters in the query: "curl -X GET 'https://base_url/api/get_user_info/?api_key=
    # api_key&user_id=user_id'". Every GET endpoint is documented this way.
    if out.form or out.body is not None:
        return _fail(f"{out.method} parameters go in the query string, not in a body")
    return None


def _in_form(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "accepts form-encoded request bodies"; every POST example sends its fields with
    # `curl -X POST ... -d 'api_key=api_key' -d ...`, none in the query string.
    if not out.form:
        return _fail(
            "POST parameters go in a form-encoded body (application/x-www-form-urlencoded)"
        )
    if out.query:
        return _fail("POST parameters go in the form body, not in the query string")
    return None


def _allowed(*names: str) -> Check:
    """Only the fields of the endpoint's PARAMETERS table, each given once."""
    known = {API_KEY, *names}

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        fields = _fields(out)
        unknown = sorted(k for k in fields if k not in known)
        if unknown:
            allowed = ", ".join(sorted(known - {API_KEY})) or "only api_key"
            return _fail(f"{', '.join(unknown)}: not a field of this endpoint (allowed: {allowed})")
        # A repeated field is read as one value by PHP (the last); which one is meant is
        # not the client's to leave to chance.
        repeated = sorted(k for k, v in fields.items() if len(v) > 1)
        if repeated:
            return _fail(f"{', '.join(repeated)} given more than once")
        return None

    return check


def _api_key(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "To use this API, you need an API key."
    if not _value(out, API_KEY):
        return _fail("the api_key is missing (give the account its XeroChat API key)")
    return None


# --- required fields and value formats -------------------------------------------------------


def _required(name: str, message: str | None = None) -> Check:
    """A field that must be given, not blank."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        if not _value(out, name):
            return _fail(message or f"The {name} field is required")
        return None

    return check


def _integer(name: str) -> Check:
    """A field the table types `Integer`: digits only, when given."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        value = _raw(out, name)
        if value.strip() and not _INTEGER.fullmatch(value):
            return _fail(f"The {name} field must contain a whole number, not {value!r}")
        return None

    return check


def _numeric(name: str) -> Check:
    """A field the table types `Numeric`: a number as PHP's is_numeric reads one."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        value = _raw(out, name)
        if value.strip() and not _NUMERIC.fullmatch(value):
            return _fail(
                f"The {name} field must contain only digits (a leading + allowed), not {value!r}"
            )
        return None

    return check


def _date(name: str) -> Check:
    """A `YYYY-MM-DD` date (a real one), when given."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        value = _value(out, name)
        if not value:
            return None
        try:
            ok = re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None
            date.fromisoformat(value)
        except ValueError:
            ok = False
        if not ok:
            return _fail(f"The {name} field must be a date in YYYY-MM-DD format, not {value!r}")
        return None

    return check


def _email(name: str) -> Check:
    """An email address (backends.emails), when given."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        value = _value(out, name)
        if value and email_problem(value):
            return _fail(f"The {name} field must contain a valid email address, not {value!r}")
        return None

    return check


def _any_of(names: Sequence[str], message: str) -> Check:
    """At least one of these fields given, not blank."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        if not any(_value(out, n) for n in names):
            return _fail(message)
        return None

    return check


def _not_both(first: str, second: str) -> Check:
    """Two fields of which one names the thing: not both at once."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        if _value(out, first) and _value(out, second):
            return _fail(f"give either {first} or {second}, not both")
        return None

    return check


def _path_integer(param: str, what: str) -> Check:
    """An `{id}` path segment that names an Integer-typed id."""

    def check(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
        value = params.get(param, "")
        if not _INTEGER.fullmatch(value):
            return _fail(f"the {what} in the path must be a whole number, not {value!r}")
        return None

    return check


def _label_ids(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "label_ids | String | Label ID to be assigned. You can provide multiple label IDs
    # separated by comma" (the example: 'label_ids=6243946525492645,9452768492754035').
    value = _value(out, "label_ids")
    if value and any(not part.strip() for part in value.split(",")):
        return _fail("label_ids must be label ids separated by commas, with no empty one")
    return None


def _get(path: str, *checks: Check) -> None:
    """A documented GET endpoint: parameters in the query, the api_key among them."""
    RULES.endpoint("GET", path, _in_query, _api_key, *checks)


def _post(path: str, *checks: Check) -> None:
    """A documented POST endpoint: parameters in a form body, the api_key among them."""
    RULES.endpoint("POST", path, _in_form, _api_key, *checks)


# --- users and packages (Admin) --------------------------------------------------------------

# "To get user info you need to make a GET call to the following endpoint: /get_user_info"
# "user_id | Integer | The ID of the user"; "| String | The email address of the user" (the
# table lost the field's name; the reference names it `email` everywhere else).
_get(
    "/get_user_info",
    _allowed("user_id", "email"),
    # "Use either user_id or email address to make a successful get-user-info API call":
    # read as one of the two; both at once leaves which one wins to the server.
    _any_of(("user_id", "email"), "Either user_id or email is required"),
    _not_both("user_id", "email"),
    _integer("user_id"),
    _email("email"),
)

# "To create a new user you need to make a POST call to the following endpoint:
# /create_system_user"; name, email, password, package_id, expired_date without
# "(optional)", mobile and address "(optional)".
_USER_FIELDS = ("name", "email", "password", "package_id", "expired_date", "mobile", "address")
_post(
    "/create_system_user",
    _allowed(*_USER_FIELDS),
    *(_required(n) for n in ("name", "email", "password", "package_id", "expired_date")),
    _email("email"),
    # "package_id | Integer | Package ID of the system"
    _integer("package_id"),
    # "expired_date | String | Expire Date in YYYY-MM-DD Format"
    _date("expired_date"),
    # "mobile | Numeric | (optional) Mobile number of the user"
    _numeric("mobile"),
)

# The update's curl posts to 'https://base_url/api/update_user/{userId}' while its prose
# says "make a POST call to the following endpoint: /create_system_user/{userId}": both
# are documented, so both are accepted (the client uses the curl's update_user).
# Its table: name, mobile, address, package_id, expired_date, all "(optional)"; no email
# or password. "You need to provide at least one more parameter with the api_key to make
# a successful update-user API call".
_UPDATE_USER = (
    _allowed("name", "mobile", "address", "package_id", "expired_date"),
    _any_of(
        ("name", "mobile", "address", "package_id", "expired_date"),
        "You need to provide at least one more parameter with the api_key",
    ),
    # "User not found with the ID: 12": users have numeric ids.
    _path_integer("userId", "user id"),
    _numeric("mobile"),
    _integer("package_id"),
    # "expired_date | Date | ... Date Format: 'YYYY-MM-DD'"
    _date("expired_date"),
)
_post("/update_user/{userId}", *_UPDATE_USER)
_post("/create_system_user/{userId}", *_UPDATE_USER)

# "To get info of all pacakges, you need to make a GET call to the following endpoint:
# /get_all_packages"; only the api_key.
_get("/get_all_packages", _allowed())

# --- subscribers and labels ------------------------------------------------------------------

# "To get subscriber info, you need to make a GET call to the following endpoint:
# /subscriber_information"; "subscriber_id | Integer | Subscriber PSID".
_get(
    "/subscriber_information",
    _allowed("subscriber_id"),
    _required("subscriber_id"),
    _integer("subscriber_id"),
)

# "To get all labels, you need to make a GET call to the following endpoint:
# /get_all_labels"; "page_id | Integer | Page ID [must be bot enabled in the system]".
_get("/get_all_labels", _allowed("page_id"), _required("page_id"), _integer("page_id"))

# "To create a label, you need to make a POST call to the following endpoint:
# /create_label"; "label_name | String | Label name to be created", "page_id | Integer".
_post(
    "/create_label",
    _allowed("label_name", "page_id"),
    _required("label_name"),
    _required("page_id"),
    _integer("page_id"),
)

# "To assign a label, you need to make a POST call to the following endpoint:
# /assign_label"; label_ids (String), page_id and subscriber_id (Integer).
_post(
    "/assign_label",
    _allowed("label_ids", "page_id", "subscriber_id"),
    _required("label_ids"),
    _required("page_id"),
    _required("subscriber_id"),
    _label_ids,
    _integer("page_id"),
    _integer("subscriber_id"),
)

# --- contact groups and contacts -------------------------------------------------------------

# "To get contact group, you need to make a GET call to the following endpoint:
# /get_contact_group"; "contact_type_id | Integer"; its documented error: "The contact type
# ID is required".
_get(
    "/get_contact_group",
    _allowed("contact_type_id"),
    _required("contact_type_id", "The contact type ID is required"),
    _integer("contact_type_id"),
)

# "To create contact group, you need to make a POST call to the following endpoint:
# /create_contact_group"; "name | String"; "The contact type name is required".
_post(
    "/create_contact_group",
    _allowed("name"),
    _required("name", "The contact type name is required"),
)

# "To update contact group, you need to make a POST call to the following endpoint:
# /update_contact_group/{contact_type_id}"; "name | String"; "The contact type name is
# required". The id is the Integer contact_type_id of the other group endpoints.
_post(
    "/update_contact_group/{contact_type_id}",
    _allowed("name"),
    _required("name", "The contact type name is required"),
    _path_integer("contact_type_id", "contact type id"),
)

# "To delete contact group, you need to make a POST call to the following endpoint:
# /delete_contact_group"; "The contact_type_id field is required".
_post(
    "/delete_contact_group",
    _allowed("contact_type_id"),
    _required("contact_type_id", "The contact_type_id field is required"),
    _integer("contact_type_id"),
)

# "To get contact, you need to make a GET call to the following endpoint: /get_contact";
# "contact_id | Integer | The contact ID to be fetched".
_get("/get_contact", _allowed("contact_id"), _required("contact_id"), _integer("contact_id"))

# "To create contact, you need to make a POST call to the following endpoint:
# /create_contact"; contact_type_id (Integer), email (the table lost its name; the curl
# sends 'email=email'), phone_number, first_name and last_name "(optional)".
# "Note: Either email or phone_number is required" ("The email or phone_number is required").
_post(
    "/create_contact",
    _allowed("contact_type_id", "email", "phone_number", "first_name", "last_name"),
    _required("contact_type_id"),
    _integer("contact_type_id"),
    _any_of(("email", "phone_number"), "The email or phone_number is required"),
    _email("email"),
)

# "To update contact, you need to make a POST call to the following endpoint :
# /update_contact/{contact_id}"; its table lists contact_id (Integer) beside the optional
# email, phone_number, first_name and last_name; its error: "You should at least provide
# value for first name or last name or email or phone number".
_post(
    "/update_contact/{contact_id}",
    _allowed("contact_id", "email", "phone_number", "first_name", "last_name"),
    _path_integer("contact_id", "contact id"),
    _integer("contact_id"),
    _any_of(
        ("first_name", "last_name", "email", "phone_number"),
        "You should at least provide value for first name or last name or email or phone number",
    ),
    _email("email"),
)

# "To delete contact, you need to make a POST call to the following endpoint:
# /delete_contact"; "contact_id | Integer | The contact ID to be deleted".
_post(
    "/delete_contact",
    _allowed("contact_id"),
    _required("contact_id"),
    _integer("contact_id"),
)

# --- flow campaigns --------------------------------------------------------------------------

# "To get flow campaign list, you need to make a GET call to the following endpoint:
# /get_flow_campaigns"; only the api_key.
_get("/get_flow_campaigns", _allowed())

# "To get flow campaign info, you need to make a GET call to the following endpoint:
# /get_flow_campaign_info", yet its curl is "curl -X POST 'https://base_url/api/
# get_flow_campaign_info/?api_key=api_key&flow_campaign_id=flow_campaign_id'". The prose
# is followed (the client GETs); the curl is accepted as the reference shows it: a POST
# with its parameters in the query. "The flow_campaign_id field is required".
_FLOW_INFO = (
    _api_key,
    _allowed("flow_campaign_id"),
    _required("flow_campaign_id", "The flow_campaign_id field is required"),
    _integer("flow_campaign_id"),
)
RULES.endpoint("GET", "/get_flow_campaign_info", _in_query, *_FLOW_INFO)
RULES.endpoint("POST", "/get_flow_campaign_info", _in_query, *_FLOW_INFO)

# "To get single subscriber flow info, you need to make a GET call to the following
# endpoint: /get_single_subscriber_flow_info"; flow_campaign_id and subscriber_id (Integer).
_get(
    "/get_single_subscriber_flow_info",
    _allowed("flow_campaign_id", "subscriber_id"),
    _required("flow_campaign_id", "The flow_campaign_id field is required"),
    _required("subscriber_id"),
    _integer("flow_campaign_id"),
    _integer("subscriber_id"),
)

# "To get all subscribers flow info, you need to make a GET call to the following
# endpoint: /get_all_subscriber_flow_info"; "flow_campaign_id | Integer".
_get(
    "/get_all_subscriber_flow_info",
    _allowed("flow_campaign_id"),
    _required("flow_campaign_id", "The flow_campaign_id field is required"),
    _integer("flow_campaign_id"),
)
