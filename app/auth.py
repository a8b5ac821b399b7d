"""Staff accounts: argon2id passwords, lockout after repeated failures, roles.

Every rule is enforced here, not in the screens: a service that needs a role
calls :func:`require_role` with the signed-in :class:`Actor`.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.context import AppContext
from app.errors import (
    AccountLockedError,
    AuthenticationError,
    ConflictError,
    PermissionDeniedError,
    ValidationError,
)
from app.i18n import LANGUAGES, N_
from app.integrity.records import password_fingerprint
from app.journal import EventKind, record_action, record_event
from db.models import Agency, Role, Staff

MAX_FAILED_ATTEMPTS = 5
LOCK_DURATION = timedelta(minutes=15)
LOCK_MINUTES = int(LOCK_DURATION.total_seconds() // 60)
MIN_PASSWORD_LENGTH = 8
ROLE_RANK = {Role.AGENT: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}

_hasher = PasswordHasher()  # argon2id with the library's current recommended costs


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the login does not exist, so that a wrong login costs
    as long as a wrong password and does not reveal which logins exist. Made at the
    first such sign-in, not at import: hashing costs a third of a second and 64 MB,
    which every process (``--help`` included) paid for nothing."""
    return _hasher.hash("guichet-no-such-user")


@dataclass(frozen=True)
class Actor:
    """A signed-in member of staff, as the services see them."""

    staff_id: int
    login: str
    full_name: str
    role: Role
    language: str | None = None

    def has_role(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def require_role(actor: Actor, role: Role) -> None:
    if not actor.has_role(role):
        raise PermissionDeniedError(
            N_("This needs the {role} role; {login} is {actual}."),
            role=str(role),
            login=actor.login,
            actual=str(actor.role),
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def actor_of(staff: Staff) -> Actor:
    """The services' view of a staff row."""
    return Actor(staff.id, staff.login, staff.full_name, Role(staff.role), staff.language)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def staff_state(staff: Staff) -> dict[str, Any]:
    """What the journal records of an account whenever its rights or password change."""
    return {
        "role": str(staff.role),
        "active": bool(staff.active),
        "password": password_fingerprint(staff.password_hash),
    }


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            N_("The password must have at least {count} characters."),
            field="password",
            count=MIN_PASSWORD_LENGTH,
        )


_LOGIN_MAX = 64  # the staff.login and staff.full_name columns
_FULL_NAME_MAX = 200


def add_user(
    ctx: AppContext,
    login: str,
    *,
    role: Role | str,
    password: str,
    full_name: str | None = None,
    agency_code: str | None = None,
    language: str | None = None,
    added_by: Actor | None = None,
) -> Actor:
    """Create a staff account. ``added_by`` is None only for the command line run by IT.

    Lowest role: admin (the command line run by IT passes no actor).
    """
    login = login.strip().lower()
    if not login or not login.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise ValidationError(
            N_("A login uses letters, digits, dots, dashes and underscores only."), field="login"
        )
    # Checked here, not left to the columns: SQLite would store any length.
    if len(login) > _LOGIN_MAX:
        raise ValidationError(
            N_("A login has at most {limit} characters; this one has {length}."),
            field="login",
            limit=_LOGIN_MAX,
            length=len(login),
        )
    if full_name is not None and len(full_name) > _FULL_NAME_MAX:
        raise ValidationError(
            N_("A full name has at most {limit} characters; this one has {length}."),
            field="full_name",
            limit=_FULL_NAME_MAX,
            length=len(full_name),
        )
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(
            N_("Unknown role {role}; use agent, supervisor or admin."), field="role", role=role
        ) from None
    if language is not None and language not in LANGUAGES:
        raise ValidationError(
            N_("Unknown language {language}."), field="language", language=language
        )
    validate_password(password)
    if added_by is not None:
        require_role(added_by, Role.ADMIN)
    with ctx.db.write() as session:
        if session.scalar(select(Staff.id).where(Staff.login == login)) is not None:
            raise ConflictError(
                N_("The login {login} is already taken."), field="login", login=login
            )
        agency_id = None
        if agency_code is not None:
            agency_id = session.scalar(select(Agency.id).where(Agency.code == agency_code))
            if agency_id is None:
                raise ValidationError(
                    N_("Unknown agency {code}."), field="agency", code=agency_code
                )
        staff = Staff(
            login=login,
            full_name=full_name or login,
            role=role,
            password_hash=hash_password(password),
            agency_id=agency_id,
            language=language,
            active=True,
            failed_attempts=0,
            created_at=ctx.now(),
        )
        session.add(staff)
        session.flush()
        record_event(
            session,
            ctx.signer,
            EventKind.USER_ADDED,
            actor_id=added_by.staff_id if added_by else None,
            actor_login=added_by.login if added_by else None,
            subject=login,
            details=staff_state(staff),
            occurred_at=ctx.now(),
        )
        return actor_of(staff)


def _check_credentials(
    ctx: AppContext, session: Session, login: str, password: str, workstation: str | None
) -> tuple[Actor | None, Exception | None]:
    """Check a password and record the outcome; return the actor or the error to raise.

    The outcome (failure count, lock, journal event) must be committed even when
    the sign-in is refused, so errors are returned rather than raised here.
    """
    now = ctx.now()
    staff = session.scalars(select(Staff).where(Staff.login == login).with_for_update()).first()

    def journal(kind: str, **details: Any) -> None:
        record_event(
            session,
            ctx.signer,
            kind,
            actor_id=staff.id if staff is not None else None,
            actor_login=login,
            workstation=workstation,
            subject=login,
            details=details,
            occurred_at=now,
        )

    refused = AuthenticationError(N_("Wrong login or password."), field="password")
    if staff is None or not staff.active:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_dummy_hash(), password)
        journal(EventKind.LOGIN_FAILED, reason="unknown_login")
        return None, refused
    if staff.locked_until is not None and staff.locked_until > now:
        journal(EventKind.LOGIN_FAILED, reason="locked")
        return None, AccountLockedError(
            N_(
                "This account is locked after too many failed attempts. "
                "Try again in {minutes} minutes or ask a supervisor."
            ),
            field="login",
            minutes=max(1, int((staff.locked_until - now).total_seconds() // 60) + 1),
        )
    try:
        _hasher.verify(staff.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        staff.failed_attempts += 1
        journal(EventKind.LOGIN_FAILED, reason="wrong_password", attempt=staff.failed_attempts)
        if staff.failed_attempts < MAX_FAILED_ATTEMPTS:
            return None, refused
        staff.locked_until = now + LOCK_DURATION
        staff.failed_attempts = 0
        journal(EventKind.ACCOUNT_LOCKED, minutes=LOCK_MINUTES)
        return None, AccountLockedError(
            N_("Too many failed attempts: this account is locked for {minutes} minutes."),
            field="login",
            minutes=LOCK_MINUTES,
        )
    staff.failed_attempts = 0
    staff.locked_until = None
    if _hasher.check_needs_rehash(staff.password_hash):
        # A new hash of the same password, journaled like any password change:
        # `verify` compares every stored hash with the journal.
        staff.password_hash = hash_password(password)
        journal(EventKind.PASSWORD_REHASHED, password=password_fingerprint(staff.password_hash))
    return actor_of(staff), None


def authenticate(
    ctx: AppContext,
    login: str,
    password: str,
    *,
    workstation: str | None = None,
    journal_success: bool = True,
) -> Actor:
    """Sign a member of staff in, or raise a translated error; every attempt is journaled.

    Lowest role: credentials (the login and password typed now).
    """
    login = login.strip().lower()
    with ctx.db.write() as session:
        actor, error = _check_credentials(ctx, session, login, password, workstation)
        if actor is not None and journal_success:
            record_action(
                session,
                ctx,
                EventKind.LOGIN_SUCCEEDED,
                actor,
                workstation=workstation,
                subject=actor.login,
            )
    if error is not None:
        raise error
    assert actor is not None
    return actor


def check_supervisor(
    ctx: AppContext, session: Session, login: str, password: str, workstation: str | None
) -> tuple[Actor | None, Exception | None]:
    """Check a supervisor's credentials typed at this moment, inside the caller's transaction.

    Lowest role: credentials (the supervisor's login and password typed now).
    """
    actor, error = _check_credentials(ctx, session, login.strip().lower(), password, workstation)
    if actor is not None and not actor.has_role(Role.SUPERVISOR):
        return None, PermissionDeniedError(
            N_("{login} is not a supervisor; a supervisor must approve."),
            field="supervisor_login",
            login=actor.login,
        )
    return actor, error


def unlock(
    ctx: AppContext, locked_for: Actor, login: str, password: str, *, workstation: str | None = None
) -> Actor:
    """Unlock an idle-locked counter: only the same agent, or a supervisor, may do it.

    The agent's session (and any payment in progress) carries on as it was; who
    unlocked it is journaled.

    Lowest role: credentials (the same agent's, or a supervisor's, typed now).
    """
    actor = authenticate(ctx, login, password, workstation=workstation, journal_success=False)
    if actor.staff_id != locked_for.staff_id and not actor.has_role(Role.SUPERVISOR):
        raise PermissionDeniedError(
            N_("Only {login} or a supervisor can unlock this counter."),
            field="login",
            login=locked_for.login,
        )
    with ctx.db.write() as session:
        record_action(
            session,
            ctx,
            EventKind.SCREEN_UNLOCKED,
            actor,
            workstation=workstation,
            subject=locked_for.login,
        )
    return actor


def record_screen_locked(ctx: AppContext, actor: Actor, *, workstation: str | None = None) -> None:
    """Journal that the counter was locked (idle or Ctrl+L).

    Lowest role: signed-in (any role).
    """
    with ctx.db.write() as session:
        record_action(
            session,
            ctx,
            EventKind.SCREEN_LOCKED,
            actor,
            workstation=workstation,
            subject=actor.login,
        )
