"""The compensation notice: what the customer got under the charter, and why, on paper.

Printed on the counter's receipt printer (print job ``K-<claim id>``) or as a PDF,
in the customer's language: the commitment's title and customer-facing text as
the charter version of the claim words them, what the amount was computed from
(the downtime, the days credited, the days late, the proof), the amount, and
whether it is a credit on the account or waived on a bill. Laid out as a
:class:`~app.printing.slip.Slip`, so the printer, a PDF and the screen agree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from sqlalchemy import func, select

from app.auth import Actor, require_role
from app.compensation.queries import (
    CLAIM_STATUSES,
    COMPENSATION_SOURCES,
    ClaimLine,
    claim_line,
    commitment_part,
)
from app.context import AppContext
from app.documents.arabic import isolate
from app.errors import NotFoundError, ValidationError
from app.i18n import LANGUAGES, N_, babel_locale, gettext, is_right_to_left
from app.journal import record_action
from app.money import currency, format_money
from app.printing.pdf_render import PdfPaper, slip_pdf
from app.printing.queue import ClaimedJob, queue_job
from app.printing.receipt import COPY_MARK
from app.printing.slip import Align, Block, Mark, Pair, Rule, Slip, Text
from app.workstations import find_workstation, operator_settings
from db.engine import Database
from db.models import (
    Agency,
    CharterCommitment,
    ClaimStatus,
    CompensationClaim,
    CompensationKind,
    Contract,
    PrintJob,
    PrintJobKind,
    Role,
)

TITLE = N_("COMPENSATION NOTICE")
NOTICE_PRINTED = "compensation.notice_printed"
_REF_PREFIX = "K-"


def notice_ref(claim_id: int) -> str:
    """The print job's document reference of a claim's notice: ``K-<claim id>``."""
    return f"{_REF_PREFIX}{claim_id}"


def parse_notice_ref(ref: str) -> int:
    text = (ref or "").strip().upper()
    if text.startswith(_REF_PREFIX) and text[len(_REF_PREFIX) :].isdigit():
        return int(text[len(_REF_PREFIX) :])
    raise NotFoundError(N_("There is no compensation claim {claim}."), claim=ref)


@dataclass(frozen=True)
class NoticeDocument:
    """Everything the notice prints, read once; laid out per language by notice_slip."""

    claim: ClaimLine
    timezone: str
    operator_name: str
    operator_name_ar: str | None
    hotline: str | None
    agency_name: str | None
    agency_name_ar: str | None
    commitment_texts: Mapping[str, Mapping[str, str]]  # language -> {"title", "text"}
    language: str  # the customer's, else the operator's


def load_notice_document(db: Database, claim_id: int) -> NoticeDocument:
    """A claim's notice, read from the database (NotFoundError for an unknown claim).

    Lowest role: none (a read; no actor).
    """
    with db.read() as session:
        claim = claim_line(session, claim_id)
        settings = operator_settings(session)
        texts: Mapping[str, Any] = {}
        if claim.charter_id is not None:
            raw = session.scalar(
                select(CharterCommitment.texts).where(
                    CharterCommitment.charter_id == claim.charter_id,
                    CharterCommitment.code == claim.commitment_code,
                )
            )
            try:
                texts = json.loads(raw or "{}")
            except ValueError:
                texts = {}
        agency = session.scalars(
            select(Agency)
            .join(Contract, Contract.agency_id == Agency.id)
            .where(Contract.number == claim.contract_number)
        ).first()
        timezone = (agency.timezone if agency else None) or settings.timezone
        language = claim.subscriber_language or settings.default_language or "fr"
        return NoticeDocument(
            claim=claim,
            timezone=timezone,
            operator_name=settings.name,
            operator_name_ar=settings.name_ar,
            hotline=settings.hotline,
            agency_name=agency.name if agency else None,
            agency_name_ar=agency.name_ar if agency else None,
            commitment_texts=texts if isinstance(texts, dict) else {},
            language=language if language in LANGUAGES else "fr",
        )


def _duration(minutes: int, language: str) -> str:
    hours, rest = divmod(max(int(minutes), 0), 60)
    return gettext(N_("{hours} h {minutes:02d} min"), language).format(hours=hours, minutes=rest)


def basis_lines(
    basis: Mapping[str, Any], language: str, money: Any, day: Any
) -> list[tuple[str, str]]:
    """What the amount was computed from, as (label, value) pairs in ``language``."""
    _ = lambda message: gettext(message, language)  # noqa: E731 - a local shorthand
    lines: list[tuple[str, str]] = []
    if isinstance(basis.get("outage"), str):
        lines.append((_(N_("Outage")), basis["outage"]))
    if isinstance(basis.get("complaint"), str):
        lines.append((_(N_("Complaint")), basis["complaint"]))
    if isinstance(basis.get("downtime_minutes"), int):
        lines.append((_(N_("Service interrupted")), _duration(basis["downtime_minutes"], language)))
    if isinstance(basis.get("days"), int):
        lines.append((_(N_("Days of subscription credited")), str(basis["days"])))
    if isinstance(basis.get("confirmed_on"), str):
        lines.append((_(N_("Line confirmed on")), day(basis["confirmed_on"])))
    if isinstance(basis.get("due_on"), str):
        lines.append((_(N_("To be active by")), day(basis["due_on"])))
    if isinstance(basis.get("activated_on"), str):
        lines.append((_(N_("Activated on")), day(basis["activated_on"])))
    elif "activated_on" in basis:
        lines.append((_(N_("Activated on")), _(N_("not yet"))))
    if isinstance(basis.get("days_late"), int):
        lines.append((_(N_("Days late")), str(basis["days_late"])))
    if isinstance(basis.get("proof_minor"), int):
        lines.append((_(N_("Amount on the proof")), money(basis["proof_minor"])))
    if isinstance(basis.get("monthly_fee_minor"), int):
        lines.append((_(N_("Monthly subscription")), money(basis["monthly_fee_minor"])))
    return lines


def basis_text(claim: ClaimLine, language: str) -> str:
    """What a claim's amount was computed from, on one line (the approvals screen)."""
    locale = babel_locale(language)
    cur = currency(claim.currency)
    lines = basis_lines(
        claim.basis,
        language,
        lambda minor: format_money(int(minor), cur, locale),
        lambda value: format_date(
            date.fromisoformat(value) if isinstance(value, str) else value,
            "medium",
            locale=locale,
        ),
    )
    return "; ".join(f"{label}: {value}" for label, value in lines)


