"""The charter file: what it says, and every mistake with its line and what to do."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.charter.charter_file import CharterFileError, decode_source, read_charter
from app.demo.charter import CHARTERS_DIR

GOOD = """\
[charter]
title = "Charte 2027"
currency = "TND"
effective_from = 2027-01-01

[[commitment]]
code = "OUTAGE"
title_fr = "Panne"
title_ar = "عطل"
title_en = "Outage"
text_fr = "Texte."
text_ar = "نص."
text_en = "Text."
services = ["electricity", "gas"]
categories = ["no_service"]
clock = "real_time"
target_minutes = 240
compensation = { rule = "days_credit", days = 1, per_hours = 24, threshold_hours = 24, cap_days = 10 }
automatic = true
approval_above = "50,000"

[[commitment]]
code = "SWITCH"
title_fr = "Frais"
title_ar = "رسوم"
title_en = "Fees"
text_fr = "Texte."
text_ar = "نص."
text_en = "Text."
services = ["electricity"]
categories = ["switching_fees", "installation"]
clock = "business_hours"
target_hours = 48
pauses_when_waiting = true
needs_proof = true

[commitment.compensation]
rule = "refund_on_proof"
cap = 99.505
"""


def _problems(text: str, currency: str | None = "TND") -> list[str]:
    with pytest.raises(CharterFileError) as caught:
        read_charter(text, currency=currency, timezone="Africa/Tunis", file_name="c.toml")
    return caught.value.lines("en")


def test_a_good_file_reads_into_minutes_and_minor_units() -> None:
    spec = read_charter(GOOD, currency="TND", timezone="Africa/Tunis")
    assert spec.title == "Charte 2027"
    assert spec.currency == "TND"
    # A local date: midnight in the operator's time zone (UTC+1 in Tunisia).
    assert spec.effective_from == datetime(2026, 12, 31, 23, tzinfo=UTC)
    outage, switch = spec.commitments
    assert (outage.code, outage.line, outage.clock, outage.target_minutes) == (
        "OUTAGE",
        6,
        "real_time",
        240,
    )
    assert outage.rule == {"days": 1, "per_hours": 24, "threshold_hours": 24, "cap_days": 10}
    assert outage.approval_above_minor == 50_000  # 50,000 TND: three decimals
    assert outage.automatic and not outage.pauses_when_waiting
    assert outage.texts["ar"] == {"title": "عطل", "text": "نص."}
    assert switch.target_minutes == 48 * 60
    assert switch.rule_kind == "refund_on_proof"
    assert switch.rule == {"cap_minor": 99_505}  # a TOML float read exactly
    assert switch.categories == ("switching_fees", "installation")
    assert switch.pauses_when_waiting and switch.needs_proof and not switch.automatic
    assert switch.approval_above_minor is None


def test_an_instant_keeps_its_offset_and_no_date_is_left_to_the_loader() -> None:
    text = GOOD.replace("2027-01-01", "2027-01-01T08:00:00+02:00")
    spec = read_charter(text, currency="TND", timezone="Africa/Tunis")
    assert spec.effective_from == datetime(2027, 1, 1, 6, tzinfo=UTC)
    spec = read_charter(
        GOOD.replace("effective_from = 2027-01-01\n", ""), currency="TND", timezone="UTC"
    )
    assert spec.effective_from is None


BAD = """\
[charter]
title = "Charte"
currency = "TND"
colour = "blue"

[[commitment]]
code = "ACT"
title_fr = "Activation"
title_en = "Activation"
text_fr = "Texte."
text_ar = "نص."
text_en = ""
services = ["ftth", "fibre"]
categories = ["activation_late"]
clock = "calendar_days"
target_days = -3
compensation = { rule = "refund_on_proof", cap = "-5" }

[[commitment]]
code = "ACT"
title_fr = "Remboursement"
title_ar = "استرداد"
title_en = "Refund"
text_fr = "Texte."
text_ar = "نص."
text_en = "Text."
services = ["adsl"]
categories = ["switching_fees", "late"]
clock = "weekly"
compensation = { rule = "fixed_amount", amount = "12.3456" }
automatic = true
approval_above = "10"

