"""Every public service states the lowest role that may call it, and keeps to it.

A service is a public function of a module under ``app/`` whose first parameter
is the application context or the database (``ctx``/``db``, an ``AppContext``
or a ``Database``): what the screens, the worker and the command line call.
``ROLES`` below lists each one with the lowest role that may call it; the test
finds every service by walking ``app/`` and fails when one is missing from the
table, when the table names one that is gone, when a docstring does not say
"Lowest role: <the same>", and when a role in the table is not the one the
service enforces: each service with a role is called with an actor one rank
below (refused with PermissionDeniedError) and with the stated role (done).

The labels:

- ``agent``, ``supervisor``, ``admin``: the service takes the signed-in actor
  and refuses a lower role (it may narrow further, e.g. an agent's own counter);
- ``signed-in``: it takes the actor, any role will do;
- ``credentials``: it takes no actor; the login and password typed are the check;
- ``none``: a read with no actor (what the screens show; no rights checked);
- ``system``: no actor: the print worker, start-up, the demo builder and the
  command line run by the operator's IT on the database.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import io
import pkgutil
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import app
from app.archive.make import make_archive
from app.auth import Actor, add_user, record_screen_locked
from app.billing.cutoff import export_cutoff_csv
from app.cash import close_cash_session, open_cash_session
from app.charter.calendar_changes import (
    add_day_exception,
    confirm_holiday,
    decide_holiday,
    remove_day_exception,
    set_weekly_hours,
)
from app.charter.calendar_store import calendar_overview
from app.charter.charters import load_charter
from app.closing.closings import close_day, close_month, close_year
from app.closing.counts import CountInput
from app.closing.handover import force_close_till, handover_till
from app.closing.movements import MovementRequest, record_cash_movement
from app.closing.review import recount_till, review_till, set_count_threshold, till_review
from app.closing.status import till_at_sign_in, till_statuses, tills_expected_cash
from app.closing.takings import my_takings
from app.closing.tills import close_till, current_cash_session, open_counted_till
from app.compensation.claims import ClaimProposal, approve_claim, propose_claims, refuse_claim
from app.compensation.notice import notice_pdf, queue_compensation_notice
from app.complaints.board import BoardFilters, complaints_board, export_board_csv
from app.complaints.lifecycle import (
    add_note,
    assign_complaint,
    close_complaint,
    print_slip_again,
    resolve_complaint,
    set_status,
)
from app.complaints.records import ComplaintRequest, open_complaint
from app.context import AppContext
from app.demo.charter import demo_charter_path
from app.demo.outages import record_demo_outage
from app.documents.issue import issue_bill_copy
from app.errors import ConflictError, GuichetError, PermissionDeniedError
from app.exports.service import export_period
from app.imports.screen import preview_files, run_import
from app.outages.fanout import close_outage
from app.outages.records import OutageRequest, end_outage, record_outage
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest, void_payment
from app.payments.void_preview import void_preview
from app.printing.copies import print_bill_copy, reprint
from app.printing.queue import pending_jobs, redirect, retry_now
from app.printing.settings import queue_test_page, save_printer_settings
from app.reports.day_report import day_report_pdf, load_day_report
from app.reports.day_takings import day_takings
from app.reports.till_report import ReportKind, till_report
from app.staff import change_password, change_role, deactivate_user, set_own_language
from db.engine import Database
from db.models import (
    Agency,
    CompensationClaim,
    CompensationKind,
    CompensationSource,
    ComplaintCategory,
    ComplaintStatus,
    Contract,
    OutageScope,
    Role,
    Subscriber,
    TenderKind,
)
from tests.factories import NOW, PASSWORD, WORKSTATION, World, add_subscriber, build_world

BILLING_EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples" / "billing"

RANKED = ("agent", "supervisor", "admin")
LABELS = (*RANKED, "signed-in", "credentials", "none", "system")

# "module.function" -> the lowest role that may call it (see the labels above).
ROLES: dict[str, str] = {
    "app.archive.make.make_archive": "supervisor",
    "app.auth.add_user": "admin",
    "app.auth.authenticate": "credentials",
    "app.auth.check_supervisor": "credentials",
    "app.auth.record_screen_locked": "signed-in",
    "app.auth.unlock": "credentials",
    "app.billing.cutoff.export_cutoff_csv": "supervisor",
    "app.billing.late_delivery.late_fees_to_waive": "none",
    "app.bootstrap.load_database_signer": "system",
    "app.transactions.write_transaction": "system",
    "app.bootstrap.require_current_schema": "system",
    "app.charter.calendar_changes.add_day_exception": "supervisor",
    "app.charter.calendar_changes.confirm_holiday": "supervisor",
    "app.charter.calendar_changes.decide_holiday": "supervisor",
    "app.charter.calendar_changes.remove_day_exception": "supervisor",
    "app.charter.calendar_changes.set_weekly_hours": "admin",
    "app.charter.calendar_store.calendar_overview": "supervisor",
    "app.charter.charters.charter_overview": "none",
    "app.charter.charters.load_charter": "admin",
    "app.closing.closings.close_day": "supervisor",
    "app.compensation.claims.approve_claim": "supervisor",
    "app.compensation.claims.refuse_claim": "supervisor",
    "app.closing.closings.close_month": "supervisor",
    "app.closing.closings.close_year": "supervisor",
    "app.closing.closings.closing_status": "none",
    "app.closing.denominations.till_denominations": "none",
    "app.closing.handover.force_close_till": "supervisor",
    "app.closing.handover.handover_till": "agent",
    "app.closing.movements.record_cash_movement": "agent",
    "app.closing.review.recount_till": "agent",
    "app.closing.review.review_till": "supervisor",
    "app.closing.review.set_count_threshold": "admin",
    "app.closing.review.till_review": "supervisor",
    "app.closing.status.till_at_sign_in": "agent",
    "app.closing.status.till_statuses": "system",
    "app.closing.status.tills_expected_cash": "supervisor",
    "app.closing.takings.my_takings": "agent",
    "app.closing.tills.close_cash_session": "agent",
    "app.closing.tills.close_till": "agent",
    "app.closing.tills.current_cash_session": "none",
    "app.closing.tills.open_cash_session": "agent",
    "app.closing.tills.open_counted_till": "agent",
    "app.closing.z_prints.closing_z_state": "none",
    "app.compensation.late_activation.apply_late_activations": "system",
    "app.compensation.notice.load_notice_document": "none",
    "app.compensation.notice.notice_job_slip": "system",
    "app.compensation.notice.notice_pdf": "agent",
    "app.compensation.notice.queue_compensation_notice": "agent",
    "app.complaints.board.board_for_system": "system",
    "app.complaints.board.complaint_history": "none",
    "app.complaints.board.complaints_board": "supervisor",
    "app.complaints.board.export_board_csv": "supervisor",
    "app.complaints.board.subscriber_complaints": "none",
    "app.complaints.breaches.apply_breaches": "system",
    "app.complaints.lifecycle.add_note": "agent",
    "app.complaints.lifecycle.assign_complaint": "supervisor",
    "app.complaints.lifecycle.close_complaint": "supervisor",
    "app.complaints.lifecycle.print_slip_again": "agent",
    "app.complaints.lifecycle.resolve_complaint": "supervisor",
    "app.complaints.lifecycle.set_status": "agent",
    "app.complaints.records.open_complaint": "agent",
    "app.complaints.records.preview_commitment": "none",
    "app.complaints.slip.complaint_job_slip": "system",
    "app.complaints.slip.load_complaint_document": "none",
    "app.demo.builder.build_demo": "system",
    "app.demo.builder.mark_history_printed": "system",
    "app.demo.compensations.add_demo_compensations": "system",
    "app.demo.complaints.add_demo_complaints": "system",
    "app.demo.history.take_past_payments": "system",
    "app.demo.late_bills.add_late_bills": "system",
    "app.demo.outages.record_demo_outage": "supervisor",
    "app.documents.bill_copy.bill_copy_pdf": "none",
    "app.documents.bill_copy.load_bill_copy": "none",
    "app.documents.bill_copy.save_bill_copy": "system",
    "app.documents.issue.issue_bill_copy": "agent",
    "app.exports.service.export_period": "supervisor",
    "app.exports.service.read_scope": "system",
    "app.exports.service.snapshot": "system",
    "app.exports.service.write_tables": "system",
    "app.imports.apply.import_files": "system",
    "app.imports.inbox.import_batch": "system",
    "app.imports.inbox.run_once": "system",
    "app.imports.inbox.run_round": "system",
    "app.imports.screen.preview_files": "admin",
    "app.imports.screen.run_import": "admin",
    "app.integrity.verify.trusted_verifier_from_database": "none",
    "app.integrity.verify.verify_database": "none",
    "app.lookup.service.find_subscribers": "none",
    "app.outages.fanout.close_outage": "supervisor",
    "app.outages.fanout.close_outage_as_system": "system",
    "app.outages.records.end_outage": "supervisor",
    "app.outages.records.list_outages": "none",
    "app.outages.records.operator_timezone": "none",
    "app.outages.records.outage_summary": "none",
    "app.outages.records.record_outage": "supervisor",
    "app.payments.service.take_payment": "agent",
    "app.payments.summary.receipt_summary": "none",
    "app.payments.void.void_payment": "agent",
    "app.payments.void_preview.void_preview": "agent",
    "app.printing.copies.copy_pdf": "system",
    "app.printing.copies.print_bill_copy": "agent",
    "app.printing.copies.print_copy_now": "system",
    "app.printing.copies.reprint": "agent",
    "app.printing.documents.job_slip": "system",
    "app.printing.queue.agency_printers": "none",
    "app.printing.queue.claim_direct": "system",
    "app.printing.queue.claim_next": "system",
    "app.printing.queue.mark_failed": "system",
    "app.printing.queue.mark_printed": "system",
    "app.printing.queue.pending_jobs": "agent",
    "app.printing.queue.recover_interrupted": "system",
    "app.printing.queue.redirect": "agent",
    "app.printing.queue.retry_now": "agent",
    "app.printing.receipt.load_receipt": "none",
    "app.printing.receipt.printed_language": "none",
    "app.printing.settings.load_printer_settings": "none",
    "app.printing.settings.queue_test_page": "supervisor",
    "app.printing.settings.save_printer_settings": "supervisor",
    "app.printing.worker.print_claimed": "system",
    "app.printing.worker.render_job": "system",
    "app.products.products_on_sale": "none",
    "app.reports.day_report.day_report_pdf": "supervisor",
    "app.reports.day_report.load_day_report": "supervisor",
    "app.reports.day_takings.day_takings": "supervisor",
    "app.reports.till_report.blind_till_report": "system",
    "app.reports.till_report.queue_till_report": "system",
    "app.reports.till_report.report_as": "system",
    "app.reports.till_report.till_report": "agent",
    "app.reports.till_report.tills_for_report": "none",
    "app.printing.till_report_slip.report_job_slip": "system",
    "app.printing.till_report_slip.till_report_pdf": "system",
    "app.reports.till_report.register_report_pdf": "system",
    "app.staff.change_password": "agent",
    "app.staff.change_role": "admin",
    "app.staff.deactivate_user": "admin",
    "app.staff.set_own_language": "agent",
    "app.station.load_station": "none",
    "app.station.record_demo_logins": "system",
    "app.station_lease.acquire": "none",
    "app.station_lease.printer_states": "none",
    "app.station_lease.release": "none",
    "app.station_lease.renew": "none",
    "app.subscribers.load_subscriber_view": "none",
}

STATED = re.compile(r"Lowest role:\s*([a-z-]+)")
REQUIRED = re.compile(r"require_role\(\s*\w+\s*,\s*Role\.(\w+)")


# -- finding the services ----------------------------------------------------------------
def _takes_the_context(parameter: inspect.Parameter) -> bool:
    annotation = parameter.annotation  # a string: the modules use postponed annotations
    return (
        parameter.name in ("ctx", "db", "database")
        or annotation in ("AppContext", "Database")
        or annotation in (AppContext, Database)
    )


def discover_services() -> dict[str, Callable[..., Any]]:
    """Public functions of app/ modules whose first parameter is the context or the database."""
    found: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.walk_packages(app.__path__, "app."):
        module = importlib.import_module(info.name)
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            if function.__module__ != module.__name__:
                continue  # imported from elsewhere: listed under its own module
            parameters = list(inspect.signature(function).parameters.values())
            if parameters and _takes_the_context(parameters[0]):
                found[f"{module.__name__}.{name}"] = function
    return found


SERVICES = discover_services()


def _suggested_label(function: Callable[..., Any]) -> str:
    ranks = [role.lower() for role in REQUIRED.findall(inspect.getsource(function))]
    known = [rank for rank in RANKED if rank in ranks]
    return known[0] if known else "|".join(LABELS)


def _actor_parameters(function: Callable[..., Any]) -> list[inspect.Parameter]:
    return [
        parameter
        for parameter in inspect.signature(function).parameters.values()
        if re.fullmatch(r"Actor( \| None)?", str(parameter.annotation))
    ]


# -- the table is complete and true to the code -------------------------------------------
def test_every_service_has_an_entry() -> None:
    missing = sorted(set(SERVICES) - set(ROLES))
    gone = sorted(set(ROLES) - set(SERVICES))
    lines = [
        f'    "{name}": "{_suggested_label(SERVICES[name])}",' for name in missing
    ]  # the role its require_role calls suggest; check it before pasting
    assert not missing, (
        "New services without their lowest role; add to ROLES in tests/test_service_roles.py "
        "(and a call to CALLS for agent, supervisor, admin or signed-in), "
        "and say it in the docstring as 'Lowest role: ...':\n" + "\n".join(lines)
    )
    assert not gone, "Remove from ROLES in tests/test_service_roles.py (no such service): " + (
        ", ".join(gone)
    )
    assert set(ROLES.values()) <= set(LABELS)


def test_each_docstring_states_the_lowest_role_of_the_table() -> None:
    wrong = []
    for name, function in sorted(SERVICES.items()):
        stated = STATED.search(inspect.getdoc(function) or "")
        expected = ROLES.get(name)
        if expected is not None and (stated is None or stated.group(1) != expected):
            said = stated.group(1) if stated else "nothing"
            wrong.append(f"{name}: the docstring says {said}; write 'Lowest role: {expected}.'")
    assert not wrong, "\n".join(wrong)


def test_services_with_a_role_take_the_actor_and_the_others_do_not() -> None:
    wrong = []
    for name, label in sorted(ROLES.items()):
        function = SERVICES.get(name)
        if function is None:
            continue
        actors = _actor_parameters(function)
        if label in (*RANKED, "signed-in") and not actors:
            wrong.append(f"{name} is '{label}' but takes no Actor: who is checked?")
        # An ``Actor | None`` without a default takes None: the service runs without one.
        required = [
            p
            for p in actors
            if p.default is inspect.Parameter.empty and str(p.annotation) == "Actor"
        ]
        if label in ("none", "system") and required:
            wrong.append(f"{name} is '{label}' but requires an Actor: give it its role")
    assert not wrong, "\n".join(wrong)


# -- and each service enforces it -----------------------------------------------------------
@dataclass
class Roles:
    world: World
    admin: Actor
    receipt: str
    job: int  # an unprinted job of the agent's counter

    @property
    def ctx(self) -> AppContext:
        return self.world.ctx

    def actor(self, label: str) -> Actor:
        if label in ("agent", "signed-in"):
            return self.world.agent
        return {"supervisor": self.world.supervisor, "admin": self.admin}[label]


NEXT_DOOR = "tcp://10.0.0.12:9100"  # the printer of ALG01-G02, in the agent's agency


def _reopen_till(roles: Roles, actor: Actor) -> object:
    close_cash_session(roles.ctx, roles.world.supervisor, WORKSTATION)
    return open_cash_session(roles.ctx, actor, WORKSTATION, "100")


# 5,100.00 DA: the agent's float and the one cash payment of the fixture.
TILL_COUNT = CountInput(cash={"note-200000": 2, "note-100000": 1, "coin-10000": 1})


def _counted_till(roles: Roles) -> int:
    """The agent's till, closed with its count (once, whoever calls first)."""
    if current_cash_session(roles.world.db, WORKSTATION) is not None:
        close_till(roles.ctx, roles.world.agent, WORKSTATION, TILL_COUNT)
    (found,) = till_statuses(roles.world.db, workstation=WORKSTATION)
    assert found.session_id is not None
    return found.session_id


