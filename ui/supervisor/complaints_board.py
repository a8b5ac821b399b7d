"""The supervisor's board of complaints: every complaint still being handled, by time left.

Breaches first (in red), then the nearest deadline, then the clocks standing still
(waiting for the customer) and the complaints no commitment covers. Filters by
agency, category, status and the agent it is assigned to. On the selected
complaint: assign it (F2), add a note (F3), in progress / waiting for the customer
(F4), resolve it with its outcome (F5), close a resolved one (F8), print its slip
again on this workstation's printer (F6); F7 writes the board as CSV. Refreshed off
the GUI thread (F9, and every minute), which first marks the deadlines that passed
(with the charter's automatic compensation): what the supervisor sees is never late.

Ten thousand rows show at once: one query, and the clock of a row is counted only
when the table draws it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from app import config
from app.auth import Actor
from app.compensation.late_activation import apply_late_activations
from app.complaints.board import Board, BoardFilters, BoardRow, complaints_board, export_board_csv
from app.complaints.breaches import apply_breaches
from app.complaints.labels import CATEGORIES, STATUSES
from app.complaints.lifecycle import (
    add_note,
    assign_complaint,
    close_complaint,
    print_slip_again,
    resolve_complaint,
    set_status,
)
from app.complaints.present import left_text
from app.context import AppContext
from app.i18n import N_, format_count, gettext
from app.labels import label
from app.station import StationInfo
from db.models import ComplaintCategory, ComplaintStatus
from ui.focus import KeyboardDialog
from ui.formatting import hint_line, isolated, ltr, moment
from ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QEvent,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QKeySequence,
    QLabel,
    QLineEdit,
    QObject,
    QResizeEvent,
    QShortcut,
    Qt,
    QTableView,
    QTextEdit,
    QTimer,
    QVBoxLayout,
    QWidget,
    named,
    wrapped_label,
)
from ui.table_model import Column, RowsModel
from ui.tasks import Runner, error_text

_ = gettext

REFRESH_MS = 60_000
FIRST_PAGE = 200  # rows read first, to show at once; the rest follow
LATE = "#b00020"
SOON_MINUTES = 120  # less than this left: amber


class BoardModel(RowsModel[BoardRow]):
    """The board's rows; each row's clock is counted when it is first drawn."""

    def __init__(self) -> None:
        self.board: Board | None = None
        super().__init__(
            [
                Column("number", N_("Complaint"), lambda r: ltr(r.number)),
                Column("left", N_("Time left"), self._left, colour=self._colour),
                Column("due", N_("Answer due"), self._due),
                Column("category", N_("Category"), lambda r: label(CATEGORIES, r.category)),
                Column("status", N_("Status"), lambda r: label(STATUSES, r.status)),
                Column("assigned", N_("Assigned to"), lambda r: ltr(r.assigned_login or "") or "—"),
                Column("agency", N_("Agency"), lambda r: r.agency_code),
                Column(
                    "subscriber",
                    N_("Subscriber"),
                    lambda r: f"{ltr(r.account_number)} · {isolated(r.subscriber_name)}",
                ),
            ]
        )

    def set_board(self, board: Board) -> None:
        self.board = board
        self.set_rows(board.rows)

    def _left(self, row: BoardRow) -> str:
        return left_text(self.board.left(row)) if self.board is not None else ""

    def _colour(self, row: BoardRow) -> str | None:
        if self.board is None:
            return None
        left = self.board.left(row)
        if left.overdue:
            return LATE
        if left.minutes is not None and not left.paused and left.minutes < SOON_MINUTES:
            return "#8a5a00"
        return None

    def _due(self, row: BoardRow) -> str:
        if row.due_at is None or self.board is None:
            return "—"
        return moment(row.due_at, self.board.timezones.get(row.agency_id, "UTC"))


class AskDialog(KeyboardDialog):
    """One line or one paragraph asked of the supervisor; Enter gives it, Esc cancels."""

    def __init__(
        self, title: str, caption: str, parent: QWidget | None = None, *, paragraph: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("complaint_ask")
        self.setWindowTitle(title)
        self.caption = named(QLabel(caption), "title")
        self.caption.setWordWrap(True)
        self.line: QLineEdit | QTextEdit
        if paragraph:
            self.line = QTextEdit()
            self.line.setAcceptRichText(False)
            self.line.setTabChangesFocus(True)
        else:
            self.line = QLineEdit()
        self.line.setObjectName("complaint_answer")
        hint = named(QLabel(hint_line([N_("Enter: save"), N_("Esc: cancel")])), "muted")
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.line)
        layout.addWidget(hint)
        self.setMinimumWidth(460)
        self.line.setFocus()
        self.line.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter saves, in a paragraph too (Shift+Enter starts a new line there)."""
        if watched is self.line and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if key_event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                key_event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            ):
                self.accept()
                return True
        return super().eventFilter(watched, event)

    def text(self) -> str:
        if isinstance(self.line, QTextEdit):
            return self.line.toPlainText()
        return self.line.text()


