"""Capability interfaces: Templates, forms and tools (URL shortener, image hosting)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from typing import ClassVar

from backends.capabilities.kinds import Capability
from backends.http import paginate
from backends.models.common import (
    Page,
)
from backends.models.lists import (
    Form,
    FormInput,
    Template,
)
from backends.models.reports import (
    HostedImage,
    ImageUpload,
    ShortUrl,
)


class TemplatesApi(ABC):
    """Capability.TEMPLATES."""

    offers: ClassVar[Capability] = Capability.TEMPLATES
    what: ClassVar[str] = "templates"

    @abstractmethod
    async def templates_list(
        self, *, v2: bool = False, page: int = 1, limit: int | None = None
    ) -> Page[Template]:
        """One page of templates (v2 listings carry no HTML)."""

    @abstractmethod
    async def template(self, template_id: int, *, v2: bool = False) -> Template:
        """One template with its HTML."""

    @abstractmethod
    async def template_create(self, name: str, html: str, *, v2: bool = False) -> Template:
        """Create an HTML template."""

    @abstractmethod
    async def template_update(
        self, template_id: int, name: str, html: str, *, v2: bool = False
    ) -> Template:
        """Replace a template's name and HTML."""

    @abstractmethod
    async def template_delete(self, template_id: int, *, v2: bool = False) -> None:
        """Delete a template."""

    @abstractmethod
    async def template_preview(self, template_id: int, *, v2: bool = False) -> str:
        """The template rendered as the provider previews it (HTML)."""

    async def iter_templates(self, *, v2: bool = False) -> AsyncIterator[Template]:
        """Every template of one version."""
        async for item in paginate(lambda page: self.templates_list(v2=v2, page=page)):
            yield item


class FormsApi(ABC):
    """Capability.FORMS."""

    offers: ClassVar[Capability] = Capability.FORMS
    what: ClassVar[str] = "forms"

    @abstractmethod
    async def forms_list(self, *, page: int = 1, limit: int | None = None) -> Page[Form]:
        """One page of forms."""

    @abstractmethod
    async def form(self, form_id: int) -> Form:
        """One form."""

    @abstractmethod
    async def form_create(self, form: FormInput) -> Form:
        """Create a form (elements are checked client-side when `FormInput` is built)."""

    @abstractmethod
    async def form_update(self, form_id: int, form: FormInput) -> Form:
        """Replace a form's settings and elements."""

    @abstractmethod
    async def form_delete(self, form_id: int) -> None:
        """Delete a form."""

    @abstractmethod
    async def form_preview(self, form_id: int) -> str:
        """The form rendered as the provider previews it (HTML)."""

    async def iter_forms(self) -> AsyncIterator[Form]:
        """Every form."""
        async for item in paginate(lambda page: self.forms_list(page=page)):
            yield item


class ShortenerApi(ABC):
    """Capability.SHORTENER."""

    offers: ClassVar[Capability] = Capability.SHORTENER
    what: ClassVar[str] = "the URL shortener"

    @abstractmethod
    async def shorten(self, urls: Sequence[str]) -> list[ShortUrl]:
        """Short URLs for long ones, in order; invalid ones come back with `error` set."""


class ImagesApi(ABC):
    """Capability.IMAGES."""

    offers: ClassVar[Capability] = Capability.IMAGES
    what: ClassVar[str] = "image hosting"

    @abstractmethod
    async def image_generate(self, images: Sequence[ImageUpload]) -> list[HostedImage]:
        """Host images on the provider (to link from messages); one answer per image.

        Raises:
            ValueError: an extension other than jpg or png.
            BadRequest: the provider refused the request as a whole.
        """
