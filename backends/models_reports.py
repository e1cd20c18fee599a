"""Domain models: campaigns, event and key reports, certificates, tools and coverage."""

from __future__ import annotations