def _open_till(roles: Roles) -> int:
    found = current_cash_session(roles.world.db, WORKSTATION)
    assert found is not None
    return found.session_id


def _till_closed(roles: Roles) -> AppContext:
    """The agent's till closed without a count; the context."""
    close_cash_session(roles.ctx, roles.world.supervisor, WORKSTATION)
    return roles.ctx


def _days_closed_through(roles: Roles, last: date | None, *months: int) -> AppContext:
    """Tills closed, the clock on the evening of ``last`` (else today), every day from the
    fixture's payment to ``last`` closed and the ``months`` of 2026; what is already
    closed stays so (the call runs for the role below first). Returns the context."""
    for station in (WORKSTATION, "ALG01-G02"):
        if current_cash_session(roles.world.db, station) is not None:
            close_cash_session(roles.ctx, roles.world.supervisor, station)
    evening = datetime.combine(last or NOW.date(), time(19), tzinfo=UTC)
    roles.ctx.clock.now = evening  # type: ignore[attr-defined]
    closings: list[Callable[[], object]] = [
        lambda: close_day(roles.ctx, roles.world.supervisor, "ALG01", NOW.date())
    ]
    if last is not None:
        closings.append(lambda: close_day(roles.ctx, roles.world.supervisor, "ALG01", last))
    for month in months:
        closings.append(
            functools.partial(close_month, roles.ctx, roles.world.supervisor, "ALG01", 2026, month)
        )
    for closing in closings if last is not None else []:
        with contextlib.suppress(GuichetError):  # closed by the first call
            closing()
    return roles.ctx


