"""The demo's late-delivered bills: waivable at the counter, and every cut-off exclusion
the demo can show without complaints (late delivery, paid since the extract)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.billing.cutoff import ExclusionReason, cutoff_list
from app.billing.late_delivery import late_fees_to_waive
from app.demo import build_demo
from app.demo.late_bills import add_late_bills
from app.integrity.keys import create_signer
from app.integrity.verify import verify_database
from db.engine import Database
from db.models import Invoice
from tests.conftest import make_sqlite_database

TODAY = date(2026, 11, 21)


def test_the_demo_shows_waivers_and_exclusions(sqlite_template: Path, tmp_path: Path) -> None:
    database: Database = make_sqlite_database(sqlite_template, tmp_path)
    signer = create_signer(tmp_path / "key.pem")
    with database.write() as session:
        signer.register(session)
    build_demo(
        database, signer, profile="dz", subscribers=600, seed=7, today=TODAY, charter_side=False
    )
    summary = add_late_bills(database, today=TODAY)
    assert summary.waivable and summary.spared_late and summary.extract_at is not None

    with database.read() as session:
        bill = session.scalars(select(Invoice).where(Invoice.number == summary.waivable[0])).one()
        subscriber_id = bill.subscriber_id
        assert bill.delivered_late and bill.late_fee_minor > 0
    waivable = late_fees_to_waive(database, subscriber_id, today=TODAY, currency_code="DZD")
    assert summary.waivable[0] in waivable
    with database.read() as session:
        for number in summary.waivable:
            bill = session.scalars(select(Invoice).where(Invoice.number == number)).one()
            assert bill.delivery_date == date(2026, 11, 19) and bill.late_fee_minor > 0

    result = cutoff_list(database, TODAY)
    reasons = {e.reason for line in result.excluded for e in line.exclusions}
    assert {ExclusionReason.LATE_DELIVERY, ExclusionReason.PAID_SINCE_EXTRACT} <= reasons
    assert result.proposed
    assert verify_database(database, signer.verifier).ok
