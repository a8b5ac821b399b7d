"""The notes and coins of each currency are data, and the data must be sound."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.closing.denominations import DENOMINATIONS_FILE, cash_of, load_denominations
from app.errors import ValidationError
from app.money import CURRENCIES, currency


@pytest.mark.parametrize("code", sorted(CURRENCIES))
def test_each_currency_counts_in_valid_denominations(code: str) -> None:
    cur = currency(code)
    cash = cash_of(code)
    values = [(d.kind, d.value_minor) for d in cash.denominations]
    assert len(set(values)) == len(values)
    for denomination in cash.denominations:
        assert denomination.kind in ("note", "coin")
        assert denomination.value_minor > 0
        # Whole minor units: the Decimal value has no more decimals than the currency.
        assert denomination.value == denomination.value.quantize(cur.quantum)
        assert denomination.value_minor == int(denomination.value * cur.factor)
    notes = [d.value_minor for d in cash.denominations if d.kind == "note"]
    coins = [d.value_minor for d in cash.denominations if d.kind == "coin"]
    assert notes and coins
    assert notes == sorted(notes, reverse=True) and coins == sorted(coins, reverse=True)
    assert cash.difference_threshold_minor > 0


def test_the_currencies_of_each_country_are_there_with_their_smallest_coin() -> None:
    smallest = {
        code: min(d.value_minor for d in cash_of(code).denominations) for code in CURRENCIES
    }
    # 5 millimes, 1 centime, 50 centimes of a dinar
    assert smallest == {"TND": 5, "EUR": 1, "DZD": 50}
    assert {d.key for d in cash_of("DZD").denominations} >= {"note-20000", "coin-20000"}
    assert cash_of("TND").difference_threshold_minor == 5000


def test_a_denomination_finer_than_its_currency_is_refused(tmp_path: Path) -> None:
    data = json.loads(DENOMINATIONS_FILE.read_text(encoding="utf-8"))
    data["EUR"]["denominations"].append({"value": "0.005", "kind": "coin"})
    broken = tmp_path / "denominations.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError, match="at most 2 decimals"):
        load_denominations(broken)


def test_an_unknown_currency_says_so() -> None:
    with pytest.raises(ValidationError, match="No notes and coins are known for XOF"):
        cash_of("XOF")
