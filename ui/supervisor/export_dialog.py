"""F6 on the dashboard: the agency's accounting export and its signed archive.

The supervisor picks a period (one business day, or from one day to another)
and a folder. F2 writes the export's CSV files (with a BOM for spreadsheets
when ticked) into a folder of their own in it, named after the agency and the
period, so two periods never overwrite each other; F3 writes the signed
archive (ZIP) of the same period beside them, under a name not yet taken (an
archive is never overwritten); F4 checks an archive file with this
installation's public key. Each runs off the GUI thread and ends in one line
that says where the files are and how many rows they hold; a period with days
not closed yet gets the export's own warning.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from app import config
from app.archive.make import ArchiveResult, make_archive
from app.archive.verify import ArchiveReport, verify_archive
from app.auth import Actor
from app.context import AppContext
from app.exports.service import ExportedFile, ExportResult, export_period
from app.i18n import N_, format_count, gettext, ngettext
from app.station import StationInfo
from ui.focus import KeyboardDialog
from ui.formatting import hint_line, ltr
from ui.qt import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    QVBoxLayout,
    QWidget,
    named,
    wrapped_label,
)
from ui.room import fit
from ui.supervisor.period_fields import Refused, period_text, read_period
from ui.supervisor.preference import agency_name
from ui.tasks import Runner, error_text

_ = gettext
Done = TypeVar("Done")


def default_folder() -> Path:
    return config.data_dir() / "exports"


def free_archive_name(folder: Path, agency: str, start: date, end: date) -> Path:
    """``guichet-ALG01-2026-11-01-2026-11-30.zip``, or ``...-2.zip`` when taken."""
    stem = f"guichet-{agency}-{start.isoformat()}-{end.isoformat()}"
    path, number = folder / f"{stem}.zip", 1
    while path.exists() or path.with_name(path.name + ".part").exists():
        number += 1
        path = folder / f"{stem}-{number}.zip"
    return path


def _files_line(files: tuple[ExportedFile, ...]) -> str:
    return " · ".join(f"{file.name} {format_count(file.rows)}" for file in files)


def _rows(files: tuple[ExportedFile, ...]) -> str:
    return format_count(sum(file.rows for file in files))


def _files_and_rows(files: tuple[ExportedFile, ...]) -> str:
    rows = sum(file.rows for file in files)
    # Literals, not N_(): the extractor pairs ngettext's two strings as one plural.
    return (
        ngettext("{count} file", "{count} files", len(files)).format(count=len(files))
        + ", "
        + ngettext("{count} row", "{count} rows", rows).format(count=format_count(rows))
    )


class ExportDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        station: StationInfo,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("export_archive")
        self._ctx, self._actor, self._station, self._runner = ctx, actor, station, runner
        self.busy = False
        self.exported: ExportResult | None = None
        self.archived: ArchiveResult | None = None
        self.checked: ArchiveReport | None = None
        # What the lines say, rewritten in the language of the moment.
        self._said: Callable[[], str] = lambda: ""
        self._warned: Callable[[], str] = lambda: ""
        today = ctx.now().astimezone(ZoneInfo(station.timezone)).date()

        self.title = named(QLabel(), "title")
        self.from_caption, self.to_caption = QLabel(), QLabel()
        self.folder_caption, self.archive_caption = QLabel(), QLabel()
        self.start = named(QLineEdit(today.isoformat()), "export_from")
        self.end = named(QLineEdit(today.isoformat()), "export_to")
        self.folder = named(QLineEdit(str(default_folder())), "export_folder")
        self.bom = named(QCheckBox(), "export_bom")
        self.archive_file = named(QLineEdit(), "archive_file")
        self.export_button = named(QPushButton(), "export")
        self.archive_button = named(QPushButton(), "make_archive")
        self.verify_button = named(QPushButton(), "verify_archive")
        for field in (self.start, self.end):
            field.setMaximumWidth(150)
        grid = QGridLayout()
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(self.to_caption)
        dates.addWidget(self.end)
        dates.addStretch()
        grid.addWidget(self.from_caption, 0, 0)
        grid.addLayout(dates, 0, 1)
        grid.addWidget(self.folder_caption, 1, 0)
        grid.addWidget(self.folder, 1, 1)
        grid.addWidget(self.bom, 2, 1)
        grid.addWidget(self.archive_caption, 3, 0)
        grid.addWidget(self.archive_file, 3, 1)
        grid.setColumnStretch(1, 1)
        self.from_caption.setBuddy(self.start)
        self.to_caption.setBuddy(self.end)
        self.folder_caption.setBuddy(self.folder)
        self.archive_caption.setBuddy(self.archive_file)
        buttons = QHBoxLayout()
        for button, action in (
            (self.export_button, self.export),
            (self.archive_button, self.make_archive),
            (self.verify_button, self.verify),
        ):
            button.setAutoDefault(False)
            button.clicked.connect(action)
            buttons.addWidget(button)
        buttons.addStretch()
        for field in (self.start, self.end, self.folder):
            field.returnPressed.connect(self.export)
        self.archive_file.returnPressed.connect(self.verify)
        self.outcome = wrapped_label("outcome")
        self.outcome.setStyleSheet("font-weight: 600;")
        self.details = wrapped_label("muted")
        self.warning = wrapped_label("export_warning")
        self.warning.setStyleSheet("color: #6b4700; font-weight: 600;")
        self.error = wrapped_label("error")
        self.keys = wrapped_label("muted")

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.outcome)
        layout.addWidget(self.details)
        layout.addWidget(self.warning)
        layout.addWidget(self.error)
        layout.addStretch()
        layout.addWidget(self.keys)
        QShortcut(QKeySequence("F2"), self, self.export)
        QShortcut(QKeySequence("F3"), self, self.make_archive)
        QShortcut(QKeySequence("F4"), self, self.verify)
        fit(self, parent, 900, 480)
        self.retranslate()
        self.start.setFocus()
        self.start.selectAll()

    # --- the period ------------------------------------------------------------------------

    def _period_and_folder(self) -> tuple[date, date, Path] | None:
        """The period and the folder typed; None once the line says what is wrong."""
        chosen = read_period(self.start, self.end)
        if isinstance(chosen, Refused):
            self._refuse(chosen)
            return None
        text = self.folder.text().strip()
        if not text:
            self._refuse(Refused(_(N_("Give the folder to write to.")), self.folder))
            return None
        return (*chosen, Path(text).expanduser())

    def _refuse(self, refused: Refused) -> None:
        self.error.setText(refused.text)
        refused.field.setFocus()
        refused.field.selectAll()

    def _run(self, work: Callable[[], Done], done: Callable[[Done], None]) -> None:
        if self.busy:
            return
        self.busy = True
        self.error.clear()
        self.details.clear()
        self._said = self._warned = lambda: ""
        self._show()

        def finished(result: Done) -> None:
            self.busy = False
            done(result)
            self._show()

        def failed(error: BaseException) -> None:
            self.busy = False
            self.error.setText(error_text(error))

        self._runner.submit(work, finished, failed)

    # --- doing -----------------------------------------------------------------------------

    def export(self) -> None:
        """F2: the period's CSV files, in a folder of their own under the folder given."""
        chosen = self._period_and_folder()
        if chosen is None or self.busy:
            return
        start, end, base = chosen
        ctx, actor, agency = self._ctx, self._actor, self._station.agency_code
        target = base / f"{agency}-{start.isoformat()}-{end.isoformat()}"
        bom = self.bom.isChecked()
        self._run(
            lambda: export_period(ctx, actor, start, end, target, agency=agency, bom=bom),
            self._exported,
        )

    def _exported(self, result: ExportResult) -> None:
        self.exported = result
        shown, folder = period_text(result.start, result.end), ltr(str(result.directory))
        files = result.files
        self._said = lambda: _(N_("Exported {period}: {files_and_rows}, in {folder}")).format(
            period=shown, files_and_rows=_files_and_rows(files), folder=folder
        )
        self._warned = self._not_closed(result.not_closed, result.end)
        self.details.setText(_files_line(result.files))

    def make_archive(self) -> None:
        """F3: the signed archive of the period, beside the exports, never over another."""
        chosen = self._period_and_folder()
        if chosen is None or self.busy:
            return
        start, end, base = chosen
        ctx, actor, agency = self._ctx, self._actor, self._station.agency_code

        def work() -> ArchiveResult:
            path = free_archive_name(base, agency, start, end)
            return make_archive(ctx, actor, start, end, path, agency=agency)

        self._run(work, self._archived)

    def _archived(self, result: ArchiveResult) -> None:
        self.archived = result
        self.archive_file.setText(str(result.path))  # F4 checks it at once
        values = {
            "path": ltr(str(result.path)),
            "start": result.start.isoformat(),
            "end": result.end.isoformat(),
            "agency": result.agency or "",
            "count": len(result.files),
            "rows": _rows(result.files),
            "key_id": ltr(result.key_id),
        }
        self._said = lambda: _(
            N_(
                "Archive {path}: {start} to {end} ({agency}), {count} files, {rows} row(s), "
                "signed with key {key_id}."
            )
        ).format(**values)
        self._warned = self._not_closed(result.not_closed, result.end)
        self.details.setText(_files_line(result.files))

    def verify(self) -> None:
        """F4: the archive file checked with this installation's public key, offline."""
        text = self.archive_file.text().strip()
        if not text:
            self._refuse(Refused(_(N_("Give the archive file to verify.")), self.archive_file))
            return
        path, verifier = Path(text).expanduser(), self._ctx.signer.verifier
        self._run(lambda: verify_archive(path, verifier), self._verified)

    def _verified(self, report: ArchiveReport) -> None:
        self.checked = report
        start, end = report.period or ("?", "?")
        where = ltr(str(report.path))
        if report.ok:
            self._said = lambda: _(
                N_(
                    "OK: {path} holds: {count} files, {rows} row(s), from {start} to {end}, "
                    "signed with key {key_id}."
                )
            ).format(
                path=where,
                count=report.files,
                rows=format_count(report.rows),
                start=start,
                end=end,
                key_id=ltr(report.key_id),
            )
            return
        self.error.setText(
            "\n".join(
                _(N_("FAILED: {problem}")).format(problem=finding.translated())
                for finding in report.findings
            )
        )

    def _not_closed(self, not_closed: dict[str, str | None], end: date) -> Callable[[], str]:
        """The export's warning for days written before they were closed."""
        if not not_closed:
            return lambda: ""
        return lambda: "\n".join(
            _(
                N_(
                    "Warning: {agency} has days up to {end} not closed yet (last closed: {last}); "
                    "they are written as they stand now."
                )
            ).format(agency=agency, end=end.isoformat(), last=last or "-")
            for agency, last in sorted(not_closed.items())
        )

    # --- words -----------------------------------------------------------------------------

    def _show(self) -> None:
        self.outcome.setText(self._said())
        self.warning.setText(self._warned())
        self.warning.setVisible(bool(self.warning.text()))
        self.details.setVisible(bool(self.details.text()))

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Export and archive")))
        self.title.setText(
            _(N_("Export and archive of {agency}")).format(agency=agency_name(self._station))
        )
        self.from_caption.setText(_(N_("From")))
        self.to_caption.setText(_(N_("to")))
        self.folder_caption.setText(_(N_("Folder")))
        self.archive_caption.setText(_(N_("Archive to verify")))
        self.bom.setText(_(N_("UTF-8 with BOM, for spreadsheets")))
        self.export_button.setText(_(N_("Export CSV (F2)")))
        self.archive_button.setText(_(N_("Make the signed archive (F3)")))
        self.verify_button.setText(_(N_("Verify the archive (F4)")))
        self.keys.setText(
            hint_line(
                [
                    N_("Enter: export"),
                    N_("Enter in the archive field: verify it"),
                    N_("Esc: back"),
                ]
            )
        )
        self._show()
