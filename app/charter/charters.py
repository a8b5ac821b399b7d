"""The operator's charter, version after version: loading a file and reading what is in force.

A version is never changed: loading a new file appends a new version, in force
from its ``effective_from`` (now or later). A complaint or an outage is judged
against the version in force when it happened (:func:`charter_in_force`,
:func:`commitment_for`). The complaints and compensation services read
commitments as :class:`CommitmentView` values, detached from the session.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import Actor, require_role
from app.charter.charter_file import (
    TARGET_KEYS,
    CharterFileError,
    CharterProblem,
    CharterSpec,
    read_charter,
    read_source,
)
from app.context import AppContext
from app.errors import ConflictError, NotFoundError, ValidationError
from app.i18n import DEFAULT_LANGUAGE, N_, current_language
from app.integrity.keys import Signer
from app.journal import EventKind, record_action, record_event
from db.engine import Database
from db.models import Charter, CharterCommitment, OperatorSettings, Role


@dataclass(frozen=True)
class CommitmentView:
    """One commitment of one charter version, as every service and screen reads it.

    ``texts`` is {"fr": {"title": ..., "text": ...}, "ar": {...}, "en": {...}};
    ``rule`` the rule's figures (amounts in minor units, see app.compensation.rules);
    ``target_minutes`` the target in minutes of its clock (calendar days x 1440,
    business hours x 60, real-time minutes).
    """

    id: int
    charter_id: int
    charter_version: int
    position: int
    code: str
    texts: Mapping[str, Mapping[str, str]]
    services: tuple[str, ...]
    categories: tuple[str, ...]
    clock: str
    target_minutes: int
    pauses_when_waiting: bool
    needs_proof: bool
    rule_kind: str
    rule: Mapping[str, int]
    automatic: bool
    approval_above_minor: int | None

    def _part(self, part: str, language: str | None) -> str:
        for wanted in (language or current_language(), DEFAULT_LANGUAGE, "en"):
            value = self.texts.get(wanted, {}).get(part)
            if value:
                return value
        return self.code

    def title(self, language: str | None = None) -> str:
        """The title in ``language`` (default: the current one), else French, else English."""
        return self._part("title", language)

    def text(self, language: str | None = None) -> str:
        """The customer-facing text in ``language``, else French, else English."""
        return self._part("text", language)

    def covers(self, category: str, service: str | None) -> bool:
        """Whether a complaint of ``category`` on a line of ``service`` falls under it
        (no service: a complaint without a contract, matched on its category)."""
        return category in self.categories and (service is None or service in self.services)

    @property
    def target(self) -> int:
        """The target in the clock's own unit (days, business hours or minutes)."""
        return self.target_minutes // TARGET_KEYS[self.clock][1]


@dataclass(frozen=True)
class CharterVersion:
    """A loaded version with its commitments, and until when it was (or is) in force."""

    id: int
    version: int
    title: str
    effective_from: datetime
    # When the next version takes over; None: the latest version.
    until: datetime | None
    loaded_at: datetime
    loaded_by: str | None
    source_sha256: str
    commitments: tuple[CommitmentView, ...]

    def in_force_at(self, at: datetime) -> bool:
        return self.effective_from <= at and (self.until is None or at < self.until)


def _view(commitment: CharterCommitment, version: int) -> CommitmentView:
    return CommitmentView(
        id=commitment.id,
        charter_id=commitment.charter_id,
        charter_version=version,
        position=commitment.position,
        code=commitment.code,
        texts=json.loads(commitment.texts),
        services=tuple(json.loads(commitment.services)),
        categories=tuple(json.loads(commitment.categories)),
        clock=commitment.clock,
        target_minutes=commitment.target_minutes,
        pauses_when_waiting=commitment.pauses_when_waiting,
        needs_proof=commitment.needs_proof,
        rule_kind=commitment.rule_kind,
        rule=json.loads(commitment.rule or "{}"),
        automatic=commitment.automatic,
        approval_above_minor=commitment.approval_above_minor,
    )


