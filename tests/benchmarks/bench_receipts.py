"""Time to render a receipt: ESC/POS bytes (Latin, Arabic; 80 and 58 mm) and PDF.

Targets: ESC/POS under 20 ms for a Latin receipt, under 80 ms for an Arabic one
(every line an image). Prints one JSON line; asserts nothing.

    .venv/bin/python tests/benchmarks/bench_receipts.py [--runs 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.payments.requests import PaymentRequest, TenderInput, TopUpInput
from app.payments.service import take_payment
from app.printing.escpos_render import PrinterModel, slip_escpos
from app.printing.pdf_render import PdfPaper, slip_pdf
from app.printing.raster import slip_png
from app.printing.receipt import load_receipt, receipt_slip
from db import migrate
from db.engine import Database
from db.models import TenderKind
from tests.factories import WORKSTATION, add_subscriber, build_world


def timed(action: Callable[[], object], runs: int) -> dict[str, float]:
    action()  # warm: fonts, profiles and caches load once per process
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "max_ms": round(samples[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="guichet-bench-receipts-"))
    database = Database(f"sqlite:///{folder}/bench.db")
    migrate.upgrade(database)
    world = build_world(database, folder / "keys")
    add_subscriber(
        database,
        "A1000123",
        invoices=[
            ("F2026-0001", 1234567, date(2026, 9, 15)),
            ("F2026-0002", 250000, date(2026, 10, 15)),
            ("F2026-0003", 250000, date(2026, 11, 15)),
        ],
    )
    paid = take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "bench",
            "A1000123",
            WORKSTATION,
            (TenderInput(TenderKind.CASH, Decimal("20000")),),
            topups=(TopUpInput("MOB500", "0555123456", 2),),
        ),
    )
    document = load_receipt(database, world.ctx.signer, receipt_no=paid.receipt_no)
    french, arabic = receipt_slip(document, "fr"), receipt_slip(document, "ar")
    wide, narrow = PrinterModel("TM-T20II", 80), PrinterModel("POS-5890", 58)
    figures = {
        "escpos_latin_80mm": timed(lambda: slip_escpos(french, wide), args.runs),
        "escpos_latin_58mm": timed(lambda: slip_escpos(french, narrow), args.runs),
        "escpos_arabic_80mm": timed(lambda: slip_escpos(arabic, wide), args.runs),
        "escpos_arabic_58mm": timed(lambda: slip_escpos(arabic, narrow), args.runs),
        "pdf_roll80_fr": timed(lambda: slip_pdf(french, PdfPaper.ROLL_80), args.runs // 4),
        "pdf_roll80_ar": timed(lambda: slip_pdf(arabic, PdfPaper.ROLL_80), args.runs // 4),
        "pdf_a5_fr": timed(lambda: slip_pdf(french, PdfPaper.A5), args.runs // 4),
        "screen_png_ar": timed(lambda: slip_png(arabic), args.runs // 4),
        "load_receipt_from_db": timed(
            lambda: load_receipt(database, world.ctx.signer, receipt_no=paid.receipt_no),
            args.runs,
        ),
        "bytes": {
            "latin_80mm": len(slip_escpos(french, wide)),
            "arabic_80mm": len(slip_escpos(arabic, wide)),
        },
        "targets_ms": {"escpos_latin": 20, "escpos_arabic": 80},
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
