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
import importlib
import inspect
import pkgutil
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import app
from app.archive.make import make_archive
from app.auth import Actor, add_user, record_screen_locked
from app.cash import close_cash_session, open_cash_session
from app.closing.closings import close_day, close_month, close_year
from app.closing.counts import CountInput
from app.closing.handover import force_close_till, handover_till
from app.closing.movements import MovementRequest, record_cash_movement
from app.closing.review import recount_till, review_till, set_count_threshold, till_review
from app.closing.status import till_at_sign_in, till_statuses, tills_expected_cash
from app.closing.takings import my_takings
from app.closing.tills import close_till, current_cash_session, open_counted_till
from app.context import AppContext
from app.documents.issue import issue_bill_copy
from app.errors import GuichetError, PermissionDeniedError
from app.exports.service import export_period
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
from db.models import Role, TenderKind
from tests.factories import NOW, PASSWORD, WORKSTATION, World, add_subscriber, build_world

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
    "app.bootstrap.load_database_signer": "system",
    "app.transactions.write_transaction": "system",
    "app.bootstrap.require_current_schema": "system",
    "app.closing.closings.close_day": "supervisor",
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
    "app.demo.builder.build_demo": "system",
    "app.demo.builder.mark_history_printed": "system",
    "app.demo.history.take_past_payments": "system",
    "app.documents.bill_copy.bill_copy_pdf": "none",
    "app.documents.bill_copy.load_bill_copy": "none",
    "app.documents.bill_copy.save_bill_copy": "system",
    "app.documents.issue.issue_bill_copy": "agent",
    "app.exports.service.export_period": "supervisor",
    "app.exports.service.read_scope": "system",
    "app.exports.service.snapshot": "system",
    "app.exports.service.write_tables": "system",
    "app.integrity.verify.trusted_verifier_from_database": "none",
    "app.integrity.verify.verify_database": "none",
    "app.lookup.service.find_subscribers": "none",
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
    "app.staff.change_password": "agent",
    "app.staff.change_role": "admin",
    "app.staff.deactivate_user": "admin",
    "app.staff.set_own_language": "agent",
    "app.station.load_station": "none",
    "app.station.record_demo_logins": "system",
    "app.station_lease.acquire": "none",
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
        required = [p for p in actors if p.default is inspect.Parameter.empty]
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


def _days_closed_through(roles: Roles, last: date | None, *months: int) -> None:
    """Tills closed, the clock on the evening of ``last`` (else today), every day from the
    fixture's payment to ``last`` closed and the ``months`` of 2026; what is already
    closed stays so (the call runs for the role below first)."""
    for station in (WORKSTATION, "ALG01-G02"):
        if current_cash_session(roles.world.db, station) is not None:
            close_cash_session(roles.ctx, roles.world.supervisor, station)
    evening = datetime.combine(last or NOW.date(), time(19), tzinfo=UTC)
    roles.ctx.clock.now = evening  # type: ignore[attr-defined]
    closings = [lambda: close_day(roles.ctx, roles.world.supervisor, "ALG01", NOW.date())]
    if last is not None:
        closings.append(lambda: close_day(roles.ctx, roles.world.supervisor, "ALG01", last))
    for month in months:
        closings.append(
            lambda month=month: close_month(roles.ctx, roles.world.supervisor, "ALG01", 2026, month)
        )
    for closing in closings if last is not None else []:
        with contextlib.suppress(GuichetError):  # closed by the first call
            closing()


# How to call each service that takes an actor, so that it succeeds for the stated role.
CALLS: dict[str, Callable[[Roles, Actor], object]] = {
    "app.closing.closings.close_day": lambda r, a: (
        _days_closed_through(r, None),
        close_day(r.ctx, a, "ALG01", NOW.date()),
    ),
    "app.closing.closings.close_month": lambda r, a: (
        _days_closed_through(r, date(2026, 11, 30)),
        close_month(r.ctx, a, "ALG01", 2026, 11),
    ),
    "app.closing.closings.close_year": lambda r, a: (
        _days_closed_through(r, date(2026, 12, 31), 11, 12),
        close_year(r.ctx, a, "ALG01", 2026),
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
    "app.closing.tills.open_counted_till": lambda r, a: (
        close_cash_session(r.ctx, r.world.supervisor, WORKSTATION),
        open_counted_till(r.ctx, a, WORKSTATION, TILL_COUNT),
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
