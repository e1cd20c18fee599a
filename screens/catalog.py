"""The console's areas: one line each gives the mode, its key, its title and its screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.screen import Screen

from screens.accounts.screen import AccountsScreen
from screens.compose.screen import ComposeScreen
from screens.contacts.screen import ContactsScreen
from screens.conversations.screen import ConversationsScreen
from screens.jobs.screen import JobsScreen
from screens.otp.screen import OtpScreen
from screens.reports.screen import ReportsScreen
from screens.surveys.screen import SurveysScreen
from screens.templates.screen import TemplatesScreen


@dataclass(frozen=True)
class Area:
    """A top-level screen reachable by a function key and from the command palette."""

    mode: str
    key: str
    title: str
    help: str
    # The screen class: the app calls it to build the mode's screen when first opened.
    screen: Callable[[], Screen[Any]]
    # The title in the navigation bar when the terminal is narrow (80 columns).
    short: str = ""


AREAS: tuple[Area, ...] = (
    Area("accounts", "f2", "Accounts", "Manage accounts", AccountsScreen, "Accts"),
    Area("otp", "f3", "OTP", "Generate and check codes", OtpScreen),
    Area("compose", "f4", "Compose", "Compose and send a campaign", ComposeScreen),
    Area(
        "contacts",
        "f5",
        "Contacts",
        "Contacts, groups, blacklist, email validation",
        ContactsScreen,
    ),
    Area(
        "conversations",
        "f6",
        "Conversations",
        "WhatsApp conversations",
        ConversationsScreen,
        "Chats",
    ),
    Area(
        "reports",
        "f7",
        "Reports",
        "Campaigns, events, scheduled sends, coverage",
        ReportsScreen,
    ),
    Area("templates", "f8", "Templates", "Templates and forms", TemplatesScreen, "Tmpls"),
    Area("jobs", "f9", "Jobs", "The send journal: jobs, resume, export", JobsScreen),
    Area("surveys", "f10", "Surveys", "Surveys, requests and survey batches", SurveysScreen),
)
