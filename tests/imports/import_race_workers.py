"""An import run in a child process, as another workstation would run it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.context import AppContext
from app.imports.apply import import_files
from app.integrity.keys import load_signer
from db.engine import Database


def import_in_child(url: str, key_file: str, paths: list[str], out: Any) -> None:
    database = Database(url)
    ctx = AppContext(database, load_signer(Path(key_file)), lambda: datetime.now(UTC))
    try:
        result = import_files(ctx, [Path(path) for path in paths], who="child")
        out.put(
            ("ok" if result.applied else "refused", [r.translated("en") for r in result.refusals])
        )
    except Exception as error:  # reported, not raised: the parent judges
        out.put(("crash", repr(error)))
    finally:
        database.dispose()
