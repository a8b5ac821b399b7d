"""Where things live: the database, the signing key, the workstation identity.

Precedence everywhere: command-line option, then environment variable, then
the platform's per-user folder (so a fresh install just works).
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from app.errors import ConfigurationError
from app.i18n import N_
from db.engine import SQLITE_BUSY_TIMEOUT_MS

APP_NAME = "guichet"

ENV_DATABASE_URL = "GUICHET_DATABASE_URL"
ENV_KEY_FILE = "GUICHET_KEY_FILE"
ENV_DATA_DIR = "GUICHET_DATA_DIR"
ENV_CONFIG_DIR = "GUICHET_CONFIG_DIR"
ENV_WORKSTATION = "GUICHET_WORKSTATION"
ENV_LANGUAGE = "GUICHET_LANGUAGE"
ENV_SQLITE_BUSY_TIMEOUT_MS = "GUICHET_SQLITE_BUSY_TIMEOUT_MS"


def data_dir() -> Path:
    path = Path(os.environ.get(ENV_DATA_DIR) or user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    path = Path(os.environ.get(ENV_CONFIG_DIR) or user_config_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_sqlite_url() -> str:
    return f"sqlite:///{data_dir() / 'guichet.db'}"


def database_url(cli_value: str | None = None) -> str:
    """An empty ``--database ""`` is a mistake to report, not a request for the default."""
    if cli_value is not None:
        return cli_value
    return os.environ.get(ENV_DATABASE_URL) or default_sqlite_url()


def sqlite_busy_timeout_ms() -> int:
    """How long a writer waits for another one before giving up (15 s unless set)."""
    value = os.environ.get(ENV_SQLITE_BUSY_TIMEOUT_MS)
    if not value:
        return SQLITE_BUSY_TIMEOUT_MS
    try:
        milliseconds = int(value)
    except ValueError:
        milliseconds = -1
    if milliseconds < 0:
        raise ConfigurationError(
            N_("{name} must be a number of milliseconds, not {value}."),
            field=ENV_SQLITE_BUSY_TIMEOUT_MS,
            name=ENV_SQLITE_BUSY_TIMEOUT_MS,
            value=value,
        )
    return milliseconds


def key_file(cli_value: str | None = None) -> Path:
    if cli_value:
        path = Path(cli_value)
    elif os.environ.get(ENV_KEY_FILE):
        path = Path(os.environ[ENV_KEY_FILE])
    else:
        path = config_dir() / "signing-key.pem"
    if path.is_dir():
        raise ConfigurationError(
            N_(
                "The signing key {path} is a folder: give the path of the key file itself "
                "(--key-file or GUICHET_KEY_FILE)."
            ),
            field="key_file",
            path=str(path),
        )
    return path


def workstation_code(cli_value: str | None = None) -> str | None:
    return cli_value or os.environ.get(ENV_WORKSTATION)
