"""What a compensation rule gives, from the charter's figures: pure arithmetic.

A rule never sees the database: the caller hands in the monthly fee of the
contract's offer, the downtime or the proof, and gets minor units back. The
figures are those of the commitment's ``rule`` (see db/models/charter.py):

- ``waive_first_month``: the first month's subscription, i.e. the monthly fee;
- ``days_credit``: ``days`` days of subscription per started period of
  ``per_hours`` hours of downtime beyond ``threshold_hours``, at most ``cap_days``
  days; a day of subscription is the monthly fee / 30 (the usual convention of
  telecom charters), rounded half up to the minor unit;
- ``refund_on_proof``: what the proof shows, at most ``cap_minor``;
- ``fixed_amount``: ``amount_minor``;
- ``none``: nothing (the breach is recorded for the operator's statistics).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from db.models import CompensationRuleKind

DAYS_PER_MONTH = 30
MINUTES_PER_HOUR = 60


class RuleHolder(Protocol):
    """A commitment as far as its rule goes (CharterCommitment or its view)."""

    @property
    def rule_kind(self) -> str: ...

    @property
    def rule(self) -> Any: ...


class RuleInputError(ValueError):
    """The rule needs a figure the caller did not give (a programming error)."""


def rule_figures(rule: object) -> Mapping[str, Any]:
    """The rule's figures, whether stored as JSON text (the model) or a mapping (a view)."""
    if isinstance(rule, str):
        rule = json.loads(rule or "{}")
    return rule if isinstance(rule, Mapping) else {}


def _figure(rule: Mapping[str, Any], name: str) -> int:
    value = rule.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RuleInputError(f"rule figure {name!r} missing or not a whole number >= 0")
    return value


def credited_days(rule: Mapping[str, Any], downtime_minutes: int) -> int:
    """Days of subscription a ``days_credit`` rule gives for this downtime (capped)."""
    per_minutes = _figure(rule, "per_hours") * MINUTES_PER_HOUR
    threshold_minutes = _figure(rule, "threshold_hours") * MINUTES_PER_HOUR
    excess = downtime_minutes - threshold_minutes
    if excess <= 0 or per_minutes == 0:
        return 0
    started_periods = -(-excess // per_minutes)  # ceiling: a started period counts
    return min(_figure(rule, "days") * started_periods, _figure(rule, "cap_days"))


def days_of_subscription(monthly_fee_minor: int, days: int) -> int:
    """``days`` days of a monthly fee, rounded half up to the minor unit."""
    return (2 * monthly_fee_minor * days + DAYS_PER_MONTH) // (2 * DAYS_PER_MONTH)


def compute_amount(
    commitment: RuleHolder,
    *,
    monthly_fee_minor: int,
    downtime_minutes: int | None = None,
    proof_minor: int | None = None,
) -> int:
    """The compensation in minor units the commitment's rule gives (never negative)."""
    kind = commitment.rule_kind
    rule = rule_figures(commitment.rule)
    if kind == CompensationRuleKind.WAIVE_FIRST_MONTH:
        return max(monthly_fee_minor, 0)
    if kind == CompensationRuleKind.DAYS_CREDIT:
        if downtime_minutes is None:
            raise RuleInputError("a days_credit rule needs the downtime")
        return days_of_subscription(
            max(monthly_fee_minor, 0), credited_days(rule, downtime_minutes)
        )
    if kind == CompensationRuleKind.REFUND_ON_PROOF:
        if proof_minor is None:
            raise RuleInputError("a refund_on_proof rule needs the proven amount")
        return max(min(proof_minor, _figure(rule, "cap_minor")), 0)
    if kind == CompensationRuleKind.FIXED_AMOUNT:
        return _figure(rule, "amount_minor")
    return 0