@dataclass(frozen=True)
class _ApprovalCommitment:
    """A commitment whose every compensation waits for a supervisor."""

    code: str = "ROLES"
    charter_id: int | None = None
    rule_kind: str = "fixed_amount"
    automatic: bool = False
    approval_above_minor: int | None = None


def _awaiting_claim(roles: Roles) -> int:
    """A compensation claim waiting for approval (a new one at each call)."""
    with roles.world.db.write() as session:
        contract = session.scalars(select(Contract).order_by(Contract.id)).first()
        assert contract is not None
        source_id = len(session.scalars(select(CompensationClaim.id)).all()) + 1
        outcome = propose_claims(
            session,
            roles.ctx.signer,
            _ApprovalCommitment(),
            [
                ClaimProposal(
                    source=CompensationSource.COMPLAINT,
                    source_id=source_id,
                    subscriber_id=contract.subscriber_id,
                    contract_id=contract.id,
                    amount_minor=500,
                    currency="DZD",
                    kind=CompensationKind.CREDIT,
                )
            ],
            now=NOW,
        )
    return outcome.claim_ids[0]


EXCEPTION_DAY = date(2026, 12, 2)  # a Wednesday, ahead of the fixture's Saturday
EID_2027 = date(2027, 3, 9)  # Eid al-Fitr as the calendar estimates it


