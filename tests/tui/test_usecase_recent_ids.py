"""Ids remembered per account after they worked (tui.usecases.recent_ids)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tui.usecases.recent_ids import (
    KEEP,
    Choice,
    IdKind,
    choices,
    forget,
    recent,
    remember,
    sender_hint,
)


def test_most_recent_first_each_once_per_account_and_kind(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    assert recent("a", IdKind.COLLECT_CAMPAIGN, path=path) == []
    remember("a", IdKind.COLLECT_CAMPAIGN, "c1", path=path)
    remember("a", IdKind.COLLECT_CAMPAIGN, " c2 ", path=path)
    remember("a", IdKind.COLLECT_CAMPAIGN, "c1", path=path)
    remember("a", IdKind.COLLECT_CAMPAIGN, "  ", path=path)  # blank: ignored
    remember("b", IdKind.COLLECT_CAMPAIGN, "c3", path=path)
    remember("a", IdKind.SURVEY_BATCH, "s1", path=path)
    assert recent("a", IdKind.COLLECT_CAMPAIGN, path=path) == ["c1", "c2"]
    assert recent("b", IdKind.COLLECT_CAMPAIGN, path=path) == ["c3"]
    assert recent("a", IdKind.SURVEY_BATCH, path=path) == ["s1"]
    assert recent("a", IdKind.WHATSAPP_TEMPLATE, path=path) == []


def test_only_the_newest_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    for i in range(KEEP + 5):
        remember("a", IdKind.WHATSAPP_TEMPLATE, str(i), path=path)
    ids = recent("a", IdKind.WHATSAPP_TEMPLATE, path=path)
    assert ids == [str(i) for i in range(KEEP + 4, 4, -1)]


def test_an_unreadable_file_means_nothing_remembered_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    path.write_text("{not json", "utf-8")
    assert recent("a", IdKind.EMAIL_SENDER, path=path) == []
    remember("a", IdKind.EMAIL_SENDER, "news@example.com", path=path)
    assert recent("a", IdKind.EMAIL_SENDER, path=path) == ["news@example.com"]
    path.write_text('{"a": {"email-sender": "not a list"}}', "utf-8")
    assert recent("a", IdKind.EMAIL_SENDER, path=path) == []


def test_the_default_file_is_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path / "data"))
    remember("a", IdKind.GROUP, "276")
    file = tmp_path / "data" / "recent_ids.json"
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    assert recent("a", IdKind.GROUP) == ["276"]


def test_choices_offer_used_ids_first_then_default_then_listed(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    remember("a", IdKind.SURVEY_BATCH, "old", path=path)
    remember("a", IdKind.SURVEY_BATCH, "new", path=path)
    offered = choices(
        "a",
        IdKind.SURVEY_BATCH,
        default="old",
        listed=[Choice("new", "listed"), Choice("x", "listed")],
        path=path,
    )
    assert offered == [
        Choice("new", "used before on this account"),
        Choice("old", "used before on this account"),
        Choice("x", "listed"),
    ]
    assert choices("b", IdKind.SURVEY_BATCH, default="d", path=path) == [
        Choice("d", "the account's default")
    ]


def test_sender_hint_only_for_a_sender_that_never_worked_there(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    remember("a", IdKind.EMAIL_SENDER, "news@example.com", path=path)
    assert sender_hint("a", "news@example.com", path=path) == ""
    assert sender_hint("a", "", path=path) == ""
    hint = sender_hint("b", "news@example.com", path=path)
    assert "has not sent from this account before" in hint
    assert "Sender is not verified" in hint


def test_a_forgotten_id_is_offered_no_more(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    for gid in ("67", "68", "69"):
        remember("a", IdKind.GROUP, gid, path=path)
    forget("a", IdKind.GROUP, "68", path=path)
    forget("b", IdKind.GROUP, "67", path=path)  # another account's: untouched
    assert recent("a", IdKind.GROUP, path=path) == ["69", "67"]
