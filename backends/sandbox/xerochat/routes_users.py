"""Users and packages (Admin endpoints)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .common import EMAIL_RE, Params, XcError, endpoint, int_id, required, success
from .state import Package, User, XeroChatState, stamp


def user_json(u: User) -> dict[str, str]:
    """The `user_info` object, every value a string as the API prints it."""
    return {
        "id": str(u.id),
        "name": u.name,
        "email": u.email,
        "mobile": u.mobile,
        "address": u.address,
        "user_type": u.user_type,
        "status": u.status,
        "add_date": stamp(u.add_date),
        "last_login_at": stamp(u.last_login_at),
        "expired_date": stamp(u.expired_date),
        "package_id": str(u.package_id),
        "last_login_ip": u.last_login_ip,
    }


def package_json(p: Package) -> dict[str, str]:
    """A package object."""
    return {
        "id": str(p.id),
        "package_name": p.name,
        "module_ids": p.module_ids,
        "price": p.price,
        "validity": str(p.validity),
        "deleted": "1" if p.deleted else "0",
        "visible": "1" if p.visible else "0",
        "highlight": "1" if p.highlight else "0",
    }


def _expiry(value: str) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise XcError("The expired_date must be a date in YYYY-MM-DD format") from None
    return day.replace(tzinfo=UTC)


def _package(state: XeroChatState, value: str) -> int:
    pid = int_id(value)
    if pid is None or pid not in state.packages or state.packages[pid].deleted:
        raise XcError("No Matching Package Found")
    return pid


def get_user_info(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """GET /get_user_info: by user_id or email."""
    user_id, email = p.get("user_id", "").strip(), p.get("email", "").strip()
    if not user_id and not email:
        raise XcError("Either user_id or email is required")
    uid = int_id(user_id) if user_id else None
    for u in state.users.values():
        if (user_id and u.id == uid) or (not user_id and u.email.lower() == email.lower()):
            return success(user_info=user_json(u))
    raise XcError("No Matching User Found")


def create_system_user(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """POST /create_system_user."""
    name = required(p, "name")
    email = required(p, "email")
    password = required(p, "password")
    package_id = _package(state, required(p, "package_id"))
    expires = _expiry(required(p, "expired_date"))
    if not EMAIL_RE.match(email):
        raise XcError("The email field must contain a valid email address")
    if any(u.email.lower() == email.lower() for u in state.users.values()):
        raise XcError("Email already exists")
    uid = state.next_id(state.users, 0)
    state.users[uid] = User(
        id=uid,
        name=name,
        email=email,
        password=password,
        mobile=p.get("mobile", ""),
        address=p.get("address", ""),
        package_id=package_id,
        add_date=state.now,
        expired_date=expires,
    )
    return success(id=uid)


def update_user(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """POST /update_user/{userId}: at least one field besides the api_key."""
    fields = ("name", "mobile", "address", "package_id", "expired_date")
    given = {k: p[k].strip() for k in fields if p.get(k, "").strip()}
    if not given:
        raise XcError("You need to provide at least one more parameter with the api_key")
    uid = int_id(path["user_id"])
    user = state.users.get(uid) if uid is not None else None
    if user is None:
        raise XcError(f"User not found with the ID: {path['user_id']}")
    # Validate every field before changing any.
    package_id = _package(state, given["package_id"]) if "package_id" in given else None
    expires = _expiry(given["expired_date"]) if "expired_date" in given else None
    user.name = given.get("name", user.name)
    user.mobile = given.get("mobile", user.mobile)
    user.address = given.get("address", user.address)
    if package_id is not None:
        user.package_id = package_id
    if expires is not None:
        user.expired_date = expires
    return success()


def get_all_packages(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """GET /get_all_packages."""
    return success(packages=[package_json(pk) for pk in state.packages.values()])


ROUTES = [
    *endpoint("GET", "/get_user_info", get_user_info, admin=True),
    *endpoint("POST", "/create_system_user", create_system_user, admin=True),
    *endpoint("POST", "/update_user/{user_id}", update_user, admin=True),
    # The reference's prose names this path for updates (its curl says update_user).
    *endpoint("POST", "/create_system_user/{user_id}", update_user, admin=True),
    *endpoint("GET", "/get_all_packages", get_all_packages, admin=True),
]
