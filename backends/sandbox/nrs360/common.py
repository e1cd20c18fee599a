"""Request/response helpers shared by the 360nrs route modules.

The real API is a Laravel application: validation failures are HTTP 422 with code 422 and
the first failing rule's message as description, and list endpoints paginate with Fractal's
`meta.pagination` block. These helpers reproduce both.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

import orjson
from starlette.requests import Request

from ..core import OrjsonResponse
from .state import Nrs360State

T = TypeVar("T")

JsonObject = dict[str, Any]

PHONE_RE = re.compile(r"^\+?\d{8,15}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_INT_RE = re.compile(r"^-?\d+$")


class ApiError(Exception):
    """An error answered as `{"error": {"code", "description"}}` with an HTTP status."""

    def __init__(self, status: int, code: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


def error_response(status: int, code: int, description: str) -> OrjsonResponse:
    """The provider's error body."""
    return OrjsonResponse({"error": {"code": code, "description": description}}, status)


def not_found() -> ApiError:
    """The generic 404 the reference documents."""
    return ApiError(404, 404, "Resource not found")


def invalid(description: str) -> ApiError:
    """A Laravel validation failure (HTTP 422, code 422)."""
    return ApiError(422, 422, description)


def ok(data: Any, status: int = 200) -> OrjsonResponse:
    """A JSON response."""
    return OrjsonResponse(data, status)


def state_of(request: Request) -> Nrs360State:
    """The emulator state of the app serving this request."""
    return cast(Nrs360State, request.app.state.nrs)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with seconds and `+00:00`, as the API prints dates."""
    return None if moment is None else moment.replace(microsecond=0).isoformat()


def base_url(request: Request) -> str:
    """Scheme and host of the request, used to build `links`."""
    return str(request.base_url).rstrip("/")


async def read_json(request: Request) -> JsonObject:
    """The JSON object body; an empty body counts as `{}`.

    Anything that is not a JSON object is "Invalid JSON" (400/125): the API's fields are
    all top-level keys, so an array or scalar body cannot be a valid request either.
    """
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiError(400, 125, "Invalid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, 125, "Invalid JSON")
    return body


# --- Laravel-style validation -------------------------------------------------------------


def attribute(name: str) -> str:
    """Laravel's displayable attribute: `maxAttempts` -> `max attempts`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", name).lower()


def is_blank(value: Any) -> bool:
    """Laravel's notion of a missing value for `required`."""
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def required_str(body: Mapping[str, Any], key: str) -> str:
    """A required string field."""
    value = body.get(key)
    if is_blank(value):
        raise invalid(f"The {attribute(key)} field is required.")
    if not isinstance(value, str):
        raise invalid(f"The {attribute(key)} must be a string.")
    return value


def optional_str(body: Mapping[str, Any], key: str, default: str | None) -> str | None:
    """An optional string field."""
    value = body.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise invalid(f"The {attribute(key)} must be a string.")
    return value


def optional_bool(body: Mapping[str, Any], key: str, default: bool) -> bool:
    """An optional boolean; like Laravel, 0/1 and "0"/"1" are accepted too."""
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1"):
        return bool(int(value))
    raise invalid(f"The {attribute(key)} field must be true or false.")


def as_int(value: Any, key: str) -> int:
    """An integer given as a JSON number or a numeric string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INT_RE.match(value.strip()):
        return int(value)
    raise invalid(f"The {attribute(key)} must be an integer.")


def optional_int(body: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    """An optional integer within [low, high]."""
    value = body.get(key)
    if value is None or value == "":
        return default
    number = as_int(value, key)
    if not low <= number <= high:
        raise invalid(f"The {attribute(key)} must be between {low} and {high}.")
    return number


# --- Pagination ---------------------------------------------------------------------------


def page_params(
    request: Request, *, default_limit: int = 100, max_limit: int = 1000
) -> tuple[int, int]:
    """The validated (limit, page) query parameters."""
    query = request.query_params
    limit = optional_int(query, "limit", default_limit, 1, max_limit)
    page = as_int(query["page"], "page") if query.get("page") else 1
    if page < 1:
        raise invalid("The page must be at least 1.")
    return limit, page


def paginate(
    request: Request, items: Sequence[T], limit: int, page: int
) -> tuple[list[T], JsonObject]:
    """One page of items and the Fractal `meta` block describing it.

    Links keep the request's other query parameters and are proper URLs
    (`...?include=groups&page=2`; the reference's `conversations&page=2` is a typo).
    When there is neither a previous nor a next page `links` is `{}`: Fractal casts the
    empty links to an object, so clients always get the same JSON type.
    """
    total = len(items)
    # Laravel reports one (empty) page for an empty result, never zero pages.
    total_pages = max(1, math.ceil(total / limit))
    chunk = list(items[(page - 1) * limit : page * limit])
    links: JsonObject = {}
    if page > 1:
        links["previous"] = str(request.url.include_query_params(page=page - 1))
    if page < total_pages:
        links["next"] = str(request.url.include_query_params(page=page + 1))
    meta = {
        "pagination": {
            "total": total,
            "count": len(chunk),
            "per_page": limit,
            "current_page": page,
            "total_pages": total_pages,
            "links": links,
        }
    }
    return chunk, meta
