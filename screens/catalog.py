"""The console's areas: one line each gives the mode, its key, its title and its screen."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from textual.screen import Screen


@dataclass(frozen=True)
class Area:
    """A top-level screen reachable by a function key and from the command palette."""

    mode: str
    key: str
    title: str
    help: str
    module: str
    screen: str

    def available(self) -> bool:
        """Whether the screen's module is part of this build."""
        return importlib.util.find_spec(self.module) is not None

    def factory(self) -> Callable[[], Screen[object]]:
        """A callable that builds the screen (imported on first use)."""

        def build() -> Screen[object]:
            cls = getattr(importlib.import_module(self.module), self.screen)
            screen: Screen[object] = cls()
            return screen

        return build


AREAS: tuple[Area, ...] = (
    Area("accounts", "f2", "Accounts", "Manage accounts", "screens.accounts", "AccountsScreen"),
    Area("otp", "f3", "OTP", "Generate and check codes", "screens.otp", "OtpScreen"),
    Area(
        "compose",
        "f4",
        "Compose",
        "Compose and send a campaign",
        "screens.compose",
        "ComposeScreen",
    ),
    Area(
        "contacts",
        "f5",
        "Contacts",
        "Contacts, groups, blacklist, email validation",
        "screens.contacts",
        "ContactsScreen",
    ),
    Area(
        "conversations",
        "f6",
        "Conversations",
        "WhatsApp conversations",
        "screens.conversations",
        "ConversationsScreen",
    ),
    Area(
        "reports",
        "f7",
        "Reports",
        "Campaigns, events, scheduled sends, coverage",
        "screens.reports",
        "ReportsScreen",
    ),
    Area(
        "templates",
        "f8",
        "Templates",
        "Templates and forms",
        "screens.templates",
        "TemplatesScreen",
    ),
    Area(
        "jobs", "f9", "Jobs", "The send journal: jobs, resume, export", "screens.jobs", "JobsScreen"
    ),
    Area(
        "surveys",
        "f10",
        "Surveys",
        "Surveys, requests and survey batches",
        "screens.surveys",
        "SurveysScreen",
    ),
)


def available_areas() -> tuple[Area, ...]:
    """The areas whose screens exist in this build."""
    return tuple(a for a in AREAS if a.available())
