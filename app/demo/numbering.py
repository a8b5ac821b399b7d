"""Identifiers that must be unique: account, line and meter numbers.

Drawing them at random would need a set of every number already given (memory
for a million subscribers) and would still insert them in random order. Instead:

- account numbers grow by a small random step, so they look irregular but are
  unique and ascending, and so are the invoice barcodes that start with them:
  the unique indexes are then filled at their right edge, which keeps a
  million-row insert fast;
- line and meter numbers are an affine permutation of a counter
  (``k * a + b mod 10**digits`` with ``a`` prime to 10), unique without
  bookkeeping and scattered over the whole range.
"""

from __future__ import annotations

import math
import random


class AccountNumbers:
    """Ascending, unique, fixed-width account numbers."""

    def __init__(self, base: int, width: int, rng: random.Random) -> None:
        self._value = base
        self._width = width
        self._random = rng.random

    def next(self) -> str:
        self._value += 1 + int(self._random() * 9)
        text = str(self._value)
        if len(text) > self._width:
            raise OverflowError("account numbers exhausted; widen the profile's range")
        return text


class Scatter:
    """Unique numbers of ``digits`` digits, in a scattered order."""

    def __init__(self, digits: int, rng: random.Random) -> None:
        self._modulus = 10**digits
        multiplier = rng.randrange(self._modulus // 3, self._modulus - 1) | 1
        while math.gcd(multiplier, self._modulus) != 1:
            multiplier += 2
        self._multiplier = multiplier
        self._offset = rng.randrange(self._modulus)
        self._digits = digits
        self._count = 0

    def next(self) -> str:
        if self._count >= self._modulus:
            raise OverflowError("number range exhausted")
        value = (self._count * self._multiplier + self._offset) % self._modulus
        self._count += 1
        return str(value).zfill(self._digits)


class ScatterByPrefix:
    """One :class:`Scatter` per prefix, created on first use, e.g. per area code."""

    def __init__(self, rng: random.Random) -> None:
        # Seeded from the parent stream once, so that creating a range later
        # (on first use) does not shift the parent's draws.
        self._seed = rng.randrange(2**32)
        self._ranges: dict[str, Scatter] = {}

    def next(self, prefix: str, digits: int) -> str:
        """``prefix`` followed by ``digits`` digits, never twice the same."""
        scatter = self._ranges.get(prefix)
        if scatter is None:
            scatter = Scatter(digits, random.Random(f"{self._seed}-{prefix}"))
            self._ranges[prefix] = scatter
        return prefix + scatter.next()
