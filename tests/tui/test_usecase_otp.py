"""The OTP use case: a phone number typed as people write it reaches 360nrs in the
reference's form ("34666555444"), so generating and checking agree."""

from __future__ import annotations

import httpx
import pytest

from backends.base import Connection
from backends.nrs360.client import Nrs360Backend
from backends.sandbox.nrs360 import DEMO_PASSWORD, DEMO_USERNAME, create_app
from tui.usecases import otp
from tui.usecases.otp import CheckRequest, GenerateRequest, OtpRefused

URL = "http://sandbox/api/rest"


@pytest.mark.parametrize("typed", ["+34 600 111 333", "0034600111333", "600 111 333"])
async def test_a_formatted_number_is_sent_as_the_reference_writes_it(typed: str) -> None:
    app = create_app()
    backend = Nrs360Backend(
        Connection(URL, DEMO_USERNAME, DEMO_PASSWORD), transport=httpx.ASGITransport(app)
    )
    made = await otp.generate(backend, GenerateRequest(typed))
    sent = app.state.log.matching("POST", "/api/rest/otp/generate")[-1].json()
    assert sent["recipient"] == "34600111333"
    # Checked with the number written another way, the same code is valid.
    checked = await otp.check(backend, CheckRequest("(+34) 600-111-333", made.code))
    assert checked.valid


def test_an_email_is_kept_and_a_bad_number_is_refused_before_any_request() -> None:
    assert otp.otp_recipient(" ana@example.com ") == "ana@example.com"
    with pytest.raises(OtpRefused, match="not a valid phone number"):
        otp.otp_recipient("12")