def notice_slip(document: NoticeDocument, language: str, copy_number: int = 0) -> Slip:
    """The notice in ``language``; ``copy_number`` n > 0 prints DUPLICATE n."""
    d, claim = document, document.claim

    def _(message: str, **params: object) -> str:
        text = gettext(message, language)
        return text.format(**{k: isolate(str(v)) for k, v in params.items()}) if params else text

    locale = babel_locale(language)
    zone = ZoneInfo(d.timezone)
    cur = currency(claim.currency)

    def money(minor: int) -> str:
        return format_money(int(minor), cur, locale)

    def day(value: str | date) -> str:
        parsed = date.fromisoformat(value) if isinstance(value, str) else value
        return format_date(parsed, "medium", locale=locale)

    def moment(value: datetime) -> str:
        local = value.astimezone(zone)
        return f"{day(local.date())} {format_time(local.time(), 'short', locale=locale)}"

    names = [d.operator_name, d.operator_name_ar]
    if language == "ar":
        names.reverse()
    blocks: list[Block] = [
        Text(name, Align.CENTER, bold=index == 0)
        for index, name in enumerate(n for n in names if n)
    ]
    agency = (d.agency_name_ar if language == "ar" else None) or d.agency_name
    if agency:
        blocks.append(Text(_("Agency {agency}", agency=agency), Align.CENTER))
    blocks.append(Rule(heavy=True))
    if copy_number:
        blocks.append(Mark(_(COPY_MARK, number=copy_number)))
    blocks += [
        Text(_(TITLE), Align.CENTER, bold=True),
        Text(notice_ref(claim.claim_id), Align.CENTER, bold=True, large=True),
        Rule(),
        Pair(_("Date"), moment(claim.created_at)),
        Pair(_("Account"), claim.account_number),
        Text(claim.subscriber_name),
        Pair(_("Contract"), claim.contract_number),
        Pair(_("Cause"), gettext(COMPENSATION_SOURCES.get(claim.source, claim.source), language)),
        Rule(),
    ]
    title = commitment_part(d.commitment_texts, "title", language) or claim.commitment_code
    text = commitment_part(d.commitment_texts, "text", language)
    blocks += [Text(_("Our commitment:"), bold=True), Text(title, bold=True)]
    if text:
        blocks.append(Text(text))
    lines = basis_lines(claim.basis, language, money, day)
    if lines:
        blocks += [Rule(), Text(_("How it was computed:"), bold=True)]
        blocks += [Pair(label, value) for label, value in lines]
    blocks.append(Rule())
    amount = money(claim.amount_minor)
    if claim.kind == CompensationKind.WAIVER:
        what = _(
            "{amount} waived on your bill {invoice}: you no longer owe it.",
            amount=amount,
            invoice=claim.invoice_number or "-",
        )
    else:
        what = _(
            "{amount} credited to your account: your next payments use it.",
            amount=amount,
        )
    blocks.append(Pair(_("Compensation"), amount, bold=True, large=True))
    if claim.status == ClaimStatus.APPLIED:
        blocks.append(Text(what, bold=True))
    elif claim.status == ClaimStatus.AWAITING_APPROVAL:
        blocks.append(
            Text(_("A supervisor must approve this compensation; we will tell you."), bold=True)
        )
    else:
        blocks.append(
            Pair(_("Status"), gettext(CLAIM_STATUSES.get(claim.status, claim.status), language))
        )
        if claim.decision_note:
            blocks.append(Text(claim.decision_note))
    blocks.append(Rule())
    if d.hotline:
        blocks.append(
            Text(
                _(
                    "Questions? Call {hotline} or come to any agency with the number {number}.",
                    hotline=d.hotline,
                    number=notice_ref(claim.claim_id),
                ),
                Align.CENTER,
            )
        )
    blocks.append(Text(_("Keep this notice."), Align.CENTER))
    return Slip(
        language=language,
        right_to_left=is_right_to_left(language),
        title=f"{_(TITLE)} {notice_ref(claim.claim_id)}",
        blocks=tuple(blocks),
        tags=frozenset({"copy"} if copy_number else set()),
    )


