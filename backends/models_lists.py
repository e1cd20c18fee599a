"""Domain models: blacklist, email validation, templates and forms."""

from __future__ import annotations
