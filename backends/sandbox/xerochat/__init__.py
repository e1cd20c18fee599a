"""XeroChat emulator: the reference's API with seeded users, pages, contacts and flows."""

from .app import API_PREFIX, create_app
from .seed import (
    DEMO_API_KEY,
    DEMO_FLOW_ID,
    DEMO_PAGE_ID,
    EXPIRED_API_KEY,
    MEMBER_API_KEY,
    NO_BOT_PAGE_ID,
)
from .state import XeroChatState

__all__ = [
    "API_PREFIX",
    "DEMO_API_KEY",
    "DEMO_FLOW_ID",
    "DEMO_PAGE_ID",
    "EXPIRED_API_KEY",
    "MEMBER_API_KEY",
    "NO_BOT_PAGE_ID",
    "XeroChatState",
    "create_app",
]
