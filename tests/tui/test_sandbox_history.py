"""The product sandbox opens with past campaigns, so reports show data before any send."""

from __future__ import annotations

import httpx

from backends.base import Connection
from backends.nrs360.client import Nrs360Backend
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME
from tui.sandbox import SPECS


async def test_sandbox_360nrs_has_past_campaigns_with_events() -> None:
    spec = next(s for s in SPECS if s.provider == "360nrs")
    app = spec.factory()
    backend = Nrs360Backend(
        Connection("http://sandbox/api/rest", DEMO_USERNAME, DEMO_PASSWORD),
        transport=httpx.ASGITransport(app=app),
    )
    async with backend:
        campaigns = {c.name: c for c in await backend.campaigns()}
        assert set(campaigns) == {"Spring sale", "November newsletter"}
        sale = campaigns["Spring sale"]
        assert len(sale.sendings) == 1
        report = await backend.sending_events(sale.sendings[0].id)
        counts = report.counts()
        assert counts.get("sent") == 40
        assert 0 < counts.get("delivered", 0) <= 40
        # The demo history never touches the balance new users see.
        assert (await backend.account()).balance == 250.0
