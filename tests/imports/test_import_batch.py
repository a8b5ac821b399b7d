"""Importing batches on SQLite and PostgreSQL: the examples, the messy corpus, all or
nothing, idempotence, ``--check``, bills already paid, outside payments and verify."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.integrity.outside_payment_checks import check_outside_payments
from app.lookup.normalize import search_name_for
from app.lookup.service import find_subscribers
from db.models import Contract, Invoice, OutsidePayment, Subscriber, SubscriberPhone
from tests.factories import World, add_subscriber
from tests.imports.helpers import checksum, copy_examples, lines, run, write

SUBSCRIBERS_HEADER = "account_number,first_name,last_name,name_ar,mobile\n"
CONTRACTS_HEADER = "contract_number,account_number,offer_code,status,requested_on\n"
INVOICES_HEADER = (
    "invoice_number,contract_number,period_start,period_end,issue_date,due_date,amount,barcode\n"
)


def test_the_examples_import_as_they_are_and_twice_change_nothing(
    world: World, tmp_path: Path
) -> None:
    paths = copy_examples(tmp_path / "batch")
    first = run(world.ctx, paths)
    assert first.ok and first.applied, lines(first)
    assert {name: counts.created for name, counts in first.counts.items()} == {
        "offers": 2,
        "products": 2,
        "subscribers": 3,
        "contracts": 3,
        "invoices": 3,
        "deliveries": 0,
        "statuses": 0,
        "payments": 2,
    }
    before = checksum(world.db)
    second = run(world.ctx, paths)
    assert second.ok and second.applied
    assert all(c.created == 0 and c.updated == 0 for c in second.counts.values())
    assert checksum(world.db) != before  # only the journal's event of the second import
    with world.db.read() as session:
        nadia = session.scalars(
            select(Subscriber).where(Subscriber.account_number == "IMP-000103")
        ).one()
        assert nadia.name_ar == "نادية حداد"
        assert nadia.address == "Lotissement Saïd Hamdine\nvilla 7"  # a quoted newline
        assert nadia.created_on == date(2024, 5, 2)
        assert nadia.search_name == search_name_for("Nadia", "Haddad", "نادية حداد")
        phones = set(session.scalars(select(SubscriberPhone.number_e164)))
        assert {"+213550123401", "+21321631201"} <= phones
        suspended = session.scalars(select(Contract).where(Contract.number == "IMP-C-0102")).one()
        assert (suspended.status, suspended.suspended_on) == ("suspended", date(2024, 12, 20))
        bill = session.scalars(select(Invoice).where(Invoice.number == "IMP-F-2024-0111")).one()
        assert (bill.amount_minor, bill.late_fee_minor) == (290000, 15000)
        assert (bill.paid_minor, bill.paid_elsewhere_minor, bill.status) == (
            100000,
            100000,
            "partly_paid",
        )
        late = session.scalars(select(Invoice).where(Invoice.number == "IMP-F-2024-0102")).one()
        assert late.delivery_date == date(2024, 11, 28)
        assert session.scalar(select(text("count(*)")).select_from(OutsidePayment)) == 2


def test_the_search_index_finds_imported_names_at_once(world: World, tmp_path: Path) -> None:
    run(world.ctx, copy_examples(tmp_path / "batch"))
    for query in ("بلقاسم", "belkacem", "0550 12 34 01", "IMP-000101"):
        found = find_subscribers(world.db, query, country="DZ")
        assert [hit.account_number for hit in found.hits] == ["IMP-000101"], query


def test_check_writes_nothing_and_says_what_would_happen(world: World, tmp_path: Path) -> None:
    before = checksum(world.db)
    result = run(world.ctx, copy_examples(tmp_path / "batch"), check=True)
    assert result.ok and not result.applied
    assert result.counts["subscribers"].created == 3
    assert result.counts["payments"].created == 2
    assert checksum(world.db) == before


def test_one_bad_line_and_the_database_is_unchanged(world: World, tmp_path: Path) -> None:
    run(world.ctx, copy_examples(tmp_path / "first", ("offers.csv",)))
    before = checksum(world.db)
    paths = copy_examples(tmp_path / "batch")
    # The last line of the last file is wrong: everything before it was written, then undone.
    with paths[-1].open("a", encoding="utf-8") as handle:
        handle.write("CCP-BAD-1,IMP-F-2024-0102,12.345.6,post_office,2024-11-20\n")
    result = run(world.ctx, paths)
    assert not result.ok and not result.applied
    assert lines(result) == [
        "payments.csv, line 4, column amount, value «12.345.6»: not an amount "
        "(write it as 1234.50 or 1 234,50)"
    ]
    assert result.counts["subscribers"].created == 3  # counted, then rolled back
    assert checksum(world.db) == before


def test_messy_but_valid_files_import(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "messy"
    offers = write(
        folder, "offers.txt", "offer_code\tname\tservice\tmonthly_fee\nO-1\tFibre\tftth\t2 900,50\n"
    )
    subscribers = write(
        folder,
        "abonnes.csv",
        "\ufeffaccount_number;last_name;first_name;name_ar\nA-1;Hélène;Benali;هيلين بن علي\n",
    )
    arabic = write(
        folder,
        "arabic.csv",
        "account_number;last_name;name_ar\nA-2;Saadi;سعدي عبد القادر\n",
        encoding="cp1256",
    )
    latin = write(
        folder, "latin.csv", "account_number,last_name,first_name\nA-3,Lefèvre,Gaëlle\n", "latin-1"
    )
    result = run(world.ctx, [offers, subscribers, arabic, latin])
    assert result.ok, lines(result)
    with world.db.read() as session:
        names = dict(list(session.execute(select(Subscriber.account_number, Subscriber.name_ar))))
        last = dict(list(session.execute(select(Subscriber.account_number, Subscriber.last_name))))
        fee = session.scalar(text("SELECT monthly_fee_minor FROM offers WHERE code = 'O-1'"))
    assert names["A-1"] == "هيلين بن علي"
    assert names["A-2"] == "سعدي عبد القادر"
    assert last["A-3"] == "Lefèvre"
    assert fee == 290050


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        (
            "missing.csv",
            "account_number,first_name\nA-1,Ali\n",
            "missing.csv, line 1: the column last_name is missing: a file of subscribers "
            "has account_number, last_name",
        ),
        (
            "unknown_offer.csv",
            CONTRACTS_HEADER + "C-1,A-9,NOPE,active,2024-01-01\n",
            "unknown_offer.csv, line 2, column account_number, value «A-9»: refers to a record "
            "of subscribers that is neither in the database nor in this batch\n"
            "unknown_offer.csv, line 2, column offer_code, value «NOPE»: refers to a record "
            "of offers that is neither in the database nor in this batch",
        ),
        (
            "duplicate.csv",
            SUBSCRIBERS_HEADER + "A-1,Ali,Saadi,,\nA-1,Ali,Saadi,,\n",
            "duplicate.csv, line 3, column account_number, value «A-1»: the same key is "
            "already in this batch (duplicate.csv:2)",
        ),
        (
            "decimals.csv",
            "offer_code;name;service;monthly_fee\nO-1;Fibre;ftth;2900,505\n",
            "decimals.csv, line 2, column monthly_fee, value «2900,505»: too many decimals: "
            "the currency has 2",
        ),
        (
            "date.csv",
            CONTRACTS_HEADER + "C-1,200001,FIXE,active,31/02/2024\n",
            "date.csv, line 2, column requested_on, value «31/02/2024»: not a date "
            "(write it as YYYY-MM-DD or DD/MM/YYYY)",
        ),
        (
            "phone.csv",
            SUBSCRIBERS_HEADER + "A-1,Ali,Saadi,,not-a-phone\n",
            "phone.csv, line 2, column mobile, value «not-a-phone»: not a phone number",
        ),
        (
            "short.csv",
            SUBSCRIBERS_HEADER + "A-1,Ali\n",
            "short.csv, line 2: the line has 2 field(s), the header 5",
        ),
        (
            "empty_key.csv",
            SUBSCRIBERS_HEADER + ",Ali,Saadi,,\n",
            "empty_key.csv, line 2, column account_number, value «»: empty, but the column "
            "is required",
        ),
    ],
)
def test_each_messy_file_gives_its_precise_error(
    world: World, tmp_path: Path, name: str, body: str, expected: str
) -> None:
    before = checksum(world.db)
    result = run(world.ctx, [write(tmp_path, name, body)])
    assert lines(result) == expected.split("\n")
    assert not result.applied
    assert checksum(world.db) == before


def test_a_five_megabyte_line_is_refused_with_its_line(world: World, tmp_path: Path) -> None:
    huge = "x" * (5 * 1024 * 1024)
    path = write(
        tmp_path, "huge.csv", SUBSCRIBERS_HEADER + "A-1,Ali,Saadi,,\n" + f'A-2,"{huge}",S,,\n'
    )
    result = run(world.ctx, [path])
    assert lines(result) == [
        "huge.csv, line 3: a field is longer than 131072 characters: is this a table file?"
    ]
    assert world.db and not result.applied


def test_a_reference_to_a_refused_record_names_both_lines(world: World, tmp_path: Path) -> None:
    subscribers = write(tmp_path, "subs.csv", SUBSCRIBERS_HEADER + "A-1,Ali,Saadi,,bad\n")
    offers = write(tmp_path, "offers.csv", "offer_code,name,service,monthly_fee\nO-1,F,ftth,10\n")
    contracts = write(
        tmp_path, "contracts.csv", CONTRACTS_HEADER + "C-1,A-1,O-1,active,2024-01-01\n"
    )
    result = run(world.ctx, [contracts, subscribers, offers])
    assert lines(result) == [
        "subs.csv, line 2, column mobile, value «bad»: not a phone number",
        "contracts.csv, line 2, column account_number, value «A-1»: refers to a record of "
        "subscribers that was refused (subs.csv:2)",
    ]


def test_a_bill_for_a_subscriber_of_another_file_resolves(world: World, tmp_path: Path) -> None:
    invoices = write(
        tmp_path,
        "1-bills.csv",
        INVOICES_HEADER + "F-1,C-1,2024-10-01,2024-10-31,2024-11-05,2024-12-05,100,B-1\n",
    )
    contracts = write(tmp_path, "2-lines.csv", CONTRACTS_HEADER + "C-1,A-1,O-1,active,2024-01-01\n")
    subscribers = write(tmp_path, "3-people.csv", SUBSCRIBERS_HEADER + "A-1,Ali,Saadi,,\n")
    offers = write(tmp_path, "4-offers.csv", "offer_code,name,service,monthly_fee\nO-1,F,ftth,10\n")
    result = run(world.ctx, [invoices, contracts, subscribers, offers])
    assert result.ok and result.applied, lines(result)
    with world.db.read() as session:
        bill = session.scalars(select(Invoice).where(Invoice.number == "F-1")).one()
        assert bill.subscriber.account_number == "A-1"
        assert (bill.amount_minor, bill.status) == (10000, "open")


def test_an_amount_change_on_a_partly_paid_bill_is_refused(world: World, tmp_path: Path) -> None:
    add_subscriber(world.db, "300001", invoices=[("F-9", 50000, date(2026, 12, 20))])
    with world.db.write() as session:
        session.execute(text("UPDATE invoices SET paid_minor = 10000, status = 'partly_paid'"))
    with world.db.read() as session:
        bill = session.scalars(select(Invoice).where(Invoice.number == "F-9")).one()
        contract = session.get(Contract, bill.contract_id)
        assert contract is not None
        header = f"F-9,{contract.number},2026-11-01,2026-11-30,2026-12-01,2026-12-20,"
        barcode = bill.barcode
    same = write(tmp_path, "same.csv", INVOICES_HEADER + header + f"500,{barcode}\n")
    result = run(world.ctx, [same])
    assert result.ok, lines(result)
    changed = write(tmp_path, "changed.csv", INVOICES_HEADER + header + f"450,{barcode}\n")
    result = run(world.ctx, [changed])
    assert lines(result) == [
        "changed.csv, line 2, column amount, value «450»: DZD\xa0100.00 is already paid on "
        "this bill: its amount and contract can no longer change (send an adjustment bill)"
    ]


def test_outside_payments_are_their_own_signed_ledger_and_verify_checks_them(
    world: World, tmp_path: Path
) -> None:
    run(world.ctx, copy_examples(tmp_path / "batch"))
    reversal = write(
        tmp_path,
        "reversal.csv",
        "payment_reference,invoice_number,amount,channel,paid_on\n"
        "EPAY-2024-112233-R,IMP-F-2024-0111,-1000.00,e_payment,2024-12-11\n"
        "CCP-TOO-MUCH,IMP-F-2024-0102,1600.01,post_office,2024-12-11\n",
    )
    result = run(world.ctx, [reversal])
    assert lines(result) == [
        "reversal.csv, line 3, column amount, value «1600.01»: more than the bill still asks "
        "(DZD\xa01,600.00)"
    ]
    reversal.write_text(
        reversal.read_text().splitlines()[0] + "\n" + reversal.read_text().splitlines()[1] + "\n"
    )
    assert run(world.ctx, [reversal]).ok
    problems: list[tuple[str, str]] = []

    class Report:
        def problem(self, chain: str, record: str, message: str, **params: object) -> None:
            problems.append((chain, record))

        def count(self, check: str, items: int) -> None:
            pass

    with world.db.engine.connect() as connection:
        check_outside_payments(connection, Report(), world.ctx.signer.verifier)
    assert problems == []
    with world.db.write() as session:
        session.execute(
            text("UPDATE invoices SET paid_elsewhere_minor = 5 WHERE number = 'IMP-F-2024-0101'")
        )
    with world.db.engine.connect() as connection:
        check_outside_payments(connection, Report(), world.ctx.signer.verifier)
    assert problems == [("invoices", "IMP-F-2024-0101")]
    with pytest.raises(Exception, match="append-only"), world.db.write() as session:
        session.execute(text("DELETE FROM outside_payments"))


def test_xlsx_is_read_row_by_row(world: World, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["offer_code", "name", "service", "monthly_fee"])
    sheet.append(["X-1", "Fibre XLSX", "ftth", 2900.5])
    sheet.append(["X-2", "ADSL XLSX", "adsl", 1600])
    path = tmp_path / "offers.xlsx"
    book.save(path)
    result = run(world.ctx, [path])
    assert result.ok, lines(result)
    with world.db.read() as session:
        fees = dict(list(session.execute(text("SELECT code, monthly_fee_minor FROM offers"))))
    assert fees == {"X-1": 290050, "X-2": 160000}
