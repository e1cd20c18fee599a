"""The console's areas: one line each gives the mode, its key, its title and its screen."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any, cast

from textual.screen import Screen


@dataclass(frozen=True)
class Area:
    """A top-level screen reachable by a function key and from the command palette."""

    mode: str
    key: str
    title: str
    help: str
    # Where the screen class is ("module:Class"): imported when the mode is first opened,
    # so the console draws its first frame without importing every screen.
    where: str
    # The title in the navigation bar when the terminal is narrow (80 columns).
    short: str = ""

    def screen(self) -> Screen[Any]:
        """A new screen of this area (the app calls it when the mode is first opened)."""
        module, _, name = self.where.partition(":")
        return cast("Screen[Any]", getattr(import_module(module), name)())

    def shows(self, screen: Screen[Any]) -> bool:
        """Whether `screen` is this area's own screen."""
        cls = type(screen)
        return f"{cls.__module__}:{cls.__qualname__}" == self.where


AREAS: tuple[Area, ...] = (
    Area(
        "accounts",
        "f2",
        "Accounts",
        "Manage accounts",
        "screens.accounts.screen:AccountsScreen",
        "Accts",
    ),
    Area("otp", "f3", "OTP", "Generate and check codes", "screens.otp.screen:OtpScreen"),
    Area(
        "compose",
        "f4",
        "Compose",
        "Compose and send a campaign",
        "screens.compose.screen:ComposeScreen",
    ),
    Area(
        "contacts",
        "f5",
        "Contacts",
        "Contacts, groups, blacklist, email validation",
        "screens.contacts.screen:ContactsScreen",
    ),
    Area(
        "conversations",
        "f6",
        "Conversations",
        "WhatsApp conversations",
        "screens.conversations.screen:ConversationsScreen",
        "Chats",
    ),
    Area(
        "reports",
        "f7",
        "Reports",
        "Campaigns, events, scheduled sends, coverage",
        "screens.reports.screen:ReportsScreen",
    ),
    Area(
        "templates",
        "f8",
        "Templates",
        "Templates and forms",
        "screens.templates.screen:TemplatesScreen",
        "Tmpls",
    ),
    Area(
        "jobs",
        "f9",
        "Jobs",
        "The send journal: jobs, resume, export",
        "screens.jobs.screen:JobsScreen",
    ),
    Area(
        "surveys",
        "f10",
        "Surveys",
        "Surveys, requests and survey batches",
        "screens.surveys.screen:SurveysScreen",
    ),
)
