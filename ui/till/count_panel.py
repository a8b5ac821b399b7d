"""Counting a till on screen: notes and coins one field each, cheques listed, card
and postal totals; the total as counted computed live and shown large.

Only what the person counts is ever shown here: never what the till should hold.
Keyboard first: ↓ or Enter moves to the next field, ↑ to the previous one, Tab
as usual; Enter on the last field is the panel's ``finished``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from app.closing.counts import ChequeInput, CountInput
from app.closing.denominations import Denomination, cash_of
from app.closing.till_labels import DENOMINATION_KINDS
from app.errors import GuichetError
from app.i18n import N_, current_language, gettext
from app.labels import label
from app.money import currency, parse_amount
from ui.formatting import money
from ui.qt import (
    QEvent,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    named,
)

_ = gettext

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# Arabic-Indic and Eastern Arabic-Indic digits, as an Arabic keyboard types them.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


class CountError(Exception):
    """A field that does not read as a count; ``widget`` is where to put the cursor."""

    def __init__(self, message: str, widget: QWidget) -> None:
        super().__init__(message)
        self.widget = widget


def read_quantity(text: str) -> int | None:
    """How many notes, coins or slips a field says (empty is none); None if it is not a number."""
    plain = "".join(text.split()).translate(_DIGITS)
    if not plain:
        return 0
    return int(plain) if plain.isdigit() else None


class FieldWalk(QObject):
    """↓ and Enter go to the next field, ↑ to the previous; Enter on the last calls ``last``."""

    def __init__(self, parent: QObject, on_last: Callable[[], None]) -> None:
        super().__init__(parent)
        self.fields: list[QLineEdit] = []
        self._on_last = on_last

    def add(self, field: QLineEdit) -> None:
        field.installEventFilter(self)
        self.fields.append(field)

    def remove(self, field: QLineEdit) -> None:
        if field in self.fields:
            self.fields.remove(field)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() != QEvent.Type.KeyPress
            or not isinstance(event, QKeyEvent)
            or watched not in self.fields
        ):
            return False
        assert isinstance(watched, QLineEdit)
        index = self.fields.index(watched)
        key = event.key()
        if key in _ENTER or key == Qt.Key.Key_Down:
            if index + 1 < len(self.fields):
                self.fields[index + 1].setFocus()
                self.fields[index + 1].selectAll()
            elif key in _ENTER:
                self._on_last()
            return True
        if key == Qt.Key.Key_Up:
            if index > 0:
                self.fields[index - 1].setFocus()
                self.fields[index - 1].selectAll()
            return True
        return False


def denomination_name(denomination: Denomination) -> str:
    """ "DZD 2,000.00 note" in the reader's language."""
    return _(N_("{value} {kind}")).format(
        value=money(denomination.value, denomination.currency),
        kind=label(DENOMINATION_KINDS, denomination.kind).lower(),
    )


