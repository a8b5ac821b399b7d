"""The administrators' import screen: files of the billing system, previewed, checked,
imported all or nothing, with the report on screen and next to the files.

The files are typed (paths separated by ``;``) or chosen (F3). Enter or F2 previews
each file as the import reads it: its kind, encoding and separator (detected, or
forced by the three lists), and its first ten records under the kind's documented
columns, a cell that breaks its column's rule in red with the rule as its tip. F4
checks the batch (nothing is written), F5 imports it; both run off the GUI thread,
the bar showing the share done, the rate and the time left; Cancel (or Esc) rolls
everything back. The report names each refusal's file, line, column, value and rule.

Open it from an administrator's screen as
``ImportDialog(ctx, actor, runner, parent).open()``; the services refuse anyone else.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from PySide6.QtWidgets import QFileDialog, QProgressBar

from app.auth import Actor
from app.context import AppContext
from app.i18n import N_, babel_locale, format_count, gettext
from app.imports.apply import ImportOptions
from app.imports.kinds import KINDS
from app.imports.report import hidden_refusals_line, summary_lines
from app.imports.screen import (
    FilePreview,
    Pace,
    PaceSnapshot,
    PreviewRow,
    RefusalRow,
    ScreenImport,
    preview_files,
    refusal_row,
    run_import,
)
from ui.focus import KeyboardDialog
from ui.formatting import hint_line, ltr
from ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QColor,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPersistentModelIndex,
    QPushButton,
    QShortcut,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    named,
    wrapped_label,
)
from ui.room import fit
from ui.table_model import Column, RowsModel
from ui.tasks import Runner, error_text

_ = gettext
Index = QModelIndex | QPersistentModelIndex
PACE_MS = 200
TABLE_FILTER = "*.csv *.txt *.tsv *.xlsx *.xlsm"
PROBLEM_COLOUR = "#b00020"
PROBLEM_BACKGROUND = "#fde7ea"

ENCODINGS: tuple[tuple[str | None, str], ...] = (
    (None, N_("detected")),
    ("utf-8", "UTF-8"),
    ("cp1256", "Windows-1256"),
    ("latin-1", "Latin-1"),
)
SEPARATORS: tuple[tuple[str | None, str], ...] = (
    (None, N_("detected")),
    (",", N_("comma (,)")),
    (";", N_("semicolon (;)")),
    ("tab", N_("tab")),
)


def split_paths(text: str) -> list[Path]:
    """The paths typed: separated by ``;`` or new lines, quotes and blanks around dropped."""
    pieces = text.replace("\n", ";").split(";")
    return [Path(piece.strip().strip("\"'")).expanduser() for piece in pieces if piece.strip()]


def size_text(size: float, per_second: bool = False) -> str:
    """A size in the reader's numbers: 850 KB, 12.4 MB (12,4 MB in French)."""
    if size >= 1024 * 1024:
        value, unit = size / (1024 * 1024), (N_("{value} MB/s") if per_second else N_("{value} MB"))
    else:
        value, unit = size / 1024, (N_("{value} KB/s") if per_second else N_("{value} KB"))
    return _(unit).format(value=format_decimal(value, format="#,##0.0", locale=babel_locale()))


