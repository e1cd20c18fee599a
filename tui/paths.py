"""Where Switchboard keeps its files (XDG via platformdirs, overridable for tests)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "switchboard"


def config_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The config directory: --config-dir, then SWITCHBOARD_CONFIG_DIR, then the user's."""
    chosen = override or os.environ.get("SWITCHBOARD_CONFIG_DIR")
    return Path(chosen) if chosen else Path(platformdirs.user_config_dir(APP_NAME))


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data directory (journal, logs): SWITCHBOARD_DATA_DIR or the user's."""
    chosen = override or os.environ.get("SWITCHBOARD_DATA_DIR")
    return Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME))
