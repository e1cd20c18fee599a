"""Ids used before on an account, offered first where no provider lists them.

The references give no list of WhatsApp template ids, Collect campaign ids, 8x8 survey
ids or verified email senders, and XeroChat fetches a contact group only by its id, so
the console remembers the ids that worked: `remember` after a send or request using the
id succeeded, `recent` (most recent first) to offer them again, per account and per kind.
They live in one small JSON file in the data dir (`recent_ids.json`), written atomically;
a missing or unreadable file means nothing remembered, never an error. The functions
read and write the file: call them off a console's UI loop (`asyncio.to_thread`).

360nrs says of an email sender "The indicated email address must be validated on the
platform" and refuses others ("Sender is not verified") only when sending: `sender_hint`
warns before the send when the typed sender never worked on the account (a hint, not a
refusal, since a newly verified sender is legitimate).
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson

from backends.models.send import MailingRequest, WhatsAppTemplateRequest
from tui.files import write_atomic
from tui.paths import PRIVATE_FILE, data_dir, private_dir

FILE_NAME: Final = "recent_ids.json"
# Enough to hold an operator's working set; older ones fall off the end.
KEEP: Final = 20

# Two workers remembering at once must not lose one of the writes.
_LOCK = threading.Lock()


class IdKind(enum.Enum):
    """What kind of id is remembered (the value is its key in the file)."""

    WHATSAPP_TEMPLATE = "whatsapp-template"
    COLLECT_CAMPAIGN = "collect-campaign"
    SURVEY_BATCH = "8x8-survey"
    EMAIL_SENDER = "email-sender"
    GROUP = "contact-group"  # where the provider cannot list its groups


@dataclass(frozen=True)
class Choice:
    """One value a picker offers: what goes into the field and words about it."""

    value: str
    note: str = ""


def default_path() -> Path:
    """The file in the data dir (SWITCHBOARD_DATA_DIR or the user's)."""
    return data_dir() / FILE_NAME


def _load(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        # Nothing remembered yet, or a file this version cannot read: offer nothing.
        return {}
    return data if isinstance(data, dict) else {}


def recent(account: str, kind: IdKind, *, path: Path | None = None) -> list[str]:
    """The ids of `kind` that worked on `account`, most recent first."""
    ids = _load(path or default_path()).get(account, {}).get(kind.value, [])
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def remember(account: str, kind: IdKind, value: str, *, path: Path | None = None) -> None:
    """Note that `value` worked on `account` (it moves to the front); blank is ignored."""
    _change(account, kind, value, keep=True, path=path)


def forget(account: str, kind: IdKind, value: str, *, path: Path | None = None) -> None:
    """Offer `value` no more on `account` (it was deleted)."""
    _change(account, kind, value, keep=False, path=path)


def _change(account: str, kind: IdKind, value: str, *, keep: bool, path: Path | None) -> None:
    value = value.strip()
    if not value:
        return
    path = path or default_path()
    with _LOCK:
        data = _load(path)
        per_account = data.get(account)
        if not isinstance(per_account, dict):
            per_account = data[account] = {}
        before = per_account.get(kind.value)
        ids = [i for i in before if i != value] if isinstance(before, list) else []
        per_account[kind.value] = ([value] if keep else []) + ids[: KEEP - 1 if keep else KEEP]
        # Like the journal beside it: the owner's only (tui.paths).
        private_dir(path.parent)
        write_atomic(path, orjson.dumps(data, option=orjson.OPT_INDENT_2), mode=PRIVATE_FILE)


def choices(
    account: str,
    kind: IdKind,
    *,
    default: str = "",
    listed: Iterable[Choice] = (),
    path: Path | None = None,
) -> list[Choice]:
    """What a picker offers: the ids used before on the account (most recent first), then
    the account's `default` and the provider's `listed` ones not already offered."""
    offered = [Choice(v, "used before on this account") for v in recent(account, kind, path=path)]
    if default.strip():
        offered.append(Choice(default.strip(), "the account's default"))
    offered.extend(listed)
    seen: set[str] = set()
    unique = []
    for c in offered:
        if c.value not in seen:
            seen.add(c.value)
            unique.append(c)
    return unique


def ids_sent(what: object) -> list[tuple[IdKind, str]]:
    """The remembered kinds of id a send used: an email's sender, a WhatsApp template."""
    if isinstance(what, MailingRequest):
        return [(IdKind.EMAIL_SENDER, what.sender_email)]
    if isinstance(what, WhatsAppTemplateRequest):
        return [(IdKind.WHATSAPP_TEMPLATE, str(what.template_id))]
    return []


def remember_sent(account: str, what: object, *, path: Path | None = None) -> None:
    """After a send the provider accepted for at least one recipient: note the ids it used
    (`what`: the send's request, e.g. tui.usecases.send.SendRequest.what)."""
    for kind, value in ids_sent(what):
        remember(account, kind, value, path=path)


def sender_hint(account: str, sender: str, *, path: Path | None = None) -> str:
    """A warning when `sender` never worked on the account (empty when it did, or when
    nothing is typed): the provider accepts only senders validated on its platform."""
    sender = sender.strip()
    if not sender or sender in recent(account, IdKind.EMAIL_SENDER, path=path):
        return ""
    return (
        f"{sender} has not sent from this account before: the provider refuses senders "
        'not validated on its platform ("Sender is not verified").'
    )