def time_left_text(seconds: float) -> str:
    whole = max(1, round(seconds))
    if whole < 60:
        return _(N_("about {seconds} s left")).format(seconds=format_count(whole))
    return _(N_("about {minutes} min {seconds} s left")).format(
        minutes=format_count(whole // 60), seconds=format_count(whole % 60)
    )


class PreviewModel(QAbstractTableModel):
    """The first records of a file under its kind's columns; a cell that breaks its
    column's rule is red, with the rule as its tip."""

    def __init__(self) -> None:
        super().__init__()
        self.columns: tuple[str, ...] = ()
        self.rows: tuple[PreviewRow, ...] = ()

    def show(self, preview: FilePreview | None) -> None:
        self.beginResetModel()
        self.columns = preview.columns if preview is not None else ()
        self.rows = preview.rows if preview is not None else ()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or not self.columns else len(self.columns) + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if index.column() == 0:
            return format_count(row.line) if role == Qt.ItemDataRole.DisplayRole else None
        cell = index.column() - 1
        problem = row.problems.get(cell)
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[cell]
        if problem is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem.translated()
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(PROBLEM_COLOUR)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(PROBLEM_BACKGROUND)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return _(N_("Line")) if section == 0 else self.columns[section - 1]

    def problem_cells(self) -> list[tuple[int, str, str]]:
        """(line, column, rule) of each cell shown in red: for the tests and the summary."""
        return [
            (row.line, self.columns[cell], problem.translated())
            for row in self.rows
            for cell, problem in sorted(row.problems.items())
        ]


class RefusalsModel(RowsModel[RefusalRow]):
    """The refusals; a cell's whole text as its tip, for a rule cut at the screen's edge."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            return super().data(index, Qt.ItemDataRole.DisplayRole)
        return super().data(index, role)


REFUSAL_COLUMNS: tuple[Column[RefusalRow], ...] = (
    Column("file", N_("File"), lambda row: row.file),
    Column("line", N_("Line"), lambda row: format_count(row.line), align_end=True),
    Column("column", N_("Column"), lambda row: row.column),
    Column("value", N_("Value"), lambda row: row.value),
    Column("rule", N_("Rule"), lambda row: row.rule),
)


def _table(name: str, model: QAbstractTableModel) -> QTableView:
    view = named(QTableView(), name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ImportDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("import_dialog")
        self._ctx, self._actor, self._runner = ctx, actor, runner
        self.busy = False
        self.previews: list[FilePreview] = []
        self.outcome: ScreenImport | None = None
        self.cancel_requested = threading.Event()
        self._pace: Pace | None = None
        self._checking = False
        # What the lines say, rewritten in the language of the moment.
        self._said: Callable[[], str] = lambda: ""
        self._saved: Callable[[], str] = lambda: ""
        # Asks which files to import; a test puts its own answer here.
        self.choose: Callable[[], list[str]] = self._choose_with_dialog

        self.title = named(QLabel(), "title")
        self.files_caption = QLabel()
        self.files = named(QLineEdit(), "import_files")
        self.choose_button = named(QPushButton(), "choose_files")
        self.kind_caption, self.encoding_caption, self.separator_caption = (
            QLabel(),
            QLabel(),
            QLabel(),
        )
        self.kind = named(QComboBox(), "import_kind")
        self.encoding = named(QComboBox(), "import_encoding")
        self.separator = named(QComboBox(), "import_separator")
        self.kind.addItem("", None)
        for name in KINDS:
            self.kind.addItem("", name)
        for value, _label in ENCODINGS:
            self.encoding.addItem("", value)
        for value, _label in SEPARATORS:
            self.separator.addItem("", value)

        self.preview_caption = QLabel()
        self.preview_file = named(QComboBox(), "preview_file")
        self.preview_summary = wrapped_label("preview_summary")
        self.preview_problems = wrapped_label("error")
        self.preview_model = PreviewModel()
        self.preview_table = _table("preview_table", self.preview_model)

        self.preview_button = named(QPushButton(), "preview")
        self.check_button = named(QPushButton(), "check_import")
        self.import_button = named(QPushButton(), "run_import")
        self.cancel_button = named(QPushButton(), "cancel_import")
        self.progress = named(QProgressBar(), "import_progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.pace = named(QLabel(), "import_pace")
        self.verdict = wrapped_label("import_verdict")
        self.verdict.setStyleSheet("font-weight: 600;")
        self.saved = wrapped_label("muted")
        self.refusals_model = RefusalsModel(REFUSAL_COLUMNS)
        self.refusals_table = _table("refusals_table", self.refusals_model)
        self.error = wrapped_label("error")
        self.keys = wrapped_label("muted")

        grid = QGridLayout()
        files_row = QHBoxLayout()
        files_row.addWidget(self.files, 1)
        files_row.addWidget(self.choose_button)
        grid.addWidget(self.files_caption, 0, 0)
        grid.addLayout(files_row, 0, 1)
        options = QHBoxLayout()
        for caption, combo in (
            (self.kind_caption, self.kind),
            (self.encoding_caption, self.encoding),
            (self.separator_caption, self.separator),
        ):
            caption.setBuddy(combo)
            # Sized to a short choice, not the longest one: three lists of long French
            # or Arabic choices side by side would otherwise widen the screen past 1024 px.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)
            options.addWidget(caption)
            options.addWidget(combo)
        options.addStretch()
        grid.addLayout(options, 1, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self.files_caption.setBuddy(self.files)
        preview_row = QHBoxLayout()
        preview_row.addWidget(self.preview_caption)
        preview_row.addWidget(self.preview_file, 1)
        self.preview_caption.setBuddy(self.preview_file)

        buttons = QHBoxLayout()
        for button, action in (
            (self.preview_button, self.preview),
            (self.check_button, self.check),
            (self.import_button, self.run),
            (self.cancel_button, self.cancel),
        ):
            button.setAutoDefault(False)
            button.clicked.connect(action)
            buttons.addWidget(button)
        buttons.addStretch()
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose_files)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.pace, 2)

        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        layout.addLayout(preview_row)
        layout.addWidget(self.preview_summary)
        layout.addWidget(self.preview_problems)
        layout.addWidget(self.preview_table, 3)
        layout.addLayout(buttons)
        layout.addLayout(progress_row)
        layout.addWidget(self.verdict)
        layout.addWidget(self.refusals_table, 2)
        layout.addWidget(self.saved)
        layout.addWidget(self.error)
        layout.addWidget(self.keys)

        self.files.returnPressed.connect(self.preview)
        self.preview_file.currentIndexChanged.connect(self._show_preview)
        for combo in (self.kind, self.encoding, self.separator):
            combo.currentIndexChanged.connect(self._options_changed)
        QShortcut(QKeySequence("F2"), self, self.preview)
        QShortcut(QKeySequence("F3"), self, self.choose_files)
        QShortcut(QKeySequence("F4"), self, self.check)
        QShortcut(QKeySequence("F5"), self, self.run)
        self._timer = QTimer(self)
        self._timer.setInterval(PACE_MS)
        self._timer.timeout.connect(self._show_pace)
        fit(self, parent, 1100, 720)
        self.retranslate()
        self._show_state()
        self.files.setFocus()

    # --- the files -------------------------------------------------------------------------

    def paths(self) -> list[Path] | None:
        """The files typed; None once the error line says what is wrong."""
        paths = split_paths(self.files.text())
        if not paths:
            self._refuse(
                _(N_("Give the files to import (paths separated by ;), or choose them (F3)."))
            )
            return None
        for path in paths:
            if not path.is_file():
                self._refuse(_(N_("{path} is not a file.")).format(path=ltr(str(path))))
                return None
        return paths

    def _refuse(self, line: str) -> None:
        self.error.setText(line)
        self.error.setVisible(True)
        self.files.setFocus()

    def options(self, *, check: bool = False) -> ImportOptions:
        return ImportOptions(
            check=check,
            kind=self.kind.currentData(),
            encoding=self.encoding.currentData(),
            separator=self.separator.currentData(),
        )

    def _choose_with_dialog(self) -> list[str]:
        chosen, _filter = QFileDialog.getOpenFileNames(
            self,
            _(N_("Files of the billing system")),
            "",
            _(N_("Tables ({patterns})")).format(patterns=TABLE_FILTER),
        )
        return list(chosen)

    def choose_files(self) -> None:
        """F3: files picked in the system's file chooser, added to those typed."""
        if self.busy:
            return
        chosen = self.choose()
        if not chosen:
            return
        typed = [str(path) for path in split_paths(self.files.text())]
        self.files.setText("; ".join(typed + [name for name in chosen if name not in typed]))
        self.preview()

    def _options_changed(self) -> None:
        if self.previews:
            self.preview()

    # --- preview ---------------------------------------------------------------------------

    def preview(self) -> None:
        """Enter or F2: the first records of each file, as the import reads them."""
        if self.busy:
            return
        paths = self.paths()
        if paths is None:
            return
        ctx, actor, options = self._ctx, self._actor, self.options()
        self._start(lambda: preview_files(ctx, actor, paths, options), self._previewed)

    def _previewed(self, previews: list[FilePreview]) -> None:
        self.previews = previews
        current = self.preview_file.currentIndex()
        self.preview_file.blockSignals(True)
        self.preview_file.clear()
        for preview in previews:
            self.preview_file.addItem(preview.name)
        self.preview_file.setCurrentIndex(current if 0 <= current < len(previews) else 0)
        self.preview_file.blockSignals(False)
        self._show_preview()

    def _show_preview(self) -> None:
        index = self.preview_file.currentIndex()
        preview = self.previews[index] if 0 <= index < len(self.previews) else None
        self.preview_model.show(preview)
        if preview is None:
            self.preview_summary.clear()
            self.preview_problems.clear()
            self.preview_problems.setVisible(False)
            return
        self.preview_table.resizeColumnsToContents()
        self.preview_summary.setText(self._summary(preview))
        self.preview_problems.setText("\n".join(p.translated() for p in preview.problems))
        self.preview_problems.setVisible(bool(self.preview_problems.text()))

    def _summary(self, preview: FilePreview) -> str:
        values = {
            "file": ltr(preview.name),
            "kind": _(KINDS[preview.kind or preview.closest].label),
            "encoding": ltr(preview.encoding_text),
            "separator": preview.separator_text,
            "size": size_text(preview.size),
        }
        if preview.kind is None and not preview.columns:
            return _(N_("{file}: cannot be read as a table ({size})")).format(**values)
        if preview.kind is None:
            text = N_("{file}: no kind of file has these columns (the closest: {kind}); {size}")
        elif preview.separator is None:  # a workbook
            text = N_("{file}: {kind} ({how}), {encoding}, {size}")
        else:
            text = N_("{file}: {kind} ({how}), {encoding}, separator {separator}, {size}")
        values["how"] = _(N_("as chosen")) if preview.forced else _(N_("recognised"))
        return _(text).format(**values)

    # --- check and import ------------------------------------------------------------------

    def check(self) -> None:
        """F4: what the batch would create, update and refuse; nothing is written."""
        self._launch(check=True)

    def run(self) -> None:
        """F5: the batch imported, all or nothing; the report saved next to the files."""
        self._launch(check=False)

    def _launch(self, *, check: bool) -> None:
        if self.busy:
            return
        paths = self.paths()
        if paths is None:
            return
        ctx, actor, options = self._ctx, self._actor, self.options(check=check)
        pace = Pace(paths)
        cancel = threading.Event()
        self._pace, self.cancel_requested, self._checking = pace, cancel, check
        self.outcome = None
        self._said = self._saved = lambda: ""
        self.refusals_model.set_rows([])
        self.progress.setValue(0)
        self._start(
            lambda: run_import(ctx, actor, paths, options, progress=pace, cancel=cancel),
            self._imported,
        )
        self._timer.start()
        self._show_pace()

    def cancel(self) -> None:
        """Cancel: the import stops at its next step and rolls everything back."""
        if not self.busy or self._pace is None:
            return
        self.cancel_requested.set()
        self.pace.setText(_(N_("Cancelling: everything is being rolled back...")))
        self._show_state()

    def _imported(self, outcome: ScreenImport) -> None:
        self.outcome = outcome
        self.progress.setValue(self.progress.maximum())
        result = outcome.result
        self._said = lambda: "\n".join(summary_lines(result))
        self.refusals_model.set_rows([refusal_row(refusal) for refusal in result.refusals])
        self.refusals_table.resizeColumnsToContents()
        hidden = result.refused_total - len(result.refusals)
        saved = outcome.saved

        def saved_line() -> str:
            lines = []
            if hidden > 0:
                lines.append(hidden_refusals_line(hidden))
            if saved:
                lines.append(
                    # A break allowed after each folder: a long path wraps, not widens the screen.
                    _(N_("Report saved next to each file: {path}")).format(
                        path=ltr(str(saved[0]).replace(os.sep, os.sep + "\u200b"))
                    )
                )
            return "\n".join(lines)

        self._saved = saved_line

    # --- running ---------------------------------------------------------------------------

    def _start(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self.busy = True
        self.error.clear()
        self._show_state()

        def finished(result: Any) -> None:
            self._stop()
            done(result)
            self._show_state()

        def failed(error: BaseException) -> None:
            self._stop()
            self.error.setText(error_text(error))
            self._show_state()

        self._runner.submit(work, finished, failed)

    def _stop(self) -> None:
        self.busy = False
        self._timer.stop()
        if self._pace is not None:
            self._show_pace()
            self._pace = None

    def _show_pace(self) -> None:
        if self._pace is None:
            return
        self.pace.setText(self.pace_text(self._pace.snapshot()))
        self.pace.setVisible(bool(self.pace.text()))
        self.progress.setValue(round(self._pace.snapshot().fraction * self.progress.maximum()))

    def pace_text(self, pace: PaceSnapshot) -> str:
        pieces = [ltr(pace.file)] if pace.file else []
        if pace.rate:
            pieces.append(size_text(pace.rate, per_second=True))
        if pace.seconds_left is not None and pace.fraction < 1:
            pieces.append(time_left_text(pace.seconds_left))
        if self.cancel_requested.is_set() and self.busy:
            pieces.append(_(N_("Cancelling: everything is being rolled back...")))
        return " · ".join(pieces)

    def _show_state(self) -> None:
        busy = self.busy
        for widget in (
            self.files,
            self.choose_button,
            self.kind,
            self.encoding,
            self.separator,
            self.preview_button,
            self.check_button,
            self.import_button,
        ):
            widget.setEnabled(not busy)
        self.cancel_button.setEnabled(busy and not self.cancel_requested.is_set())
        self.verdict.setText(self._said())
        self.saved.setText(self._saved())
        self.saved.setVisible(bool(self.saved.text()))
        refusals = self.refusals_model.rowCount() > 0
        self.refusals_table.setVisible(refusals)
        # The refusals, once there are some, get the room the preview had.
        self._layout.setStretchFactor(self.preview_table, 2 if refusals else 3)
        self._layout.setStretchFactor(self.refusals_table, 3 if refusals else 0)
        for label in (self.verdict, self.error, self.pace):
            label.setVisible(bool(label.text()))
        self.preview_file.setVisible(len(self.previews) > 0)
        self.preview_caption.setVisible(len(self.previews) > 0)
        self.preview_table.setVisible(self.preview_model.columnCount() > 0)

    def reject(self) -> None:
        """Esc: cancels an import running (it rolls back), else closes the screen."""
        if self.busy:
            self.cancel()
            return
        super().reject()

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Import from the billing system")))
        self.title.setText(_(N_("Import from the billing system")))
        self.files_caption.setText(_(N_("Files")))
        self.files.setPlaceholderText(_(N_("CSV or XLSX files, separated by ;")))
        self.choose_button.setText(_(N_("Choose... (F3)")))
        self.kind_caption.setText(_(N_("Kind")))
        self.encoding_caption.setText(_(N_("Encoding")))
        self.separator_caption.setText(_(N_("Separator")))
        self.kind.setItemText(0, _(N_("recognised")))
        for index, kind in enumerate(KINDS.values(), start=1):
            self.kind.setItemText(index, _(kind.label))
        for index, (_value, label) in enumerate(ENCODINGS):
            self.encoding.setItemText(index, _(label))
        for index, (_value, label) in enumerate(SEPARATORS):
            self.separator.setItemText(index, _(label))
        self.preview_caption.setText(_(N_("Preview of")))
        self.preview_button.setText(_(N_("Preview (F2)")))
        self.check_button.setText(_(N_("Check (F4)")))
        self.import_button.setText(_(N_("Import (F5)")))
        self.cancel_button.setText(_(N_("Cancel")))
        self.keys.setText(
            hint_line(
                [
                    N_("Enter: preview"),
                    N_("F4: check, nothing is written"),
                    N_("F5: import, all or nothing"),
                    N_("Esc: cancel the import, else back"),
                ]
            )
        )
        self.refusals_model.retranslate()
        self.preview_model.headerDataChanged.emit(
            Qt.Orientation.Horizontal, 0, max(0, self.preview_model.columnCount() - 1)
        )
        self._show_preview()
        self._show_state()
