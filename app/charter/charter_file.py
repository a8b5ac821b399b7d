"""The charter file: a TOML document an administrator writes and loads (docs/charter.md).

```toml
[charter]
title = "Charte d'engagements 2027"
currency = "EUR"                     # must be the operator's
effective_from = 2027-01-01          # optional: a local date or date-time, or an instant

[[commitment]]
code = "ACTIVATION"
title_fr = "..."  # and title_ar, title_en, text_fr, text_ar, text_en
services = ["ftth", "adsl"]
categories = ["activation_late"]
clock = "calendar_days"              # calendar_days | business_hours | real_time
target_days = 14                     # target_hours (business hours), target_minutes (real time)
pauses_when_waiting = false
needs_proof = false
compensation = { rule = "waive_first_month" }
automatic = true
approval_above = "50.00"             # optional, in the currency's major units
```

Reading never stops at the first mistake: every problem is collected with the line
of the file it is on (tomllib's own position for a syntax error; for a wrong value,
the line of its key inside the right ``[[commitment]]`` block, found by scanning the
source) and a translatable message saying what to do. No Qt, no database here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.errors import ValidationError
from app.i18n import N_, gettext
from app.money import CURRENCIES, Currency
from db.models import CommitmentClock, CompensationRuleKind, ServiceType
from db.models.complaints import ComplaintCategory

LANGUAGES = ("fr", "ar", "en")
CLOCKS = (
    CommitmentClock.CALENDAR_DAYS,
    CommitmentClock.BUSINESS_HOURS,
    CommitmentClock.REAL_TIME,
)
RULES = (
    CompensationRuleKind.WAIVE_FIRST_MONTH,
    CompensationRuleKind.DAYS_CREDIT,
    CompensationRuleKind.REFUND_ON_PROOF,
    CompensationRuleKind.FIXED_AMOUNT,
    CompensationRuleKind.NONE,
)
SERVICES = tuple(str(service) for service in ServiceType)
CATEGORIES = tuple(ComplaintCategory.ALL)

# The key a clock's target is written with, and the minutes in one of its units.
TARGET_KEYS: dict[str, tuple[str, int]] = {
    CommitmentClock.CALENDAR_DAYS: ("target_days", 1440),
    CommitmentClock.BUSINESS_HOURS: ("target_hours", 60),
    CommitmentClock.REAL_TIME: ("target_minutes", 1),
}
_ALL_TARGET_KEYS = tuple(key for key, _unit in TARGET_KEYS.values())

# A rule's figures as the file writes them: (key, kind, minimum) where kind is
# "int" (a whole number) or "amount" (major units, stored as minor units under the
# name in RULE_STORED_AS).
RULE_FIGURES: dict[str, tuple[tuple[str, str, int], ...]] = {
    CompensationRuleKind.WAIVE_FIRST_MONTH: (),
    CompensationRuleKind.DAYS_CREDIT: (
        ("days", "int", 1),
        ("per_hours", "int", 1),
        ("threshold_hours", "int", 0),
        ("cap_days", "int", 0),
    ),
    CompensationRuleKind.REFUND_ON_PROOF: (("cap", "amount", 0),),
    CompensationRuleKind.FIXED_AMOUNT: (("amount", "amount", 0),),
    CompensationRuleKind.NONE: (),
}
RULE_STORED_AS = {"cap": "cap_minor", "amount": "amount_minor"}

CHARTER_KEYS = ("title", "currency", "effective_from")
COMMITMENT_KEYS = (
    "code",
    *(f"{part}_{language}" for part in ("title", "text") for language in LANGUAGES),
    "services",
    "categories",
    "clock",
    *_ALL_TARGET_KEYS,
    "pauses_when_waiting",
    "needs_proof",
    "compensation",
    "automatic",
    "approval_above",
)
_REQUIRED_COMMITMENT_KEYS = (
    "code",
    *(f"{part}_{language}" for part in ("title", "text") for language in LANGUAGES),
    "services",
    "categories",
    "clock",
    "compensation",
)
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
TITLE_MAX = 200  # the charters.title column; a commitment's title as short
TEXT_MAX = 2000


@dataclass(frozen=True)
class CharterProblem:
    """One mistake of the file: its line and what to do, as a msgid and its values."""

    line: int
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, language: str | None = None) -> str:
        """The problem alone, translated ("target_days must be a whole number...")."""
        return gettext(self.message, language).format(**self.params)

    def line_text(self, file_name: str, language: str | None = None) -> str:
        """One line naming the file and its line: ``dz.toml, line 12: ...``."""
        return gettext(N_("{file}, line {line}: {problem}"), language).format(
            file=file_name, line=self.line, problem=" ".join(self.text(language).split())
        )


class CharterFileError(ValidationError):
    """The file has mistakes; each is one translated line, in the order of the file."""

    def __init__(self, problems: Iterable[CharterProblem], file_name: str) -> None:
        self.problems = tuple(sorted(problems, key=lambda problem: problem.line))
        self.file_name = file_name
        super().__init__(
            N_("The charter file {file} has {count} problem(s)."),
            field="file",
            file=file_name,
            count=len(self.problems),
        )

    def lines(self, language: str | None = None) -> list[str]:
        return [problem.line_text(self.file_name, language) for problem in self.problems]

    def translated(self, language: str | None = None) -> str:
        return "\n".join(self.lines(language))


@dataclass(frozen=True)
class CommitmentSpec:
    """A commitment as the file describes it, checked, amounts in minor units."""

    line: int
    code: str
    texts: Mapping[str, Mapping[str, str]]
    services: tuple[str, ...]
    categories: tuple[str, ...]
    clock: str
    target_minutes: int
    pauses_when_waiting: bool
    needs_proof: bool
    rule_kind: str
    rule: Mapping[str, int]
    automatic: bool
    approval_above_minor: int | None


@dataclass(frozen=True)
class CharterSpec:
    title: str
    currency: str
    # None: the file leaves it to the loader (the command's --effective-from, or now).
    effective_from: datetime | None
    commitments: tuple[CommitmentSpec, ...]
    effective_from_line: int = 1


# ---------------------------------------------------------------------------
# Where a key is in the source


_HEADER = re.compile(r"^\s*\[\s*(\[)?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\s*(\])?\s*(#.*)?$")


@dataclass(frozen=True)
class _Block:
    start: int  # the header's line (1-based); 1 for the top of the file
    end: int  # the last line of the block


class _Source:
    """The file's lines cut into blocks: the top, ``[charter]`` and each ``[[commitment]]``.

    Sub-tables of a commitment (``[commitment.compensation]``) stay in its block.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines() or [""]
        self.top = _Block(1, len(self.lines))
        self.charter: _Block | None = None
        self.commitments: list[_Block] = []
        self.other_tables: list[tuple[int, str]] = []
        starts: list[tuple[int, str]] = []
        in_multiline = False
        for number, line in enumerate(self.lines, start=1):
            # A header inside a multi-line string is text, not a header.
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = not in_multiline
                continue
            if in_multiline:
                continue
            found = _HEADER.match(line)
            if found is None:
                continue
            name = found.group(2).strip().strip("\"'")
            array = bool(found.group(1))
            if array and name == "commitment":
                starts.append((number, "commitment"))
            elif not array and name == "charter":
                starts.append((number, "charter"))
            elif name.startswith("commitment."):
                continue  # a sub-table of the current commitment
            else:
                starts.append((number, "other"))
                self.other_tables.append((number, name))
        if starts:
            self.top = _Block(1, starts[0][0] - 1)
        for index, (number, kind) in enumerate(starts):
            end = starts[index + 1][0] - 1 if index + 1 < len(starts) else len(self.lines)
            block = _Block(number, end)
            if kind == "commitment":
                self.commitments.append(block)
            elif kind == "charter" and self.charter is None:
                self.charter = block

    def key_line(self, block: _Block, key: str, *, nested: bool = False) -> int:
        """The line of ``key = ...`` in ``block`` (``nested``: also inside an inline
        table, ``{ rule = ... }``); the block's header when it is not written."""
        name = rf"(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"
        at_start = re.compile(rf"^\s*{name}\s*=")
        inside = re.compile(rf"[{{,]\s*{name}\s*=")
        for number in range(block.start, block.end + 1):
            line = self.lines[number - 1]
            if at_start.search(line) or (nested and inside.search(line)):
                return number
        return block.start

    def value_line(self, block: _Block, key: str, value: str) -> int:
        """The line of ``value`` (a quoted text) at or after ``key``'s: an item of a
        list written over several lines."""
        start = self.key_line(block, key)
        quoted = re.compile(rf"[\"']{re.escape(value)}[\"']")
        for number in range(start, block.end + 1):
            if quoted.search(self.lines[number - 1]):
                return number
        return start


