"""One Settings object, declared as a table: each setting once, with its MTB_* variable,
default and meaning. Precedence: command-line argument > environment variable > default.
README's settings table is checked against `SETTINGS` by a test, so the two cannot drift.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtb.errors import ConfigError
from mtb.resources import sample_cases_dir


def _default_data_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "mtb")


@dataclass(frozen=True)
class Setting:
    name: str  # attribute of Settings
    env: str  # environment variable
    default: Callable[[], str]  # computed when read, so tests can move HOME/XDG dirs
    parse: Callable[[str], Any]
    help: str
    shown_default: str  # as the README documents it


def _port(text: str) -> int:
    port = int(text)
    if not 0 < port < 65536:
        raise ValueError("not a TCP port")
    return port


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir", "MTB_DATA_DIR", _default_data_dir, Path,
        "Where mtb keeps its knowledge-base index, HTTP cache and case store.",
        "$XDG_DATA_HOME/mtb or ~/.local/share/mtb",
    ),
    Setting(
        "cases_dir", "MTB_CASES_DIR", lambda: str(sample_cases_dir()), Path,
        "Folder of case folders (each with a case.toml) that the app lists.",
        "the bundled sample_cases/",
    ),
    Setting(
        "host", "MTB_HOST", lambda: "127.0.0.1", str,
        "Address the web app listens on; 127.0.0.1 keeps it on this machine.",
        "127.0.0.1",
    ),
    Setting(
        "port", "MTB_PORT", lambda: "8050", _port,
        "TCP port of the web app.",
        "8050",
    ),
)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    cases_dir: Path
    host: str
    port: int

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Settings from overrides (CLI options), then MTB_* variables, then defaults."""
        environ = os.environ if environ is None else environ
        overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.name in overrides:
                raw, origin = overrides[setting.name], "option"
            elif setting.env in environ:
                raw, origin = environ[setting.env], setting.env
            else:
                raw, origin = setting.default(), "default"
            try:
                values[setting.name] = raw if not isinstance(raw, str) else setting.parse(raw)
            except (ValueError, TypeError):
                raise ConfigError(f"{setting.env} ({origin}) is not a valid value") from None
        return cls(**values)

