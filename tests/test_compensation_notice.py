"""The compensation notice: queued at the counter, printed by the worker, as a PDF."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.compensation.late_activation import apply_late_activations
from app.compensation.notice import notice_pdf, notice_ref, queue_compensation_notice
from app.errors import NotFoundError, ValidationError
from app.integrity.verify import verify_database
from app.printing.documents import job_slip
from app.printing.escpos_render import PrinterModel
from app.printing.queue import claim_next, mark_printed
from app.printing.slip import plain_text
from db.engine import Database
from tests.factories import NOW, TODAY, WORKSTATION, World, build_world
from tests.test_compensation_late_activation import add_charter, pending


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path)


def _late_claim(world: World, *, limit: int | None = None) -> int:
    add_charter(world, approval_above_minor=limit)
    pending(world, "850001", TODAY - timedelta(days=20))
    outcome = apply_late_activations(world.ctx, NOW)
    return outcome.claim_ids[0]


def _printed(world: World) -> str:
    job = claim_next(world.db, WORKSTATION, NOW + timedelta(minutes=1))
    assert job is not None and job.document_ref.startswith("K-")
    slip = job_slip(world.ctx, job, PrinterModel(), NOW)
    mark_printed(world.db, job.id, "file:///dev/null", NOW)
    return plain_text(slip, 48)


def test_the_notice_says_what_and_why_in_the_customers_language(world: World) -> None:
    claim_id = _late_claim(world)
    queue_compensation_notice(world.ctx, world.agent, claim_id, workstation=WORKSTATION)
    text = _printed(world)
    assert notice_ref(claim_id) in text
    assert "Activation sous 14 jours" in text  # the charter's own words, in French
    assert "Sinon le premier mois est offert." in text
    assert "2026-11-15" not in text  # dates as a reader writes them
    assert "1 600,00" in text.replace("\u202f", " ").replace("\xa0", " ")
    queue_compensation_notice(
        world.ctx, world.agent, claim_id, workstation=WORKSTATION, language="ar"
    )
    arabic = _printed(world)
    assert "DUPLICATE" in arabic or "نسخة" in arabic  # the second print
    assert "التفعيل خلال 14 يومًا" in arabic
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_a_claim_awaiting_approval_says_so(world: World) -> None:
    claim_id = _late_claim(world, limit=1000)
    queue_compensation_notice(
        world.ctx, world.agent, claim_id, workstation=WORKSTATION, language="en"
    )
    text = _printed(world)
    assert "A supervisor must approve this compensation" in text
    assert "Activation within 14 days" in text


def test_the_pdf_and_the_refusals(world: World) -> None:
    claim_id = _late_claim(world)
    pdf = notice_pdf(world.ctx, world.agent, claim_id, language="en")
    assert pdf.startswith(b"%PDF")
    with pytest.raises(NotFoundError):
        queue_compensation_notice(world.ctx, world.agent, 999, workstation=WORKSTATION)
    with pytest.raises(ValidationError):
        notice_pdf(world.ctx, world.agent, claim_id, language="xx")
