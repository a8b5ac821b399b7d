"""Receipts print in the customer's language, not in the language of the screen.

The rule, in app/: the language asked for, else the subscriber's own, else the
operator's default. It holds for the receipt of a payment, the CANCELLATION slip
of a void, a copy at the counter and the command line's ``receipt print`` and
``receipt pdf`` (unless ``--receipt-language`` is given).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.i18n import current_language, set_language
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.summary import PaymentSummary
from app.payments.void import VoidRequest, void_payment
from app.printing.copies import copy_pdf, reprint
from app.subscribers import load_subscriber_view
from db.engine import Database
from db.models import PrintJob, Subscriber, TenderKind
from tests.factories import NOW, PASSWORD, WORKSTATION, World, add_subscriber, build_world

ROOT = Path(__file__).resolve().parent.parent
ARABIC, PLAIN = "1000000001", "1000000002"  # a subscriber who reads Arabic; one with no language


def set_subscriber_language(db: Database, account: str, language: str | None) -> None:
    with db.write() as session:
        subscriber = session.scalars(
            select(Subscriber).where(Subscriber.account_number == account)
        ).one()
        subscriber.language = language


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")  # the operator's default: French
    add_subscriber(world.db, ARABIC, invoices=[("F1", 100000, date(2026, 10, 1))])
    add_subscriber(world.db, PLAIN, invoices=[("F2", 100000, date(2026, 10, 1))])
    set_subscriber_language(world.db, ARABIC, "ar")
    return world


@pytest.fixture
def french_counter() -> Iterator[None]:
    """The agent's screen in French, as at an Algerian counter."""
    before = current_language()
    set_language("fr")
    yield
    set_language(before)


def pay(world: World, account: str, key: str, language: str | None = None) -> PaymentSummary:
    request = PaymentRequest(
        key,
        account,
        WORKSTATION,
        (TenderInput(TenderKind.CASH, Decimal("1000")),),
        receipt_language=language,
    )
    return take_payment(world.ctx, world.agent, request)


def job_language(world: World, receipt_no: str, copy_number: int = 0) -> str:
    with world.db.read() as session:
        return session.scalars(
            select(PrintJob.language).where(
                PrintJob.document_ref == receipt_no, PrintJob.copy_number == copy_number
            )
        ).one()


@pytest.mark.usefixtures("french_counter")
def test_an_arabic_subscriber_gets_an_arabic_receipt_from_a_french_counter(world: World) -> None:
    paid = pay(world, ARABIC, "k1")  # what the payment dialog sends when nobody chose
    assert job_language(world, paid.receipt_no) == "ar"
    plain = pay(world, PLAIN, "k2")  # no language of their own: the operator's
    assert job_language(world, plain.receipt_no) == "fr"


def test_the_agent_may_print_the_receipt_in_another_language(world: World) -> None:
    paid = pay(world, ARABIC, "k1", language="en")  # the customer asked for English
    assert job_language(world, paid.receipt_no) == "en"


def test_the_subscriber_view_says_which_language_the_receipt_prints_in(world: World) -> None:
    arabic = load_subscriber_view(world.db, account_number=ARABIC, now=NOW)
    assert (arabic.language, arabic.receipt_language) == ("ar", "ar")
    plain = load_subscriber_view(world.db, account_number=PLAIN, now=NOW)
    assert (plain.language, plain.receipt_language) == (None, "fr")


@pytest.mark.usefixtures("french_counter")
def test_the_cancellation_slip_and_copies_follow_the_same_rule(world: World) -> None:
    paid = pay(world, ARABIC, "k1")
    voided = void_payment(
        world.ctx,
        world.agent,
        VoidRequest("v1", paid.receipt_no, WORKSTATION, "Wrong account", "karim", PASSWORD),
    )
    assert job_language(world, voided.receipt_no) == "ar"
    copy = reprint(world.ctx, world.agent, paid.receipt_no, workstation=WORKSTATION)
    assert copy.language == "ar" and job_language(world, paid.receipt_no, 1) == "ar"
    asked = reprint(world.ctx, world.agent, paid.receipt_no, workstation=WORKSTATION, language="fr")
    assert asked.language == "fr" and job_language(world, paid.receipt_no, 2) == "fr"
    issued, _pdf = copy_pdf(world.ctx, paid.receipt_no)
    assert issued.language == "ar"


# --- the command line ------------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command line, its messages in French: the receipt must not follow them."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--language", "fr", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        cwd=ROOT,
    )


def pdf_text(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_receipt_pdf_and_print_follow_the_customer_unless_told(
    sqlite_database: Database, tmp_path: Path
) -> None:
    world = build_world(sqlite_database, tmp_path / "keys")
    add_subscriber(world.db, PLAIN, invoices=[("F2", 100000, date(2026, 10, 1))])
    set_subscriber_language(world.db, PLAIN, "en")  # the customer reads English
    paid = pay(world, PLAIN, "k1")
    common = [
        "--database",
        sqlite_database.url,
        "--key-file",
        str(tmp_path / "keys" / "signing-key.pem"),
    ]

    english = tmp_path / "english.pdf"
    result = run(*common, "receipt", "pdf", paid.receipt_no, "--out", str(english))
    assert result.returncode == 0, result.stderr
    assert "Payment receipt" in pdf_text(english) and "DUPLICATE" in pdf_text(english)

    french = tmp_path / "french.pdf"
    result = run(
        *common, "receipt", "pdf", paid.receipt_no, "--out", str(french), "--receipt-language", "fr"
    )
    assert result.returncode == 0, result.stderr
    assert "Reçu de paiement" in pdf_text(french) and "DUPLICATA" in pdf_text(french)

    spool = tmp_path / "printer.bin"
    result = run(*common, "receipt", "print", paid.receipt_no, "--device", f"file://{spool}")
    assert result.returncode == 0, result.stderr
    assert b"DUPLICATE 3" in spool.read_bytes()  # English, as the customer reads
    assert job_language(world, paid.receipt_no, 3) == "en"
    result = run(
        *common,
        "receipt",
        "print",
        paid.receipt_no,
        "--device",
        f"file://{spool}",
        "--receipt-language",
        "fr",
    )
    assert result.returncode == 0, result.stderr
    assert job_language(world, paid.receipt_no, 4) == "fr"

    helped = run("receipt", "pdf", "--help")
    assert "--receipt-language" in helped.stdout