# ---------------------------------------------------------------------------
# Reading


_TOML_REASONS = {
    "Invalid value": N_("a value is not valid (a text needs quotes, a list brackets)"),
    "Invalid statement": N_("this line is neither key = value nor a [table] header"),
    "Expected '=' after a key in a key/value pair": N_("a key needs '=' and a value after it"),
    "Unclosed array": N_("a list is not closed with ']'"),
    "Unterminated string": N_("a text is not closed with its quote"),
    "Illegal character": N_("a character is not allowed here"),
    "Invalid initial character for a key part": N_("a key starts with a character not allowed"),
    "Expected newline or end of document after a statement": N_(
        "something follows a value on the same line"
    ),
}
_TOML_POSITION = re.compile(
    r"^(?P<reason>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$"
)


def _syntax_problem(error: tomllib.TOMLDecodeError, text: str) -> CharterProblem:
    message = str(error)
    found = _TOML_POSITION.match(message)
    reason = found.group("reason") if found else message
    if found and found.group("line"):
        line, column = int(found.group("line")), int(found.group("column"))
    else:
        line, column = max(1, len(text.splitlines())), 1
    explained = _TOML_REASONS.get(reason)
    if explained is None:
        explained = next(
            (text for known, text in _TOML_REASONS.items() if reason.startswith(known)), None
        )
    return CharterProblem(
        line,
        N_("The file is not valid TOML at column {column}: {reason}. Correct it and load again."),
        {"column": column, "reason": _Deferred(explained) if explained else reason},
    )


