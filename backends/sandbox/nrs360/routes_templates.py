"""Templates: /templates (legacy editor, v1) and /v2/templates (current editor).

Both versions take the same body and validation; v2 adds `type` (always "HTML" for
templates made through the API) and leaves `html` out of listings, as the reference shows.
Create and update both answer 201: the reference documents 201 for the update too.
"""

from __future__ import annotations

import html as html_lib
import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import (
    JsonObject,
    base_url,
    invalid,
    iso,
    not_found,
    ok,
    page_params,
    paginate,
    read_json,
    required_str,
    state_of,
)
from .routes_blacklist import lists_of
from .state_lists import ListsState, Template

MAX_NAME = 255
_FORM_LINK = re.compile(r"\[form_(\d+)\]")
_ATTACHMENT_LINK = re.compile(r"\[attachment_(\d+)\]")


def _prefix(version: int) -> str:
    return "/v2/templates" if version == 2 else "/templates"


def template_json(
    request: Request, version: int, t: Template, *, full: bool = True, links: bool = False
) -> JsonObject:
    """A template as version `version` of the API shows it."""
    data: JsonObject = {"id": t.id, "name": t.name}
    if version == 2:
        data["type"] = t.type
    if full or version == 1:
        data["html"] = t.html
    data["createdAt"] = iso(t.created_at)
    data["updatedAt"] = iso(t.updated_at)
    if links:
        url = f"{base_url(request)}/api/rest{_prefix(version)}/{t.id}"
        data["links"] = {"self": url, "preview": f"{url}/preview"}
    return data


def _body(body: JsonObject) -> tuple[str, str]:
    name = required_str(body, "name").strip()
    if len(name) > MAX_NAME:
        raise invalid(f"The name may not be greater than {MAX_NAME} characters.")
    return name, required_str(body, "html")


def _get(request: Request, version: int) -> Template:
    template = lists_of(request).templates[version].get(request.path_params["id"])
    if template is None:
        raise not_found()
    return template


def render_links(request: Request, lists: ListsState, text: str, self_url: str) -> str:
    """The HTML with the documented link patterns replaced by sandbox URLs."""
    api = f"{base_url(request)}/api/rest"

    def form(match: re.Match[str]) -> str:
        form_id = int(match.group(1))
        return f"{api}/forms/{form_id}/preview" if form_id in lists.forms else "#"

    text = text.replace("[unsubscribe_link]", f"{base_url(request)}/unsubscribe/preview")
    text = text.replace("[show_link]", self_url)
    text = _FORM_LINK.sub(form, text)
    return _ATTACHMENT_LINK.sub(lambda m: f"{base_url(request)}/attachments/{m.group(1)}", text)


def html_page(title: str, body: str) -> Response:
    """A complete HTML document (a fragment gets a minimal page around it)."""
    if "<html" not in body.lower():
        body = (
            '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html_lib.escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
        )
    return Response(body, media_type="text/html; charset=utf-8")


def _routes(version: int) -> list[Route]:
    async def list_templates(request: Request) -> Response:
        lists = lists_of(request)
        limit, page = page_params(request)
        chunk, meta = paginate(request, list(lists.templates[version].values()), limit, page)
        data = [template_json(request, version, t, full=False) for t in chunk]
        return ok({"data": data, "meta": meta})

    async def show_template(request: Request) -> Response:
        return ok({"data": template_json(request, version, _get(request, version))})

    async def create_template(request: Request) -> Response:
        lists = lists_of(request)
        name, html = _body(await read_json(request))
        template = lists.new_template(version, name, html, state_of(request).now())
        return ok({"data": template_json(request, version, template, links=True)}, 201)

    async def update_template(request: Request) -> Response:
        template = _get(request, version)
        template.name, template.html = _body(await read_json(request))
        template.updated_at = state_of(request).now()
        return ok({"data": template_json(request, version, template, links=True)}, 201)

    async def delete_template(request: Request) -> Response:
        template = _get(request, version)
        del lists_of(request).templates[version][template.id]
        return Response(status_code=204)

    async def preview_template(request: Request) -> Response:
        template = _get(request, version)
        self_url = f"{base_url(request)}/api/rest{_prefix(version)}/{template.id}/preview"
        # {variable} placeholders stay as they are: a preview has no contact to fill them.
        body = render_links(request, lists_of(request), template.html, self_url)
        return html_page(template.name, body)

    prefix = _prefix(version)
    return [
        Route(prefix, list_templates, methods=["GET"]),
        Route(prefix, create_template, methods=["POST"]),
        Route(prefix + "/{id:int}", show_template, methods=["GET"]),
        Route(prefix + "/{id:int}", update_template, methods=["PUT"]),
        Route(prefix + "/{id:int}", delete_template, methods=["DELETE"]),
        Route(prefix + "/{id:int}/preview", preview_template, methods=["GET"]),
    ]


ROUTES = [*_routes(1), *_routes(2)]