class ComplaintsBoard(KeyboardDialog):
    """The board; ``printed`` is called when a slip was queued on this workstation."""

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        station: StationInfo,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        printed: Callable[[], None] | None = None,
        export_folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("complaints_board")
        self._ctx, self._actor, self._station, self._runner = ctx, actor, station, runner
        self._printed = printed
        self.export_folder = export_folder or config.data_dir() / "exports"
        self.refreshing = False
        self.asked_again = False
        self._shown_filters: BoardFilters | None = None
        self.child: AskDialog | None = None
        self.last_export: Path | None = None
        self._said: Callable[[], str] | None = None
        self._failure: BaseException | None = None

        self.title = named(QLabel(), "title")
        self.summary = named(QLabel(), "muted")
        self.summary.setWordWrap(True)
        self.agency = QLineEdit(station.agency_code)
        self.agency.setObjectName("board_agency")
        self.agency.setMaxLength(16)
        self.category = QComboBox()
        self.category.setObjectName("board_category")
        self.category.addItem("", None)
        for category in ComplaintCategory.ALL:
            self.category.addItem("", category)
        self.status = QComboBox()
        self.status.setObjectName("board_status")
        self.status.addItem("", None)
        for status in ComplaintStatus.ALL:
            self.status.addItem("", status)
        self.agent = QLineEdit()
        self.agent.setObjectName("board_agent")
        self.agent.setMaxLength(64)
        self._filter_labels = [QLabel() for _ in range(4)]
        filters = QHBoxLayout()
        for caption, field in zip(
            self._filter_labels,
            (self.agency, self.category, self.status, self.agent),
            strict=True,
        ):
            caption.setBuddy(field)
            filters.addWidget(caption)
            filters.addWidget(field, 1)

        self.model = BoardModel()
        self.view = named(QTableView(), "complaints")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        # Fixed row heights and column widths: measuring 10,000 rows to size them would
        # cost more than reading them.
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.detail = named(QLabel(), "muted")
        self.detail.setWordWrap(True)
        self.note = named(QLabel(), "error")
        self.note.setWordWrap(True)
        self.keys = wrapped_label("muted")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addLayout(filters)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.note)
        layout.addWidget(self.keys)

        for field in (self.agency, self.agent):
            field.returnPressed.connect(self.refresh)
        self.category.currentIndexChanged.connect(lambda _i: self.refresh())
        self.status.currentIndexChanged.connect(lambda _i: self.refresh())
        self.view.selectionModel().currentRowChanged.connect(lambda *_a: self._show_detail())
        for key, action in (
            ("F2", self.assign),
            ("F3", self.add_note),
            ("F4", self.toggle_waiting),
            ("F5", self.resolve),
            ("F6", self.print_slip),
            ("F7", self.export_csv),
            ("F8", self.close_selected),
            ("F9", self.refresh),
        ):
            QShortcut(QKeySequence(key), self, action)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.resize(1200, 700)
        self.retranslate()
        self.view.setFocus()
        self.refresh()

    # Each column's share of the width; the subscriber (the last) takes what is left.
    # Proportions, not contents: measuring 10,000 rows would cost more than reading them,
    # and a 1024 px screen shows every column without scrolling sideways.
    SHARES: ClassVar[dict[str, float]] = {
        "number": 0.13,
        "left": 0.19,
        "due": 0.14,
        "category": 0.12,
        "status": 0.12,
        "assigned": 0.08,
        "agency": 0.06,
    }

    def _size_columns(self) -> None:
        width = self.view.viewport().width() or self.width()
        for name, share in self.SHARES.items():
            self.view.setColumnWidth(self.model.column_index(name), int(width * share))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._size_columns()

    # --- reading ----------------------------------------------------------------------------

    def filters(self) -> BoardFilters:
        return BoardFilters(
            agency=self.agency.text().strip() or None,
            category=self.category.currentData(),
            status=self.status.currentData(),
            agent=self.agent.text().strip() or None,
        )

    def refresh(self) -> None:
        """Read the board again; one refresh at a time.

        With nothing on screen yet for these filters, the first screenful is read and
        shown first (a fast LIMIT), then the deadlines passed are marked and the whole
        board read; a periodic refresh leaves the rows on screen until the new ones come.
        """
        if self.refreshing:
            self.asked_again = True
            return
        self.refreshing = True
        ctx, actor, filters = self._ctx, self._actor, self.filters()
        if self.model.board is None or filters != self._shown_filters:
            self._runner.submit(
                lambda: complaints_board(ctx.db, actor, filters, now=ctx.now(), limit=FIRST_PAGE),
                lambda board: self._first_page(filters, board),
                self._load_failed,
            )
        else:
            self._read_all(filters)

    def _first_page(self, filters: BoardFilters, board: Board) -> None:
        self._show_board(filters, board)
        self._read_all(filters)  # the rest, and the deadlines passed marked

    def _read_all(self, filters: BoardFilters) -> None:
        ctx, actor = self._ctx, self._actor

        def work() -> Board:
            now = ctx.now()
            apply_breaches(ctx, now)
            # Lines past their activation deadline get the charter's compensation too:
            # the board is where a supervisor watches the charter's clocks.
            apply_late_activations(ctx, now)
            return complaints_board(ctx.db, actor, filters, now=now)

        self._runner.submit(work, lambda board: self._loaded(filters, board), self._load_failed)

    def _show_board(self, filters: BoardFilters, board: Board) -> None:
        selected = self.selected()
        self._shown_filters = filters
        self.model.set_board(board)
        self._show_summary()
        self._reselect(selected.number if selected else None)

    def _loaded(self, filters: BoardFilters, board: Board) -> None:
        self.refreshing = False
        self._show_board(filters, board)
        if self.asked_again:
            self.asked_again = False
            self.refresh()

    def _load_failed(self, error: BaseException) -> None:
        self.refreshing = False
        self._say_error(error)

    def _reselect(self, number: str | None) -> None:
        rows = self.model.rows
        if not rows:
            self._show_detail()
            return
        index = next((i for i, row in enumerate(rows) if row.number == number), 0)
        self.view.selectRow(index)
        self._show_detail()

    def selected(self) -> BoardRow | None:
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.row_at(index.row())

    def _show_summary(self) -> None:
        board = self.model.board
        if board is None:
            self.summary.setText(_(N_("Reading the complaints…")))
            return
        text = _(N_("{count} complaint(s), {breaches} past their deadline.")).format(
            count=format_count(len(board.rows)), breaches=format_count(board.breaches)
        )
        if board.truncated and self.refreshing:
            text = _(N_("The first {count} complaints; reading the others…")).format(
                count=format_count(len(board.rows))
            )
        elif board.truncated:
            text += " " + _(N_("Only the first ones are shown: narrow the filters."))
        self.summary.setText(text)

    def _show_detail(self) -> None:
        row = self.selected()
        if row is None:
            self.detail.setText(_(N_("No complaint matches these filters.")))
            return
        parts = [
            _(N_("Contract {contract}")).format(contract=ltr(row.contract_number))
            if row.contract_number
            else "",
            _(N_("Commitment {code}")).format(code=row.commitment_code)
            if row.commitment_code
            else _(N_("no commitment")),
            row.description.replace("\n", " ")[:200],
        ]
        self.detail.setText(" · ".join(isolated(part) for part in parts if part))

    # --- acting -----------------------------------------------------------------------------

    def _act(
        self, work: Callable[[], object], done: Callable[[], str], *, printed: bool = False
    ) -> None:
        def finished(_result: object) -> None:
            self._say(done)
            if printed and self._printed is not None:
                self._printed()
            self.refresh()

        self._runner.submit(work, finished, self._say_error)

    def _ask(
        self,
        title: str,
        caption: str,
        then: Callable[[str], None],
        *,
        paragraph: bool = False,
    ) -> None:
        if self.child is not None:
            return
        dialog = AskDialog(title, caption, self, paragraph=paragraph)
        self.child = dialog

        def closed(result: int) -> None:
            self.child = None
            if result == QDialog.DialogCode.Accepted:
                then(dialog.text())
            dialog.deleteLater()
            self.activateWindow()  # the keyboard comes back to the board
            self.view.setFocus()

        dialog.finished.connect(closed)
        dialog.open()

    def assign(self) -> None:
        row = self.selected()
        if row is None:
            return
        ctx, actor, ref, number = self._ctx, self._actor, self._station.ref, row.number
        self._ask(
            _(N_("Assign {number}")).format(number=number),
            _(N_("Login of the agent who handles it:")),
            lambda login: self._act(
                lambda: assign_complaint(ctx, actor, number, login, workstation=ref),
                lambda: _(N_("{number} assigned to {login}.")).format(number=number, login=login),
            ),
        )

    def add_note(self) -> None:
        row = self.selected()
        if row is None:
            return
        ctx, actor, ref, number = self._ctx, self._actor, self._station.ref, row.number
        self._ask(
            _(N_("Note on {number}")).format(number=number),
            _(N_("The note:")),
            lambda note: self._act(
                lambda: add_note(ctx, actor, number, note, workstation=ref),
                lambda: _(N_("Note added to {number}.")).format(number=number),
            ),
            paragraph=True,
        )

    def toggle_waiting(self) -> None:
        """In progress, or waiting for the customer (the clock stops when the commitment says so)."""
        row = self.selected()
        if row is None:
            return
        target = (
            ComplaintStatus.IN_PROGRESS
            if row.status == ComplaintStatus.WAITING_CUSTOMER
            else ComplaintStatus.WAITING_CUSTOMER
        )
        if row.status == ComplaintStatus.OPEN:
            target = ComplaintStatus.IN_PROGRESS
        ctx, actor, ref, number = self._ctx, self._actor, self._station.ref, row.number
        self._act(
            lambda: set_status(ctx, actor, number, target, workstation=ref),
            lambda: _(N_("{number}: {status}.")).format(
                number=number, status=label(STATUSES, target)
            ),
        )

    def resolve(self) -> None:
        row = self.selected()
        if row is None:
            return
        ctx, actor, ref, number = self._ctx, self._actor, self._station.ref, row.number
        self._ask(
            _(N_("Resolve {number}")).format(number=number),
            _(N_("How was it resolved? (the customer is told)")),
            lambda outcome: self._act(
                lambda: resolve_complaint(ctx, actor, number, outcome, workstation=ref),
                lambda: _(N_("{number} resolved.")).format(number=number),
            ),
            paragraph=True,
        )

    def close_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        ctx, actor, ref, number = self._ctx, self._actor, self._station.ref, row.number
        self._act(
            lambda: close_complaint(ctx, actor, number, workstation=ref),
            lambda: _(N_("{number} closed.")).format(number=number),
        )

    def print_slip(self) -> None:
        row = self.selected()
        if row is None:
            return
        ctx, actor, ref, number = self._ctx, self._actor, self._station.ref, row.number
        self._act(
            lambda: print_slip_again(ctx, actor, number, workstation=ref),
            lambda: _(N_("The slip of {number} is printing.")).format(number=number),
            printed=True,
        )

    def export_csv(self) -> None:
        ctx, actor, filters = self._ctx, self._actor, self.filters()
        folder = self.export_folder
        stamp = ctx.now().strftime("%Y%m%d-%H%M%S")
        path = folder / f"complaints-{stamp}.csv"
        language = None  # the language of the screen

        def work() -> int:
            folder.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as stream:
                return export_board_csv(ctx, actor, filters, stream, language=language)

        def written(rows: int) -> None:
            self.last_export = path
            self._say(
                lambda: _(N_("{count} complaint(s) written to {path}")).format(
                    count=format_count(rows), path=ltr(str(path))
                )
            )

        self._runner.submit(work, written, self._say_error)

    # --- saying -----------------------------------------------------------------------------

    def _say(self, message: Callable[[], str] | None) -> None:
        self._said, self._failure = message, None
        self.note.setStyleSheet("color: #0a6b2d;")
        self.note.setText(message() if message is not None else "")

    def _say_error(self, error: BaseException) -> None:
        self._said, self._failure = None, error
        self.note.setStyleSheet("")
        self.note.setText(error_text(error))

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Complaints")))
        self.title.setText(
            _(N_("Complaints being handled, by time left — {agency}")).format(
                agency=self._station.agency_name
            )
        )
        for caption, text in zip(
            self._filter_labels,
            (N_("Agency"), N_("Category"), N_("Status"), N_("Agent")),
            strict=True,
        ):
            caption.setText(_(text))
        self.agency.setPlaceholderText(_(N_("every agency")))
        self.agent.setPlaceholderText(_(N_("anyone")))
        self.category.setItemText(0, _(N_("Every category")))
        for index, category in enumerate(ComplaintCategory.ALL, start=1):
            self.category.setItemText(index, _(CATEGORIES[category]))
        self.status.setItemText(0, _(N_("Being handled")))
        for index, status in enumerate(ComplaintStatus.ALL, start=1):
            self.status.setItemText(index, _(STATUSES[status]))
        self.model.retranslate()
        self._show_summary()
        self._show_detail()
        if self._failure is not None:
            self._say_error(self._failure)
        elif self._said is not None:
            self._say(self._said)
        self.keys.setText(
            hint_line(
                [
                    N_("F2: assign"),
                    N_("F3: note"),
                    N_("F4: in progress / waiting"),
                    N_("F5: resolve"),
                    N_("F6: print the slip"),
                    N_("F7: CSV"),
                    N_("F8: close"),
                    N_("F9: refresh"),
                    N_("Esc: back"),
                ]
            )
        )

    def done(self, result: int) -> None:
        self.timer.stop()
        if self.child is not None:
            self.child.done(result)
        super().done(result)
