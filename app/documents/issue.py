"""Handing a document to a customer: made, saved, and journaled."""

from __future__ import annotations

from pathlib import Path

from app.auth import Actor, require_role
from app.context import AppContext
from app.documents.bill_copy import save_bill_copy
from app.journal import EventKind, record_action
from db.models import Role


def issue_bill_copy(
    ctx: AppContext, actor: Actor, invoice_number: str, *, language: str, workstation: str
) -> Path:
    """A duplicate of a bill for the subscriber at the counter; who issued it is journaled.

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    path = save_bill_copy(
        ctx.db, invoice_number, language=language, now=ctx.now(), workstation=workstation
    )
    with ctx.db.write() as session:
        record_action(
            session,
            ctx,
            EventKind.BILL_COPY_ISSUED,
            actor,
            workstation=workstation,
            subject=invoice_number.strip().upper(),
            details={"language": language},
        )
    return path
