"""Re-checking every signed chain and what it vouches for: `python main.py verify`.

For each chain (the receipts of each series, each agency's closings, the
compensations ledger, and the journal) records must:
follow their predecessor's number with no gap, carry its signature, bear a valid
signature of the trusted key over their current content, refer only to rows
that exist, and the last one must match the chain head. The first record that
fails is named; later ones are not, since one break makes everything after it
suspect.

Then the tables beside the chains are checked against them
(:mod:`app.integrity.crosschecks`): bills against the ledger, staff, tills and
receipt copies against the journal, the unsigned actor_id of journal events
against the signed login. The report counts what was covered.

Speed: rows are streamed with plain SQL in one read snapshot (never ORM
objects), and signatures are checked in worker processes, a bounded number of
batches in flight, so memory stays flat for any size of ledger.

The trusted key comes from outside the database (the key file, or a public key
given on the command line): a database whose stored public key was replaced and
whose records were all re-signed with another key is caught too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from cryptography.hazmat.primitives import serialization
from sqlalchemy import Connection, func, or_, select

from app.i18n import N_, gettext
from app.integrity import crosschecks
from app.integrity.closing_checks import check_closings
from app.integrity.keys import Verifier, public_key_b64, public_key_from_b64
from app.integrity.outside_payment_checks import check_outside_payments
from app.integrity.parallel import PARALLEL_THRESHOLD, SignatureChecker, default_workers
from app.integrity.streams import (
    PaymentStream,
    SignedRow,
    closing_rows,
    compensation_rows,
    journal_rows,
    signing_message,
)
from app.workstations import receipt_number
from db.engine import Database
from db.models import (
    COMPENSATION_CHAIN,
    JOURNAL_CHAIN,
    OUTSIDE_PAYMENT_CHAIN,
    ChainHead,
    JournalEvent,
    Payment,
    ReceiptSeries,
    SigningKey,
)

# Beyond this many problems of one chain or check, the rest are only counted.
MAX_NAMED_PER_CHECK = 50


@dataclass(frozen=True)
class Problem:
    chain: str
    record: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    translate: tuple[str, ...] = ()  # params that are msgids themselves

    def translated(self) -> str:
        params = {
            key: gettext(value) if key in self.translate else value
            for key, value in self.params.items()
        }
        return gettext(self.message).format(**params)


@dataclass
class VerifyReport:
    key_id: str
    key_source: str
    chain_records: dict[str, int] = field(default_factory=dict)  # records read per chain
    checks: dict[str, int] = field(default_factory=dict)  # items per cross-check (msgid)
    problems: list[Problem] = field(default_factory=list)
    wrong_key: bool = False  # the trusted key is not among the database's keys
    workers: int = 0
    _named: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def chains(self) -> int:
        return len(self.chain_records)

    @property
    def records(self) -> int:
        return sum(self.chain_records.values())

    def problem(
        self,
        chain: str,
        record: str,
        message: str,
        *,
        translate: tuple[str, ...] = (),
        **params: Any,
    ) -> None:
        named = self._named.get(chain, 0) + 1
        self._named[chain] = named
        if named <= MAX_NAMED_PER_CHECK:
            self.problems.append(Problem(chain, record, message, params, translate))

    def count(self, check: str, items: int) -> None:
        self.checks[check] = self.checks.get(check, 0) + items

    def close(self) -> None:
        """Say how many problems were only counted."""
        for chain_name, named in self._named.items():
            if named > MAX_NAMED_PER_CHECK:
                self.problems.append(
                    Problem(
                        chain_name,
                        "-",
                        N_("and {count} more problem(s) of the same kind"),
                        {"count": named - MAX_NAMED_PER_CHECK},
                    )
                )


Fault = tuple[str, dict[str, Any]]


@dataclass
class _Chain:
    """Where one chain stands while its records stream past."""

    records: int = 0
    last_seq: int = 0
    last_signature: str = ""
    last_label: str = "-"
    fault: tuple[int, Fault, str] | None = None  # (record's ordinal, fault, label)
    bad_signature: tuple[int, str] | None = None  # (ordinal, label) of the first


def _first_fault(row: SignedRow, state: _Chain, key_id: str) -> Fault | None:
    """What is wrong with ``row`` given the chain so far, signature aside, or None."""
    expected_seq = state.last_seq + 1
    if row.seq > expected_seq:
        return N_("{count} record(s) missing before it (deleted?)"), {
            "count": row.seq - expected_seq
        }
    if row.seq < expected_seq:
        return N_("its sequence number {seq} repeats or goes backwards"), {"seq": row.seq}
    if row.series_code is not None:
        expected_label = receipt_number(row.series_code, row.seq)
        if row.label != expected_label:
            return (
                N_("its number does not match its place in the series ({expected})"),
                {"expected": expected_label},
            )
    if row.prev_signature != state.last_signature:
        return N_("it does not follow the previous record (inserted or reordered)"), {}
    if row.key_id != key_id:
        return N_("it is signed with an unknown key {key_id}"), {"key_id": row.key_id}
    return row.dangling


BAD_SIGNATURE = N_("its content does not match its signature (edited, or signed without the key)")


@contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """One read-only transaction that sees one state of the database throughout."""
    with db.engine.connect() as connection:
        if not db.is_sqlite:
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin():
            yield connection


def signed_rows(connection: Connection) -> Iterator[SignedRow]:
    """Every signed row, payments of every series, closings, then the journal, as records."""
    return chain(
        PaymentStream(connection),
        closing_rows(connection),
        compensation_rows(connection),
        journal_rows(connection),
    )


def trusted_verifier_from_database(db: Database) -> Verifier | None:
    """The newest public key stored with the data: weaker, since the data can be replaced.

    Lowest role: none (a read; no actor).
    """
    with db.read() as session:
        stored = session.scalars(select(SigningKey).order_by(SigningKey.id.desc())).first()
        return Verifier(public_key_from_b64(stored.public_key)) if stored else None


def verify_database(
    db: Database,
    verifier: Verifier,
    *,
    key_source: str = "key file",
    workers: int | None = None,
) -> VerifyReport:
    """Check everything; ``workers``: processes for signatures (None: one per core
    on a large ledger, none on a small one).

    Lowest role: none (a read; the command line run by an auditor or IT).
    """
    report = VerifyReport(key_id=verifier.key_id, key_source=key_source)
    with _snapshot(db) as connection:
        if not _key_is_the_databases(connection, verifier, report):
            return report
        if workers is None:
            size = sum(
                connection.scalar(select(func.count()).select_from(table)) or 0
                for table in (Payment.__table__, JournalEvent.__table__)
            )
            workers = default_workers() if size >= PARALLEL_THRESHOLD else 0
        report.workers = workers
        raw_key = verifier.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        states: dict[str, _Chain] = {
            f"receipts/{code}": _Chain()
            for code in connection.scalars(
                select(ReceiptSeries.__table__.c.code).order_by(ReceiptSeries.__table__.c.code)
            )
        }
        # Each agency's closings are a chain of their own, read even when all are gone.
        # So is the compensations ledger, once its head exists.
        heads = ChainHead.__table__.c
        for name in connection.scalars(
            select(heads.name).where(
                or_(heads.name.like("closings/%"), heads.name == COMPENSATION_CHAIN)
            )
        ):
            states[name] = _Chain()
        key_id = verifier.key_id
        facts = crosschecks.JournalFacts()
        actors: list[Problem] = []
        payments = PaymentStream(connection)
        # Building a record's message costs about a fifth of checking its signature,
        # and a little more again when done in a worker (its plain values must be
        # unpickled there). With two workers or fewer, the main process has the
        # time to spare; beyond, it would hold the workers back.
        in_workers = workers > 2
        with SignatureChecker[tuple[str, int, str]](
            raw_key, workers=workers, message_of=signing_message if in_workers else None
        ) as checker:
            for row in chain(
                payments,
                closing_rows(connection),
                compensation_rows(connection),
                _journal_with_facts(connection, facts, report, actors),
            ):
                state = states.setdefault(row.chain, _Chain())
                state.records += 1
                if state.fault is not None:
                    continue
                fault = _first_fault(row, state, key_id)
                if fault is not None:
                    state.fault = (state.records, fault, row.label)
                    continue
                state.last_seq, state.last_signature = row.seq, row.signature
                state.last_label = row.label
                spec = row.message_spec
                checker.add(
                    (row.chain, state.records, row.label),
                    row.signature,
                    spec if in_workers else signing_message(spec),
                )
            for chain_name, ordinal, label in checker.finish():
                state = states[chain_name]
                if state.bad_signature is None or ordinal < state.bad_signature[0]:
                    state.bad_signature = (ordinal, label)
        states.setdefault(JOURNAL_CHAIN, _Chain())
        _report_chains(connection, states, report)
        for problem in actors:
            report.problem(problem.chain, problem.record, problem.message, **problem.params)
        for table, count in payments.orphans.items():
            report.problem(
                table,
                "-",
                N_("{count} row(s) belong to no payment (their payment was deleted?)"),
                count=count,
            )
        crosschecks.check_bills(connection, report)
        crosschecks.check_staff(connection, report, facts)
        crosschecks.check_cash_sessions(connection, report, facts)
        crosschecks.check_till_records(connection, report, facts)
        crosschecks.check_receipt_copies(connection, report, facts)
        crosschecks.check_z_prints(connection, report, facts)
        crosschecks.check_compensations(connection, report)
        check_outside_payments(connection, report, verifier)
        check_closings(connection, report)
    report.close()
    return report


def _key_is_the_databases(connection: Connection, verifier: Verifier, report: VerifyReport) -> bool:
    stored = {
        key_id: public
        for key_id, public in connection.execute(
            select(SigningKey.__table__.c.key_id, SigningKey.__table__.c.public_key)
        )
    }
    if stored and verifier.key_id not in stored:
        report.wrong_key = True
        report.problem(
            "signing_keys",
            verifier.key_id,
            N_(
                "this is not the database's key: the trusted key is {key_id}, the database's is "
                "{expected}. Give this database's key file; if it is the right one, every record "
                "was re-signed with another key."
            ),
            key_id=verifier.key_id,
            expected=", ".join(sorted(stored)),
        )
        return False
    public = stored.get(verifier.key_id)
    if public is not None and public != public_key_b64(verifier.public_key):
        report.problem(
            "signing_keys",
            verifier.key_id,
            N_("the public key stored in the database differs from the trusted key"),
        )
    return True


def _journal_with_facts(
    connection: Connection,
    facts: crosschecks.JournalFacts,
    report: VerifyReport,
    problems: list[Problem],
) -> Iterator[SignedRow]:
    """The journal's rows, gathering on the way what the cross-checks compare with,
    and checking each event's unsigned actor_id against its signed actor."""
    checked = 0
    for row in journal_rows(connection):
        facts.see(row)
        if row.actor_id is not None:
            checked += 1
            if row.actor_id_login is None:
                problems.append(
                    Problem(
                        JOURNAL_CHAIN,
                        row.label,
                        N_("its actor, staff member #{id}, is missing (deleted?)"),
                        {"id": row.actor_id},
                    )
                )
            elif row.actor_id_login != row.parts[2]:
                problems.append(
                    Problem(
                        JOURNAL_CHAIN,
                        row.label,
                        N_("its actor_id is {login}'s but the signed actor is {actor}"),
                        {"login": row.actor_id_login, "actor": row.parts[2]},
                    )
                )
        yield row
    report.count(crosschecks.ACTORS, checked)


