"""Subscribers (with their phones and search name), contracts, and contract status changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Row, Table, and_, delete, insert, or_, select

from app.i18n import N_
from app.imports import kinds
from app.imports.batch import Batch, FileInfo, Record
from app.imports.upsert import kept, present, rows_by, upsert
from app.lookup.normalize import search_name_for
from db.models import Contract, ContractStatus, Offer, PhoneKind, Subscriber, SubscriberPhone

SUBSCRIBERS = cast(Table, Subscriber.__table__)
PHONES = cast(Table, SubscriberPhone.__table__)
CONTRACTS = cast(Table, Contract.__table__)
OFFERS = cast(Table, Offer.__table__)

# The file's phone columns and the kind each one is stored as.
PHONE_COLUMNS = {"mobile": PhoneKind.MOBILE.value, "phone": PhoneKind.FIXED.value}
# The date a status change sets.
STATUS_DATES = {
    ContractStatus.ACTIVE.value: "activated_on",
    ContractStatus.SUSPENDED.value: "suspended_on",
    ContractStatus.TERMINATED.value: "terminated_on",
}


def apply_subscribers(batch: Batch, file: FileInfo, records: Sequence[Record]) -> None:
    phone_columns = [column for column in PHONE_COLUMNS if column in file.columns]
    live = [record for record in records if not record.refused]
    phones_before: dict[str, dict[str, set[str]]] = {}
    if phone_columns:
        phones_before = _phones_of(batch, [record.key for record in live])

    def wanted(record: Record, row: Row[Any] | None) -> dict[str, Any]:
        first = present(file, record, "first_name", row, "first_name")
        last = record.values["last_name"]
        name_ar = present(file, record, "name_ar", row, "name_ar")
        created_on = present(file, record, "created_on", row, "created_on")
        return {
            "account_number": record.key,
            "first_name": first or None,
            "last_name": last,
            "name_ar": name_ar or None,
            "search_name": search_name_for(first, last, name_ar),
            "address": present(file, record, "address", row, "address"),
            "city": present(file, record, "city", row, "city"),
            "postal_code": present(file, record, "postal_code", row, "postal_code"),
            "email": present(file, record, "email", row, "email"),
            "language": present(file, record, "language", row, "language"),
            "created_on": created_on
            or (row._mapping["created_on"] if row is not None else batch.today),
        }

    def phones_change(record: Record, _row: Row[Any] | None) -> bool:
        return bool(_phone_changes(record, phone_columns, phones_before.get(record.key, {})))

    upsert(
        batch,
        file,
        records,
        SUBSCRIBERS,
        "account_number",
        wanted,
        changed_extra=phones_change,
        creates=True,
    )
    if phone_columns:
        _write_phones(batch, [r for r in live if not r.refused], phone_columns, phones_before)


def _phones_of(batch: Batch, accounts: list[str]) -> dict[str, dict[str, set[str]]]:
    ids = rows_by(
        batch.connection,
        SUBSCRIBERS,
        SUBSCRIBERS.c.account_number,
        accounts,
        [SUBSCRIBERS.c.id, SUBSCRIBERS.c.account_number],
    )
    by_id = {row.id: account for account, row in ids.items()}
    phones: dict[str, dict[str, set[str]]] = {account: {} for account in ids}
    if not by_id:
        return phones
    statement = select(PHONES.c.subscriber_id, PHONES.c.number_e164, PHONES.c.kind).where(
        PHONES.c.subscriber_id.in_(list(by_id))
    )
    for subscriber_id, number, kind in batch.connection.execute(statement):
        phones[by_id[subscriber_id]].setdefault(kind, set()).add(number)
    return phones


def _phone_changes(
    record: Record, columns: list[str], before: dict[str, set[str]]
) -> dict[str, set[str]]:
    changes: dict[str, set[str]] = {}
    for column in columns:
        kind = PHONE_COLUMNS[column]
        number = record.values.get(column)
        wanted = {number} if number else set()
        if before.get(kind, set()) != wanted:
            changes[kind] = wanted
    return changes


def _write_phones(
    batch: Batch,
    records: list[Record],
    columns: list[str],
    before: dict[str, dict[str, set[str]]],
) -> None:
    changes = {
        record.key: change
        for record in records
        if (change := _phone_changes(record, columns, before.get(record.key, {})))
    }
    if not changes:
        return
    ids = rows_by(
        batch.connection,
        SUBSCRIBERS,
        SUBSCRIBERS.c.account_number,
        list(changes),
        [SUBSCRIBERS.c.id, SUBSCRIBERS.c.account_number],
    )
    stale = [
        and_(PHONES.c.subscriber_id == ids[account].id, PHONES.c.kind == kind)
        for account, change in changes.items()
        for kind in change
        if before.get(account, {}).get(kind)
    ]
    for start in range(0, len(stale), 200):
        batch.connection.execute(delete(PHONES).where(or_(*stale[start : start + 200])))
    rows = [
        {"subscriber_id": ids[account].id, "number_e164": number, "kind": kind}
        for account, change in changes.items()
        for kind, numbers in change.items()
        for number in sorted(numbers)
    ]
    if rows:
        batch.connection.execute(insert(PHONES), rows)


def apply_contracts(batch: Batch, file: FileInfo, records: Sequence[Record]) -> None:
    live = [record for record in records if not record.refused]
    connection = batch.connection
    subscribers = rows_by(
        connection,
        SUBSCRIBERS,
        SUBSCRIBERS.c.account_number,
        (r.values["account_number"] for r in live),
        [SUBSCRIBERS.c.id, SUBSCRIBERS.c.account_number],
    )
    offers = rows_by(
        connection,
        OFFERS,
        OFFERS.c.code,
        (r.values["offer_code"] for r in live),
        [OFFERS.c.id, OFFERS.c.code, OFFERS.c.service],
    )

    def wanted(record: Record, row: Row[Any] | None) -> dict[str, Any] | None:
        values = record.values
        subscriber = subscribers.get(values["account_number"])
        if subscriber is None:
            batch.missing(
                file, record, "account_number", kinds.SUBSCRIBERS, values["account_number"]
            )
        offer = offers.get(values["offer_code"])
        if offer is None:
            batch.missing(file, record, "offer_code", kinds.OFFERS, values["offer_code"])
        agency_id = present(file, record, "agency_code", None, "agency_id")
        if agency_id is not None:
            agency_id = batch.agencies.get(agency_id)
            if agency_id is None:
                batch.refuse(file, record, "agency_code", N_("no agency has this code"))
        elif row is not None and "agency_code" not in file.columns:
            agency_id = row._mapping["agency_id"]
        if subscriber is None or offer is None or record.refused:
            return None
        out = {
            "number": record.key,
            "subscriber_id": subscriber.id,
            "service": values.get("service") or offer.service,
            "line_e164": present(file, record, "line", row, "line_e164"),
            "meter_number": present(file, record, "meter_number", row, "meter_number"),
            "offer_id": offer.id,
            "status": values["status"],
            "requested_on": values["requested_on"],
            "confirmed_on": kept(file, record, "confirmed_on", row, "confirmed_on"),
            "activated_on": kept(file, record, "activated_on", row, "activated_on"),
            "suspended_on": kept(file, record, "suspended_on", row, "suspended_on"),
            "terminated_on": kept(file, record, "terminated_on", row, "terminated_on"),
            "agency_id": agency_id,
            "commune": present(file, record, "commune", row, "commune"),
            "exchange_code": present(file, record, "exchange_code", row, "exchange_code"),
        }
        if row is not None and status_date(out) < status_date(row._mapping):
            # The newest status wins, whichever file says it: a contract line repeating
            # "active" does not undo a later suspension sent as a status change.
            out["status"] = row._mapping["status"]
        return out

    upsert(batch, file, records, CONTRACTS, "number", wanted, creates=True)


def status_date(values: Any) -> date:
    """The day a contract took its present status (its request while pending)."""
    column = STATUS_DATES.get(values["status"])
    found = values[column] if column is not None else None
    return found or values["requested_on"]


def apply_status_changes(batch: Batch, file: FileInfo, records: Sequence[Record]) -> None:
    def wanted(record: Record, row: Row[Any] | None) -> dict[str, Any] | None:
        if row is None:
            batch.missing(file, record, "contract_number", kinds.CONTRACTS, record.key)
            return None
        status = record.values["status"]
        stored = row._mapping
        if stored["status"] == ContractStatus.TERMINATED.value and status != stored["status"]:
            batch.refuse(
                file,
                record,
                "status",
                N_("the contract is terminated: its status no longer changes"),
            )
            return None
        effective = record.values["effective_on"]
        current = status_date(stored)
        if effective < current:
            batch.refuse(
                file,
                record,
                "effective_on",
                N_("the contract's status changed later ({status} on {date})"),
                status=stored["status"],
                date=current.isoformat(),
            )
            return None
        values: dict[str, Any] = {"status": status}
        date_column = STATUS_DATES.get(status)
        if date_column is not None:
            values[date_column] = effective
        return values

    upsert(batch, file, records, CONTRACTS, "number", wanted)
