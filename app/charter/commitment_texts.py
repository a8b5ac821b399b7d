"""A commitment in words, in the reader's language: its target, its rule, who decides.

`charter show` and the supervisor's charter view print the same sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.charter.charters import CommitmentView
from app.complaints.labels import CATEGORIES
from app.i18n import N_, current_language, gettext, join_list, ngettext
from app.labels import SERVICES
from app.money import currency, format_money
from db.models import CommitmentClock, CompensationRuleKind

RULE_NAMES = {
    CompensationRuleKind.WAIVE_FIRST_MONTH: N_("first month waived"),
    CompensationRuleKind.DAYS_CREDIT: N_("days of subscription credited"),
    CompensationRuleKind.REFUND_ON_PROOF: N_("refund on proof"),
    CompensationRuleKind.FIXED_AMOUNT: N_("fixed amount"),
    CompensationRuleKind.NONE: N_("no compensation"),
}


def _name(vocabulary: Mapping[Any, str], value: str, language: str | None) -> str:
    message = vocabulary.get(value)
    return gettext(message, language) if message else value


def services_words(view: CommitmentView, language: str | None = None) -> str:
    return join_list((_name(SERVICES, service, language) for service in view.services), language)


def categories_words(view: CommitmentView, language: str | None = None) -> str:
    return join_list(
        (_name(CATEGORIES, category, language) for category in view.categories), language
    )


def target_words(view: CommitmentView, language: str | None = None) -> str:
    """ "14 calendar days", "48 business hours", "3 minutes (real time)"."""
    n = view.target
    if view.clock == CommitmentClock.CALENDAR_DAYS:
        text = ngettext("{n} calendar day", "{n} calendar days", n, language)
    elif view.clock == CommitmentClock.BUSINESS_HOURS:
        text = ngettext(
            "{n} business hour (while the agency is open)",
            "{n} business hours (while the agency is open)",
            n,
            language,
        )
    else:
        text = ngettext("{n} minute (real time)", "{n} minutes (real time)", n, language)
    return text.format(n=n)


def clock_notes(view: CommitmentView, language: str | None = None) -> list[str]:
    """What stops the clock: waiting for the customer."""
    if view.pauses_when_waiting:
        return [gettext(N_("the clock pauses while waiting for the customer"), language)]
    return []


def complaint_words(view: CommitmentView, language: str | None = None) -> str:
    """The complaints it covers, and whether the customer brings a proof."""
    covered = categories_words(view, language)
    if not view.needs_proof:
        return covered
    return gettext(N_("{categories}; a proof is needed"), language).format(categories=covered)


def _money(minor: int, currency_code: str, language: str | None) -> str:
    return format_money(minor, currency(currency_code), language or current_language())


def rule_words(view: CommitmentView, currency_code: str, language: str | None = None) -> str:
    """The compensation rule as one sentence."""
    rule = view.rule
    kind = view.rule_kind
    if kind == CompensationRuleKind.WAIVE_FIRST_MONTH:
        return gettext(N_("The first month's subscription is not billed."), language)
    if kind == CompensationRuleKind.DAYS_CREDIT:
        days = ngettext(
            "{n} day of subscription", "{n} days of subscription", rule.get("days", 0), language
        ).format(n=rule.get("days", 0))
        per = ngettext(
            "every started hour", "every started {n} hours", rule.get("per_hours", 0), language
        ).format(n=rule.get("per_hours", 0))
        threshold = ngettext(
            "{n} hour", "{n} hours", rule.get("threshold_hours", 0), language
        ).format(n=rule.get("threshold_hours", 0))
        cap = ngettext("{n} day", "{n} days", rule.get("cap_days", 0), language).format(
            n=rule.get("cap_days", 0)
        )
        return gettext(
            N_("{days} credited for {per} of downtime beyond {threshold}, at most {cap}."),
            language,
        ).format(days=days, per=per, threshold=threshold, cap=cap)
    if kind == CompensationRuleKind.REFUND_ON_PROOF:
        return gettext(N_("Refunded on proof, up to {cap}."), language).format(
            cap=_money(rule.get("cap_minor", 0), currency_code, language)
        )
    if kind == CompensationRuleKind.FIXED_AMOUNT:
        return gettext(N_("A fixed amount of {amount}."), language).format(
            amount=_money(rule.get("amount_minor", 0), currency_code, language)
        )
    return gettext(
        N_("No compensation: a breach is recorded for the operator's statistics."), language
    )


def decision_words(view: CommitmentView, currency_code: str, language: str | None = None) -> str:
    """Who decides: automatic, automatic up to an amount, or a supervisor."""
    if view.rule_kind == CompensationRuleKind.NONE:
        return ""
    if not view.automatic:
        return gettext(N_("Given when a supervisor approves it."), language)
    if view.approval_above_minor is None:
        return gettext(N_("Given automatically."), language)
    return gettext(
        N_("Given automatically up to {amount}; above, a supervisor approves it."), language
    ).format(amount=_money(view.approval_above_minor, currency_code, language))


def compensation_words(
    view: CommitmentView, currency_code: str, language: str | None = None
) -> str:
    """The rule and who decides, in one line."""
    decision = decision_words(view, currency_code, language)
    rule = rule_words(view, currency_code, language)
    return f"{rule} {decision}" if decision else rule
