"""A slip as a PDF: an 80 mm roll as long as the receipt, or A5 sheets.

Read back with pypdf as in test_bill_copy: texts are NFKC-normalised, which maps
Arabic presentation forms back to their letters and no-break spaces to spaces.
Arabic is drawn in visual order, so it is compared with what ``visual`` gives.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, replace

from PIL import Image
from pypdf import PdfReader
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.documents.arabic import isolate, visual
from app.documents.fonts import document_fonts
from app.documents.page import Page
from app.printing.pdf_render import PdfPaper, slip_pdf
from app.printing.slip import Align, Block, Gap, Logo, Mark, Pair, QRCode, Rule, Slip, Text

RECEIPT_NO = "ALG01-G02-000123"
NAME_AR = "هيلين بن علي"
NBSP, NNBSP = "\u00a0", "\u202f"  # as Babel formats French amounts
ROLL_WIDTH = 80 * mm
ROLL_MARGIN = 4 * mm


def _money(text: str) -> str:
    """French spacing for an amount: narrow no-break thousands, a no-break space before the unit."""
    number, unit = text.rsplit(" ", 1)
    return number.replace(" ", NNBSP) + NBSP + unit


def _french(*extra: Block) -> Slip:
    return Slip(
        language="fr",
        right_to_left=False,
        title=f"Reçu {RECEIPT_NO}",
        blocks=(
            Text("Algérie Télécom", Align.CENTER, bold=True, large=True),
            Text("Agence commerciale d'Alger Centre", Align.CENTER),
            Rule(heavy=True),
            Mark("DUPLICATA 2"),
            Pair("Reçu n°", RECEIPT_NO, bold=True),
            Pair("Compte", "A1000123"),
            Rule(),
            Pair("Facture F2026-0001234", _money("12 345,67 DA")),
            Pair("Recharge 1000", _money("1 000,00 DA")),
            Pair("Total", _money("13 345,67 DA"), bold=True, large=True),
            Gap(),
            QRCode(f"GUICHET:{RECEIPT_NO}:1334567"),
            Text("Merci de votre visite", Align.CENTER),
            *extra,
        ),
    )


def _arabic() -> Slip:
    return Slip(
        language="ar",
        right_to_left=True,
        title=f"وصل {RECEIPT_NO}",
        blocks=(
            Text("اتصالات الجزائر", Align.CENTER, bold=True, large=True),
            Mark("نسخة 2"),
            Pair("رقم الوصل", RECEIPT_NO, bold=True),
            Pair("المشترك", NAME_AR),
            Pair("رقم الحساب", "A1000123"),
            Rule(),
            Pair("المبلغ", "1 234,56 DA"),
            Pair("المبلغ بالدينار التونسي", "1 234,567 DT"),
            Text(f"خدمة الزبائن: {isolate('+216 71 341 311')}"),
            QRCode(f"GUICHET:{RECEIPT_NO}:123456"),
        ),
    )


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    return _normalised("\n".join(page.extract_text() for page in _reader(pdf).pages))


@dataclass(frozen=True)
class _Drawn:
    raw: str  # as drawn (no-break spaces kept, to measure it)
    x: float  # where the drawn string starts, from the page's left edge
    y: float  # its baseline
    font: str
    size: float

    @property
    def text(self) -> str:
        return _normalised(self.raw)

    @property
    def right(self) -> float:
        return self.x + float(stringWidth(self.raw, self.font, self.size))  # ok: points


def _fragments(pdf: bytes, page_number: int = 0) -> list[_Drawn]:
    """Each string drawn on the page, with where and in which font."""
    found: list[_Drawn] = []
    fonts = document_fonts()

    def visit(
        text: str, _cm: object, tm: list[float], font: dict[str, object], size: float
    ) -> None:
        if text.strip():
            bold = "Bold" in str(font.get("/BaseFont", ""))
            name = fonts.bold if bold else fonts.regular
            found.append(_Drawn(text.strip(), tm[4], tm[5], name, size))

    _reader(pdf).pages[page_number].extract_text(visitor_text=visit)
    return found


def _find(fragments: list[_Drawn], text: str) -> _Drawn:
    for fragment in fragments:
        if fragment.text in (text, text[::-1]):
            return fragment
    raise AssertionError(f"{text!r} not drawn; drawn: {[f.text for f in fragments]}")


def _page_size(pdf: bytes, page_number: int = 0) -> tuple[float, float]:
    box = _reader(pdf).pages[page_number].mediabox
    return float(box.width), float(box.height)  # ok: points


def _contains(haystack: str, arabic: str) -> bool:
    return arabic in haystack or arabic[::-1] in haystack


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (31, 78, 121)).save(buffer, "PNG")
    return buffer.getvalue()


def _operators(pdf: bytes) -> list[tuple[bytes, list[float]]]:
    """Each drawing operator on the first page, with its numeric operands."""
    found: list[tuple[bytes, list[float]]] = []

    def before(operator: bytes, operands: list[object], _cm: object, _tm: object) -> None:
        numbers = [float(x) for x in operands if isinstance(x, int | float)]  # ok: points
        found.append((operator, numbers))

    _reader(pdf).pages[0].extract_text(visitor_operand_before=before)
    return found


def _images_drawn(pdf: bytes) -> list[list[float]]:
    """The matrix (w, 0, 0, h, x, y) put before each image is painted."""
    matrices: list[list[float]] = []
    last: list[float] = []

    def before(operator: bytes, operands: list[object], _cm: object, _tm: object) -> None:
        nonlocal last
        if operator == b"cm":
            last = [float(value) for value in operands]  # type: ignore[arg-type]  # ok: points
        elif operator == b"Do":
            matrices.append(last)

    _reader(pdf).pages[0].extract_text(visitor_operand_before=before)
    return matrices


# The roll


def test_roll_is_80_mm_wide_and_as_long_as_the_receipt() -> None:
    short = slip_pdf(_french())
    longer = slip_pdf(_french(*[Pair(f"Ligne {n}", _money("1 000,00 DA")) for n in range(30)]))

    width, height = _page_size(short)
    assert abs(width - ROLL_WIDTH) < 0.01
    assert len(_reader(short).pages) == 1 and len(_reader(longer).pages) == 1
    grown = _page_size(longer)[1] - height
    assert 30 * 8 < grown < 30 * 14  # one line of receipt type per pair
    assert height < 200 * mm  # a short receipt is short paper


def test_roll_has_the_receipt_details() -> None:
    pdf = slip_pdf(_french())

    text = _text(pdf)
    assert RECEIPT_NO in text
    assert "DUPLICATA 2" in text
    assert "12 345,67 DA" in text and "13 345,67 DA" in text
    assert "Merci de votre visite" in text
    metadata = _reader(pdf).metadata
    assert metadata is not None and metadata.title == f"Reçu {RECEIPT_NO}"
    assert _reader(pdf).root_object["/Lang"] == "fr"


def test_mark_is_white_on_a_black_band_across_the_paper() -> None:
    operators = _operators(slip_pdf(_french()))

    bands = [args for op, args in operators if op == b"re" and abs(args[2] - 72 * mm) < 0.01]
    assert len(bands) == 1 and abs(bands[0][0] - ROLL_MARGIN) < 0.01
    assert [1.0, 1.0, 1.0] in [args for op, args in operators if op == b"rg"]  # white letters


def test_amounts_end_at_the_right_margin_and_labels_start_at_the_left() -> None:
    fragments = _fragments(slip_pdf(_french()))
    right_margin = ROLL_WIDTH - ROLL_MARGIN

    for amount in ("12 345,67 DA", "1 000,00 DA", "13 345,67 DA", RECEIPT_NO):
        assert abs(_find(fragments, amount).right - right_margin) < 0.5, amount
    for label in ("Reçu n°", "Compte", "Facture F2026-0001234", "Total"):
        assert abs(_find(fragments, label).x - ROLL_MARGIN) < 0.01, label
    title = _find(fragments, "Algérie Télécom")
    assert abs((title.x + title.right) / 2 - ROLL_WIDTH / 2) < 0.5  # centred


def test_a_label_too_long_wraps_and_its_value_goes_under_it() -> None:
    label = "Facture F2026-0001234 de la ligne fixe et de l'accès ADSL 8 Mbit/s pour octobre"
    pdf = slip_pdf(_french(Pair(label, _money("12 345,67 DA"))))

    fragments = _fragments(pdf)
    first = _find(fragments, "Facture F2026-0001234 de la ligne fixe et de")
    value = [f for f in fragments if f.text == "12 345,67 DA"][-1]
    assert value.y < first.y - 15  # below the label's two lines
    assert abs(value.right - (ROLL_WIDTH - ROLL_MARGIN)) < 0.5
    assert label.split()[-1] in _text(pdf)  # the label's end is not lost


def test_same_slip_gives_the_same_bytes() -> None:
    assert slip_pdf(_french()) == slip_pdf(_french())
    assert slip_pdf(_arabic(), PdfPaper.A5) == slip_pdf(_arabic(), PdfPaper.A5)


def test_qr_code_is_vector_at_level_m_and_about_30_mm() -> None:
    without = _french()
    with_qr = slip_pdf(without)
    no_qr = slip_pdf(
        replace(without, blocks=tuple(b for b in without.blocks if not isinstance(b, QRCode)))
    )

    assert _images_drawn(with_qr) == []  # drawn as rectangles, not a picture
    # One rectangle per run of dark modules (and the code's white background) of
    # the code encoded at error correction level M.
    data = next(block.data for block in without.blocks if isinstance(block, QRCode))
    runs = len(QrCodeWidget(data, barLevel="M").draw().contents)
    only_qr = slip_pdf(Slip("fr", False, "t", (QRCode(data),)))
    assert [op for op, _ in _operators(only_qr)].count(b"re") == runs
    grown = _page_size(with_qr)[1] - _page_size(no_qr)[1]
    assert 30 * mm <= grown <= 42 * mm  # the code, and its quiet zone above and below


def test_logo_is_centred_and_at_most_40_mm_wide() -> None:
    pdf = slip_pdf(_french(Logo(_png(600, 200))))

    [(width, _b, _c, height, x, _y)] = _images_drawn(pdf)
    assert width <= 40 * mm + 0.01
    assert abs(width / height - 3) < 0.01  # aspect kept
    assert abs(x + width / 2 - ROLL_WIDTH / 2) < 0.01


def test_an_unreadable_logo_does_not_stop_the_receipt() -> None:
    png = _png(300, 100)
    for broken in (b"not a png", png[: len(png) // 2]):  # garbage, a truncated file
        pdf = slip_pdf(_french(Logo(broken)))

        assert RECEIPT_NO in _text(pdf)
        assert _images_drawn(pdf) == []


# Right to left


def test_arabic_slip_is_shaped_and_mirrored() -> None:
    pdf = slip_pdf(_arabic())

    text = _text(pdf)
    assert _contains(text, _normalised(visual(NAME_AR, right_to_left=True)))
    assert set(NAME_AR.replace(" ", "")) <= set(text)
    assert _contains(text, _normalised(visual("المبلغ", right_to_left=True)))
    # Latin values keep their order inside an Arabic slip.
    assert "1 234,56 DA" in text and "1 234,567 DT" in text
    assert RECEIPT_NO in text and "A1000123" in text
    assert "+216 71 341 311" in text
    assert _reader(pdf).root_object["/Lang"] == "ar"

    fragments = _fragments(pdf)
    for label, value in (("المبلغ", "1 234,56 DA"), ("رقم الحساب", "A1000123")):
        label_drawn = _find(fragments, _normalised(visual(label, right_to_left=True)))
        value_drawn = _find(fragments, value)
        assert label_drawn.x > value_drawn.x  # the label at the right, its value to its left
        assert abs(value_drawn.x - ROLL_MARGIN) < 0.01  # values start at the left margin
    amount = _find(fragments, "1 234,567 DT")
    assert abs(amount.x - ROLL_MARGIN) < 0.01


# A5


def test_a5_is_an_a5_page_with_a_centred_column() -> None:
    pdf = slip_pdf(_french(), PdfPaper.A5)

    width, height = _page_size(pdf)
    assert abs(width - A5[0]) < 0.01 and abs(height - A5[1]) < 0.01
    assert len(_reader(pdf).pages) == 1
    assert RECEIPT_NO in _text(pdf)
    fragments = _fragments(pdf)
    label, value = _find(fragments, "Compte"), _find(fragments, "A1000123")
    assert abs(label.x - (A5[0] - value.right)) < 0.5  # the column is centred
    assert 95 * mm < value.right - label.x < 115 * mm
    assert _find(fragments, "Merci de votre visite").size > 9  # larger than the roll


def test_a_full_receipt_stays_on_one_a5_sheet() -> None:
    # Logo, mark, QR code and a dozen lines: the regular A5 type runs past one sheet,
    # the compact one (still larger than the roll's) does not.
    lines = [Pair(f"Facture F2026-{n:07d}", _money("1 000,00 DA")) for n in range(14)]
    pdf = slip_pdf(_french(Logo(_png(300, 100)), *lines), PdfPaper.A5)

    assert len(_reader(pdf).pages) == 1
    drawn = {fragment.text for fragment in _fragments(pdf)}
    assert {f"Facture F2026-{n:07d}" for n in range(14)} <= drawn
    assert _find(_fragments(pdf), "Compte").size > 9


def test_a_long_slip_spans_several_a5_sheets_without_losing_a_line() -> None:
    pairs = [Pair(f"Facture F2026-{n:07d}", _money(f"{n} 000,00 DA")) for n in range(200)]
    slip = Slip("fr", False, "Relevé", (Mark("DUPLICATA 2"), *pairs, Text("Fin du relevé")))

    pdf = slip_pdf(slip, PdfPaper.A5)

    reader = _reader(pdf)
    assert len(reader.pages) > 3
    drawn: set[str] = set()
    for number in range(len(reader.pages)):
        width, height = _page_size(pdf, number)
        assert abs(width - A5[0]) < 0.01 and abs(height - A5[1]) < 0.01
        for fragment in _fragments(pdf, number):
            assert 8 * mm < fragment.y < A5[1] - 8 * mm  # nothing in or past the margins
            drawn.add(fragment.text)
    for n in range(200):
        assert f"Facture F2026-{n:07d}" in drawn
        assert f"{n} 000,00 DA" in drawn
    assert "Fin du relevé" in drawn
    assert "DUPLICATA 2" in drawn


# Wrapping


def test_amounts_stay_whole_wherever_the_line_breaks() -> None:
    # The same sentence after 0 to 24 filler words: the line break falls everywhere,
    # also where it would cut "12 345,67 DA" (no-break spaces) or the isolated phone.
    amount, phone = _money("12 345,67 DA"), "+216 71 341 311"
    sentences = [
        Text(" ".join(["mot"] * n + ["Payé", amount, "appel", isolate(phone), "fin"]))
        for n in range(25)
    ]
    slip = Slip("fr", False, "t", tuple(sentences))

    drawn = [fragment.text for fragment in _fragments(slip_pdf(slip))]
    assert sum("12 345,67 DA" in text for text in drawn) == 25
    assert sum(phone in text for text in drawn) == 25


def test_amounts_are_not_broken_across_lines() -> None:
    fonts = document_fonts()
    page = Page(Canvas(io.BytesIO()), False, 0, 120)
    amount = _money("12 345,67 DA")
    sentence = f"Montant reçu pour la facture : {amount} en espèces"

    lines = page.wrap(sentence, fonts.regular, 9, 120, keep_values=True)

    assert any(amount in line for line in lines)
    phone = f"خدمة الزبائن {isolate('+216 71 341 311')}"
    lines = page.wrap(phone, fonts.regular, 9, 90, keep_values=True)
    assert any(isolate("+216 71 341 311") in line for line in lines)
