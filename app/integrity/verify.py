"""Re-checking every signed chain: `python main.py verify`.

For each chain (the receipts of each series, and the journal) records are read
in sequence order and each must: follow its predecessor's number with no gap,
carry its predecessor's signature, bear a valid signature of the trusted key
over its current content, and the last one must match the chain head. The first
record that fails is named; later ones are not reported, since one break makes
everything after it suspect.

The trusted key comes from outside the database (the key file, or a public key
given on the command line): a database whose stored public key was replaced and
whose records were all re-signed with another key is caught too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.i18n import N_, gettext
from app.integrity.canonical import signing_input
from app.integrity.keys import Verifier, public_key_b64, public_key_from_b64
from app.integrity.records import journal_record, payment_record
from app.workstations import receipt_number
from db.engine import Database
from db.models import (
    JOURNAL_CHAIN,
    Allocation,
    ChainHead,
    Contract,
    JournalEvent,
    Payment,
    ReceiptSeries,
    ReconnectionRequest,
    SigningKey,
    TopUpSale,
)

BATCH = 1000


@dataclass(frozen=True)
class Problem:
    chain: str
    record: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def translated(self) -> str:
        return gettext(self.message).format(**self.params)


@dataclass
class VerifyReport:
    key_id: str
    key_source: str
    chains: int = 0
    records: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Link:
    """What verification needs of any signed row, payment or journal event."""

    label: str
    seq: int
    key_id: str
    prev_signature: str
    signature: str
    record: dict[str, Any]
    expected_label: str | None = None  # e.g. the receipt number the seq implies


Fault = tuple[str, dict[str, Any]]


def _first_fault(
    name: str, link: _Link, previous: _Link | None, verifier: Verifier
) -> Fault | None:
    """What is wrong with ``link`` given the record before it, or None."""
    expected_seq = previous.seq + 1 if previous else 1
    expected_prev = previous.signature if previous else ""
    if link.seq > expected_seq:
        return N_("{count} record(s) missing before it (deleted?)"), {
            "count": link.seq - expected_seq
        }
    if link.seq < expected_seq:
        return N_("its sequence number {seq} repeats or goes backwards"), {"seq": link.seq}
    if link.expected_label is not None and link.label != link.expected_label:
        return (
            N_("its number does not match its place in the series ({expected})"),
            {"expected": link.expected_label},
        )
    if link.prev_signature != expected_prev:
        return N_("it does not follow the previous record (inserted or reordered)"), {}
    if link.key_id != verifier.key_id:
        return N_("it is signed with an unknown key {key_id}"), {"key_id": link.key_id}
    message = signing_input(name, link.seq, link.record, link.prev_signature)
    if not verifier.verify(link.signature, message):
        return N_(
            "its content does not match its signature (edited, or signed without the key)"
        ), {}
    return None


def _check_chain(
    name: str,
    links: Iterable[_Link],
    head: ChainHead | None,
    verifier: Verifier,
    report: VerifyReport,
) -> None:
    report.chains += 1
    previous: _Link | None = None
    for link in links:
        report.records += 1
        fault = _first_fault(name, link, previous, verifier)
        if fault is not None:
            report.problems.append(Problem(name, link.label, fault[0], fault[1]))
            return
        previous = link
    last_seq = previous.seq if previous else 0
    last_signature = previous.signature if previous else ""
    head_seq = head.last_seq if head else 0
    if head_seq != last_seq or (head is not None and head.last_signature != last_signature):
        report.problems.append(
            Problem(
                name,
                previous.label if previous else "-",
                N_(
                    "the chain head expects {expected} record(s) but {found} remain "
                    "(records cut off the end?)"
                ),
                {"expected": head_seq, "found": last_seq},
            )
        )


def _payment_links(session: Session, series: ReceiptSeries) -> Iterator[_Link]:
    reconnections: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(ReconnectionRequest.payment_id, Contract.number)
        .join(Contract, Contract.id == ReconnectionRequest.contract_id)
        .join(Payment, Payment.id == ReconnectionRequest.payment_id)
        .where(Payment.series_id == series.id)
    )
    for payment_id, number in rows:
        reconnections[payment_id].append(number)
    statement = (
        select(Payment)
        .where(Payment.series_id == series.id)
        .order_by(Payment.seq, Payment.id)
        .options(
            selectinload(Payment.tenders),
            selectinload(Payment.allocations).selectinload(Allocation.invoice),
            selectinload(Payment.topups).selectinload(TopUpSale.product),
            selectinload(Payment.subscriber),
            selectinload(Payment.agent),
            selectinload(Payment.approved_by),
            selectinload(Payment.voids),
            selectinload(Payment.series),
        )
        .execution_options(yield_per=BATCH)
    )
    for payment in session.scalars(statement):
        yield _Link(
            label=payment.receipt_no,
            seq=payment.seq,
            key_id=payment.key_id,
            prev_signature=payment.prev_signature,
            signature=payment.signature,
            record=payment_record(payment, reconnections.get(payment.id, [])),
            expected_label=receipt_number(series.code, payment.seq),
        )


def _journal_links(session: Session) -> Iterator[_Link]:
    statement = (
        select(JournalEvent)
        .order_by(JournalEvent.seq, JournalEvent.id)
        .execution_options(yield_per=BATCH)
    )
    for event in session.scalars(statement):
        yield _Link(
            label=f"journal #{event.seq} ({event.kind})",
            seq=event.seq,
            key_id=event.key_id,
            prev_signature=event.prev_signature,
            signature=event.signature,
            record=journal_record(event),
        )


def trusted_verifier_from_database(db: Database) -> Verifier | None:
    """The newest public key stored with the data: weaker, since the data can be replaced."""
    with db.read() as session:
        stored = session.scalars(select(SigningKey).order_by(SigningKey.id.desc())).first()
        return Verifier(public_key_from_b64(stored.public_key)) if stored else None


def verify_database(
    db: Database, verifier: Verifier, *, key_source: str = "key file"
) -> VerifyReport:
    report = VerifyReport(key_id=verifier.key_id, key_source=key_source)
    with db.read() as session:
        heads = {head.name: head for head in session.scalars(select(ChainHead))}
        stored_keys = {k.key_id: k.public_key for k in session.scalars(select(SigningKey))}
        stored = stored_keys.get(verifier.key_id)
        if stored is not None and stored != public_key_b64(verifier.public_key):
            report.problems.append(
                Problem(
                    "signing_keys",
                    verifier.key_id,
                    N_("the public key stored in the database differs from the trusted key"),
                )
            )
        seen = set()
        for series in session.scalars(select(ReceiptSeries).order_by(ReceiptSeries.code)):
            seen.add(series.chain_name)
            _check_chain(
                series.chain_name,
                _payment_links(session, series),
                heads.get(series.chain_name),
                verifier,
                report,
            )
        seen.add(JOURNAL_CHAIN)
        _check_chain(
            JOURNAL_CHAIN, _journal_links(session), heads.get(JOURNAL_CHAIN), verifier, report
        )
        for name, head in sorted(heads.items()):
            if name not in seen and head.last_seq > 0:
                report.problems.append(
                    Problem(
                        name,
                        "-",
                        N_("the chain has a head but its series is gone ({count} records)"),
                        {"count": head.last_seq},
                    )
                )
    return report
