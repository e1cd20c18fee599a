"""A provider echoing the credentials it received (issue 13 point 1): no form of the secret,
raw, Basic base64, base64 alone or URL-encoded, reaches an error, the log, the journal,
`jobs show` or `jobs export`."""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from backends.base import Connection
from backends.errors import ProviderError
from backends.scrub import Scrubber, scrub_known
from backends.xerochat.client import XeroChatBackend
from tests.hostile import hostile_server
from tui import logs
from tui.cli import run
from tui.cli.common import EXIT_REJECTED
from tui.config import Account, ConfigStore
from tui.engine.journal import Journal
from tui.engine.sms_job import create_sms_job

# Every character that encodes differently in a query, a form body and base64.
SECRET = "Pa ss/w+rd&=é~42"
USER = "demo-user"


def forms() -> dict[str, str]:
    """Every form the secret takes on the wire, written out independently of the code."""
    pct = quote(SECRET, safe="")
    return {
        "raw": SECRET,
        "basic": base64.b64encode(f"{USER}:{SECRET}".encode()).decode(),
        "base64": base64.b64encode(SECRET.encode()).decode().rstrip("="),
        "percent": pct,
        "percent-lower": pct.replace("%C3%A9", "%c3%a9").replace("%2F", "%2f"),
        "plus": quote_plus(SECRET),
    }


def leaks(text: str) -> list[str]:
    return [name for name, form in forms().items() if form in text]


def test_a_scrubber_hides_every_form() -> None:
    scrub = Scrubber([SECRET], username=USER)
    text = " | ".join(forms().values()) + " | Basic " + forms()["basic"] + "=="
    clean = scrub(text)
    assert leaks(clean) == [] and "***" in clean
    assert scrub("nothing secret here") == "nothing secret here"


async def test_an_echoed_query_and_form_body_leave_no_trace() -> None:
    # XeroChat carries api_key in the query of a GET and the form body of a POST.
    with hostile_server("echo") as url:
        backend = XeroChatBackend(Connection(url + "/api", "", SECRET))
        async with backend:
            with pytest.raises(ProviderError) as get_error:
                await backend.system_user(user_id=39)
            with pytest.raises(ProviderError) as post_error:
                await backend.create_group("friends")
    for error in (get_error.value, post_error.value):
        assert "bad credentials" in str(error)
        assert leaks(str(error)) == [] and leaks(error.message) == []


def test_basic_auth_echo_reaches_no_output_log_or_journal(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with hostile_server("echo") as url:
        monkeypatch.setenv("SWITCHBOARD_SECRET_DEMO", SECRET)
        ConfigStore(isolated_dirs / "config").add_account(
            Account(name="demo", provider="360nrs", base_url=url + "/api/rest", username=USER)
        )
        # Shown: a failing command's message on stderr (and in the log).
        assert run(["-v", "account", "test", "demo"]) != 0
        err = capsys.readouterr().err
        assert "bad credentials" in err and leaks(err) == []

        # Journaled: the provider's refusal of a send is each recipient's reason.
        with Journal() as journal:
            job_id = create_sms_job(
                journal, "demo", "360nrs", "TEST", "Hi", [("34600000001", None)]
            )
        out = io.StringIO()
        assert run(["jobs", "resume", str(job_id)], out=out) == EXIT_REJECTED, out.getvalue()
        with Journal() as journal:
            reasons = [r.reason or "" for r in journal.recipients(job_id)]
        assert any("bad credentials" in r for r in reasons)
        assert leaks(" ".join(reasons)) == []

    shown, exported = io.StringIO(), io.StringIO()
    assert run(["jobs", "show", str(job_id), "--json"], out=shown) == 0
    assert run(["jobs", "export", str(job_id), "-o", "-"], out=exported) == 0
    assert "bad credentials" in exported.getvalue()
    assert leaks(shown.getvalue()) == [] and leaks(exported.getvalue()) == []
    logged = logs.log_path().read_text(encoding="utf-8")
    assert "bad credentials" in logged and leaks(logged) == []


def test_the_log_file_scrubs_every_secret_this_process_saw(isolated_dirs: Path) -> None:
    Scrubber([SECRET], username=USER)  # as an account's client does; closed since
    logs.setup()
    logging.getLogger("switchboard.test").warning("echoed %s", forms()["basic"])
    try:
        raise ValueError(forms()["plus"])
    except ValueError:
        logging.getLogger("switchboard.test").exception("failed")
    logged = logs.log_path().read_text(encoding="utf-8")
    assert "echoed ***" in logged and "ValueError: ***" in logged
    assert leaks(logged) == []


def test_a_one_letter_secret_is_not_starred_in_every_other_text() -> None:
    Scrubber(["q"])
    assert scrub_known("quick question") == "quick question"
    assert Scrubber(["q"])("quick") == "***uick"