def _agency_id(roles: Roles) -> int:
    with roles.world.db.read() as session:
        found = session.scalar(select(Agency.id).where(Agency.code == "ALG01"))
    assert found is not None
    return found


def _day_off(roles: Roles) -> int:
    """The agency closed on EXCEPTION_DAY (once, whoever calls first); its id."""
    agency = _agency_id(roles)
    with contextlib.suppress(ConflictError):  # added by the first call
        add_day_exception(
            roles.ctx, roles.world.supervisor, agency, EXCEPTION_DAY, is_open=False, reason="Works"
        )
    return agency


def _complaint(roles: Roles, by: Actor | None = None, *, resolved: bool = False) -> str:
    """A complaint of A1 opened at the agent's counter (by the agent unless ``by``; a new
    one at each call), resolved by the supervisor if asked; its number."""
    with roles.world.db.read() as session:
        subscriber = session.scalar(select(Subscriber.id).where(Subscriber.account_number == "A1"))
    assert subscriber is not None
    opened = open_complaint(
        roles.ctx,
        by or roles.world.agent,
        ComplaintRequest(subscriber, "CA1", ComplaintCategory.OTHER, "No dial tone"),
        workstation=WORKSTATION,
    )
    if resolved:
        resolve_complaint(roles.ctx, roles.world.supervisor, opened.number, "Line repaired")
    return opened.number


