"""What an import says about a batch: refusals (file, line, column, value, rule) and counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.i18n import N_, gettext
from app.imports.effects import ImportEffects
from app.money import currency, format_amount, from_minor

# Past this many refusals the rest are only counted: a wrong file gives one a line.
MAX_NAMED_REFUSALS = 1000
# A value shown in a refusal is cut here: a 5 MB cell is named, not printed.
SHOWN_VALUE_LENGTH = 60


@dataclass(frozen=True)
class Amount:
    """An amount in a refusal, written in the reader's language when it is read."""

    minor: int
    currency: str

    def text(self, language: str | None = None) -> str:
        return format_amount(
            from_minor(self.minor, currency(self.currency)), self.currency, language
        )

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Refusal:
    file: str
    line: int
    column: str  # "" when the whole line or file is refused
    value: str
    rule: str  # msgid
    params: dict[str, Any] = field(default_factory=dict)
    translate: tuple[str, ...] = ()  # params that are msgids themselves

    def translated(self, language: str | None = None) -> str:
        params = {
            key: gettext(value, language)
            if key in self.translate
            else value.text(language)
            if isinstance(value, Amount)
            else value
            for key, value in self.params.items()
        }
        rule = gettext(self.rule, language).format(**params)
        shown = (
            self.value
            if len(self.value) <= SHOWN_VALUE_LENGTH
            else (self.value[:SHOWN_VALUE_LENGTH] + "…")
        )
        shown = " ".join(shown.split())
        if self.column:
            text = gettext(
                N_("{file}, line {line}, column {column}, value \u00ab{value}\u00bb: {rule}"),
                language,
            )
        else:
            text = gettext(N_("{file}, line {line}: {rule}"), language)
        return text.format(
            file=self.file, line=self.line, column=self.column, value=shown, rule=rule
        )


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0


@dataclass
class ImportResult:
    """The outcome of one batch; ``applied`` is True only if it was committed."""

    batch_id: str
    files: list[str]
    check_only: bool
    counts: dict[str, Counts] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    refused_total: int = 0
    applied: bool = False
    rows: int = 0
    seconds: float = 0.0
    # Compensations the batch set off (outages it closed, lines it activated late).
    effects: ImportEffects = field(default_factory=ImportEffects)

    def counts_of(self, kind: str) -> Counts:
        return self.counts.setdefault(kind, Counts())

    def refuse(self, refusal: Refusal) -> None:
        self.refused_total += 1
        if len(self.refusals) < MAX_NAMED_REFUSALS:
            self.refusals.append(refusal)

    def refuse_file(
        self, name: str, line: int, rule: str, *, translate: tuple[str, ...] = (), **params: Any
    ) -> None:
        """A refusal of the whole file (or of everything from ``line`` on)."""
        self.refuse(Refusal(name, line, "", "", rule, params, translate))

    def refuse_file_error(self, name: str, error: Any) -> None:
        """A :class:`app.imports.sources.SourceError`."""
        self.refuse_file(name, error.line, error.message, **error.params)

    @property
    def ok(self) -> bool:
        return self.refused_total == 0
