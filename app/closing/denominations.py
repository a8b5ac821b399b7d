"""The notes and coins a till is counted in, per currency: data, not code.

They live in ``resources/denominations.json`` (largest first, values in the
currency's major unit as decimal strings), so a new note or a withdrawn coin is
a change of data. Each value is turned into the currency's minor units here and
refused if it has more decimals than the currency (a 0.005 EUR coin would be a
typo, a 0.005 TND coin is five millimes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from app.errors import ValidationError
from app.i18n import N_
from app.money import Currency, currency, from_minor, to_minor
from app.workstations import operator_settings
from db.engine import Database

DENOMINATIONS_FILE = (
    Path(__file__).resolve().parent.parent.parent / "resources" / "denominations.json"
)
KINDS = ("note", "coin")


@dataclass(frozen=True)
class Denomination:
    kind: str  # note | coin
    value_minor: int
    currency: str

    @property
    def key(self) -> str:
        """How a count names it: a 200 DA note and a 200 DA coin are counted apart."""
        return f"{self.kind}-{self.value_minor}"

    @property
    def value(self) -> Decimal:
        return from_minor(self.value_minor, currency(self.currency))


@dataclass(frozen=True)
class CurrencyCash:
    currency: str
    denominations: tuple[Denomination, ...]
    difference_threshold_minor: int

    def by_key(self) -> dict[str, Denomination]:
        return {d.key: d for d in self.denominations}


def _read(raw: dict[str, Any], cur: Currency) -> CurrencyCash:
    entries = raw.get("denominations")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{cur.code}: no denominations")
    found: list[Denomination] = []
    for entry in entries:
        kind = entry.get("kind")
        if kind not in KINDS:
            raise ValueError(f"{cur.code}: kind {kind!r} is neither note nor coin")
        value_minor = to_minor(str(entry.get("value")), cur, field="value")
        found.append(Denomination(kind, value_minor, cur.code))
    keys = [d.key for d in found]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{cur.code}: a denomination is listed twice")
    threshold = to_minor(str(raw.get("difference_threshold", "0")), cur, allow_zero=True)
    return CurrencyCash(cur.code, tuple(found), threshold)


@cache
def _all(path: Path = DENOMINATIONS_FILE) -> dict[str, CurrencyCash]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        code: _read(raw, currency(code)) for code, raw in data.items() if not code.startswith("_")
    }


def load_denominations(path: Path) -> dict[str, CurrencyCash]:
    """Every currency of a denominations file, checked (for tests and for a new file)."""
    return _all(path)


def cash_of(code: str) -> CurrencyCash:
    """The notes and coins of currency ``code``, largest first."""
    try:
        return _all()[code]
    except KeyError:
        raise ValidationError(
            N_("No notes and coins are known for {currency}."), field="currency", currency=code
        ) from None


def till_denominations(db: Database) -> tuple[Denomination, ...]:
    """The notes and coins a till of this operator is counted in, largest first.

    Only the denominations: the difference a review tolerates is not the counter's
    business. Lowest role: none (a read; what the count screens lay out).
    """
    with db.read() as session:
        return cash_of(operator_settings(session).currency).denominations