class _Deferred:
    """A msgid used as a message's value, translated when the message is."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return gettext(self.message)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Deferred) and other.message == self.message

    def __hash__(self) -> int:
        return hash(self.message)


def decode_source(data: bytes, file_name: str) -> str:
    """The file's bytes as text: UTF-8 (a BOM is allowed), else the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CharterFileError(
            [
                CharterProblem(
                    line,
                    N_("This line is not UTF-8 text: save the file as UTF-8 and load it again."),
                )
            ],
            file_name,
        ) from None


def read_source(path: Path | str) -> str:
    """The text of a charter file, or one translated line when it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValidationError(
            N_("Cannot read the charter file {file}: {reason}."),
            field="file",
            file=str(path),
            reason=error.strerror or str(error),
        ) from None
    return decode_source(data, path.name)


def read_charter(
    text: str,
    *,
    currency: str | None = None,
    timezone: str = "UTC",
    file_name: str = "charter.toml",
) -> CharterSpec:
    """Check a charter file's text and return what it says; raise CharterFileError
    with every problem found. ``currency`` is the operator's (the file must say the
    same); ``timezone`` the operator's, for an ``effective_from`` without an offset."""
    try:
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise CharterFileError([_syntax_problem(error, text)], file_name) from None
    reader = _Reader(_Source(text), currency, timezone)
    spec = reader.read(document)
    if reader.problems or spec is None:
        raise CharterFileError(reader.problems, file_name)
    return spec


