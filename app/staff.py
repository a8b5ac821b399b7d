"""Managing staff accounts: roles, removal, passwords; every change journaled.

A role is a right (a supervisor approves voids), so a role, the active flag or
a password changes only here, and each change appends a signed journal event
with the account's resulting state (role, active, a fingerprint of the password
hash). `verify` replays these events and compares them with the staff table:
a change made outside the application is named.

``actor`` is the signed-in administrator; None means IT at the command line on
the database's own machine (as for :func:`app.auth.add_user`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import (
    Actor,
    actor_of,
    hash_password,
    password_matches,
    require_role,
    staff_state,
    validate_password,
)
from app.context import AppContext
from app.errors import AuthenticationError, ConflictError, NotFoundError, ValidationError
from app.i18n import LANGUAGES, N_
from app.journal import EventKind, record_event
from db.models import Role, Staff


def _locked_staff(session: Session, login: str) -> Staff:
    login = login.strip().lower()
    staff = session.scalars(select(Staff).where(Staff.login == login).with_for_update()).first()
    if staff is None:
        raise NotFoundError(N_("No staff account {login}."), field="login", login=login)
    return staff


def _journal(
    ctx: AppContext, session: Session, kind: str, actor: Actor | None, staff: Staff
) -> None:
    record_event(
        session,
        ctx.signer,
        kind,
        actor_id=actor.staff_id if actor else None,
        actor_login=actor.login if actor else None,
        subject=staff.login,
        details=staff_state(staff),
        occurred_at=ctx.now(),
    )


def _parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError(
            N_("Unknown role {role}; use agent, supervisor or admin."), field="role", role=role
        ) from None


def _not_yourself(actor: Actor | None, staff: Staff) -> None:
    if actor is not None and actor.staff_id == staff.id:
        raise ConflictError(
            N_("You cannot change your own role or remove yourself; ask another administrator."),
            field="login",
        )


def _still_active(staff: Staff) -> None:
    if not staff.active:
        raise ConflictError(
            N_("The account {login} was removed."), field="login", login=staff.login
        )


def change_role(ctx: AppContext, actor: Actor | None, login: str, role: Role | str) -> Actor:
    """Give an account another role. Lowest role: admin."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    new_role = _parse_role(role)
    with ctx.db.write() as session:
        staff = _locked_staff(session, login)
        _not_yourself(actor, staff)
        _still_active(staff)
        if Role(staff.role) == new_role:
            raise ConflictError(
                N_("{login} already has the role {role}."),
                field="role",
                login=staff.login,
                role=str(new_role),
            )
        staff.role = new_role
        _journal(ctx, session, EventKind.USER_ROLE_CHANGED, actor, staff)
        return actor_of(staff)


def deactivate_user(ctx: AppContext, actor: Actor | None, login: str) -> None:
    """Remove an account: it can no longer sign in or approve; its history stays.

    The row is kept (payments and the journal name it); removal is the active
    flag. Lowest role: admin.
    """
    if actor is not None:
        require_role(actor, Role.ADMIN)
    with ctx.db.write() as session:
        staff = _locked_staff(session, login)
        _not_yourself(actor, staff)
        _still_active(staff)
        staff.active = False
        _journal(ctx, session, EventKind.USER_REMOVED, actor, staff)


def change_password(
    ctx: AppContext,
    actor: Actor | None,
    login: str,
    new_password: str,
    *,
    current_password: str | None = None,
) -> None:
    """Set a new password: one's own (typing the current one), or anyone's as admin.

    Lowest role: agent for one's own password, admin for another's. A new
    password also lifts a lock after failed attempts.
    """
    validate_password(new_password)
    own = actor is not None and actor.login == login.strip().lower()
    if actor is not None and not own:
        require_role(actor, Role.ADMIN)
    with ctx.db.write() as session:
        staff = _locked_staff(session, login)
        _still_active(staff)
        if own and not password_matches(staff.password_hash, current_password or ""):
            raise AuthenticationError(
                N_("The current password is wrong."), field="current_password"
            )
        staff.password_hash = hash_password(new_password)
        staff.failed_attempts = 0
        staff.locked_until = None
        _journal(ctx, session, EventKind.PASSWORD_CHANGED, actor, staff)


def set_own_language(ctx: AppContext, actor: Actor, language: str) -> Actor:
    """Keep ``language`` as the signed-in agent's own: their screen is in it at every sign-in.

    Only for oneself: the actor's own row, whoever they are. A preference, not a
    right: unlike roles and passwords it is not journaled, and ``verify`` has nothing
    to compare it with. Returns the actor as it now stands.

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    if language not in LANGUAGES:
        raise ValidationError(
            N_("Unknown language {language}."), field="language", language=language
        )
    with ctx.db.write() as session:
        staff = _locked_staff(session, actor.login)
        _still_active(staff)
        staff.language = language
        return actor_of(staff)
