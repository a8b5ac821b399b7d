"""The receipt a customer takes away: its content, its ESC/POS bytes, its PDF, its QR proof."""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import ImageChops
from pypdf import PdfReader

from app.cli.main import main
from app.documents.arabic import visual
from app.integrity.keys import public_key_b64
from app.integrity.receipt_proof import parse_proof, signature_holds
from app.payments.requests import PaymentRequest, TenderInput, TopUpInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest, void_payment
from app.printing.escpos_render import PrinterModel, slip_escpos
from app.printing.pdf_render import PdfPaper, slip_pdf
from app.printing.raster import slip_image
from app.printing.receipt import load_receipt, receipt_slip
from app.printing.slip import Mark, QRCode, plain_text
from db.engine import Database
from db.models import ContractStatus, TenderKind
from tests.escpos_image import raster_images, stacked, without_images
from tests.factories import PASSWORD, WORKSTATION, World, add_subscriber, build_world

ACCOUNT = "A1000123"
NAME_AR = "هيلين بن علي"


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(
        database,
        ACCOUNT,
        invoices=[
            ("F2026-0001", 1234567, date(2026, 9, 15)),
            ("F2026-0002", 250000, date(2026, 11, 15)),
        ],
        status=ContractStatus.SUSPENDED,
    )
    return world


def pay(world: World, *tenders: TenderInput, key: str = "k1", **options: object):
    request = PaymentRequest(key, ACCOUNT, WORKSTATION, tuple(tenders), **options)  # type: ignore[arg-type]
    return take_payment(world.ctx, world.agent, request)


def cash(amount: str) -> TenderInput:
    return TenderInput(TenderKind.CASH, Decimal(amount))


def test_receipt_shows_every_figure_the_customer_checks(world: World) -> None:
    # 14 845,67 of bills and 1 000 of top-ups, paid with 16 000 in cash.
    paid = pay(world, cash("16000"), topups=(TopUpInput("MOB500", "0555123456", 2),))
    document = load_receipt(world.db, world.ctx.signer, receipt_no=paid.receipt_no)
    text = plain_text(receipt_slip(document, "en"), 48)
    for expected in (
        "Algérie Télécom",
        "ALG01-G01-000001",
        "21/11/2026",  # 10:30 UTC is 11:30 in Algiers
        "11:30",
        "Amina Kaci",
        "Hélène Benali",
        NAME_AR,
        ACCOUNT,
        "F2026-0001",
        "F2026-0002",
        "Recharge mobile 500",
        "0555123456",
        "Cash",
        "Change given",
        "Left to pay on the account",
        "Merci de votre visite",  # the operator's own footer
        "Customer service",
    ):
        assert expected in text, expected
    # The suspended line's overdue bills are all paid.
    assert "reconnection has been requested" in " ".join(text.split())
    assert f"Signature {paid.signature[:16]}" in text.replace("\u202a", "").replace("\u202c", "")


def test_copies_say_duplicate_with_their_number_and_voids_name_the_original(world: World) -> None:
    paid = pay(world, cash("14000"))
    document = load_receipt(world.db, world.ctx.signer, receipt_no=paid.receipt_no)
    assert not any(isinstance(b, Mark) for b in receipt_slip(document, "en").blocks)
    copy = receipt_slip(document, "en", copy_number=2)
    assert Mark("DUPLICATE \u202a2\u202c") in copy.blocks
    assert not copy.open_drawer  # a copy never opens the till

    void = void_payment(
        world.ctx,
        world.agent,
        VoidRequest("v1", paid.receipt_no, WORKSTATION, "Wrong account", "karim", PASSWORD),
    )
    void_doc = load_receipt(world.db, world.ctx.signer, receipt_no=void.receipt_no)
    text = plain_text(receipt_slip(void_doc, "en"), 48)
    assert "CANCELLATION" in text and paid.receipt_no in text and "Wrong account" in text
    # The original, printed again, says it was cancelled.
    again = load_receipt(world.db, world.ctx.signer, receipt_no=paid.receipt_no)
    assert void.receipt_no in plain_text(receipt_slip(again, "en"), 48)


def test_qr_proof_checks_with_the_public_key_alone_and_catches_an_edit(world: World) -> None:
    paid = pay(world, cash("15000"))
    document = load_receipt(world.db, world.ctx.signer, receipt_no=paid.receipt_no)
    qr = next(b for b in receipt_slip(document, "fr").blocks if isinstance(b, QRCode))
    proof = parse_proof(qr.data)
    assert proof.receipt_no == paid.receipt_no
    assert proof.amount == Decimal("14845.67") and proof.currency == "DZD"
    assert signature_holds(proof, world.ctx.signer.verifier)
    forged = parse_proof(qr.data.replace("|14845.67|", "|1400.00|"))
    assert not signature_holds(forged, world.ctx.signer.verifier)
    # A copy made later carries the very same code (Ed25519 is deterministic).
    later = load_receipt(world.db, world.ctx.signer, receipt_no=paid.receipt_no)
    assert later.proof.text == qr.data


def _cli(database: Database, *args: str) -> int:
    return main(["--language", "en", "--database", database.url, *args])


