"""Reading one cell: amounts, dates, phones, codes and names as the billing system writes them.

Each parser returns the stored value or raises :class:`ValueProblem` whose message
is a msgid naming the rule broken; the caller adds the file, line and column.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from app.errors import ValidationError
from app.i18n import N_
from app.lookup.normalize import phone_to_e164
from app.outages.records import parse_when


class ValueProblem(Exception):
    def __init__(self, rule: str, **params: Any) -> None:
        super().__init__(rule)
        self.rule = rule
        self.params = params


_AMOUNT = re.compile(r"^([+-]?)(\d{1,3}(?:([ .,\u00a0\u202f'])\d{3})*|\d+)(?:([.,])(\d+))?$")


_SIMPLE_AMOUNT = re.compile(r"(\d+)(?:[.,](\d{1,3}))?$")


# A billing cycle's bills share their dates and most of their amounts: the same few
# hundred texts come back millions of times, so their values are remembered.
@functools.lru_cache(maxsize=8192)
def parse_amount(text: str, digits: int) -> int:
    """``1 234,50``, ``1.234,50``, ``1,234.50`` or ``1234.5`` into minor units.

    ``digits`` is the currency's number of decimals (DZD 2, TND 3, EUR 2); more
    decimals than that is refused rather than rounded.
    """
    simple = _SIMPLE_AMOUNT.match(text)
    if simple is not None:  # "1234", "1234.5", "1234,50": most cells of a billing file
        units, fraction = simple.groups()
        fraction = fraction or ""
        if len(fraction) <= digits and not (len(fraction) == 3 and digits != 3):
            return int(units) * 10**digits + (int(fraction.ljust(digits, "0")) if digits else 0)
    cleaned = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    match = _AMOUNT.match(cleaned)
    if match is None:
        raise ValueProblem(N_("not an amount (write it as 1234.50 or 1 234,50)"))
    sign, whole, group, mark, fraction = match.groups()
    if group is not None and group == mark:
        # "1,234,56": the same mark cannot separate thousands and decimals.
        raise ValueProblem(N_("not an amount (write it as 1234.50 or 1 234,50)"))
    if mark is None and group in (",", ".") and whole.count(group) == 1 and digits == 3:
        # "1,234" in a three-decimal currency (TND) is a decimal comma, not thousands.
        whole, fraction = whole.split(group)[0], whole.split(group)[1]
    units = int(re.sub(r"\D", "", whole))
    fraction = fraction or ""
    if len(fraction) > digits:
        raise ValueProblem(N_("too many decimals: the currency has {digits}"), digits=digits)
    minor = units * 10**digits + (int(fraction.ljust(digits, "0")) if digits else 0)
    return -minor if sign == "-" else minor


_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})$"),
)


@functools.lru_cache(maxsize=8192)
def parse_date(text: str) -> date:
    """YYYY-MM-DD, DD/MM/YYYY, DD.MM.YYYY or DD-MM-YYYY (a time after it is ignored)."""
    cleaned = text.strip()
    if len(cleaned) == 10:
        try:
            if cleaned[4] == "-" and cleaned[7] == "-":
                return date.fromisoformat(cleaned)
            if (
                cleaned[2] in "/.-"
                and cleaned[5] == cleaned[2]
                and (cleaned[:2] + cleaned[3:5] + cleaned[6:]).isdigit()
            ):
                return date(int(cleaned[6:]), int(cleaned[3:5]), int(cleaned[:2]))
        except ValueError:
            pass
    if "T" in cleaned[:11] or " " in cleaned:
        cleaned = re.split(r"[T ]", cleaned, maxsplit=1)[0]
    for form in _DATE_FORMS:
        match = form.match(cleaned)
        if match is not None:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
    raise ValueProblem(N_("not a date (write it as YYYY-MM-DD or DD/MM/YYYY)"))


def parse_phone(text: str, country: str) -> str:
    """A phone number in the E.164 form the lookup searches by."""
    e164 = phone_to_e164(text, country)
    if e164 is None:
        raise ValueProblem(N_("not a phone number"))
    return e164


def parse_code(text: str, max_length: int) -> str:
    """An account, contract, invoice or product number, kept as the billing system
    writes it (the lookup finds ``ALG-0012`` typed as ``alg0012`` by itself)."""
    code = text.strip()
    if not code:
        raise ValueProblem(N_("empty"))
    if len(code) > max_length:
        raise ValueProblem(N_("longer than {limit} characters"), limit=max_length)
    if not code.isprintable() or " " in code:
        raise ValueProblem(N_("a code holds no blanks or control characters"))
    return code


def parse_text(text: str, max_length: int) -> str:
    """A name or an address, kept exactly as written (Arabic included), trimmed."""
    value = text.strip()
    if len(value) > max_length:
        raise ValueProblem(N_("longer than {limit} characters"), limit=max_length)
    return value


_TRUE = {"1", "yes", "true", "oui", "o", "y", "vrai", "نعم"}
_FALSE = {"0", "no", "false", "non", "n", "faux", "لا"}


def parse_flag(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueProblem(N_("not yes or no (write 1 or 0)"))


def parse_choice(text: str, choices: tuple[str, ...]) -> str:
    value = text.strip().lower().replace("-", "_").replace(" ", "_")
    if value not in choices:
        raise ValueProblem(N_("not one of {choices}"), choices=", ".join(choices))
    return value


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_moment(text: str, timezone: str) -> datetime:
    """A date and time: ``2026-11-20 08:30`` (or an ISO instant with its offset) as the
    outage screen takes it, or ``20/11/2026 08:30``; without an offset, in ``timezone``
    (the operator's)."""
    # The outage screen's reading first, so that a time reads the same typed or imported.
    try:
        return parse_when(text, timezone, "start")
    except ValidationError:
        pass
    day, _, clock = text.strip().partition(" ")
    match = _CLOCK.match(clock.strip())
    if match is not None:
        try:
            when = parse_date(day)
            hours, minutes, seconds = (int(part or 0) for part in match.groups())
            return datetime.combine(when, time(hours, minutes, seconds), ZoneInfo(timezone))
        except (ValueProblem, ValueError):
            pass
    raise ValueProblem(N_("not a date and time (write it as YYYY-MM-DD HH:MM)"))


def parse_places(text: str) -> tuple[str, ...]:
    """An outage's places, separated by ``|`` (blanks around each are dropped)."""
    places = tuple(part.strip() for part in text.split("|") if part.strip())
    if not places:
        raise ValueProblem(N_("empty"))
    return places
