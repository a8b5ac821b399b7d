"""What a search hit shows to tell namesakes apart, and how many matches lie beyond the page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from app.lookup import find_subscribers
from app.lookup import service as lookup_service
from app.lookup.normalize import fold_name
from app.lookup.service import (
    counted_name_search_statement,
    details_statement,
    name_count_statement,
)
from db.engine import Database
from db.models import ContractStatus, InvoiceStatus, ServiceType
from tests.lookup_factories import add_contract, add_invoice, add_offer, add_subscriber


@pytest.fixture
def namesakes(database: Database) -> dict[str, int]:
    """Three Karim Bouzid: who is who only shows in the phone, city, amount and status."""
    with database.write() as session:
        ftth = add_offer(session, "FTTH-100", ServiceType.FTTH)
        power = add_offer(session, "ELEC-BT", ServiceType.ELECTRICITY)
        oran = add_subscriber(
            session,
            "DZ100001",
            first_name="Karim",
            last_name="Bouzid",
            city="Oran",
            phones=["+21321456789", "+213661000111"],  # fixed first, then a mobile
        )
        line = add_contract(session, oran, ftth, "CTR-1", line_e164="+21321456789")
        add_contract(
            session, oran, power, "CTR-2", meter_number="M-2", status=ContractStatus.SUSPENDED
        )
        first = add_invoice(session, line, "F-1", barcode="B-1")  # 3 450,00 each
        second = add_invoice(session, line, "F-2", barcode="B-2")
        second.paid_minor = 45_000
        second.status = InvoiceStatus.PARTLY_PAID
        paid = add_invoice(session, line, "F-3", barcode="B-3")
        paid.paid_minor, paid.status = paid.amount_minor, InvoiceStatus.PAID
        first.late_fee_minor = 5_000

        alger = add_subscriber(
            session,
            "DZ100002",
            first_name="Karim",
            last_name="Bouzid",
            city="Alger",
            phones=["+213555123456"],
        )
        add_contract(session, alger, ftth, "CTR-3", status=ContractStatus.PENDING_ACTIVATION)
        nothing = add_subscriber(
            session, "DZ100003", first_name="Karim", last_name="Bouzid", city=None
        )
        session.flush()
        return {"oran": oran.id, "alger": alger.id, "nothing": nothing.id}


def test_name_hits_carry_phone_city_amount_due_and_status(
    database: Database, namesakes: dict[str, int]
) -> None:
    result = find_subscribers(database, "karim bouzid", country="DZ", currency="DZD")
    by_id = {hit.subscriber_id: hit for hit in result.hits}
    assert result.currency == "DZD" and result.total == 3 and result.more == 0
    oran = by_id[namesakes["oran"]]
    # The mobile comes before the fixed line, in the national form people read.
    assert oran.phone == "0661 00 01 11"
    assert oran.city == "Oran"
    # 3 450,00 + 50,00 late fee, plus 3 450,00 - 450,00 paid; the paid bill counts nothing.
    assert oran.amount_due == Decimal("6500.00")
    assert oran.status == ContractStatus.SUSPENDED  # before the active line
    alger = by_id[namesakes["alger"]]
    assert (alger.phone, alger.city, alger.amount_due, alger.status) == (
        "0555 12 34 56",
        "Alger",
        Decimal("0.00"),
        ContractStatus.PENDING_ACTIVATION,
    )
    nothing = by_id[namesakes["nothing"]]
    assert (nothing.phone, nothing.city, nothing.amount_due, nothing.status) == (
        None,
        None,
        Decimal("0.00"),
        None,
    )


def test_exact_hits_carry_the_details_too(database: Database, namesakes: dict[str, int]) -> None:
    result = find_subscribers(database, "F-2", country="DZ", currency="TND")
    [hit] = result.hits
    assert result.exact and hit.subscriber_id == namesakes["oran"]
    # The same 650 000 minor units read in millimes: the currency's own minor units.
    assert hit.amount_due == Decimal("650.000") and result.currency == "TND"


def test_without_a_currency_the_operators_is_used_or_none(
    database: Database, namesakes: dict[str, int]
) -> None:
    # This bare database has no operator yet: the hits are found, with no amount.
    result = find_subscribers(database, "DZ100001", country="DZ")
    assert result.currency is None and result.hits[0].amount_due is None
    assert result.hits[0].phone == "0661 00 01 11"


def test_the_count_beyond_the_page(database: Database) -> None:
    with database.write() as session:
        for number in range(12):
            add_subscriber(session, f"TN{number:06d}", first_name="Sami", last_name="Zeroual")
        add_subscriber(session, "TN999999", first_name="Samir", last_name="Zeroualia")
    page = find_subscribers(database, "zeroual", country="TN", limit=5)
    # Prefix matches count too: the 12 Zeroual and the Zeroualia.
    assert len(page.hits) == 5 and page.has_more
    assert (page.total, page.total_capped, page.more) == (13, False, 8)
    whole = find_subscribers(database, "zeroual", country="TN", limit=20)
    assert (whole.total, whole.more, whole.has_more) == (13, 0, False)


def test_the_count_stops_at_its_limit(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lookup_service, "COUNT_LIMIT", 7)
    with database.write() as session:
        for number in range(12):
            add_subscriber(session, f"TN{number:06d}", first_name="Sami", last_name="Zeroual")
    page = find_subscribers(database, "zeroual", country="TN", limit=5)
    assert (page.total, page.total_capped, page.more) == (7, True, 2)  # "more than 2 more"


def test_the_count_of_a_shared_identifier(database: Database) -> None:
    with database.write() as session:
        for number in range(4):
            add_subscriber(
                session,
                f"FR{number:06d}",
                first_name="Famille",
                last_name="Roux",
                phones=["+33145678901"],
            )
    result = find_subscribers(database, "01 45 67 89 01", country="FR", limit=2)
    assert result.exact and len(result.hits) == 2 and result.has_more
    assert (result.total, result.total_capped, result.more) == (4, False, 2)


# --- what runs stays on the indexes --------------------------------------------------------


def _plan(session: Session, database: Database, statement: ClauseElement) -> str:
    sql = str(
        statement.compile(
            dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
        )
    )
    if database.is_sqlite:
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
        return "\n".join(str(row[-1]) for row in rows)
    session.execute(text("SET LOCAL enable_seqscan = off"))
    rows = session.execute(text(f"EXPLAIN {sql}")).all()
    return "\n".join(str(row[0]) for row in rows)


# The statements' own capped intermediate sets (a few hundred ids at most), not tables.
_CAPPED_SETS = ("matches", "page")


def _full_scans(plan: str, database: Database) -> list[str]:
    lines = [line.strip(" -`|") for line in plan.splitlines()]
    if database.is_sqlite:
        # The FTS5 MATCH ("VIRTUAL TABLE INDEX") and the capped subquery's own rows
        # are not tables read whole.
        return [
            line
            for line in lines
            if line.startswith("SCAN")
            and "VIRTUAL TABLE" not in line
            and line.split()[1] not in _CAPPED_SETS
            and "(subquery" not in line
        ]
    return [line for line in lines if "Seq Scan" in line]


def test_the_details_of_a_page_read_by_index(database: Database, namesakes: dict[str, int]) -> None:
    with database.read() as session:
        plan = _plan(session, database, details_statement(list(namesakes.values())))
    assert not _full_scans(plan, database), plan


@pytest.mark.parametrize("query", ["karim", "bou ka", "محمد"])
def test_the_count_uses_the_full_text_index(
    database: Database, namesakes: dict[str, int], query: str
) -> None:
    statement = name_count_statement(database.dialect, fold_name(query).split(), 501)
    with database.read() as session:
        plan = _plan(session, database, statement)
    assert not _full_scans(plan, database), plan
    if database.is_sqlite:
        assert "VIRTUAL TABLE INDEX" in plan and "subscribers" not in plan, plan
    else:
        assert "Bitmap Index Scan on ix_subscribers_search_name_fts" in plan, plan


@pytest.mark.parametrize("query", ["karim", "bou ka", "محمد"])
def test_the_prefix_page_and_its_count_use_the_full_text_index(
    database: Database, namesakes: dict[str, int], query: str
) -> None:
    statement = counted_name_search_statement(database.dialect, fold_name(query).split(), 21, 501)
    with database.read() as session:
        plan = _plan(session, database, statement)
    assert not _full_scans(plan, database), plan
    if database.is_sqlite:
        assert "VIRTUAL TABLE INDEX" in plan, plan
        assert "SEARCH subscribers USING INTEGER PRIMARY KEY" in plan, plan
    else:
        # One index scan for the page and the count (the matches are materialized).
        assert plan.count("Bitmap Index Scan on ix_subscribers_search_name_fts") == 1, plan


def test_the_page_and_the_count_come_together(database: Database) -> None:
    with database.write() as session:
        for number in range(7):
            add_subscriber(session, f"TN{number:06d}", first_name="Sami", last_name="Zeroual")
    statement = counted_name_search_statement(database.dialect, ["zer"], 3, 5)
    with database.read() as session:
        rows = session.execute(statement).all()
    assert len(rows) == 3 and {row[7] for row in rows} == {5}  # counted up to 5


def test_name_count_statement_needs_words() -> None:
    with pytest.raises(ValueError):
        name_count_statement("sqlite", [], 20)
    with pytest.raises(ValueError):
        counted_name_search_statement("sqlite", [], 20, 500)