def _report_chains(connection: Connection, states: dict[str, _Chain], report: VerifyReport) -> None:
    heads = {
        name: (last_seq, last_signature)
        for name, last_seq, last_signature in connection.execute(
            select(
                ChainHead.__table__.c.name,
                ChainHead.__table__.c.last_seq,
                ChainHead.__table__.c.last_signature,
            )
        )
    }
    series = sorted(name for name in states if name != JOURNAL_CHAIN)
    for name in [*series, JOURNAL_CHAIN]:
        state = states[name]
        report.chain_records[name] = state.records
        first = _first_problem(state)
        if first is not None:
            label, (message, params) = first
            report.problem(name, label, message, **params)
            continue
        head_seq, head_signature = heads.get(name, (0, ""))
        if head_seq != state.last_seq or (name in heads and head_signature != state.last_signature):
            report.problem(
                name,
                state.last_label,
                N_(
                    "the chain head expects {expected} record(s) but {found} remain "
                    "(records cut off the end?)"
                ),
                expected=head_seq,
                found=state.last_seq,
            )
    for name, (head_seq, _signature) in sorted(heads.items()):
        # The outside payments' chain is checked by its own module (below the crosschecks).
        if name not in states and head_seq > 0 and name != OUTSIDE_PAYMENT_CHAIN:
            report.problem(
                name,
                "-",
                N_("the chain has a head but its series is gone ({count} records)"),
                count=head_seq,
            )


def _first_problem(state: _Chain) -> tuple[str, Fault] | None:
    """The earliest of the chain's first structural fault and its first bad signature."""
    if state.bad_signature is not None and (
        state.fault is None or state.bad_signature[0] < state.fault[0]
    ):
        return state.bad_signature[1], (BAD_SIGNATURE, {})
    if state.fault is not None:
        return state.fault[2], state.fault[1]
    return None
