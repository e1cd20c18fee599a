"""XeroChat: the `https://<host>/api` endpoints, authenticated by an `api_key` parameter.

Each endpoint is called the way the reference documents it: the GET ones with GET and
their parameters, api_key included, in the query string ("curl -X GET 'https://base_url/
api/get_user_info/?api_key=api_key&user_id=user_id'"), the POST ones with a form body.
The key in a URL is mitigated, not avoided: the HTTP layer redacts `api_key` from every
URL it logs or puts in an error, and scrubs the key from any message. The rules of every
request are in `backends/xerochat/rules.py`; one breaking them never leaves.

XeroChat answers errors as HTTP 200 with `{"status": "error", "message": ...}`; they are
mapped to the error tree by message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

import httpx

from backends.base import Backend, Connection
from backends.capabilities import (
    ContactsApi,
    FlowsApi,
    GroupsApi,
    LabelsApi,
    SubscribersApi,
    UsersApi,
)
from backends.errors import (
    AuthError,
    BadRequest,
    InvalidInput,
    MalformedResponse,
    NotFound,
    ProviderError,
)
from backends.http import HttpClient, parse_datetime, path
from backends.models.common import (
    Contact,
    ContactInput,
    CustomField,
    Group,
    GroupRef,
)
from backends.xerochat.models import (
    FlowAnswer,
    FlowAnswers,
    FlowCampaign,
    Label,
    Package,
    Subscriber,
    SubscriberAnswers,
    SystemUser,
    UserInput,
)
from backends.xerochat.rules import RULES

# Lower-case fragments of the documented messages, mapped to the error tree.
_AUTH_MARKERS = ("api key invalid", "validity expired", "admin")
_NOT_FOUND_MARKERS = ("no matching", "not found", "does not exist")
# get_all_labels reports an empty list as this error; a listing should just be empty.
_NO_LABELS = "no matching label found"


def error_for(message: str, status: int) -> ProviderError:
    """The error-tree class for a XeroChat error message."""
    lowered = message.lower()
    cls: type[ProviderError] = BadRequest
    if any(m in lowered for m in _AUTH_MARKERS):
        cls = AuthError
    elif any(m in lowered for m in _NOT_FOUND_MARKERS):
        cls = NotFound
    return cls(message, status=status, provider="xerochat")


def _malformed(what: str) -> MalformedResponse:
    return MalformedResponse(what, status=200, provider="xerochat")


def _s(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _i(value: Any) -> int | None:
    """An id the API prints as a number or a numeric string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _id(value: Any, what: str) -> int:
    number = _i(value)
    if number is None:
        raise _malformed(f"the {what} has no numeric id")
    return number