def _outage(roles: Roles, by: Actor | None = None, *, ended: bool = True) -> int:
    """An ADSL outage of the agency two days before the fixture's clock, recorded by the
    supervisor unless ``by`` (a new one at each call); its id."""
    summary = record_outage(
        roles.ctx,
        by or roles.world.supervisor,
        OutageRequest(
            service="adsl",
            scope=OutageScope.AGENCIES,
            values=["ALG01"],
            start=NOW - timedelta(days=2),
            end=NOW - timedelta(days=1) if ended else None,
        ),
    )
    return summary.id


def _billing_file(name: str) -> list[Path]:
    """An example file of the billing import, copied so that its report lands elsewhere."""
    target = Path(tempfile.mkdtemp()) / name
    shutil.copyfile(BILLING_EXAMPLES / name, target)
    return [target]


# How to call each service that takes an actor, so that it succeeds for the stated role.
CALLS: dict[str, Callable[[Roles, Actor], object]] = {
    "app.compensation.claims.approve_claim": lambda r, a: approve_claim(
        r.ctx, a, _awaiting_claim(r)
    ),
    "app.compensation.claims.refuse_claim": lambda r, a: refuse_claim(
        r.ctx, a, _awaiting_claim(r), reason="no proof"
    ),
    "app.closing.closings.close_day": lambda r, a: close_day(
        _days_closed_through(r, None), a, "ALG01", NOW.date()
    ),
    "app.closing.closings.close_month": lambda r, a: close_month(
        _days_closed_through(r, date(2026, 11, 30)), a, "ALG01", 2026, 11
    ),
    "app.closing.closings.close_year": lambda r, a: close_year(
        _days_closed_through(r, date(2026, 12, 31), 11, 12), a, "ALG01", 2026
    ),
    "app.archive.make.make_archive": lambda r, a: make_archive(
        r.ctx, a, NOW.date(), NOW.date(), Path(tempfile.mkdtemp()) / "archive.zip"
    ),
    "app.exports.service.export_period": lambda r, a: export_period(
        r.ctx, a, NOW.date(), NOW.date(), tempfile.mkdtemp()
    ),
    "app.auth.add_user": lambda r, a: add_user(
        r.ctx, "newcomer", role="agent", password=PASSWORD, added_by=a
    ),
    "app.auth.record_screen_locked": lambda r, a: record_screen_locked(
        r.ctx, a, workstation=WORKSTATION
    ),
    "app.closing.handover.force_close_till": lambda r, a: force_close_till(
        r.ctx, a, WORKSTATION, "ALG01-G02", "gone home"
    ),
    "app.closing.handover.handover_till": lambda r, a: handover_till(
        r.ctx,
        r.world.other_agent,
        a,
        WORKSTATION,
        closing_count=TILL_COUNT,
        opening_count=TILL_COUNT,
    ),
    "app.closing.movements.record_cash_movement": lambda r, a: record_cash_movement(
        r.ctx, a, MovementRequest(WORKSTATION, "drop", "50", "to the safe", "karim", PASSWORD)
    ),
    "app.closing.review.recount_till": lambda r, a: recount_till(
        r.ctx, a, _counted_till(r), TILL_COUNT
    ),
    "app.closing.review.review_till": lambda r, a: review_till(r.ctx, a, _counted_till(r)),
    "app.closing.review.set_count_threshold": lambda r, a: set_count_threshold(r.ctx, a, "100"),
    "app.closing.review.till_review": lambda r, a: till_review(r.ctx, a, _open_till(r)),
    "app.closing.status.tills_expected_cash": lambda r, a: tills_expected_cash(
        r.ctx, a, [_open_till(r)]
    ),
    "app.closing.status.till_at_sign_in": lambda r, a: till_at_sign_in(r.world.db, a, WORKSTATION),
    "app.closing.takings.my_takings": lambda r, a: my_takings(r.ctx, a, WORKSTATION),
    "app.closing.tills.close_cash_session": lambda r, a: close_cash_session(r.ctx, a, WORKSTATION),
    "app.closing.tills.close_till": lambda r, a: close_till(r.ctx, a, WORKSTATION, TILL_COUNT),
    "app.closing.tills.open_cash_session": lambda r, a: _reopen_till(r, a),
    "app.closing.tills.open_counted_till": lambda r, a: open_counted_till(
        _till_closed(r), a, WORKSTATION, TILL_COUNT
    ),
    "app.documents.issue.issue_bill_copy": lambda r, a: issue_bill_copy(
        r.ctx, a, "F2", language="fr", workstation=WORKSTATION
    ),
    "app.payments.service.take_payment": lambda r, a: take_payment(
        r.ctx,
        a,
        PaymentRequest(
            "roles-pay", "A1", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("50")),)
        ),
    ),
    "app.payments.void.void_payment": lambda r, a: void_payment(
        r.ctx,
        a,
        VoidRequest("roles-void", r.receipt, WORKSTATION, "wrong account", "karim", PASSWORD),
    ),
    "app.payments.void_preview.void_preview": lambda r, a: void_preview(r.ctx, a, r.receipt),
    "app.printing.copies.print_bill_copy": lambda r, a: print_bill_copy(
        r.ctx, a, "F2", workstation=WORKSTATION, language="fr"
    ),
    "app.printing.copies.reprint": lambda r, a: reprint(
        r.ctx, a, r.receipt, workstation=WORKSTATION, language="fr"
    ),
    "app.printing.queue.pending_jobs": lambda r, a: pending_jobs(r.world.db, a, WORKSTATION),
    "app.printing.queue.redirect": lambda r, a: redirect(
        r.ctx, a, [r.job], NEXT_DOOR, workstation=WORKSTATION
    ),
    "app.printing.queue.retry_now": lambda r, a: retry_now(
        r.ctx, a, [r.job], workstation=WORKSTATION
    ),
    "app.printing.settings.queue_test_page": lambda r, a: queue_test_page(
        r.ctx, a, WORKSTATION, language="en"
    ),
    "app.printing.settings.save_printer_settings": lambda r, a: save_printer_settings(
        r.ctx, a, WORKSTATION, printer_uri="tcp://10.0.0.11:9100", profile=None, paper_width_mm=80
    ),
    "app.reports.day_report.day_report_pdf": lambda r, a: day_report_pdf(
        r.ctx, a, "ALG01", NOW.date(), language="ar"
    ),
    "app.reports.day_report.load_day_report": lambda r, a: load_day_report(
        r.ctx, a, "ALG01", NOW.date()
    ),
    "app.reports.day_takings.day_takings": lambda r, a: day_takings(
        r.world.db, a, "ALG01", now=NOW
    ),
    "app.reports.till_report.till_report": lambda r, a: till_report(
        r.ctx, a, _open_till(r), ReportKind.X
    ),
    "app.staff.change_password": lambda r, a: change_password(
        r.ctx, a, a.login, "another long password", current_password=PASSWORD
    ),
    "app.staff.change_role": lambda r, a: change_role(r.ctx, a, "yacine", "supervisor"),
    "app.staff.deactivate_user": lambda r, a: deactivate_user(r.ctx, a, "yacine"),
    "app.staff.set_own_language": lambda r, a: set_own_language(r.ctx, a, "ar"),
    "app.billing.cutoff.export_cutoff_csv": lambda r, a: export_cutoff_csv(
        r.world.db, a, NOW.date(), Path(tempfile.mkdtemp()) / "cutoff.csv"
    ),
    "app.charter.calendar_changes.add_day_exception": lambda r, a: add_day_exception(
        r.ctx, a, _agency_id(r), EXCEPTION_DAY, is_open=False, reason="Works"
    ),
    "app.charter.calendar_changes.confirm_holiday": lambda r, a: confirm_holiday(
        r.ctx, a, "Eid al-Fitr", EID_2027
    ),
    "app.charter.calendar_changes.decide_holiday": lambda r, a: decide_holiday(
        r.ctx, a, "Eid al-Fitr", EID_2027, EID_2027 + timedelta(days=1)
    ),
    "app.charter.calendar_changes.remove_day_exception": lambda r, a: remove_day_exception(
        r.ctx, a, _day_off(r), EXCEPTION_DAY
    ),
    "app.charter.calendar_changes.set_weekly_hours": lambda r, a: set_weekly_hours(
        r.ctx, a, _agency_id(r), {day: [(time(8), time(16))] for day in range(6)}
    ),
    "app.charter.calendar_store.calendar_overview": lambda r, a: calendar_overview(
        r.ctx, a, "ALG01", "fr"
    ),
    "app.charter.charters.load_charter": lambda r, a: load_charter(
        r.ctx, a, demo_charter_path("dz")
    ),
    "app.compensation.notice.notice_pdf": lambda r, a: notice_pdf(
        r.ctx, a, _awaiting_claim(r), language="fr"
    ),
    "app.compensation.notice.queue_compensation_notice": lambda r, a: queue_compensation_notice(
        r.ctx, a, _awaiting_claim(r), workstation=WORKSTATION
    ),
    "app.complaints.board.complaints_board": lambda r, a: complaints_board(
        r.world.db, a, BoardFilters(), now=NOW
    ),
    "app.complaints.board.export_board_csv": lambda r, a: export_board_csv(
        r.ctx, a, BoardFilters(), io.BytesIO()
    ),
    "app.complaints.lifecycle.add_note": lambda r, a: add_note(
        r.ctx, a, _complaint(r), "Called back", workstation=WORKSTATION
    ),
    "app.complaints.lifecycle.assign_complaint": lambda r, a: assign_complaint(
        r.ctx, a, _complaint(r), "amina"
    ),
    "app.complaints.lifecycle.close_complaint": lambda r, a: close_complaint(
        r.ctx, a, _complaint(r, resolved=True)
    ),
    "app.complaints.lifecycle.print_slip_again": lambda r, a: print_slip_again(
        r.ctx, a, _complaint(r), workstation=WORKSTATION
    ),
    "app.complaints.lifecycle.resolve_complaint": lambda r, a: resolve_complaint(
        r.ctx, a, _complaint(r), "Line repaired"
    ),
    "app.complaints.lifecycle.set_status": lambda r, a: set_status(
        r.ctx, a, _complaint(r), ComplaintStatus.IN_PROGRESS, workstation=WORKSTATION
    ),
    "app.complaints.records.open_complaint": lambda r, a: _complaint(r, a),
    "app.demo.outages.record_demo_outage": lambda r, a: record_demo_outage(r.ctx, a),
    "app.imports.screen.preview_files": lambda r, a: preview_files(
        r.ctx, a, _billing_file("offers.csv")
    ),
    "app.imports.screen.run_import": lambda r, a: run_import(r.ctx, a, _billing_file("offers.csv")),
    "app.outages.fanout.close_outage": lambda r, a: close_outage(r.ctx, a, _outage(r)),
    "app.outages.records.end_outage": lambda r, a: end_outage(
        r.ctx, a, _outage(r, ended=False), NOW - timedelta(hours=1)
    ),
    "app.outages.records.record_outage": lambda r, a: _outage(r, a),
}


