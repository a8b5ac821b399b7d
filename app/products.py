"""Prepaid products on sale at the counter."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.money import currency, from_minor
from app.workstations import operator_settings
from db.engine import Database
from db.models import PrepaidProduct


@dataclass(frozen=True)
class ProductInfo:
    code: str
    name: str
    name_ar: str | None
    service: str
    face_value: Decimal


def products_on_sale(db: Database) -> list[ProductInfo]:
    """The prepaid top-ups the counter sells.

    Lowest role: none (a read; no actor).
    """
    with db.read() as session:
        cur = currency(operator_settings(session).currency)
        return [
            ProductInfo(
                p.code, p.name, p.name_ar, str(p.service), from_minor(p.face_value_minor, cur)
            )
            for p in session.scalars(
                select(PrepaidProduct)
                .where(PrepaidProduct.active.is_(True))
                .order_by(PrepaidProduct.service, PrepaidProduct.face_value_minor)
            )
        ]
