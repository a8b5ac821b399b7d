"""The acknowledgment slip of a complaint, on the receipt printer, in the customer's language.

What the customer takes home: the complaint's number, what was recorded, the
commitment it is judged against and the date by which the operator must answer,
and how to follow it (the hotline, any agency, with the number). Laid out as a
:class:`~app.printing.slip.Slip`, so the printer, a PDF and the screen print the
same thing; Arabic is rendered as receipts are (the renderers shape it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from sqlalchemy import select

from app.complaints.labels import CATEGORIES, CHANNELS
from app.complaints.records import find_complaint, parse_slip_ref
from app.context import AppContext
from app.documents.arabic import isolate
from app.errors import NotFoundError
from app.i18n import N_, babel_locale, gettext, is_right_to_left
from app.printing.queue import ClaimedJob
from app.printing.receipt import COPY_MARK
from app.printing.slip import Align, Block, Mark, Pair, Rule, Slip, Text
from app.workstations import operator_settings
from db.engine import Database
from db.models import Agency, CharterCommitment, Complaint, Contract, Subscriber

TITLE = N_("COMPLAINT ACKNOWLEDGMENT")
DESCRIPTION_PRINTED = 400  # characters of the description on paper; the rest is on file


@dataclass(frozen=True)
class ComplaintDocument:
    """Everything the slip prints, read once; laid out per language by complaint_slip."""

    number: str
    opened_at: datetime
    timezone: str
    operator_name: str
    operator_name_ar: str | None
    hotline: str | None
    agency_name: str
    agency_name_ar: str | None
    account_number: str
    subscriber_name: str
    subscriber_name_ar: str | None
    contract_number: str | None
    category: str
    channel: str
    description: str
    proof_reference: str | None
    commitment_titles: dict[str, str]  # language -> title; empty: no commitment
    due_at: datetime | None
    paused: bool


def load_complaint_document(
    db: Database, *, number: str | None = None, complaint_id: int | None = None
) -> ComplaintDocument:
    """A complaint as its slip prints it.

    Lowest role: none (a read; no actor).
    """
    with db.read() as session:
        complaint = (
            session.get(Complaint, complaint_id)
            if complaint_id is not None
            else find_complaint(session, number or "")
        )
        if complaint is None:
            raise NotFoundError(
                N_("Unknown complaint {number}."), field="complaint", number=str(complaint_id)
            )
        settings = operator_settings(session)
        agency = session.get(Agency, complaint.agency_id)
        subscriber = session.get(Subscriber, complaint.subscriber_id)
        contract = session.get(Contract, complaint.contract_id) if complaint.contract_id else None
        titles: dict[str, str] = {}
        if complaint.charter_id is not None and complaint.commitment_code:
            texts = session.scalar(
                select(CharterCommitment.texts).where(
                    CharterCommitment.charter_id == complaint.charter_id,
                    CharterCommitment.code == complaint.commitment_code,
                )
            )
            for language, parts in json.loads(texts or "{}").items():
                if parts.get("title"):
                    titles[language] = parts["title"]
            titles.setdefault("", complaint.commitment_code)
        assert agency is not None and subscriber is not None
        return ComplaintDocument(
            number=complaint.number,
            opened_at=complaint.opened_at,
            timezone=agency.timezone or settings.timezone,
            operator_name=settings.name,
            operator_name_ar=settings.name_ar,
            hotline=settings.hotline,
            agency_name=agency.name,
            agency_name_ar=agency.name_ar,
            account_number=subscriber.account_number,
            subscriber_name=subscriber.display_name,
            subscriber_name_ar=subscriber.name_ar,
            contract_number=contract.number if contract else None,
            category=complaint.category,
            channel=complaint.channel,
            description=complaint.description,
            proof_reference=complaint.proof_reference,
            commitment_titles=titles,
            due_at=complaint.due_at,
            paused=complaint.running_since is None and complaint.due_at is None,
        )


def complaint_slip(document: ComplaintDocument, language: str, copy_number: int = 0) -> Slip:
    """The slip in ``language``; ``copy_number`` n > 0 prints DUPLICATE n."""
    d = document

    def _(message: str, **params: object) -> str:
        text = gettext(message, language)
        return text.format(**{k: isolate(str(v)) for k, v in params.items()}) if params else text

    locale = babel_locale(language)
    zone = ZoneInfo(d.timezone)

    def moment(value: datetime) -> str:
        """The day as a reader writes it and the time to the minute."""
        local = value.astimezone(zone)
        return (
            f"{format_date(local.date(), 'medium', locale=locale)} "
            f"{format_time(local.time(), 'short', locale=locale)}"
        )

    names = [d.operator_name, d.operator_name_ar]
    if language == "ar":
        names.reverse()
    blocks: list[Block] = [
        Text(name, Align.CENTER, bold=index == 0)
        for index, name in enumerate(n for n in names if n)
    ]
    agency = (d.agency_name_ar if language == "ar" else None) or d.agency_name
    blocks += [Text(_("Agency {agency}", agency=agency), Align.CENTER), Rule(heavy=True)]
    if copy_number:
        blocks.append(Mark(_(COPY_MARK, number=copy_number)))
    blocks += [
        Text(_(TITLE), Align.CENTER, bold=True),
        Text(d.number, Align.CENTER, bold=True, large=True),
        Rule(),
        Pair(_("Date"), moment(d.opened_at)),
        Pair(_("Account"), d.account_number),
        Text((d.subscriber_name_ar if language == "ar" else None) or d.subscriber_name),
    ]
    if d.contract_number:
        blocks.append(Pair(_("Contract"), d.contract_number))
    blocks += [
        Pair(_("Category"), gettext(CATEGORIES.get(d.category, d.category), language)),
        Pair(_("Received at"), gettext(CHANNELS.get(d.channel, d.channel), language)),
    ]
    if d.proof_reference:
        blocks.append(Pair(_("Proof"), d.proof_reference))
    description = d.description
    if len(description) > DESCRIPTION_PRINTED:
        description = description[: DESCRIPTION_PRINTED - 1].rstrip() + "…"
    blocks += [Text(_("What you told us:"), bold=True), Text(description), Rule()]
    if d.commitment_titles:
        title = (
            d.commitment_titles.get(language)
            or d.commitment_titles.get("fr")
            or next(iter(d.commitment_titles.values()))
        )
        blocks += [Text(_("Our commitment:"), bold=True), Text(title)]
        if d.due_at is not None:
            blocks.append(Text(_("We must answer by {date}.", date=moment(d.due_at)), bold=True))
        elif d.paused:
            blocks.append(Text(_("The deadline is suspended while we wait for you.")))
    else:
        blocks.append(Text(_("We will answer as soon as possible.")))
    blocks.append(Rule())
    if d.hotline:
        blocks.append(
            Text(
                _(
                    "To follow your complaint, call {hotline} or come to any agency with "
                    "its number {number}.",
                    hotline=d.hotline,
                    number=d.number,
                ),
                Align.CENTER,
            )
        )
    else:
        blocks.append(
            Text(
                _(
                    "To follow your complaint, come to any agency with its number {number}.",
                    number=d.number,
                ),
                Align.CENTER,
            )
        )
    blocks.append(Text(_("Keep this slip."), Align.CENTER))
    return Slip(
        language=language,
        right_to_left=is_right_to_left(language),
        title=f"{_(TITLE)} {d.number}",
        blocks=tuple(blocks),
        tags=frozenset({"copy"} if copy_number else set()),
    )


def complaint_job_slip(ctx: AppContext, job: ClaimedJob) -> Slip:
    """The slip of a queued acknowledgment (document_ref ``C-<complaint id>``).

    Lowest role: system (the print worker; no actor).
    """
    document = load_complaint_document(ctx.db, complaint_id=parse_slip_ref(job.document_ref))
    return complaint_slip(document, job.language, job.copy_number)