[[commitment]]
code = "HOT"
title_fr = "Hotline"
title_ar = "خط"
title_en = "Hotline"
text_fr = "Texte."
text_ar = "نص."
text_en = "Text."
services = ["adsl"]
categories = ["hotline"]
clock = "real_time"
target_hours = 1
compensation = { rule = "gift", amount = 3 }
"""


def test_every_mistake_is_one_line_with_its_file_line_and_what_to_do() -> None:
    assert _problems(BAD) == [
        "c.toml, line 4: Unknown key colour in [charter]: the keys allowed are title, "
        "currency, effective_from.",
        "c.toml, line 6: title_ar is missing from [[commitment]]: add it.",
        "c.toml, line 12: text_en is empty: write its text.",
        "c.toml, line 13: Unknown service fibre: use one of fixed_line, adsl, ftth, lte, "
        "mobile, electricity, gas, water.",
        "c.toml, line 16: target_days must be a whole number of at least 1, not -3.",
        "c.toml, line 17: cap cannot be negative.",
        "c.toml, line 20: The code ACT is already used by the commitment on line 6: give "
        "each commitment its own code.",
        "c.toml, line 28: Unknown complaint category late: use one of no_service, "
        "slow_service, billing, bill_not_received, unjust_cutoff, activation_late, "
        "installation, hotline, switching_fees, other.",
        "c.toml, line 29: Unknown clock weekly: use one of calendar_days, business_hours, "
        "real_time.",
        "c.toml, line 30: amount has too many decimals: TND amounts have at most 3.",
        "c.toml, line 45: The real_time clock counts its target with target_minutes: write "
        "target_minutes instead of target_hours.",
        "c.toml, line 46: Unknown compensation rule gift: use one of waive_first_month, "
        "days_credit, refund_on_proof, fixed_amount, none.",
    ]


def test_euro_amounts_have_two_decimals_and_the_currency_is_the_operators() -> None:
    text = GOOD.replace('approval_above = "50,000"', 'approval_above = "50.001"')
    problems = _problems(text.replace('currency = "TND"', 'currency = "EUR"'), "EUR")
    assert problems == [
        "c.toml, line 20: approval_above has too many decimals: EUR amounts have at most 2.",
        "c.toml, line 39: cap has too many decimals: EUR amounts have at most 2.",
    ]
    assert _problems(GOOD, "DZD") == [
        'c.toml, line 3: The charter is in TND but the operator works in DZD: write currency = "DZD".'
    ]


def test_a_figure_missing_or_unknown_and_approval_without_automatic() -> None:
    text = GOOD.replace("threshold_hours = 24, cap_days = 10", "cap_days = 10, cap = 3").replace(
        "automatic = true\n", ""
    )
    assert _problems(text) == [
        "c.toml, line 18: The rule days_credit has no figure cap: its figures are days, "
        "per_hours, threshold_hours, cap_days.",
        "c.toml, line 18: The rule days_credit needs threshold_hours: add it to the compensation.",
        "c.toml, line 19: approval_above applies only to automatic compensation: remove it, "
        "or write automatic = true.",
    ]


def test_two_commitments_cannot_cover_the_same_complaint() -> None:
    text = GOOD.replace(
        'categories = ["switching_fees", "installation"]', 'categories = ["no_service"]'
    )
    assert _problems(text) == [
        "c.toml, line 31: SWITCH covers no_service for electricity, as OUTAGE (line 6) already "
        "does: a complaint must match one commitment only."
    ]


def test_a_toml_syntax_error_names_its_line_and_column() -> None:
    text = GOOD.replace('title_en = "Fees"', 'title_en = "Fees')
    assert _problems(text) == [
        "c.toml, line 26: The file is not valid TOML at column 17: a character is not allowed "
        "here. Correct it and load again."
    ]
    assert _problems("[charter]\ntitle = Charte\n") == [
        "c.toml, line 2: The file is not valid TOML at column 9: a value is not valid (a text "
        "needs quotes, a list brackets). Correct it and load again."
    ]


def test_an_empty_file_and_a_file_that_is_not_utf8() -> None:
    assert _problems("") == [
        "c.toml, line 1: The [charter] table is missing: start the file with [charter] and its "
        "title and currency.",
        "c.toml, line 1: The file has no [[commitment]]: add at least one.",
    ]
    with pytest.raises(CharterFileError) as caught:
        decode_source('[charter]\ntitle = "Caf\xe9"\n'.encode("latin-1"), "c.toml")
    assert caught.value.lines("en") == [
        "c.toml, line 2: This line is not UTF-8 text: save the file as UTF-8 and load it again."
    ]


@pytest.mark.parametrize(("profile", "currency"), [("dz", "DZD"), ("tn", "TND"), ("fr", "EUR")])
def test_the_demo_charters_read_cleanly(profile: str, currency: str) -> None:
    path: Path = CHARTERS_DIR / f"{profile}.toml"
    spec = read_charter(path.read_text("utf-8"), currency=currency, file_name=path.name)
    assert len(spec.commitments) >= 7
    for commitment in spec.commitments:
        for language in ("fr", "ar", "en"):
            assert commitment.texts[language]["title"]
            assert commitment.texts[language]["text"]


def test_the_documented_example_reads_cleanly() -> None:
    document = (Path(__file__).resolve().parent.parent / "docs" / "charter.md").read_text("utf-8")
    example = document.split("```toml\n", 1)[1].split("```", 1)[0]
    spec = read_charter(example, currency="EUR", timezone="Europe/Paris")
    assert [c.code for c in spec.commitments] == [
        "ACTIVATION",
        "HOTLINE",
        "OUTAGE",
        "SWITCHING",
        "UNJUST-CUTOFF",
    ]
    assert {c.rule_kind for c in spec.commitments} == {
        "waive_first_month",
        "none",
        "days_credit",
        "refund_on_proof",
        "fixed_amount",
    }
