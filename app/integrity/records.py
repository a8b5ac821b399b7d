"""The signed content of each kind of record, rebuilt from the stored rows.

The same function builds the record when it is signed and when `verify` checks
it, so a changed column, tender or allocation shows up as a bad signature.
"""

from __future__ import annotations

import json
from typing import Any

from app.integrity.canonical import instant
from db.models import JOURNAL_CHAIN, JournalEvent, Payment


def journal_record(event: JournalEvent) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "at": instant(event.occurred_at),
        "actor": event.actor_login,
        "workstation": event.workstation,
        "subject": event.subject,
        "details": json.loads(event.details),
    }


def payment_record(payment: Payment, reconnected_contracts: list[str]) -> dict[str, Any]:
    return {
        "uid": payment.uid,
        "kind": str(payment.kind),
        "receipt": payment.receipt_no,
        "voids": payment.voids.receipt_no if payment.voids is not None else None,
        "account": payment.subscriber.account_number,
        "workstation": payment.series.code,
        "agent": payment.agent.login,
        "approved_by": payment.approved_by.login if payment.approved_by is not None else None,
        "reason": payment.reason,
        "at": instant(payment.created_at),
        "currency": payment.currency,
        "tendered": payment.tendered_minor,
        "change": payment.change_minor,
        "allocated": payment.allocated_minor,
        "topups": payment.topups_minor,
        "credit_used": payment.credit_used_minor,
        "credit_added": payment.credit_added_minor,
        "tenders": [
            {
                "kind": str(tender.kind),
                "amount": tender.amount_minor,
                "cheque": tender.cheque_number,
                "bank": tender.bank,
                "authorisation": tender.authorisation_code,
                "transfer": tender.transfer_reference,
            }
            for tender in sorted(payment.tenders, key=lambda t: t.position)
        ],
        "allocations": [
            {"invoice": allocation.invoice.number, "amount": allocation.amount_minor}
            for allocation in sorted(payment.allocations, key=lambda a: a.position)
        ],
        "topup_sales": [
            {
                "product": sale.product.code,
                "target": sale.target_number,
                "quantity": sale.quantity,
                "unit": sale.unit_minor,
                "amount": sale.amount_minor,
            }
            for sale in sorted(payment.topups, key=lambda s: s.position)
        ],
        "reconnections": sorted(reconnected_contracts),
    }


__all__ = ["JOURNAL_CHAIN", "journal_record", "payment_record"]
