"""Blacklist, email validation, templates and forms: the provider-neutral interface.

Every method raises NotSupported unless a backend overrides it; a backend that overrides
a capability's methods (`backends.base.CAPABILITY_METHODS`) has that capability, and the
UI checks `Backend.supports(Capability...)` first. Area models live in `backends/models_lists.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from backends.errors import NotSupported
from backends.http import paginate
from backends.models import Page
from backends.models_lists import (
    BlacklistEntry,
    BlacklistKind,
    EmailValidation,
    Form,
    FormInput,
    Template,
    ValidationResult,
)


class ListsApi:
    """Blacklist, email validation, templates and forms."""

    def _not_supported(self, what: str) -> NotSupported:
        label = getattr(self, "label", "this provider")
        return NotSupported(f"{label} does not support {what}")

    # --- blacklist -----------------------------------------------------------------
    async def blacklist_list(
        self,
        kind: BlacklistKind,
        *,
        page: int = 1,
        limit: int = 100,
        recipient: str | None = None,
        sending_id: int | None = None,
    ) -> Page[BlacklistEntry]:
        """One page of a channel's blacklist, optionally filtered by recipient or sending.

        Raises:
            ValueError: `kind` is not sms, mailing or voice.
        """
        raise self._not_supported("blacklists")

    async def iter_blacklist(
        self,
        kind: BlacklistKind,
        *,
        recipient: str | None = None,
        sending_id: int | None = None,
        limit: int = 1000,
    ) -> AsyncIterator[BlacklistEntry]:
        """Every entry of a channel's blacklist matching the filters, page by page."""
        async for entry in paginate(
            lambda page: self.blacklist_list(
                kind, page=page, limit=limit, recipient=recipient, sending_id=sending_id
            )
        ):
            yield entry

    async def blacklist_add(self, kind: BlacklistKind, recipient: str) -> BlacklistEntry:
        """Add one recipient to a channel's blacklist (adding it twice is harmless)."""
        raise self._not_supported("blacklists")

    async def blacklist_remove(self, kind: BlacklistKind, recipient: str) -> None:
        """Remove one recipient from a channel's blacklist.

        Raises:
            NotFound: the recipient is not on that blacklist.
        """
        raise self._not_supported("blacklists")

    # --- email validation ----------------------------------------------------------
    async def validations_list(
        self, *, page: int = 1, limit: int | None = None
    ) -> Page[EmailValidation]:
        """One page of email validation jobs."""
        raise self._not_supported("email validation")

    async def iter_validations(self) -> AsyncIterator[EmailValidation]:
        """Every email validation job."""
        async for item in paginate(lambda page: self.validations_list(page=page)):
            yield item

    async def validation(self, validation_id: int) -> EmailValidation:
        """One validation job with its progress."""
        raise self._not_supported("email validation")

    async def validation_result(self, validation_id: int) -> ValidationResult:
        """The per-email verdicts of a finished validation (CSV text and parsed rows).

        Raises:
            NotFound: unknown id, or the validation has not finished yet.
            MalformedResponse: the CSV could not be read.
        """
        raise self._not_supported("email validation")

    async def validation_create(
        self,
        *,
        emails: Sequence[str] = (),
        group_ids: Sequence[int] = (),
        force: bool | None = None,
        allow_risky: bool | None = None,
        notification_url: str | None = None,
    ) -> EmailValidation:
        """Queue a validation of emails and/or contact groups; it starts as "pending".

        Raises:
            ValueError: neither emails nor groups were given.
            BadRequest: the provider refused the request (422 field errors, 109 bad URL).
        """
        raise self._not_supported("email validation")

    async def validation_delete(self, validation_id: int) -> None:
        """Delete a validation job from the list."""
        raise self._not_supported("email validation")

    # --- templates (version 1: legacy editor, version 2: current editor) ------------
    async def templates_list(
        self, *, v2: bool = False, page: int = 1, limit: int | None = None
    ) -> Page[Template]:
        """One page of templates (v2 listings carry no HTML)."""
        raise self._not_supported("templates")

    async def iter_templates(self, *, v2: bool = False) -> AsyncIterator[Template]:
        """Every template of one version."""
        async for item in paginate(lambda page: self.templates_list(v2=v2, page=page)):
            yield item

    async def template(self, template_id: int, *, v2: bool = False) -> Template:
        """One template with its HTML."""
        raise self._not_supported("templates")

    async def template_create(self, name: str, html: str, *, v2: bool = False) -> Template:
        """Create an HTML template."""
        raise self._not_supported("templates")

    async def template_update(
        self, template_id: int, name: str, html: str, *, v2: bool = False
    ) -> Template:
        """Replace a template's name and HTML."""
        raise self._not_supported("templates")

    async def template_delete(self, template_id: int, *, v2: bool = False) -> None:
        """Delete a template."""
        raise self._not_supported("templates")

    async def template_preview(self, template_id: int, *, v2: bool = False) -> str:
        """The template rendered as the provider previews it (HTML)."""
        raise self._not_supported("templates")

    # --- forms ---------------------------------------------------------------------
    async def forms_list(self, *, page: int = 1, limit: int | None = None) -> Page[Form]:
        """One page of forms."""
        raise self._not_supported("forms")

    async def iter_forms(self) -> AsyncIterator[Form]:
        """Every form."""
        async for item in paginate(lambda page: self.forms_list(page=page)):
            yield item

    async def form(self, form_id: int) -> Form:
        """One form."""
        raise self._not_supported("forms")

    async def form_create(self, form: FormInput) -> Form:
        """Create a form (elements are checked client-side when `FormInput` is built)."""
        raise self._not_supported("forms")

    async def form_update(self, form_id: int, form: FormInput) -> Form:
        """Replace a form's settings and elements."""
        raise self._not_supported("forms")

    async def form_delete(self, form_id: int) -> None:
        """Delete a form."""
        raise self._not_supported("forms")

    async def form_preview(self, form_id: int) -> str:
        """The form rendered as the provider previews it (HTML)."""
        raise self._not_supported("forms")