def _obj(body: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(body, dict):
        raise _malformed(f"the {what} is not an object")
    return body


def _list(body: Any, what: str) -> list[Any]:
    if not isinstance(body, list):
        raise _malformed(f"the {what} is not a list")
    return body


def _date(value: Any) -> date | None:
    # The API prints missing dates as 0000-00-00, which is no date at all.
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def parse_user(d: Mapping[str, Any]) -> SystemUser:
    """A `user_info` object."""
    return SystemUser(
        id=_id(d.get("id"), "user"),
        name=_s(d.get("name")),
        email=_s(d.get("email")),
        mobile=_s(d.get("mobile")),
        address=_s(d.get("address")),
        user_type=_s(d.get("user_type")),
        active=_s(d.get("status")) == "1",
        package_id=_i(d.get("package_id")),
        created_at=parse_datetime(d.get("add_date")),
        last_login_at=parse_datetime(d.get("last_login_at")),
        last_login_ip=_s(d.get("last_login_ip")),
        expires_at=parse_datetime(d.get("expired_date")),
    )


def parse_package(d: Mapping[str, Any]) -> Package:
    """A package object; `module_ids` is comma-separated text."""
    modules = tuple(int(m) for m in _s(d.get("module_ids")).split(",") if m.strip().isdigit())
    return Package(
        id=_id(d.get("id"), "package"),
        name=_s(d.get("package_name")),
        module_ids=modules,
        price=_s(d.get("price")) or "0",
        validity_days=_i(d.get("validity")) or 0,
        deleted=_s(d.get("deleted")) == "1",
        visible=_s(d.get("visible")) == "1",
        highlight=_s(d.get("highlight")) == "1",
    )


def parse_subscriber(d: Mapping[str, Any]) -> Subscriber:
    """A `subscriber_info` object."""
    return Subscriber(
        id=_s(d.get("subscriber_id")),
        page_id=_s(d.get("page_id")),
        page_name=_s(d.get("page_name")),
        first_name=_s(d.get("first_name")),
        last_name=_s(d.get("last_name")),
        full_name=_s(d.get("full_name")),
        email=_s(d.get("email")),
        phone=_s(d.get("phone_number")),
        gender=_s(d.get("gender")),
        locale=_s(d.get("locale")),
        timezone=_s(d.get("timezone")),
        label_ids=tuple(x.strip() for x in _s(d.get("labels")).split(",") if x.strip()),
        unavailable=_s(d.get("unavailable")) == "1",
        last_error_message=_s(d.get("last_error_message")),
        # The API spells it "refferer_source".
        referrer_source=_s(d.get("refferer_source")),
        birthdate=_date(d.get("birthdate")),
        subscribed_at=parse_datetime(d.get("subscribed_at")),
        last_interaction_at=parse_datetime(d.get("last_subscriber_interaction_time")),
    )


def parse_contact(d: Mapping[str, Any]) -> Contact:
    """A contact object; its contact type is its one group."""
    group_id = _i(d.get("contact_type_id"))
    extra = []
    if _s(d.get("notes")):
        extra.append(CustomField("notes", _s(d.get("notes"))))
    if _s(d.get("unsubscribed")) == "1":
        extra.append(CustomField("unsubscribed", "yes"))
    return Contact(
        id=_id(d.get("id"), "contact"),
        email=_s(d.get("email")) or None,
        phone=_s(d.get("phone_number")) or None,
        name=_s(d.get("first_name")) or None,
        surname=_s(d.get("last_name")) or None,
        custom_fields=tuple(extra),
        groups=(GroupRef(group_id, ""),) if group_id else (),
    )


def _answers(rows: Any) -> tuple[FlowAnswer, ...]:
    return tuple(
        FlowAnswer(_s(r.get("question_id")), _s(r.get("question")), _s(r.get("answer")))
        for r in _list(rows, "flow answer list")
        if isinstance(r, dict)
    )


def parse_flow_answers(body: Any, subscriber_id: str | None) -> FlowAnswers:
    """A single- or all-subscriber flow info answer."""
    d = _obj(body, "flow info")
    data = d.get("data")
    subscribers: tuple[SubscriberAnswers, ...]
    if subscriber_id is not None:
        subscribers = (SubscriberAnswers(subscriber_id, _answers(data)),)
    elif isinstance(data, dict):
        subscribers = tuple(SubscriberAnswers(str(k), _answers(v)) for k, v in data.items())
    elif data == [] or data is None:
        # PHP's json_encode prints an empty map as [].
        subscribers = ()
    else:
        raise _malformed("the flow info's data is not a map of subscribers")
    return FlowAnswers(
        flow_id=_id(d.get("id"), "flow campaign"),
        flow_name=_s(d.get("flow_name")),
        subscribers=subscribers,
    )


def _user_fields(data: UserInput) -> dict[str, Any]:
    return {
        "name": data.name,
        "email": data.email,
        "password": data.password,
        "package_id": data.package_id,
        "expired_date": data.expires_on.isoformat() if data.expires_on else None,
        "mobile": data.mobile,
        "address": data.address,
    }


# (form field, ContactInput attribute, what a user calls it) of what a contact holds.
_CONTACT_FIELDS = (
    ("email", "email", "email"),
    ("phone_number", "phone", "phone number"),
    ("first_name", "name", "first name"),
    ("last_name", "surname", "last name"),
)


def _contact_fields(data: ContactInput, *, update: bool = False) -> dict[str, Any]:
    unsupported = [
        name
        for name, value in (
            ("landline", data.landline),
            ("external id", data.external_id),
            ("custom fields", data.custom_fields),
            ("group names", data.group_names),
        )
        if value
    ]
    if unsupported:
        raise InvalidInput(f"XeroChat contacts have no {', '.join(unsupported)}")
    fields = {key: getattr(data, attr) for key, attr, _ in _CONTACT_FIELDS}
    # The update message ("provide value for first name or ...") shows that an empty
    # value counts as not given: XeroChat keeps the old value, so a field cannot be
    # cleared. Say so rather than report a save that changed nothing.
    cleared = [what for key, _, what in _CONTACT_FIELDS if fields[key] == ""]
    if update and cleared:
        raise InvalidInput(
            f"XeroChat cannot clear a contact's {', '.join(cleared)}: it keeps the old value"
        )
    # A country is accepted but not stored: XeroChat keeps numbers exactly as typed.
    return {key: value or None for key, value in fields.items()}


class XeroChatBackend(
    Backend, ContactsApi, GroupsApi, FlowsApi, LabelsApi, SubscribersApi, UsersApi
):
    """The XeroChat API."""

    provider: ClassVar[str] = "xerochat"
    # Its label, default URL and secret: backends.providers.
    # Its contacts: no landline, country, external id or custom fields; one group (the
    # "contact type"), by id, set at creation and kept.
    contact_fields: ClassVar[tuple[str, ...]] = ("name", "surname", "email", "phone")
    contact_custom_fields: ClassVar[bool] = False
    contact_group_names: ClassVar[bool] = False
    contact_one_group: ClassVar[bool] = True
    contact_groups_movable: ClassVar[bool] = False

    def _make_http(
        self, connection: Connection, transport: httpx.AsyncBaseTransport | None
    ) -> HttpClient:
        return HttpClient(
            provider=self.provider,
            base_url=connection.base_url,
            headers={"Accept": "application/json"},
            transport=transport,
            secrets=(connection.secret,),
            rules=RULES,
        )

    async def _call(self, method: str, path: str, **fields: Any) -> Any:
        """Call an endpoint (api_key first), parse JSON, raise on `status: error`.

        A GET carries its fields in the query string, a POST in a form body: the
        documented place for each (`xerochat_rules` refuses any other).
        """
        values = {"api_key": self.connection.secret}
        values.update({k: str(v) for k, v in fields.items() if v is not None})
        if method == "GET":
            response = await self.http.request("GET", path, params=values)
        else:
            response = await self.http.request(method, path, data=values)
        body = self.http.parse_json(response)
        if isinstance(body, dict) and body.get("status") == "error":
            message = self.http.scrub(_s(body.get("message")).strip()) or "unknown error"
            raise error_for(message, response.status_code)
        return body

    async def _get(self, path: str, **fields: Any) -> Any:
        """A documented GET endpoint."""
        return await self._call("GET", path, **fields)

    async def _ok(self, path: str, **fields: Any) -> Mapping[str, Any]:
        """A documented POST endpoint, whose answer must say `status: success`."""
        body = _obj(await self._call("POST", path, **fields), "answer")
        if body.get("status") != "success":
            raise _malformed("the answer says neither success nor error")
        return body

    # --- users and packages (admin) ------------------------------------------------
    async def system_user(self, *, user_id: int | None = None, email: str = "") -> SystemUser:
        if (user_id is None) == (not email):
            raise InvalidInput("look a user up by either id or email")
        body = _obj(await self._get("get_user_info", user_id=user_id, email=email or None), "user")
        return parse_user(_obj(body.get("user_info"), "user info"))

    async def create_system_user(self, data: UserInput) -> SystemUser:
        fields = _user_fields(data)
        missing = [k for k in ("name", "email", "password", "package_id") if fields[k] is None]
        missing += ["expired_date"] if data.expires_on is None else []
        if missing:
            raise InvalidInput(f"a new XeroChat user needs {', '.join(missing)}")
        body = await self._ok("create_system_user", **fields)
        return await self.system_user(user_id=_id(body.get("id"), "new user"))

    async def update_system_user(self, user_id: int, data: UserInput) -> SystemUser:
        if data.email is not None or data.password is not None:
            raise InvalidInput("XeroChat cannot change a user's email or password")
        fields = _user_fields(data)
        if all(v is None for v in fields.values()):
            raise InvalidInput("give at least one field to update")
        await self._ok(path("update_user", user_id), **fields)
        return await self.system_user(user_id=user_id)

    async def packages(self) -> list[Package]:
        body = _obj(await self._get("get_all_packages"), "packages answer")
        rows = _list(body.get("packages"), "package list")
        return [parse_package(_obj(r, "package")) for r in rows]

    # --- subscribers and labels ----------------------------------------------------
    async def subscriber(self, subscriber_id: str) -> Subscriber:
        body = _obj(
            await self._get("subscriber_information", subscriber_id=subscriber_id), "subscriber"
        )
        return parse_subscriber(_obj(body.get("subscriber_info"), "subscriber info"))

    async def labels(self, page_id: str) -> list[Label]:
        try:
            body = _obj(await self._get("get_all_labels", page_id=page_id), "labels answer")
        except NotFound as exc:
            if exc.message.lower() == _NO_LABELS:
                return []
            raise
        rows = _list(body.get("label_info"), "label list")
        return [
            Label(_s(r.get("label_id")), _s(r.get("label_name")))
            for r in rows
            if isinstance(r, dict)
        ]

    async def create_label(self, page_id: str, name: str) -> Label:
        body = await self._ok("create_label", label_name=name, page_id=page_id)
        label_id = _s(body.get("label_id"))
        if not label_id:
            raise _malformed("the new label has no id")
        return Label(label_id, name)

    async def assign_labels(self, page_id: str, subscriber_id: str, label_ids: list[str]) -> None:
        if not label_ids or any(not i or "," in i for i in label_ids):
            raise InvalidInput("give one or more label ids (without commas)")
        await self._ok(
            "assign_label",
            label_ids=",".join(label_ids),
            page_id=page_id,
            subscriber_id=subscriber_id,
        )

    # --- contact groups and contacts -----------------------------------------------
    # No contacts_page/groups_page: its API opens a contact or a group by id only, so it
    # lacks Capability.CONTACTS_LISTING and the base's NotSupported answers a listing.

    async def group(self, group_id: int) -> Group:
        d = _obj(await self._get("get_contact_group", contact_type_id=group_id), "group")
        return Group(id=_id(d.get("id"), "group"), name=_s(d.get("type")))

    async def create_group(self, name: str) -> Group:
        body = await self._ok("create_contact_group", name=name)
        return Group(id=_id(body.get("contact_type_id"), "new group"), name=name)

    async def update_group(self, group_id: int, name: str) -> Group:
        await self._ok(path("update_contact_group", group_id), name=name)
        return Group(id=group_id, name=name)

    async def delete_group(self, group_id: int) -> None:
        await self._ok("delete_contact_group", contact_type_id=group_id)

    async def contact(self, contact_id: int) -> Contact:
        return parse_contact(_obj(await self._get("get_contact", contact_id=contact_id), "contact"))

    async def create_contact(self, data: ContactInput) -> Contact:
        fields = _contact_fields(data)
        if len(data.group_ids) != 1:
            raise InvalidInput(
                "a XeroChat contact belongs to exactly one group (contact type), given by its id"
            )
        if not (data.email or data.phone):
            raise InvalidInput("a XeroChat contact needs an email or a phone number")
        body = await self._ok("create_contact", contact_type_id=data.group_ids[0], **fields)
        return await self.contact(_id(body.get("new_contact_id"), "new contact"))

    async def update_contact(self, contact_id: int, data: ContactInput) -> Contact:
        fields = _contact_fields(data, update=True)
        if data.group_ids:
            raise InvalidInput("XeroChat cannot move a contact to another group")
        if all(v is None for v in fields.values()):
            raise InvalidInput("give a first name, last name, email or phone number to update")
        await self._ok(path("update_contact", contact_id), **fields)
        return await self.contact(contact_id)

    async def delete_contact(self, contact_id: int) -> None:
        await self._ok("delete_contact", contact_id=contact_id)

    # --- flow campaigns ------------------------------------------------------------
    async def flow_campaigns(self) -> list[FlowCampaign]:
        rows = _list(await self._get("get_flow_campaigns"), "flow campaign list")
        return [
            FlowCampaign(_id(r.get("id"), "flow campaign"), _s(r.get("flow_name")))
            for r in (_obj(x, "flow campaign") for x in rows)
        ]

    async def flow_campaign(self, flow_id: int) -> FlowCampaign:
        body = await self._get("get_flow_campaign_info", flow_campaign_id=flow_id)
        d = _obj(body, "flow campaign")
        questions = d.get("questions")
        return FlowCampaign(
            id=_id(d.get("id"), "flow campaign"),
            name=_s(d.get("flow_name")),
            questions=tuple(_s(q) for q in _list(questions or [], "question list")),
        )

    async def flow_answers(self, flow_id: int, *, subscriber_id: str | None = None) -> FlowAnswers:
        if subscriber_id is None:
            body = await self._get("get_all_subscriber_flow_info", flow_campaign_id=flow_id)
        else:
            body = await self._get(
                "get_single_subscriber_flow_info",
                flow_campaign_id=flow_id,
                subscriber_id=subscriber_id,
            )
        return parse_flow_answers(body, subscriber_id)
