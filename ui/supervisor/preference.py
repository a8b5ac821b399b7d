"""Whether a supervisor lands on the dashboard when they sign in at this workstation.

A choice of screen, not a rule: kept on this computer, beside the sign-in language
(``ui.app``), one login a line.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_config_dir

from app.i18n import current_language
from app.station import StationInfo


def _file() -> Path:
    return Path(user_config_dir("guichet", appauthor=False)) / "dashboard-first"


def _logins(path: Path) -> set[str]:
    try:
        return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line}
    except (OSError, UnicodeError):
        return set()


def dashboard_first(login: str, path: Path | None = None) -> bool:
    return login in _logins(path or _file())


def set_dashboard_first(login: str, wanted: bool, path: Path | None = None) -> None:
    where = path or _file()
    logins = _logins(where)
    logins = logins | {login} if wanted else logins - {login}
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text("".join(f"{name}\n" for name in sorted(logins)), encoding="utf-8")
    except OSError:
        pass  # the counter opens first next time: nothing worse


def agency_name(station: StationInfo) -> str:
    """The agency's name as the reader writes it (in Arabic when it has one)."""
    arabic = station.agency_name_ar if current_language() == "ar" else None
    return arabic or station.agency_name
