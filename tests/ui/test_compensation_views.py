"""The subscriber's compensations at the counter, in every language, at agency screen sizes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.compensation.claims import ClaimProposal, propose_claims
from db.models import CompensationSource, Contract
from tests.factories import NOW
from tests.ui.conftest import Counter
from tests.ui.test_screen_sizes import (
    ACCOUNT,
    SIZES,
    add_busy_subscriber,
    fully_visible_rows,
)


class _Commitment:
    def __init__(self, code: str, limit: int | None) -> None:
        self.code = code
        self.charter_id = None
        self.rule_kind = "days_credit"
        self.automatic = True
        self.approval_above_minor = limit


def _compensate(counter: Counter) -> None:
    world = counter.world
    with world.db.write() as session:
        contract = session.scalars(select(Contract).where(Contract.number == f"C{ACCOUNT}")).one()

        def proposal(source_id: int, amount: int) -> ClaimProposal:
            return ClaimProposal(
                CompensationSource.OUTAGE,
                source_id,
                contract.subscriber_id,
                contract.id,
                amount,
                "DZD",
                "credit",
            )

        propose_claims(
            session, world.ctx.signer, _Commitment("OUTAGE", None), [proposal(1, 5333)], now=NOW
        )
        propose_claims(
            session,
            world.ctx.signer,
            _Commitment("OUTAGE_LONG", 10000),
            [proposal(2, 48000)],
            now=NOW,
        )


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_compensations_show_under_the_payments(
    counter: Counter, language: str, size: tuple[int, int]
) -> None:
    add_busy_subscriber(counter)
    _compensate(counter)
    counter.sign_in()
    counter.scan(ACCOUNT)
    window = counter.window
    window.language.apply(language)
    window.resize(*size)
    counter.qtbot.wait(20)
    panel = window.counter.panel
    strip = panel.compensations
    assert strip.isVisible()
    said = strip.plain_text()
    if language == "en":
        assert "480.00" in said and "Awaiting approval" in said and "53.33" in said
        assert "53.33" in panel.credit.text()  # the credit includes the compensation
    # On the card, in the credit's row: the bills keep their room.
    assert fully_visible_rows(panel.invoices_view) >= 5, "fewer than 5 bills in sight"
    assert strip.geometry().right() <= panel.credit.geometry().left() or language == "ar"
    assert strip.height() < 3 * strip.fontMetrics().height() + 8, "more than two lines"


def test_a_subscriber_without_compensation_sees_no_table(counter: Counter) -> None:
    add_busy_subscriber(counter)
    counter.sign_in()
    counter.scan(ACCOUNT)
    assert not counter.window.counter.panel.compensations.isVisible()