def _commitments(session: Session, charter: Charter) -> tuple[CommitmentView, ...]:
    rows = session.scalars(
        select(CharterCommitment)
        .where(CharterCommitment.charter_id == charter.id)
        .order_by(CharterCommitment.position)
    )
    return tuple(_view(row, charter.version) for row in rows)


# ---------------------------------------------------------------------------
# Reads (anyone signed in)


def charter_in_force(session: Session, at: datetime) -> Charter | None:
    """The charter version in force at ``at``: the latest to take effect at or before it.

    Lowest role: none (a read; no actor).
    """
    return session.scalars(
        select(Charter)
        .where(Charter.effective_from <= at)
        .order_by(Charter.effective_from.desc(), Charter.version.desc())
        .limit(1)
    ).first()


def latest_charter(session: Session) -> Charter | None:
    """The last version loaded (in force or still to come).

    Lowest role: none (a read; no actor).
    """
    return session.scalars(select(Charter).order_by(Charter.version.desc()).limit(1)).first()


def charter_versions(session: Session) -> list[CharterVersion]:
    """Every version, newest first, each with its commitments and the end of its term.

    Lowest role: none (a read; no actor).
    """
    charters = list(
        session.scalars(select(Charter).order_by(Charter.effective_from, Charter.version))
    )
    versions: list[CharterVersion] = []
    for index, charter in enumerate(charters):
        later = [other.effective_from for other in charters[index + 1 :]]
        versions.append(
            CharterVersion(
                id=charter.id,
                version=charter.version,
                title=charter.title,
                effective_from=charter.effective_from,
                until=min(later) if later else None,
                loaded_at=charter.loaded_at,
                loaded_by=charter.loaded_by,
                source_sha256=charter.source_sha256,
                commitments=_commitments(session, charter),
            )
        )
    versions.sort(key=lambda version: (version.effective_from, version.version), reverse=True)
    return versions


def charter_version(session: Session, version: int) -> CharterVersion:
    """One version by its number (NotFoundError if there is none).

    Lowest role: none (a read; no actor).
    """
    for found in charter_versions(session):
        if found.version == version:
            return found
    raise NotFoundError(
        N_("There is no charter version {version}."), field="version", version=version
    )


def commitment_for(
    session: Session, *, category: str, service: str | None, at: datetime
) -> CommitmentView | None:
    """The commitment of the version in force at ``at`` that covers a complaint of
    ``category`` on a line of ``service`` (None: no contract, matched on the category);
    None when no version is in force or none of its commitments covers it.

    Lowest role: none (a read; no actor).
    """
    charter = charter_in_force(session, at)
    if charter is None:
        return None
    for commitment in _commitments(session, charter):
        if commitment.covers(category, service):
            return commitment
    return None


def commitment_by_code(session: Session, charter_id: int, code: str) -> CommitmentView | None:
    """The commitment ``code`` of the charter version ``charter_id`` (case-insensitive).

    Lowest role: none (a read; no actor).
    """
    charter = session.get(Charter, charter_id)
    if charter is None:
        return None
    for commitment in _commitments(session, charter):
        if commitment.code.upper() == code.upper():
            return commitment
    return None


def commitment_by_id(session: Session, commitment_id: int) -> CommitmentView | None:
    """A commitment by its id (as a complaint keeps it).

    Lowest role: none (a read; no actor).
    """
    row = session.get(CharterCommitment, commitment_id)
    if row is None:
        return None
    return _view(row, row.charter.version)


# ---------------------------------------------------------------------------
# Loading (an administrator)


def operator_terms(session: Session) -> tuple[str | None, str]:
    """The operator's currency and timezone, which a charter file is read with.

    Lowest role: none (a read; no actor).
    """
    operator = session.scalars(select(OperatorSettings)).first()
    if operator is None:
        return None, "UTC"
    return operator.currency, operator.timezone


