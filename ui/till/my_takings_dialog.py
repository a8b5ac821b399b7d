"""F10 for an agent: what they have taken so far in the till they hold, per tender.

Only their own payments and voids: never the float, the movements or what the
till should hold (the service answers none of those to anyone).
"""

from __future__ import annotations

from app.closing.takings import AgentTakings
from app.i18n import N_, format_count, gettext, ngettext
from app.labels import TENDER_KINDS, label
from db.models import TenderKind
from ui.focus import KeyboardDialog
from ui.formatting import money
from ui.qt import QGridLayout, QLabel, QPushButton, Qt, QVBoxLayout, QWidget, named
from ui.room import fit

_ = gettext


class MyTakingsDialog(KeyboardDialog):
    def __init__(self, takings: AgentTakings | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("my_takings")
        self.takings = takings
        self.setWindowTitle(_(N_("My takings")))
        layout = QVBoxLayout(self)
        # Not the large title style: Qt wraps a large bold Arabic line past its edge here.
        self.summary = named(QLabel(), "summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.total = named(QLabel(), "big")
        self.lines: dict[str, QLabel] = {}
        if takings is None:
            self.summary.setText(_(N_("You hold no open till at this counter.")))
        else:
            cur = takings.currency
            # Literals, not N_(): the extractor pairs ngettext's two strings as one plural.
            payments = ngettext("{count} payment", "{count} payments", takings.payments).format(
                count=format_count(takings.payments)
            )
            voids = ngettext("{count} void", "{count} voids", takings.voids).format(
                count=format_count(takings.voids)
            )
            self.summary.setText(
                _(N_("Your till at {workstation}: {payments}, {voids}")).format(
                    workstation=takings.workstation, payments=payments, voids=voids
                )
            )
            grid = QGridLayout()
            row = 0
            for kind in TenderKind:
                amount = takings.by_tender.get(str(kind))
                if amount is None:
                    continue
                caption = QLabel(label(TENDER_KINDS, kind))
                value = named(QLabel(money(amount, cur)), f"takings_{kind}")
                value.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
                grid.addWidget(caption, row, 0)
                grid.addWidget(value, row, 1)
                self.lines[str(kind)] = value
                row += 1
            if not row:
                grid.addWidget(named(QLabel(_(N_("Nothing taken yet."))), "muted"), 0, 0)
            layout.addLayout(grid)
            caption = named(QLabel(_(N_("Taken so far"))), "muted")
            layout.addWidget(caption)
            self.total.setText(money(takings.total, cur))
            layout.addWidget(self.total)
            note = named(QLabel(_(N_("Cash is net of the change given back."))), "muted")
            note.setWordWrap(True)
            layout.addWidget(note)
        close = named(QPushButton(_(N_("Close (Esc)"))), "close")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        layout.addWidget(close)
        layout.activate()
        fit(self, parent, 640, layout.totalHeightForWidth(640))
        close.setFocus()
