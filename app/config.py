"""Where things live: the database, the signing key, the workstation identity.

Precedence everywhere: command-line option, then environment variable, then
the platform's per-user folder (so a fresh install just works).
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP_NAME = "guichet"

ENV_DATABASE_URL = "GUICHET_DATABASE_URL"
ENV_KEY_FILE = "GUICHET_KEY_FILE"
ENV_DATA_DIR = "GUICHET_DATA_DIR"
ENV_CONFIG_DIR = "GUICHET_CONFIG_DIR"
ENV_WORKSTATION = "GUICHET_WORKSTATION"
ENV_LANGUAGE = "GUICHET_LANGUAGE"


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
    return cli_value or os.environ.get(ENV_DATABASE_URL) or default_sqlite_url()


def key_file(cli_value: str | None = None) -> Path:
    if cli_value:
        return Path(cli_value)
    if os.environ.get(ENV_KEY_FILE):
        return Path(os.environ[ENV_KEY_FILE])
    return config_dir() / "signing-key.pem"


def workstation_code(cli_value: str | None = None) -> str | None:
    return cli_value or os.environ.get(ENV_WORKSTATION)
