"""Email validation: /validation/emails (list, show, result CSV, create, delete).

Choices where the reference is silent: creating answers 201 like the API's other creates;
asking for the result before the job finished answers 404 (there is no result resource
yet, and `resultUrl` is null); notification callbacks are not sent (the sandbox makes no
outbound requests), but the URL is validated and kept.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    EMAIL_RE,
    ApiError,
    JsonObject,
    as_int,
    base_url,
    invalid,
    is_blank,
    iso,
    not_found,
    ok,
    optional_bool,
    page_params,
    paginate,
    read_json,
    state_of,
)
from .routes_blacklist import lists_of
from .state_lists import Validation

CURRENCY = "EUR"
_URL_RE = re.compile(r"^https?://[^\s/]+\S*$")


def validation_json(request: Request, job: Validation) -> JsonObject:
    """A job as the API shows it (the caller has brought it up to date)."""
    finished = job.status == "finished"
    data: JsonObject = {
        "id": job.id,
        "status": job.status,
        "total": job.total,
        "processed": job.processed,
        "valid": job.valid,
        "estimatedCost": job.estimated_cost,
        # Charged once work starts; nothing for a job that failed.
        "cost": job.estimated_cost if job.status in ("started", "finished") else 0,
        "currency": CURRENCY,
        "createdAt": iso(job.created_at),
        "updatedAt": iso(job.updated_at),
        "finishedAt": iso(job.finished_at),
        "resultUrl": (
            f"{base_url(request)}/api/rest/validation/emails/{job.id}/result" if finished else None
        ),
    }
    if job.status == "failed":
        # The list and show examples carry no "error"; the failed notification does, and
        # without it a failed job would not say why.
        data["error"] = job.error
    return data


def _get(request: Request) -> Validation:
    job = lists_of(request).validations.get(request.path_params["id"])
    if job is None:
        raise not_found()
    return job


async def list_validations(request: Request) -> Response:
    """GET /validation/emails: paginated, oldest first."""
    lists = lists_of(request)
    limit, page = page_params(request)
    chunk, meta = paginate(request, list(lists.validations.values()), limit, page)
    return ok({"data": [validation_json(request, j) for j in chunk], "meta": meta})


async def show_validation(request: Request) -> Response:
    """GET /validation/emails/{id}."""
    return ok({"data": validation_json(request, _get(request))})


async def validation_result(request: Request) -> Response:
    """GET /validation/emails/{id}/result: `email;result` CSV once finished."""
    job = _get(request)
    if job.status != "finished":
        raise not_found()
    lines = ["email;result", *(f"{e};{job.verdicts[e]}" for e in job.emails)]
    return Response("\n".join(lines) + "\n", media_type="text/csv; charset=utf-8")


def _list(body: JsonObject, key: str) -> list[Any]:
    value = body.get(key)
    if is_blank(value):
        return []
    if not isinstance(value, list):
        raise invalid(f"The {_attr(key)} must be an array.")
    return value


def _attr(key: str) -> str:
    return {"groupsIds": "groups ids", "emails": "emails"}[key]


async def create_validation(request: Request) -> Response:
    """POST /validation/emails: queue a job over emails and/or groups' contacts."""
    state = state_of(request)
    lists = lists_of(request)
    body = await read_json(request)
    group_ids, emails = _list(body, "groupsIds"), _list(body, "emails")
    if not group_ids and not emails:
        raise invalid("The groups ids field is required when emails is not present.")
    wanted: list[str] = []
    for index, raw in enumerate(group_ids):
        group_id = as_int(raw, f"groups ids.{index}")
        if group_id not in state.groups:
            raise invalid(f"The selected groups ids.{index} is invalid.")
        wanted += [c.email for c in state.contacts.values() if group_id in c.group_ids and c.email]
    for index, email in enumerate(emails):
        if not isinstance(email, str) or not EMAIL_RE.match(email.strip()):
            raise invalid(f"The emails.{index} must be a valid email address.")
        wanted.append(email.strip())
    force = optional_bool(body, "force", False)
    allow_risky = optional_bool(body, "allowRisky", False)
    url = body.get("notificationUrl")
    if url is not None and (not isinstance(url, str) or not _URL_RE.match(url)):
        raise ApiError(400, 109, "Notification URL incorrect")
    # One check per address, whatever its case; without force, known emails are skipped.
    unique = list({e.lower(): e for e in wanted}.values())
    if not force:
        unique = [e for e in unique if e.lower() not in lists.verified]
    job = lists.new_validation(unique, state.now(), allow_risky=allow_risky, notification_url=url)
    return ok({"data": validation_json(request, job)}, 201)


async def delete_validation(request: Request) -> Response:
    """DELETE /validation/emails/{id}: 204."""
    job = _get(request)
    del lists_of(request).validations[job.id]
    return Response(status_code=204)


ROUTES = [
    Route("/validation/emails", list_validations, methods=["GET"]),
    Route("/validation/emails", create_validation, methods=["POST"]),
    Route("/validation/emails/{id:int}", show_validation, methods=["GET"]),
    Route("/validation/emails/{id:int}", delete_validation, methods=["DELETE"]),
    Route("/validation/emails/{id:int}/result", validation_result, methods=["GET"]),
]
