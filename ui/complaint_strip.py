"""The subscriber's complaints under their card at the counter, each with its clock.

One line per complaint still being handled (the latest three), and how many were
answered before: what the agent needs before the customer says "I already
complained". Read off the GUI thread when a subscriber is shown; an answer for a
subscriber no longer on screen is dropped.
"""

from __future__ import annotations

from app.complaints.board import Board, subscriber_complaints
from app.complaints.labels import CATEGORIES, STATUSES
from app.complaints.present import left_text
from app.context import AppContext
from app.i18n import N_, format_count, gettext, is_right_to_left, ngettext
from app.labels import label
from db.models import ComplaintStatus
from ui.formatting import isolated
from ui.qt import QLabel, QWidget
from ui.tasks import Runner

_ = gettext

SHOWN = 2  # complaints listed; the rest are counted (the card keeps its room)


class ComplaintsStrip(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("subscriber_complaints")
        # One line per complaint, never wrapped, and a height that holds every line:
        # squeezed by the tables below, a wrapped label cut its own lines in half.
        self.setWordWrap(False)
        self._ctx: AppContext | None = None
        self._runner: Runner | None = None
        self.subscriber_id: int | None = None
        self.board: Board | None = None
        self.hide()

    def attach(self, ctx: AppContext, runner: Runner) -> None:
        """Where complaints are read from (the counter's context and runner)."""
        self._ctx, self._runner = ctx, runner

    def show_for(self, subscriber_id: int | None) -> None:
        if subscriber_id != self.subscriber_id:
            self.board = None
        self.subscriber_id = subscriber_id
        self._render()
        self.reload()

    def reload(self) -> None:
        ctx, runner, wanted = self._ctx, self._runner, self.subscriber_id
        if ctx is None or runner is None or wanted is None:
            return
        now = ctx.now()
        runner.submit(
            lambda: subscriber_complaints(ctx.db, wanted, now=now),
            lambda board: self._loaded(wanted, board),
            lambda _error: None,  # the counter works without it
        )

    def _loaded(self, subscriber_id: int, board: Board) -> None:
        if subscriber_id != self.subscriber_id:
            return  # the next customer is on screen already
        self.board = board
        self._render()

    def _render(self) -> None:
        board = self.board
        if board is None or not board.rows:
            self.clear()
            self.hide()
            return
        active = [row for row in board.rows if row.status in ComplaintStatus.ACTIVE]
        answered = len(board.rows) - len(active)
        lines = []
        for row in active[:SHOWN]:
            pieces = (
                row.number,
                label(CATEGORIES, row.category),
                label(STATUSES, row.status),
                left_text(board.left(row)),
            )
            # Each piece in its own direction: an Arabic line keeps them in reading order.
            lines.append(" · ".join(isolated(piece) for piece in pieces))
        summary = []
        if len(active) > SHOWN:
            summary.append(
                _(N_("and {count} more being handled")).format(
                    count=format_count(len(active) - SHOWN)
                )
            )
        if answered:
            summary.append(
                ngettext(
                    "{count} complaint answered before",
                    "{count} complaints answered before",
                    answered,
                ).format(count=format_count(answered))
            )
        if summary:
            lines.append(" · ".join(summary))
        late = any(board.left(row).overdue for row in active)
        self.setStyleSheet("color: #b00020; font-weight: 600;" if late else "")
        if active:  # the heading opens the first line instead of taking one of its own
            lines[0] = _(N_("Complaints:")) + " " + lines[0]
        # Each line opens with the reading direction's mark: a line that starts with an
        # isolated number would otherwise read left to right on an Arabic screen.
        mark = "\u200f" if is_right_to_left() else "\u200e"
        self.setText("\n".join(mark + line for line in lines))
        self.setFixedHeight(self.fontMetrics().lineSpacing() * len(lines) + 4)
        self.show()

    def retranslate(self) -> None:
        self._render()
