"""The CLI's email and WhatsApp template sends remember what worked (tui.usecases.recent_ids),
so the console offers it first on that account."""

from __future__ import annotations

from backends.sandbox.core import SandboxServer
from backends.sandbox.nrs360 import BUSINESS_NUMBER
from tests.tui.conftest import demo_cli as cli
from tui.usecases.recent_ids import IdKind, recent, sender_hint

PHONE = "34666555444"


def mail(sender: str) -> int:
    code, _ = cli(
        "mail", "send", "--to", "ana@example.com", "--from-email", sender,
        "--reply-to", "help@example.com", "--subject", "Hello", "--body", "<p>Hi</p>", "--yes",
    )  # fmt: skip
    return code


def test_a_sender_that_worked_is_remembered_one_refused_is_not(
    account: str, nrs_server: SandboxServer
) -> None:
    assert "has not sent from this account before" in sender_hint(
        account, "news@switchboard.example"
    )
    assert mail("news@switchboard.example") == 0
    # 360nrs: "Sender is not verified" (the domain is not validated on the platform).
    assert mail("news@unverified.example") != 0
    assert recent(account, IdKind.EMAIL_SENDER) == ["news@switchboard.example"]
    assert sender_hint(account, "news@switchboard.example") == ""
    assert sender_hint("other", "news@switchboard.example") != ""


def test_a_whatsapp_template_sent_is_remembered(account: str, nrs_server: SandboxServer) -> None:
    code, _ = cli(
        "whatsapp", "send-template", "--from", BUSINESS_NUMBER, "--to", PHONE,
        "--template-id", "123", "--header-field", "Order", "--body-field", "Ana",
        "--body-field", "#42", "--cta-field", "track", "--yes",
    )  # fmt: skip
    assert code == 0
    assert recent(account, IdKind.WHATSAPP_TEMPLATE) == ["123"]
