"""Offers and prepaid products: the operator's catalogue, by code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Row, Table

from app.imports.batch import Batch, FileInfo, Record
from app.imports.upsert import present, upsert
from db.models import Offer, PrepaidProduct

OFFERS = cast(Table, Offer.__table__)
PRODUCTS = cast(Table, PrepaidProduct.__table__)


def apply_offers(batch: Batch, file: FileInfo, records: Sequence[Record]) -> None:
    def wanted(record: Record, row: Row[Any] | None) -> dict[str, Any]:
        return {
            "code": record.key,
            "name": record.values["name"],
            "name_ar": present(file, record, "name_ar", row, "name_ar"),
            "service": record.values["service"],
            "monthly_fee_minor": record.values["monthly_fee"],
        }

    upsert(batch, file, records, OFFERS, "code", wanted)


def apply_products(batch: Batch, file: FileInfo, records: Sequence[Record]) -> None:
    def wanted(record: Record, row: Row[Any] | None) -> dict[str, Any]:
        active = present(file, record, "active", row, "active", True)
        return {
            "code": record.key,
            "name": record.values["name"],
            "name_ar": present(file, record, "name_ar", row, "name_ar"),
            "service": record.values["service"],
            "face_value_minor": record.values["face_value"],
            "active": True if active is None else active,
        }

    upsert(batch, file, records, PRODUCTS, "code", wanted)
