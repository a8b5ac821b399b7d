"""The report of an import: one line per refusal, counts per kind; printed and saved.

The same lines are printed on the command line and saved next to each file of the
batch as ``<file>.report.txt`` (UTF-8), so whoever finds a file in the inbox finds
why it was or was not imported beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.i18n import N_, format_count, gettext
from app.imports.kinds import KINDS
from app.imports.refusals import ImportResult


def report_lines(result: ImportResult, language: str | None = None) -> list[str]:
    """The report, translated: a verdict, the counts of each kind, the compensations
    the batch set off, the refusals."""
    lines = summary_lines(result, language)
    lines.extend(refusal.translated(language) for refusal in result.refusals)
    hidden = result.refused_total - len(result.refusals)
    if hidden > 0:
        lines.append(hidden_refusals_line(hidden, language))
    return lines


def hidden_refusals_line(hidden: int, language: str | None = None) -> str:
    return gettext(N_("... and {count} more refusal(s), not named."), language).format(
        count=format_count(hidden, language)
    )


def summary_lines(result: ImportResult, language: str | None = None) -> list[str]:
    """The verdict, the counts of each kind and what the batch set off: the report
    without its refusals (the import screen lists those in a table)."""

    def _(message: str) -> str:
        return gettext(message, language)

    lines: list[str] = []
    if result.applied:
        verdict = N_("Import {batch}: applied ({rows} line(s) in {seconds:.1f} s).")
    elif result.check_only and result.ok:
        verdict = N_("Import {batch}: checked, every line is accepted; nothing was written.")
    else:
        verdict = N_("Import {batch}: refused; nothing was written.")
    lines.append(
        _(verdict).format(
            batch=result.batch_id[:8],
            rows=format_count(result.rows, language),
            seconds=result.seconds,
        )
    )
    for name, counts in result.counts.items():
        lines.append(
            _(
                N_(
                    "{kind}: {created} created, {updated} updated, {unchanged} unchanged, "
                    "{refused} refused"
                )
            ).format(
                kind=_(KINDS[name].label),
                created=format_count(counts.created, language),
                updated=format_count(counts.updated, language),
                unchanged=format_count(counts.unchanged, language),
                refused=format_count(counts.refused, language),
            )
        )
    if result.applied:
        lines.extend(result.effects.lines(language))
    return lines


def save_reports(paths: Sequence[Path], lines: Sequence[str]) -> list[Path]:
    """Write the report next to each file; return where. A folder that cannot be
    written is skipped (the report is printed anyway)."""
    written: list[Path] = []
    body = "\n".join(lines) + "\n"
    for path in paths:
        target = path.with_name(path.name + ".report.txt")
        try:
            target.write_text(body, encoding="utf-8")
        except OSError:
            continue
        written.append(target)
    return written
