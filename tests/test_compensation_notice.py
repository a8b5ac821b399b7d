"""The compensation notice: queued at the counter, printed by the worker, as a PDF."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select

from app.compensation.late_activation import apply_late_activations
from app.compensation.notice import notice_pdf, notice_ref, queue_compensation_notice
from app.errors import NotFoundError, ValidationError
from app.integrity.verify import verify_database
from app.printing.documents import job_slip
from app.printing.escpos_render import PrinterModel
from app.printing.queue import claim_next, mark_printed
from app.printing.slip import plain_text
from db.engine import Database
from db.models import PrintJob
from tests.conftest import PG_ADMIN_URL, _pg_conninfo
from tests.factories import NOW, TODAY, WORKSTATION, World, build_world
from tests.race_workers import Counter, _context, _outcome, result, start, wait_for_lock_waiters
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


def notice_in_child(counter: Counter, claim_id: int, out: Any) -> None:
    ctx = _context(counter)

    def act() -> str:
        return str(queue_compensation_notice(ctx, counter.actor, claim_id, workstation=WORKSTATION))

    out.put(_outcome(act))
    ctx.db.dispose()


@pytest.mark.postgres
def test_two_counters_printing_the_same_notice_at_once_get_an_original_and_a_duplicate(
    postgres_database: Database, tmp_path: Path
) -> None:
    world = build_world(postgres_database, tmp_path)
    claim_id = _late_claim(world)
    counter = Counter(world.db.url, str(tmp_path / "signing-key.pem"), world.agent)
    name = world.db.engine.url.database
    assert name is not None
    # The claim is held, as a slow first print would hold it; both counters queue behind.
    with psycopg.connect(_pg_conninfo(name)) as holder:
        holder.execute("SELECT id FROM compensation_claims WHERE id = %s FOR UPDATE", (claim_id,))
        workers = [start(notice_in_child, counter, claim_id) for _ in range(2)]
        wait_for_lock_waiters(PG_ADMIN_URL, name, 2)
        holder.rollback()
    outcomes = [result(process, out) for process, out in workers]
    assert [outcome[0] for outcome in outcomes] == ["ok", "ok"], outcomes
    with world.db.read() as session:
        copies = sorted(
            session.scalars(
                select(PrintJob.copy_number).where(PrintJob.document_ref == notice_ref(claim_id))
            )
        )
    assert copies == [0, 1]
