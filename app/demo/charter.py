"""The demo operator's service charter: resources/charters/<profile>.toml, in force
since before the demo's history, so its past complaints and outages have a charter."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.charter.charter_file import read_source
from app.charter.charters import store_charter_as_system
from app.context import AppContext
from app.demo.profiles import PROFILES, Profile
from app.integrity.keys import Signer
from db.models import Charter
from db.types import utcnow

CHARTERS_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "charters"


def demo_charter_path(profile: Profile | str) -> Path:
    key = profile if isinstance(profile, str) else profile.key
    return CHARTERS_DIR / f"{key}.toml"


def load_demo_charter(
    target: AppContext | Session,
    profile: Profile | str,
    *,
    effective_from: datetime | None = None,
    signer: Signer | None = None,
) -> Charter:
    """Load the profile's charter as the next version, in force from ``effective_from``
    (default: 1 January of the year before the clock's, in the operator's time zone).

    ``target`` is a context (its own transaction, journalled with its signer and
    stamped with its clock) or the caller's session (journalled when ``signer`` is
    given). The operator must already exist: the file's currency is checked against it.

    Lowest role: system (the demo builder; no actor).
    """
    spec = PROFILES[profile] if isinstance(profile, str) else profile
    path = demo_charter_path(spec)
    text = read_source(path)
    if isinstance(target, AppContext):
        now = target.now()
        with target.db.write() as session:
            charter = store_charter_as_system(
                session,
                text,
                effective_from=effective_from or _default_start(now, spec.timezone),
                now=now,
                signer=signer or target.signer,
                file_name=path.name,
            )
            session.expunge(charter)
            return charter
    now = utcnow()
    return store_charter_as_system(
        target,
        text,
        effective_from=effective_from or _default_start(now, spec.timezone),
        now=now,
        signer=signer,
        file_name=path.name,
    )


def _default_start(now: datetime, timezone: str) -> datetime:
    zone = ZoneInfo(timezone)
    year = now.astimezone(zone).year - 1
    return datetime.combine(datetime(year, 1, 1).date(), time(0), zone)
