"""Account settings file: round trip, atomic writes, broken files never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.errors import ConfigError
from tests.tui.conftest import cli
from tui.config import Account, ConfigStore
from tui.paths import config_dir

ACC = Account("main", "360nrs", "https://dashboard.360nrs.com/api/rest", "alice")


def test_round_trip(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    store.add_account(ACC)
    loaded = ConfigStore(tmp_path).load().accounts["main"]
    assert loaded == ACC
    assert (tmp_path / "config.toml").stat().st_mode & 0o777 == 0o600


def test_unknown_tables_are_kept(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[ui]\ntheme = "dark"\n')
    ConfigStore(tmp_path).add_account(ACC)
    text = (tmp_path / "config.toml").read_text()
    assert 'theme = "dark"' in text and "[accounts.main]" in text


def test_broken_file_is_reported_and_never_overwritten(tmp_path: Path) -> None:
    broken = "[accounts.main\nprovider = 360nrs\n"
    (tmp_path / "config.toml").write_text(broken)
    store = ConfigStore(tmp_path)
    with pytest.raises(ConfigError, match="not valid TOML"):
        store.load()
    with pytest.raises(ConfigError):
        store.add_account(ACC)
    assert (tmp_path / "config.toml").read_text() == broken
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


@pytest.mark.parametrize(
    ("account", "message"),
    [
        (Account("bad name", "360nrs", "https://x", "u"), "invalid account name"),
        (Account("a", "nope", "https://x", "u"), "unknown provider"),
        (Account("a", "360nrs", "ftp://x", "u"), "base URL"),
        (Account("a", "360nrs", "https://x", ""), "needs a username"),
    ],
)
def test_invalid_accounts(tmp_path: Path, account: Account, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ConfigStore(tmp_path).add_account(account)
    assert not (tmp_path / "config.toml").exists()


def test_invalid_account_in_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[accounts.x]\nprovider = "360nrs"\n')
    with pytest.raises(ConfigError, match=r"config\.toml.*missing 'base_url'"):
        ConfigStore(tmp_path).load()


def test_duplicate_and_missing_names(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    store.add_account(ACC)
    with pytest.raises(ConfigError, match="already exists"):
        store.add_account(ACC)
    with pytest.raises(ConfigError, match="no account named 'other'"):
        store.remove_account("other")
    store.remove_account("main")
    assert store.load().accounts == {}


def test_ephemeral_accounts_are_not_written(tmp_path: Path) -> None:
    from tui.config import Config

    store = ConfigStore(tmp_path)
    sandbox = Account("sandbox", "360nrs", "http://127.0.0.1:1/api/rest", "demo", ephemeral=True)
    store.save(Config(accounts={"sandbox": sandbox, "main": ACC}))
    assert list(store.load().accounts) == ["main"]


def test_config_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SWITCHBOARD_CONFIG_DIR", str(tmp_path / "env"))
    assert config_dir() == tmp_path / "env"
    assert config_dir(tmp_path / "flag") == tmp_path / "flag"


def test_changes_from_several_threads_are_all_kept(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = ConfigStore(tmp_path)

    def change(i: int) -> None:
        if i % 2:
            store.set_setting(f"s{i}", i)
        else:
            store.add_account(Account(f"a{i}", "360nrs", "https://example.com/api", "u"))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(change, range(40)))
    config = store.load()
    assert sorted(config.accounts) == sorted(f"a{i}" for i in range(0, 40, 2))
    assert config.settings == {f"s{i}": i for i in range(1, 40, 2)}


def test_settings_set_checks_the_refresh_interval(
    isolated_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("settings", "set", "conversations_refresh_seconds", "off") == (
        0,
        "conversations_refresh_seconds = 0\n",
    )
    assert ConfigStore(config_dir()).setting("conversations_refresh_seconds") == 0
    code, _ = cli("settings", "set", "conversations_refresh_seconds", "3")
    err = capsys.readouterr().err
    assert code == 2
    assert "conversations_refresh_seconds = 3 is not a refresh interval" in err
    assert 'use 5, 10, 30, 60 (seconds), or 0 or "off"' in err
    assert ConfigStore(config_dir()).setting("conversations_refresh_seconds") == 0
    code, _ = cli("settings", "set", "refresh", "10")
    assert code == 2 and "no setting named 'refresh'" in capsys.readouterr().err
    assert cli("settings", "list", "--json")[1].strip().startswith("{")