def notice_job_slip(ctx: AppContext, job: ClaimedJob) -> Slip:
    """The slip of a queued notice (document_ref ``K-<claim id>``).

    Lowest role: system (the print worker; no actor).
    """
    document = load_notice_document(ctx.db, parse_notice_ref(job.document_ref))
    return notice_slip(document, job.language, job.copy_number)


def _language(document: NoticeDocument, language: str | None) -> str:
    if language is None:
        return document.language
    if language not in LANGUAGES:
        raise ValidationError(
            N_("Unknown language {language}."), field="language", language=language
        )
    return language


def queue_compensation_notice(
    ctx: AppContext,
    actor: Actor,
    claim_id: int,
    *,
    workstation: str,
    language: str | None = None,
) -> int:
    """Print a claim's notice on this workstation's printer, in the customer's language
    unless another is asked (the second and later prints say DUPLICATE n); journalled.
    Returns the print job's id.

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    document = load_notice_document(ctx.db, claim_id)
    chosen = _language(document, language)
    ref = notice_ref(claim_id)
    with ctx.db.write() as session:
        station = find_workstation(session, workstation)
        # The claim's row is locked while its copies are counted: two counters
        # printing the same notice at the same instant get copy 0 and DUPLICATE 1,
        # never two originals (on SQLite the write transaction already serialises).
        session.execute(
            select(CompensationClaim.id).where(CompensationClaim.id == claim_id).with_for_update()
        )
        copies = int(
            session.scalar(
                select(func.count())
                .select_from(PrintJob)
                .where(
                    PrintJob.kind == PrintJobKind.COMPENSATION_NOTICE,
                    PrintJob.document_ref == ref,
                )
            )
            or 0
        )
        job = queue_job(
            session,
            kind=PrintJobKind.COMPENSATION_NOTICE,
            workstation=station,
            document_ref=ref,
            language=chosen,
            now=ctx.now(),
            copy_number=copies,
            created_by_id=actor.staff_id,
        )
        record_action(
            session,
            ctx,
            NOTICE_PRINTED,
            actor,
            workstation=workstation,
            subject=ref,
            details={"copy": copies, "language": chosen, "job": job.id},
        )
        return job.id


def notice_pdf(
    ctx: AppContext,
    actor: Actor,
    claim_id: int,
    *,
    language: str | None = None,
    paper: PdfPaper = PdfPaper.ROLL_80,
) -> bytes:
    """A claim's notice as a PDF (80 mm roll or A5), in the customer's language unless
    another is asked.

    Lowest role: agent.
    """
    require_role(actor, Role.AGENT)
    document = load_notice_document(ctx.db, claim_id)
    return slip_pdf(notice_slip(document, _language(document, language)), paper)