def check_charter_text(
    session: Session, text: str, *, file_name: str = "charter.toml"
) -> CharterSpec:
    """Read a charter file's text against the operator (its currency and timezone);
    CharterFileError lists every problem with its line. Nothing is written.

    Lowest role: none (a read; no actor).
    """
    currency, timezone = operator_terms(session)
    if currency is None:
        raise ConflictError(
            N_("The database has no operator yet: build it (demo or import) before its charter.")
        )
    return read_charter(text, currency=currency, timezone=timezone, file_name=file_name)


def _source(path_or_text: Path | str) -> tuple[str, str]:
    if isinstance(path_or_text, Path):
        return read_source(path_or_text), path_or_text.name
    return path_or_text, "charter.toml"


def load_charter(
    ctx: AppContext,
    actor: Actor,
    path_or_text: Path | str,
    *,
    effective_from: datetime | None = None,
    file_name: str | None = None,
) -> CharterVersion:
    """Load a charter file as the next version (a ``Path`` is read; a ``str`` is the text).

    In force from ``effective_from`` (an aware instant; else the file's, else now),
    which is not in the past and not before the latest version's. A file identical
    to the latest version is refused. One transaction; journalled (CHARTER_LOADED,
    with the version and the file's SHA-256).

    Lowest role: admin.
    """
    require_role(actor, Role.ADMIN)
    text, name = _source(path_or_text)
    name = file_name or name
    now = ctx.now()
    if effective_from is not None and effective_from.tzinfo is None:
        raise ValueError("effective_from must be timezone-aware")
    try:
        with ctx.db.write() as session:
            spec = check_charter_text(session, text, file_name=name)
            when = effective_from or spec.effective_from or now
            if when < now:
                _refuse_past(spec, name, effective_from is not None)
            charter = _store(session, spec, text, when, now, actor.login)
            _check_after_latest(session, charter)
            record_action(
                session,
                ctx,
                EventKind.CHARTER_LOADED,
                actor,
                subject=f"charter:{charter.version}",
                details=_journal_details(charter, spec),
            )
            session.flush()
            return _version_of(session, charter)
    except IntegrityError:
        raise ConflictError(
            N_("Another charter was loaded at the same moment: show the charter and load again.")
        ) from None


def _refuse_past(spec: CharterSpec, file_name: str, from_argument: bool) -> None:
    if from_argument:
        raise ValidationError(
            N_(
                "The charter cannot take effect in the past: give --effective-from now or later, "
                "or leave it out to put the charter in force now."
            ),
            field="effective_from",
        )
    raise CharterFileError(
        [
            CharterProblem(
                spec.effective_from_line,
                N_(
                    "effective_from is in the past: a charter takes effect now or later; "
                    "write a later date, or remove the line to put it in force now."
                ),
            )
        ],
        file_name,
    )


def _store(
    session: Session,
    spec: CharterSpec,
    text: str,
    effective_from: datetime,
    now: datetime,
    loaded_by: str | None,
) -> Charter:
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    latest = latest_charter(session)
    if latest is not None and latest.source_sha256 == sha256:
        raise ConflictError(
            N_(
                "This file is identical to charter version {version}, already loaded: "
                "nothing to do."
            ),
            field="file",
            version=latest.version,
        )
    charter = Charter(
        version=(latest.version + 1) if latest is not None else 1,
        effective_from=effective_from,
        title=spec.title,
        loaded_at=now,
        loaded_by=loaded_by,
        source_text=text,
        source_sha256=sha256,
    )
    session.add(charter)
    session.flush()
    for position, commitment in enumerate(spec.commitments, start=1):
        session.add(
            CharterCommitment(
                charter_id=charter.id,
                position=position,
                code=commitment.code,
                texts=json.dumps(commitment.texts, ensure_ascii=False, sort_keys=True),
                services=json.dumps(list(commitment.services)),
                categories=json.dumps(list(commitment.categories)),
                clock=commitment.clock,
                target_minutes=commitment.target_minutes,
                pauses_when_waiting=commitment.pauses_when_waiting,
                needs_proof=commitment.needs_proof,
                rule_kind=commitment.rule_kind,
                rule=json.dumps(dict(commitment.rule), sort_keys=True),
                automatic=commitment.automatic,
                approval_above_minor=commitment.approval_above_minor,
            )
        )
    session.flush()
    return charter