class _Reader:
    def __init__(self, source: _Source, currency: str | None, timezone: str) -> None:
        self.source = source
        self.operator_currency = currency
        self.zone = ZoneInfo(timezone)
        self.problems: list[CharterProblem] = []
        self.currency: Currency | None = None
        self.codes: list[tuple[str, _Block]] = []  # every well-formed code, in file order

    def problem(self, line: int, message: str, **params: Any) -> None:
        self.problems.append(CharterProblem(line, message, params))

    # -- the whole document

    def read(self, document: Mapping[str, Any]) -> CharterSpec | None:
        source = self.source
        for key in document:
            if key not in ("charter", "commitment"):
                line = next(
                    (number for number, name in source.other_tables if name == key),
                    source.key_line(source.top, key),
                )
                self.problem(
                    line,
                    N_(
                        "Unknown key {key}: the file has a [charter] table and [[commitment]] tables."
                    ),
                    key=key,
                )
        charter = document.get("charter")
        title, effective_from, effective_line = "", None, 1
        if not isinstance(charter, Mapping):
            self.problem(
                1 if charter is None else source.key_line(source.top, "charter"),
                N_(
                    "The [charter] table is missing: start the file with [charter] and its title and currency."
                ),
            )
        else:
            title, effective_from, effective_line = self._charter(charter)
        commitments = document.get("commitment")
        specs: list[CommitmentSpec] = []
        if not isinstance(commitments, list) or not commitments:
            self.problem(
                max(1, len(source.lines)),
                N_("The file has no [[commitment]]: add at least one."),
            )
        else:
            for index, entry in enumerate(commitments):
                block = (
                    source.commitments[index]
                    if index < len(source.commitments)
                    else _Block(1, len(source.lines))
                )
                spec = self._commitment(entry, block)
                if spec is not None:
                    specs.append(spec)
            self._check_together(specs)
        if self.problems or self.currency is None:
            return None
        return CharterSpec(
            title=title,
            currency=self.currency.code,
            effective_from=effective_from,
            commitments=tuple(specs),
            effective_from_line=effective_line,
        )

    def _charter(self, table: Mapping[str, Any]) -> tuple[str, datetime | None, int]:
        block = self.source.charter or self.source.top
        self._unknown_keys(table, CHARTER_KEYS, block, "[charter]")
        title = self._text(table, "title", block, "[charter]", limit=TITLE_MAX)
        code = table.get("currency")
        line = self.source.key_line(block, "currency")
        if code is None:
            self.problem(
                block.start,
                N_("{key} is missing from {table}: add it."),
                key="currency",
                table="[charter]",
            )
        elif not isinstance(code, str) or code.upper() not in CURRENCIES:
            self.problem(
                line,
                N_("Unknown currency {value}: write one of {allowed}."),
                value=str(code),
                allowed=", ".join(CURRENCIES),
            )
        elif self.operator_currency and code.upper() != self.operator_currency:
            self.problem(
                line,
                N_(
                    'The charter is in {currency} but the operator works in {operator}: write currency = "{operator}".'
                ),
                currency=code.upper(),
                operator=self.operator_currency,
            )
        else:
            self.currency = CURRENCIES[code.upper()]
        effective_line = self.source.key_line(block, "effective_from")
        effective = self._instant(table.get("effective_from"), effective_line)
        return title or "", effective, effective_line

    def _instant(self, value: object, line: int) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            text = value.strip()
            try:
                value = (
                    datetime.fromisoformat(text)
                    if ("T" in text or " " in text)
                    else date.fromisoformat(text)
                )
            except ValueError:
                value = None
        if isinstance(value, datetime):
            return value if value.tzinfo is not None else value.replace(tzinfo=self.zone)
        if isinstance(value, date):
            return datetime.combine(value, time(0), self.zone)
        self.problem(
            line,
            N_(
                "effective_from must be a date, a date and time, or an instant, "
                "e.g. 2027-01-01, 2027-01-01T08:00:00 or 2027-01-01T08:00:00+01:00."
            ),
        )
        return None

    # -- one commitment

    def _commitment(self, entry: object, block: _Block) -> CommitmentSpec | None:
        if not isinstance(entry, Mapping):
            self.problem(block.start, N_("A [[commitment]] must be a table of keys and values."))
            return None
        before = len(self.problems)
        table = "[[commitment]]"
        self._unknown_keys(entry, COMMITMENT_KEYS, block, table)
        for key in _REQUIRED_COMMITMENT_KEYS:
            if key not in entry:
                self.problem(
                    block.start, N_("{key} is missing from {table}: add it."), key=key, table=table
                )
        code = entry.get("code")
        if code is not None and (not isinstance(code, str) or not _CODE.match(code)):
            self.problem(
                self.source.key_line(block, "code"),
                N_(
                    "The code {value} is not valid: up to 32 letters, digits, '-', '_' or '.', "
                    'e.g. "ACTIVATION".'
                ),
                value=str(code),
            )
        elif isinstance(code, str):
            self.codes.append((code, block))
        texts: dict[str, dict[str, str]] = {}
        for language in LANGUAGES:
            texts[language] = {
                "title": self._text(
                    entry, f"title_{language}", block, table, limit=TITLE_MAX, required=False
                ),
                "text": self._text(
                    entry, f"text_{language}", block, table, limit=TEXT_MAX, required=False
                ),
            }
        services = self._vocabulary(
            entry, "services", block, SERVICES, N_("Unknown service {value}: use one of {allowed}.")
        )
        categories = self._vocabulary(
            entry,
            "categories",
            block,
            CATEGORIES,
            N_("Unknown complaint category {value}: use one of {allowed}."),
        )
        clock, target_minutes = self._target(entry, block)
        pauses = self._flag(entry, "pauses_when_waiting", block)
        needs_proof = self._flag(entry, "needs_proof", block)
        automatic = self._flag(entry, "automatic", block)
        rule_kind, rule = self._compensation(entry.get("compensation"), block)
        approval_line = self.source.key_line(block, "approval_above")
        approval = self._amount(entry.get("approval_above"), "approval_above", approval_line)
        if "approval_above" in entry and not automatic:
            self.problem(
                approval_line,
                N_(
                    "approval_above applies only to automatic compensation: remove it, "
                    "or write automatic = true."
                ),
            )
        elif "approval_above" in entry and rule_kind == CompensationRuleKind.NONE:
            self.problem(
                approval_line,
                N_("approval_above has no use with the rule none: remove it."),
            )
        if len(self.problems) > before:
            return None
        return CommitmentSpec(
            line=block.start,
            code=str(code),
            texts=texts,
            services=services,
            categories=categories,
            clock=clock,
            target_minutes=target_minutes,
            pauses_when_waiting=pauses,
            needs_proof=needs_proof,
            rule_kind=rule_kind,
            rule=rule,
            automatic=automatic,
            approval_above_minor=approval,
        )

    def _unknown_keys(
        self, table: Mapping[str, Any], allowed: tuple[str, ...], block: _Block, name: str
    ) -> None:
        for key in table:
            if key not in allowed:
                self.problem(
                    self.source.key_line(block, key),
                    N_("Unknown key {key} in {table}: the keys allowed are {allowed}."),
                    key=key,
                    table=name,
                    allowed=", ".join(allowed),
                )

    def _text(
        self,
        table: Mapping[str, Any],
        key: str,
        block: _Block,
        name: str,
        *,
        limit: int,
        required: bool = True,
    ) -> str:
        value = table.get(key)
        line = self.source.key_line(block, key)
        if value is None:
            if required:
                self.problem(
                    block.start, N_("{key} is missing from {table}: add it."), key=key, table=name
                )
            return ""
        if not isinstance(value, str):
            self.problem(line, N_("{key} must be a text in quotes."), key=key)
            return ""
        text = value.strip()
        if not text:
            self.problem(line, N_("{key} is empty: write its text."), key=key)
        elif len(text) > limit:
            self.problem(
                line,
                N_("{key} is longer than {limit} characters: shorten it."),
                key=key,
                limit=limit,
            )
        return text

    def _flag(self, table: Mapping[str, Any], key: str, block: _Block) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.problem(
                self.source.key_line(block, key), N_("{key} must be true or false."), key=key
            )
            return False
        return value

    def _vocabulary(
        self,
        table: Mapping[str, Any],
        key: str,
        block: _Block,
        allowed: tuple[str, ...],
        unknown: str,
    ) -> tuple[str, ...]:
        value = table.get(key)
        if value is None:
            return ()
        line = self.source.key_line(block, key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(
                line,
                N_('{key} must be a list of texts, e.g. {key} = ["{example}"].'),
                key=key,
                example=allowed[0],
            )
            return ()
        if not value:
            self.problem(line, N_("{key} is empty: name at least one."), key=key)
        seen: list[str] = []
        for item in value:
            if item not in allowed:
                self.problem(
                    self.source.value_line(block, key, item),
                    unknown,
                    value=item,
                    allowed=", ".join(allowed),
                )
            elif item in seen:
                self.problem(
                    self.source.value_line(block, key, item),
                    N_("{value} is named twice in {key}: name it once."),
                    value=item,
                    key=key,
                )
            else:
                seen.append(item)
        return tuple(seen)

    def _target(self, table: Mapping[str, Any], block: _Block) -> tuple[str, int]:
        clock = table.get("clock")
        given = [key for key in _ALL_TARGET_KEYS if key in table]
        if clock is None:
            return "", 0
        line = self.source.key_line(block, "clock")
        if clock not in CLOCKS:
            self.problem(
                line,
                N_("Unknown clock {value}: use one of {allowed}."),
                value=str(clock),
                allowed=", ".join(CLOCKS),
            )
            return "", 0
        key, unit = TARGET_KEYS[clock]
        for other in given:
            if other != key:
                self.problem(
                    self.source.key_line(block, other),
                    N_(
                        "The {clock} clock counts its target with {key}: write {key} instead of {given}."
                    ),
                    clock=clock,
                    key=key,
                    given=other,
                )
        if key not in table:
            if not any(other != key for other in given):
                self.problem(
                    line,
                    N_("The target is missing: add {key} (the {clock} clock's unit)."),
                    key=key,
                    clock=clock,
                )
            return str(clock), 0
        value = self._whole(table[key], key, self.source.key_line(block, key), minimum=1)
        return str(clock), (value or 0) * unit

    def _whole(self, value: object, key: str, line: int, *, minimum: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.problem(
                line,
                N_("{key} must be a whole number of at least {minimum}, not {value}."),
                key=key,
                minimum=minimum,
                value=str(value).lower() if isinstance(value, bool) else str(value),
            )
            return None
        return value

    def _compensation(self, value: object, block: _Block) -> tuple[str, dict[str, int]]:
        if value is None:
            return "", {}
        line = self.source.key_line(block, "compensation")
        if not isinstance(value, Mapping):
            self.problem(
                line,
                N_('compensation must be a table, e.g. compensation = {{ rule = "none" }}.'),
            )
            return "", {}
        kind = value.get("rule")
        if kind is None:
            self.problem(
                line,
                N_("The compensation has no rule: add rule = one of {allowed}."),
                allowed=", ".join(RULES),
            )
            return "", {}
        if kind not in RULES:
            self.problem(
                self.source.key_line(block, "rule", nested=True),
                N_("Unknown compensation rule {value}: use one of {allowed}."),
                value=str(kind),
                allowed=", ".join(RULES),
            )
            return "", {}
        figures = RULE_FIGURES[kind]
        names = [name for name, _kind, _minimum in figures]
        for key in value:
            if key != "rule" and key not in names:
                self.problem(
                    self.source.key_line(block, key, nested=True),
                    N_("The rule {rule} has no figure {key}: its figures are {allowed}."),
                    rule=str(kind),
                    key=key,
                    allowed=", ".join(names) or "—",
                )
        rule: dict[str, int] = {}
        for name, figure_kind, minimum in figures:
            figure_line = self.source.key_line(block, name, nested=True)
            if name not in value:
                self.problem(
                    figure_line if figure_line != block.start else line,
                    N_("The rule {rule} needs {key}: add it to the compensation."),
                    rule=str(kind),
                    key=name,
                )
                continue
            if figure_kind == "int":
                whole = self._whole(value[name], name, figure_line, minimum=minimum)
                if whole is not None:
                    rule[name] = whole
            else:
                amount = self._amount(value[name], name, figure_line)
                if amount is not None:
                    rule[RULE_STORED_AS[name]] = amount
        return str(kind), rule

    def _amount(self, value: object, key: str, line: int) -> int | None:
        """An amount in major units ("99.00", 99, "99,000") as minor units of the charter's currency."""
        if value is None:
            return None
        amount: Decimal | None
        if isinstance(value, bool):
            amount = None
        elif isinstance(value, int | Decimal):
            amount = Decimal(value)
        elif isinstance(value, str):
            text = value.strip().replace("\u00a0", "")
            if text.count(",") == 1 and "." not in text:
                text = text.replace(",", ".")
            try:
                amount = Decimal(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else None
            except InvalidOperation:
                amount = None
        else:
            amount = None
        if amount is None or not amount.is_finite():
            self.problem(
                line,
                N_(
                    '{key} is not an amount: write it in the currency\'s units, e.g. {key} = "99.00".'
                ),
                key=key,
            )
            return None
        if amount < 0:
            self.problem(line, N_("{key} cannot be negative."), key=key)
            return None
        if self.currency is None:
            return None  # the currency's own line says what is wrong
        scaled = amount * self.currency.factor
        if scaled != scaled.to_integral_value():
            self.problem(
                line,
                N_("{key} has too many decimals: {currency} amounts have at most {digits}."),
                key=key,
                currency=self.currency.code,
                digits=self.currency.minor_units,
            )
            return None
        return int(scaled)

    # -- across commitments

    def _check_together(self, specs: list[CommitmentSpec]) -> None:
        first_line: dict[str, int] = {}
        for code, block in self.codes:
            if code.upper() in first_line:
                self.problem(
                    self.source.key_line(block, "code"),
                    N_(
                        "The code {code} is already used by the commitment on line {other}: "
                        "give each commitment its own code."
                    ),
                    code=code,
                    other=first_line[code.upper()],
                )
            else:
                first_line[code.upper()] = block.start
        covered: dict[tuple[str, str], CommitmentSpec] = {}
        blocks = {block.start: block for block in self.source.commitments}
        for spec in specs:
            block = blocks.get(spec.line, _Block(spec.line, spec.line))
            clash = next(
                (
                    (category, service, covered[(category, service)])
                    for category in spec.categories
                    for service in spec.services
                    if (category, service) in covered
                ),
                None,
            )
            if clash is not None:
                category, service, earlier = clash
                self.problem(
                    self.source.key_line(block, "categories"),
                    N_(
                        "{code} covers {category} for {service}, as {other} (line {other_line}) "
                        "already does: a complaint must match one commitment only."
                    ),
                    code=spec.code,
                    category=category,
                    service=service,
                    other=earlier.code,
                    other_line=earlier.line,
                )
                continue
            for category in spec.categories:
                for service in spec.services:
                    covered[(category, service)] = spec