def test_every_service_with_an_actor_has_a_call() -> None:
    with_actor = {name for name, label in ROLES.items() if label in (*RANKED, "signed-in")}
    assert sorted(with_actor - set(CALLS)) == [], "add a call to CALLS for each of these"
    assert sorted(set(CALLS) - with_actor) == []


@pytest.fixture
def roles(sqlite_database: Database, tmp_path: Path) -> Roles:
    # Rights do not depend on the database engine: SQLite only, to keep this quick.
    world = build_world(sqlite_database, tmp_path / "keys")
    admin = add_user(world.ctx, "root", role="admin", password=PASSWORD)
    add_subscriber(
        world.db,
        "A1",
        invoices=[("F1", 10000, date(2026, 10, 15)), ("F2", 10000, date(2026, 11, 15))],
    )
    paid = take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "roles-k1", "A1", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("100")),)
        ),
    )
    save_printer_settings(
        world.ctx,
        world.supervisor,
        "ALG01-G02",
        printer_uri=NEXT_DOOR,
        profile=None,
        paper_width_mm=80,
    )
    (job,) = pending_jobs(world.db, world.agent, WORKSTATION)
    return Roles(world, admin, paid.receipt_no, job.id)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_stated_role_is_enforced(roles: Roles, name: str) -> None:
    label, call = ROLES[name], CALLS[name]
    if label in RANKED and label != "agent":
        below = roles.actor(RANKED[RANKED.index(label) - 1])
        with pytest.raises(PermissionDeniedError):
            call(roles, below)
    try:
        call(roles, roles.actor(label))
    except GuichetError as error:
        pytest.fail(f"{name} refused a {label}: {type(error).__name__}: {error.translated()}")


def test_no_role_below_agent_exists() -> None:
    # "One rank below" an agent would be nobody: every Actor has at least the agent role.
    assert [str(role) for role in Role] == list(RANKED)