def test_verify_receipt_command(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    paid = pay(world, cash("15000"))
    qr = load_receipt(world.db, world.ctx.signer, receipt_no=paid.receipt_no).proof.text
    key = public_key_b64(world.ctx.signer.public_key)

    assert _cli(world.db, "verify-receipt", qr, "--public-key", key) == 0
    out = capsys.readouterr().out
    assert "Signature OK" in out and "not voided" in out

    forged = qr.replace("|14845.67|", "|24000.00|")
    assert _cli(world.db, "verify-receipt", forged, "--public-key", key) == 1
    assert "FORGED OR ALTERED" in capsys.readouterr().err

    assert _cli(world.db, "verify-receipt", "hello", "--public-key", key) == 2
    assert "not a Guichet receipt code" in capsys.readouterr().err

    void_payment(
        world.ctx,
        world.agent,
        VoidRequest("v1", paid.receipt_no, WORKSTATION, "Mistake", "karim", PASSWORD),
    )
    assert _cli(world.db, "verify-receipt", qr, "--public-key", key) == 1
    assert "VOIDED" in capsys.readouterr().err


def test_latin_receipt_prints_as_text_in_a_french_code_page(world: World) -> None:
    paid = pay(world, cash("15000"))
    document = load_receipt(world.db, world.ctx.signer, receipt_no=paid.receipt_no)
    data = slip_escpos(receipt_slip(document, "fr"), PrinterModel("TM-T20II", 80))
    text = without_images(data)
    assert text.startswith(b"\x1b@")  # initialise
    assert b"\x1bt\x13" in text  # ESC t 19: CP858, French letters and the euro sign
    assert "Hélène".encode("cp858") in text  # é is 0x82 in CP858
    assert b"ALG01-G01-000001" in text
    assert b"14 845,67 DZD" in text  # no-break spaces printed as spaces
    assert b"\x1dV\x01" in text  # partial cut
    assert text.endswith(b"\x1bp\x0022")  # cash: the drawer opens once printed
    assert b"\x1d(k" in text  # the QR drawn by the printer itself
    # The operator's and the subscriber's Arabic names are the only images: the
    # printer has no Arabic letters.
    images = raster_images(data)
    assert len(images) == 2 and all(image.width == 576 for image in images)


def test_card_payment_and_copies_do_not_open_the_drawer(world: World) -> None:
    paid = pay(world, TenderInput(TenderKind.CARD, Decimal("14000"), authorisation_code="A1"))
    document = load_receipt(world.db, world.ctx.signer, receipt_no=paid.receipt_no)
    assert b"\x1bp" not in without_images(slip_escpos(receipt_slip(document, "fr")))
    cash_doc = load_receipt(
        world.db, world.ctx.signer, receipt_no=pay(world, cash("10"), key="k2").receipt_no
    )
    assert b"\x1bp" not in without_images(slip_escpos(receipt_slip(cash_doc, "fr", copy_number=1)))


@pytest.mark.parametrize(("paper", "dots"), [(80, 576), (58, 384)])
def test_arabic_receipt_is_one_right_to_left_raster(world: World, paper: int, dots: int) -> None:
    paid = pay(world, cash("15000"))
    document = load_receipt(world.db, world.ctx.signer, receipt_no=paid.receipt_no)
    slip = receipt_slip(document, "ar")
    data = slip_escpos(slip, PrinterModel("TM-T20II", paper))
    text = without_images(data)
    # Every line is in the images, nothing as text (the QR code's data aside).
    assert b"Amina" not in text and b"Benali" not in text and b"\x1bt" not in text
    images = raster_images(data)
    assert images and all(image.width == dots for image in images)
    printed = stacked(images)
    # What the printer gets is what the screen shows, dot for dot (the QR code is
    # drawn by the printer itself, so it is left out of the comparison).
    expected = (
        slip_image(
            type(slip)(
                slip.language,
                True,
                slip.title,
                tuple(b for b in slip.blocks if not isinstance(b, QRCode)),
            ),
            dots,
        )
        .point(lambda v: 255 if v >= 128 else 0)
        .convert("1")
    )
    assert printed.size == expected.size
    assert ImageChops.difference(printed.convert("L"), expected.convert("L")).getbbox() is None
    # The labels start at the right: the top-right corner region has ink, as Arabic reads.
    assert printed.crop((dots - 60, 0, dots, printed.height)).getbbox() is not None


def test_receipt_pdf_holds_the_number_amounts_and_arabic_name(world: World) -> None:
    paid = pay(world, cash("15000"))
    document = load_receipt(world.db, world.ctx.signer, receipt_no=paid.receipt_no)
    for paper in PdfPaper:
        pdf = slip_pdf(receipt_slip(document, "fr", copy_number=1), paper)
        text = unicodedata.normalize("NFKC", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
        assert paid.receipt_no in text
        assert "14 845,67 DZD" in text
        # pypdf reads drawn Arabic back as shaped letters, in one order or the other.
        drawn = unicodedata.normalize("NFKC", visual(NAME_AR, right_to_left=False))
        assert drawn in text or drawn[::-1] in text
