"""Collect emulator: POST /v1/request of `collect-request.txt`, with a seeded campaign,
team and contact (state.py) behind the app (app.py: validation, the endpoint, auth,
rules and errors).
"""

from .app import create_app
from .state import (
    API_PREFIX,
    DEMO_CAMPAIGN_ID,
    DEMO_CONTACT_ID,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    WORKSPACE_ID,
    CollectState,
)

__all__ = [
    "API_PREFIX",
    "DEMO_CAMPAIGN_ID",
    "DEMO_CONTACT_ID",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "WORKSPACE_ID",
    "CollectState",
    "create_app",
]
