"""The demo's complaints: every state, some past their deadline, the slips not reprinted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.demo.complaints import add_demo_complaints
from db.engine import Database
from db.models import Complaint, ComplaintStatus, PrintJob, PrintJobStatus
from tests.factories import NOW, add_subscriber
from tests.test_complaint_world import complaint_world


def test_demo_complaints_in_every_state(sqlite_database: Database, tmp_path: Path) -> None:
    world, _ = complaint_world(sqlite_database, tmp_path)
    for index in range(10):
        add_subscriber(sqlite_database, f"D{index:07d}")
    summary = add_demo_complaints(world.ctx, count=40, seed=3, now=NOW + timedelta(days=3))
    assert summary.recorded == 40
    assert set(summary.by_status) == set(ComplaintStatus.ALL)
    with sqlite_database.read() as session:
        statuses: dict[str, int] = {
            status: count
            for status, count in session.execute(
                select(Complaint.status, func.count()).group_by(Complaint.status)
            )
        }
        breached = session.scalar(
            select(func.count()).select_from(Complaint).where(Complaint.breached_at.is_not(None))
        )
        pending = session.scalar(
            select(func.count())
            .select_from(PrintJob)
            .where(PrintJob.status == PrintJobStatus.PENDING)
        )
    assert statuses == summary.by_status
    assert breached and breached >= summary.breached > 0
    assert pending == 0
