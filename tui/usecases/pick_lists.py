"""What a picker offers where the provider's reference has a list endpoint.

360nrs lists contact groups (`GET /api/rest/groups`, "Groups list") and HTML templates
(`GET /api/rest/templates`, "List templates"); these read them through the backend's
capabilities (ContactsListingApi, TemplatesApi), never by provider name. A provider
without the listing (XeroChat reads a contact group only by its `contact_type_id`)
answers NotSupported: offer the ids used before instead (tui.usecases.recent_ids).
WhatsApp templates have no list endpoint in the reference: recent_ids too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Final, TypeVar

from backends.base import Backend
from backends.capabilities import ContactsListingApi, TemplatesApi
from tui.usecases.recent_ids import Choice

# A pick list is read by a person: past a few hundred entries typing the id is faster
# than scrolling, and every page is a request.
MAX_LISTED: Final = 300
PAGE: Final = 100

T = TypeVar("T")


async def _listed(items: AsyncIterator[T], choice: Callable[[T], Choice]) -> list[Choice]:
    """The first MAX_LISTED items as choices; the pages after them are never asked for."""
    out: list[Choice] = []
    try:
        async for item in items:
            out.append(choice(item))
            if len(out) >= MAX_LISTED:
                break
    finally:
        # A paging generator left early is closed now, not whenever it is collected.
        close = getattr(items, "aclose", None)
        if close is not None:
            await close()
    return out


async def group_choices(backend: Backend, *, by_name: bool = False) -> list[Choice]:
    """The account's contact groups as choices (value: the id, or the name with
    `by_name`, for fields that take either), at most MAX_LISTED; NotSupported when the
    provider cannot list them."""
    groups = backend.capability(ContactsListingApi).iter_groups(limit=PAGE)
    if by_name:
        return await _listed(groups, lambda g: Choice(g.name, f"group {g.id}"))
    return await _listed(groups, lambda g: Choice(str(g.id), g.name))


async def template_choices(backend: Backend, *, v2: bool = False) -> list[Choice]:
    """The account's HTML templates (legacy, or the current editor's with `v2`) as
    choices (value: the id), at most MAX_LISTED; NotSupported without the listing."""
    templates = backend.capability(TemplatesApi).iter_templates(v2=v2)
    return await _listed(templates, lambda t: Choice(str(t.id), t.name))
