"""The event journal and the heads of the signed chains."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

JOURNAL_CHAIN = "journal"


class ChainHead(Base):
    """Last sequence number and signature of one chain.

    Locking this row serialises appends to the chain; keeping the head outside
    the records lets `verify` notice records cut off the end of a chain.
    """

    __tablename__ = "chain_heads"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_signature: Mapped[str] = mapped_column(String(100), default="")


class JournalEvent(Base):
    __tablename__ = "journal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(48), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor_login: Mapped[str | None] = mapped_column(String(64))
    workstation: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(80), index=True)
    details: Mapped[str] = mapped_column(Text, default="{}")

    key_id: Mapped[str] = mapped_column(String(32))
    prev_signature: Mapped[str] = mapped_column(String(100))
    signature: Mapped[str] = mapped_column(String(100))