def _check_after_latest(session: Session, charter: Charter) -> None:
    earlier = session.scalars(
        select(Charter)
        .where(Charter.id != charter.id, Charter.effective_from > charter.effective_from)
        .order_by(Charter.effective_from.desc())
        .limit(1)
    ).first()
    if earlier is not None:
        raise ValidationError(
            N_(
                "Charter version {version} takes effect later ({effective_from}): a new "
                "version cannot take effect before it."
            ),
            field="effective_from",
            version=earlier.version,
            effective_from=earlier.effective_from.isoformat(timespec="minutes"),
        )


def _journal_details(charter: Charter, spec: CharterSpec) -> dict[str, Any]:
    return {
        "version": charter.version,
        "sha256": charter.source_sha256,
        "effective_from": charter.effective_from.isoformat(),
        "title": charter.title,
        "commitments": [commitment.code for commitment in spec.commitments],
    }


def _version_of(session: Session, charter: Charter) -> CharterVersion:
    for version in charter_versions(session):
        if version.id == charter.id:
            return version
    raise NotFoundError(N_("There is no charter version {version}."), version=charter.version)


def store_charter_as_system(
    session: Session,
    text: str,
    *,
    effective_from: datetime,
    now: datetime,
    signer: Signer | None = None,
    loaded_by: str = "demo",
    file_name: str = "charter.toml",
) -> Charter:
    """Write a charter version without an actor and without the "now or later" rule:
    the demo builder, which puts its charter in force before its months of history.
    Journalled when a ``signer`` is given.

    Lowest role: system (the demo builder; no actor).
    """
    spec = check_charter_text(session, text, file_name=file_name)
    charter = _store(session, spec, text, effective_from, now, loaded_by)
    if signer is not None:
        record_event(
            session,
            signer,
            EventKind.CHARTER_LOADED,
            actor_login=loaded_by,
            subject=f"charter:{charter.version}",
            details=_journal_details(charter, spec),
            occurred_at=now,
        )
    return charter


def charter_source(session: Session, charter_id: int) -> str:
    """The file of a version exactly as it was loaded.

    Lowest role: none (a read; no actor).
    """
    charter = session.get(Charter, charter_id)
    if charter is None:
        raise NotFoundError(N_("There is no such charter version."), field="version")
    return charter.source_text


@dataclass(frozen=True)
class CharterOverview:
    """What the charter screen shows: every version (newest first), the one in force,
    and the operator's currency and timezone to write amounts and moments with."""

    versions: tuple[CharterVersion, ...]
    in_force_id: int | None
    currency: str
    timezone: str

    def version(self, charter_id: int | None) -> CharterVersion | None:
        return next((found for found in self.versions if found.id == charter_id), None)

    @property
    def shown_first(self) -> CharterVersion | None:
        """The version in force, else the next to come, else none."""
        return self.version(self.in_force_id) or (self.versions[-1] if self.versions else None)


def charter_overview(database: Database, at: datetime) -> CharterOverview:
    """Every version of the charter and the one in force at ``at``, for the screens.

    Lowest role: none (a read; no actor).
    """
    with database.read() as session:
        currency, timezone = operator_terms(session)
        in_force = charter_in_force(session, at)
        return CharterOverview(
            versions=tuple(charter_versions(session)),
            in_force_id=in_force.id if in_force is not None else None,
            currency=currency or "EUR",
            timezone=timezone,
        )
