"""8x8 SMS Engage emulator: the survey batch endpoint with seeded keys and surveys."""

from .app import API_PREFIX, create_app
from .state import (
    DEMO_API_KEY,
    DEMO_SUBACCOUNT,
    DEMO_SURVEY,
    OTHER_SUBACCOUNT,
    EightByEightState,
)

#: Account options the sandbox account needs.
DEMO_OPTIONS = {"subaccount_id": DEMO_SUBACCOUNT, "survey_id": DEMO_SURVEY}

__all__ = [
    "API_PREFIX",
    "DEMO_API_KEY",
    "DEMO_OPTIONS",
    "DEMO_SUBACCOUNT",
    "DEMO_SURVEY",
    "OTHER_SUBACCOUNT",
    "EightByEightState",
    "create_app",
]
