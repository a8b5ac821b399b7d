"""Which running counter holds a workstation: one lease per workstation.

A lease is working state, not a record: it is taken when a counter starts,
renewed by its heartbeat and deleted when it closes. A counter that dies
without closing leaves a lease that expires; the next start takes it over.

The heartbeat also carries what the counter's print worker last read of its
printer: a printer on the counter's USB or serial port or behind its CUPS
queue can be read from that computer only, and the supervisor's dashboard
reads it here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class WorkstationLease(Base):
    __tablename__ = "workstation_leases"

    # The workstation is the key: a second holder cannot even be written.
    workstation_id: Mapped[int] = mapped_column(ForeignKey("workstations.id"), primary_key=True)
    # A random id per running process: host and process id alone repeat after a reboot.
    token: Mapped[str] = mapped_column(String(36))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    agent_login: Mapped[str | None] = mapped_column(String(64))
    agent_name: Mapped[str | None] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    renewed_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    # A PrinterStatus value, and when the counter read it (by the lease's clock).
    printer_state: Mapped[str | None] = mapped_column(String(24))
    printer_state_at: Mapped[datetime | None]
