"""Appending to a signed chain.

The chain head row is locked for the length of the transaction (SELECT ... FOR
UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so
two workstations can never take the same sequence number or sign over the same
previous signature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.integrity.canonical import signing_input
from app.integrity.keys import Signer
from db.models import ChainHead


@dataclass
class HeadState:
    """A chain head read as a plain row (the payment path): where the chain stands."""

    name: str
    last_seq: int
    last_signature: str


@dataclass(frozen=True)
class ChainLink:
    chain: str
    seq: int
    key_id: str
    prev_signature: str
    signature: str


def ensure_chain(session: Session, name: str) -> None:
    """Create the head of a chain if it does not exist yet, safely under concurrency."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(ChainHead)
        .values(name=name, last_seq=0, last_signature="")
        .on_conflict_do_nothing(index_elements=["name"])
    )
    session.execute(statement)


_LOCK_HEAD = (
    select(ChainHead)
    .where(ChainHead.name == bindparam("name"))
    .with_for_update()
    # The identity map may hold a value read before we held the lock.
    .execution_options(populate_existing=True)
)


# On the table, run on the session's connection: the ORM's bulk-update path is
# not needed for one locked row and costs more than the UPDATE itself.
_HEADS = cast(Table, ChainHead.__table__)
_ADVANCE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.name == bindparam("chain"))
    .values(last_seq=bindparam("seq"), last_signature=bindparam("signature"))
)


def lock_head(session: Session, name: str) -> ChainHead:
    """Lock the chain's head row until commit, creating it the first time."""
    head = session.scalars(_LOCK_HEAD, {"name": name}).first()
    if head is None:
        ensure_chain(session, name)
        head = session.scalars(_LOCK_HEAD, {"name": name}).one()
    return head


_LOCK_HEAD_ROW = (
    select(ChainHead.last_seq, ChainHead.last_signature)
    .where(ChainHead.name == bindparam("name"))
    .with_for_update()
)


def lock_head_row(session: Session, name: str) -> HeadState:
    """:func:`lock_head` as a plain row, for the payment path where ORM objects cost most."""
    connection = session.connection()
    row = connection.execute(_LOCK_HEAD_ROW, {"name": name}).first()
    if row is None:
        ensure_chain(session, name)
        row = connection.execute(_LOCK_HEAD_ROW, {"name": name}).one()
    return HeadState(name, row.last_seq, row.last_signature)


def append(
    session: Session,
    signer: Signer,
    name: str,
    build_record: Callable[[int], dict[str, Any]],
    *,
    head: ChainHead | HeadState | None = None,
) -> ChainLink:
    """Take the next sequence number of chain ``name`` and sign the record built for it.

    ``build_record`` receives the sequence number (receipt numbers are made from
    it) and returns the canonical record; the caller stores the returned link
    fields on the row it inserts, in the same transaction. ``head`` is the head
    already locked by the caller, if it locked it earlier in the transaction.
    """
    head = head if head is not None else lock_head(session, name)
    seq = head.last_seq + 1
    record = build_record(seq)
    signature = signer.sign(signing_input(name, seq, record, head.last_signature))
    link = ChainLink(name, seq, signer.key_id, head.last_signature, signature)
    # Written at once with one plain UPDATE (the row is locked), and the object told
    # so: left to the ORM, a flush at commit would cost more than the rest of a payment.
    session.connection().execute(_ADVANCE_HEAD, {"chain": name, "seq": seq, "signature": signature})
    if isinstance(head, HeadState):
        head.last_seq, head.last_signature = seq, signature
    else:
        set_committed_value(head, "last_seq", seq)
        set_committed_value(head, "last_signature", signature)
    return link


def append_many(
    session: Session,
    signer: Signer,
    name: str,
    records: list[dict[str, Any]],
    *,
    head: HeadState,
) -> list[ChainLink]:
    """Sign ``records`` one after the other on the chain whose head the caller locked,
    and advance the head once: a bulk writer (an outage's 100,000 compensations)
    would otherwise spend most of its time updating the head row."""
    links = []
    seq, previous = head.last_seq, head.last_signature
    for record in records:
        seq += 1
        signature = signer.sign(signing_input(name, seq, record, previous))
        links.append(ChainLink(name, seq, signer.key_id, previous, signature))
        previous = signature
    if links:
        session.connection().execute(
            _ADVANCE_HEAD, {"chain": name, "seq": seq, "signature": previous}
        )
        head.last_seq, head.last_signature = seq, previous
    return links