class DenominationGrid(QWidget):
    """One row per note and coin of the currency: name, how many, and what they make."""

    changed = Signal()

    def __init__(self, currency_code: str, walk: FieldWalk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency_code = currency_code
        self.denominations = cash_of(currency_code).denominations
        self.fields: dict[str, QLineEdit] = {}
        self._names: dict[str, QLabel] = {}
        self._subtotals: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        # Two columns of rows when there are many: all of them in sight at 768 px high.
        per_column = (len(self.denominations) + 1) // 2
        for index, denomination in enumerate(self.denominations):
            row, block = index % per_column, 4 * (index // per_column)
            name = QLabel()
            field = named(QLineEdit(), f"count_{denomination.key}")
            field.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
            field.setMaximumWidth(90)
            field.setPlaceholderText("0")
            subtotal = named(QLabel(), "muted")
            subtotal.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
            subtotal.setMinimumWidth(120)
            grid.addWidget(name, row, block)
            grid.addWidget(field, row, block + 1)
            grid.addWidget(subtotal, row, block + 2)
            field.textChanged.connect(lambda _text, key=denomination.key: self._update(key))
            walk.add(field)
            self.fields[denomination.key] = field
            self._names[denomination.key] = name
            self._subtotals[denomination.key] = subtotal
        # A gutter between the two columns: a subtotal reads with its own row, not the next.
        grid.setColumnMinimumWidth(3, 36)
        grid.setColumnStretch(7, 1)
        self.retranslate()

    def _update(self, key: str) -> None:
        denomination = self.denominations[list(self.fields).index(key)]
        quantity = read_quantity(self.fields[key].text())
        self._subtotals[key].setText(
            money(denomination.value * quantity, self.currency_code) if quantity else ""
        )
        self.changed.emit()

    def total(self) -> Decimal:
        """What the typed counts make (a field that is not a number counts for nothing)."""
        return sum(
            (d.value * (read_quantity(self.fields[d.key].text()) or 0) for d in self.denominations),
            Decimal(0),
        )

    def counts(self) -> dict[str, int]:
        answer = {}
        for denomination in self.denominations:
            field = self.fields[denomination.key]
            quantity = read_quantity(field.text())
            if quantity is None:
                raise CountError(
                    _(N_("{value} is not a number of notes or coins.")).format(value=field.text()),
                    field,
                )
            if quantity:
                answer[denomination.key] = quantity
        return answer

    def set_counts(self, counts: dict[str, int]) -> None:
        for key, field in self.fields.items():
            field.setText(str(counts[key]) if counts.get(key) else "")

    @property
    def first(self) -> QLineEdit:
        return self.fields[self.denominations[0].key]

    def retranslate(self) -> None:
        for denomination in self.denominations:
            self._names[denomination.key].setText(denomination_name(denomination))
            self._update(denomination.key)


@dataclass
class ChequeRow:
    number: QLineEdit
    bank: QLineEdit
    amount: QLineEdit
    remove: QPushButton
    frame: QWidget


class TotalLabel(QLabel):
    """The total as counted, large."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("big")
        self.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)


def _caption(text: str = "") -> QLabel:
    return named(QLabel(text), "muted")


class CountPanel(QWidget):
    """A whole count: cash by denomination and, at a closing, cheques, card slips and
    postal transfers. ``finished`` when Enter is pressed on the last field."""

    finished = Signal()
    changed = Signal()

    def __init__(
        self, currency_code: str, *, cash_only: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.currency_code = currency_code
        self.cash_only = cash_only
        self.walk = FieldWalk(self, self.finished.emit)
        self.grid = DenominationGrid(currency_code, self.walk)
        self.grid.changed.connect(self._update_total)
        self.cash_title = named(QLabel(), "title")
        self.cash_total = named(QLabel(), "understood")
        self.cash_total.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        self.total_caption = _caption()
        self.total = TotalLabel()
        self.cheque_rows: list[ChequeRow] = []

        cash_card = named(QFrame(), "card")
        cash_layout = QVBoxLayout(cash_card)
        cash_head = QHBoxLayout()
        cash_head.addWidget(self.cash_title, 1)
        cash_head.addWidget(self.cash_total)
        self.cash_total.setVisible(not cash_only)
        cash_layout.addLayout(cash_head)
        cash_layout.addWidget(self.grid)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(cash_card)

        self.cheques_title = named(QLabel(), "title")
        self.add_cheque = named(QPushButton(), "secondary")
        self.add_cheque.setAutoDefault(False)
        self.card_total = named(QLineEdit(), "card_total")
        self.card_slips = named(QLineEdit(), "card_slips")
        self.postal_total = named(QLineEdit(), "postal_total")
        self.postal_transfers = named(QLineEdit(), "postal_transfers")
        self._other_captions: list[QLabel] = []
        self._cheque_captions = [_caption(), _caption(), _caption()]
        self.no_cheque = _caption()
        if not cash_only:
            others = named(QFrame(), "card")
            other = QGridLayout(others)
            other.setVerticalSpacing(4)
            head = QHBoxLayout()
            head.addWidget(self.cheques_title, 1)
            head.addWidget(self.add_cheque)
            other.addLayout(head, 0, 0, 1, 4)
            self._cheque_head = QHBoxLayout()
            for caption in self._cheque_captions:
                self._cheque_head.addWidget(caption, 1)
            self._cheque_head.addSpacing(40)
            other.addLayout(self._cheque_head, 1, 0, 1, 4)
            other.addWidget(self.no_cheque, 1, 0, 1, 4)
            self._show_cheque_head()
            self.cheque_box = QVBoxLayout()
            self.cheque_box.setSpacing(3)
            other.addLayout(self.cheque_box, 2, 0, 1, 4)
            captions = [_caption() for _ in range(4)]
            self._other_captions = captions
            for field in (self.card_total, self.postal_total):
                field.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
            for field in (self.card_slips, self.postal_transfers):
                field.setMaximumWidth(90)
                field.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
            other.addWidget(captions[0], 3, 0)
            other.addWidget(self.card_total, 3, 1)
            other.addWidget(captions[1], 3, 2)
            other.addWidget(self.card_slips, 3, 3)
            other.addWidget(captions[2], 4, 0)
            other.addWidget(self.postal_total, 4, 1)
            other.addWidget(captions[3], 4, 2)
            other.addWidget(self.postal_transfers, 4, 3)
            other.setColumnStretch(1, 1)
            layout.addWidget(others)
            for field in (self.card_total, self.card_slips, self.postal_total):
                self.walk.add(field)
                field.textChanged.connect(lambda _t: self._update_total())
            self.walk.add(self.postal_transfers)
            self.add_cheque.clicked.connect(self.new_cheque)
        total_row = QHBoxLayout()
        total_row.addWidget(self.total_caption, 1)
        total_row.addWidget(self.total)
        layout.addLayout(total_row)
        self.retranslate()

    # --- cheques ---------------------------------------------------------------------------

    def new_cheque(self) -> ChequeRow:
        """A cheque line, before the card total in the Enter order; the cursor on its number."""
        frame = QWidget()
        row_layout = QHBoxLayout(frame)
        row_layout.setContentsMargins(0, 0, 0, 0)
        index = len(self.cheque_rows)
        number = named(QLineEdit(), f"cheque_number_{index}")
        bank = named(QLineEdit(), f"cheque_bank_{index}")
        amount = named(QLineEdit(), f"cheque_amount_{index}")
        amount.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        remove = named(QPushButton("✕"), "remove")
        remove.setAutoDefault(False)
        for widget in (number, bank, amount):
            row_layout.addWidget(widget, 1)
        row_layout.addWidget(remove)
        row = ChequeRow(number, bank, amount, remove, frame)
        self.cheque_rows.append(row)
        self._show_cheque_head()
        self.cheque_box.addWidget(frame)
        # Entered in order: number → bank → amount → the next cheque or the card total.
        at = self.walk.fields.index(self.card_total)
        for offset, widget in enumerate((number, bank, amount)):
            widget.installEventFilter(self.walk)
            self.walk.fields.insert(at + offset, widget)
        amount.textChanged.connect(lambda _t: self._update_total())
        remove.clicked.connect(lambda: self.remove_cheque(row))
        number.setFocus()
        self.retranslate_cheque(row)
        return row

    def remove_cheque(self, row: ChequeRow) -> None:
        for widget in (row.number, row.bank, row.amount):
            self.walk.remove(widget)
        self.cheque_rows.remove(row)
        self._show_cheque_head()
        row.frame.hide()
        row.frame.deleteLater()
        self._update_total()
        self.card_total.setFocus()

    def _show_cheque_head(self) -> None:
        """The column names over the cheque lines, once there is one; until then, how to add one."""
        for caption in self._cheque_captions:
            caption.setVisible(bool(self.cheque_rows))
        self.no_cheque.setVisible(not self.cheque_rows)

    def retranslate_cheque(self, row: ChequeRow) -> None:
        row.number.setPlaceholderText(_(N_("Cheque number")))
        row.bank.setPlaceholderText(_(N_("Bank")))
        row.amount.setPlaceholderText(_(N_("Amount")))
        row.remove.setToolTip(_(N_("Remove this cheque")))

    # --- figures ---------------------------------------------------------------------------

    def _amount(self, field: QLineEdit, name: str) -> Decimal:
        text = field.text().strip()
        if not text:
            return Decimal(0)
        return parse_amount(text, currency(self.currency_code), current_language(), field=name)

    def _quiet_amount(self, field: QLineEdit) -> Decimal:
        try:
            return self._amount(field, "amount")
        except GuichetError:
            return Decimal(0)

    def counted_total(self) -> Decimal:
        """What the fields add up to as typed so far (for the large total)."""
        total = self.grid.total()
        if not self.cash_only:
            total += sum((self._quiet_amount(r.amount) for r in self.cheque_rows), Decimal(0))
            total += self._quiet_amount(self.card_total) + self._quiet_amount(self.postal_total)
        return total

    def _update_total(self) -> None:
        self.cash_total.setText(money(self.grid.total(), self.currency_code))
        self.total.setText(money(self.counted_total(), self.currency_code))
        self.changed.emit()

    def count(self) -> CountInput:
        """The count as the service takes it; a field that does not read raises CountError."""
        cash = self.grid.counts()
        if self.cash_only:
            return CountInput(cash=cash)
        cheques = []
        for row in self.cheque_rows:
            if not (row.number.text().strip() or row.bank.text().strip() or row.amount.text()):
                continue  # a line added and left empty
            cheques.append(
                ChequeInput(
                    row.number.text().strip(),
                    row.bank.text().strip(),
                    self._checked_amount(row.amount, "amount"),
                )
            )
        return CountInput(
            cash=cash,
            cheques=tuple(cheques),
            card_total=self._checked_amount(self.card_total, "card_total"),
            card_slips=self._checked_quantity(self.card_slips),
            postal_total=self._checked_amount(self.postal_total, "postal_total"),
            postal_transfers=self._checked_quantity(self.postal_transfers),
        )

    def _checked_amount(self, field: QLineEdit, name: str) -> Decimal:
        try:
            return self._amount(field, name)
        except GuichetError as error:
            raise CountError(error.translated(), field) from None

    def _checked_quantity(self, field: QLineEdit) -> int:
        quantity = read_quantity(field.text())
        if quantity is None:
            raise CountError(
                _(N_("{value} is not a number of slips.")).format(value=field.text()), field
            )
        return quantity

    def field_for(self, service_field: str | None) -> QWidget:
        """Where the cursor goes for an error the service names (``cheques[1]``, ``card_total``)."""
        name = service_field or ""
        if name.startswith("cheques[") and name.endswith("]"):
            index = int(name[len("cheques[") : -1])
            listed = [
                r
                for r in self.cheque_rows
                if r.number.text().strip() or r.bank.text().strip() or r.amount.text()
            ]
            if 0 <= index < len(listed):
                return listed[index].number
        widgets: dict[str, QWidget] = {
            "card_total": self.card_total,
            "card_slips": self.card_slips,
            "postal_total": self.postal_total,
            "postal_transfers": self.postal_transfers,
        }
        return widgets.get(name, self.grid.first)

    def start(self) -> None:
        self.grid.first.setFocus()
        self.grid.first.selectAll()

    def retranslate(self) -> None:
        self.cash_title.setText(_(N_("Cash, note by note and coin by coin")))
        self.total_caption.setText(
            _(N_("Float counted")) if self.cash_only else _(N_("Total counted"))
        )
        self.grid.retranslate()
        if not self.cash_only:
            self.cheques_title.setText(_(N_("Cheques")))
            self.no_cheque.setText(_(N_("No cheque listed: F4 adds one.")))
            self.add_cheque.setText(_(N_("Add a cheque (F4)")))
            for caption, text in zip(
                self._cheque_captions,
                (N_("Cheque number"), N_("Bank"), N_("Amount")),
                strict=True,
            ):
                caption.setText(_(text))
            for caption, text in zip(
                self._other_captions,
                (
                    N_("Card slips, total"),
                    N_("Slips"),
                    N_("Postal transfers, total"),
                    N_("Transfers"),
                ),
                strict=True,
            ):
                caption.setText(_(text))
            for row in self.cheque_rows:
                self.retranslate_cheque(row)
        self._update_total()
