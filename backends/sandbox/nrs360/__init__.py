"""360nrs emulator: the reference's REST API on a Starlette app with seeded demo data."""

from .app import API_PREFIX, DEMO_PASSWORD, DEMO_USERNAME, create_app
from .seed import BUSINESS_NUMBER
from .state import Nrs360State

__all__ = [
    "API_PREFIX",
    "BUSINESS_NUMBER",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "Nrs360State",
    "create_app",
]
