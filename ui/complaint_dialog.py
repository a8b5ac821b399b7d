"""F4 at the counter: record a complaint of the subscriber on screen.

Two keys after the search: F4 opens the dialog with the description in focus, the
subscriber's line preselected, the most frequent category (no service) and the
counter as the channel; the agent types what the customer says and Enter records
it and prints the acknowledgment slip. Tab reaches the other fields; Shift+Enter
starts a new line in the description. The commitment the complaint will be judged
against and its deadline on the agency's calendar show as soon as the category or
the line changes (read off the GUI thread), before anything is saved.
"""

from __future__ import annotations

from app.auth import Actor
from app.complaints.labels import CATEGORIES, CHANNELS, CLOCKS
from app.complaints.records import (
    CommitmentPreview,
    ComplaintRequest,
    OpenedComplaint,
    open_complaint,
    preview_commitment,
)
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, current_language, gettext
from app.labels import SERVICES, label
from app.subscribers import SubscriberView
from db.models import ComplaintCategory, ComplaintChannel
from ui.focus import KeyboardDialog
from ui.formatting import hint_line, isolated, ltr, moment
from ui.qt import (
    QComboBox,
    QEvent,
    QFormLayout,
    QFrame,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QObject,
    Qt,
    QTextEdit,
    QVBoxLayout,
    QWidget,
    named,
)
from ui.tasks import Runner, error_text

_ = gettext

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
DEFAULT_CATEGORY = ComplaintCategory.NO_SERVICE  # what most customers come about


class ComplaintDialog(KeyboardDialog):
    """Record a complaint of ``subscriber``; after Accepted, ``opened`` says what was saved."""

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        workstation: str,
        timezone: str,
        subscriber: SubscriberView,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("complaint_dialog")
        self._ctx, self._actor, self._workstation = ctx, actor, workstation
        self._timezone, self._runner = timezone, runner
        self.subscriber = subscriber
        self.busy = False
        self.opened: OpenedComplaint | None = None
        self.preview: CommitmentPreview | None = None
        self.preview_known = False  # the first answer has come
        self._preview_asked = 0  # the latest preview asked: older answers are dropped
        self._preview_language = current_language()
        self._error: BaseException | None = None

        self.title = named(QLabel(), "title")
        self.title.setWordWrap(True)
        self.contract = QComboBox()
        self.contract.setObjectName("complaint_contract")
        for line in subscriber.contracts:
            self.contract.addItem("", line.number)
        self.contract.addItem("", None)  # no line in particular
        self.contract.setCurrentIndex(self._preselected())
        self.category = QComboBox()
        self.category.setObjectName("complaint_category")
        for category in ComplaintCategory.ALL:
            self.category.addItem("", category)
        self.category.setCurrentIndex(ComplaintCategory.ALL.index(DEFAULT_CATEGORY))
        self.channel = QComboBox()
        self.channel.setObjectName("complaint_channel")
        for channel in ComplaintChannel.ALL:
            self.channel.addItem("", channel)
        self.description = QTextEdit()
        self.description.setObjectName("complaint_description")
        self.description.setAcceptRichText(False)
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(90)
        self.description.installEventFilter(self)
        self.proof = QLineEdit()
        self.proof.setObjectName("complaint_proof")
        self.proof.setMaxLength(100)

        self.commitment = named(QLabel(), "commitment")
        self.commitment.setWordWrap(True)
        self.commitment.setTextFormat(Qt.TextFormat.PlainText)
        self.deadline = named(QLabel(), "title")
        self.deadline.setWordWrap(True)
        card = named(QFrame(), "card")
        card_layout = QVBoxLayout(card)
        card_layout.addWidget(self.commitment)
        card_layout.addWidget(self.deadline)
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.hint = named(QLabel(), "muted")
        self.hint.setWordWrap(True)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._labels = [QLabel() for _ in range(5)]
        for caption, field in zip(
            self._labels,
            (self.contract, self.category, self.channel, self.description, self.proof),
            strict=True,
        ):
            caption.setBuddy(field)
            self.form.addRow(caption, field)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(card)
        layout.addWidget(self.error)
        layout.addWidget(self.hint)
        self.setMinimumWidth(560)
        self.setTabOrder(self.description, self.proof)
        self.setTabOrder(self.proof, self.contract)
        self.setTabOrder(self.contract, self.category)
        self.setTabOrder(self.category, self.channel)

        self.contract.currentIndexChanged.connect(lambda _i: self.ask_preview())
        self.category.currentIndexChanged.connect(lambda _i: self.ask_preview())
        self.retranslate()
        self.description.setFocus()
        self.ask_preview()

    def _preselected(self) -> int:
        """The first line in service (else the first line): what the customer most likely means."""
        for index, line in enumerate(self.subscriber.contracts):
            if line.status in ("active", "suspended", "pending_activation"):
                return index
        return 0

    # --- the commitment proposed ---------------------------------------------------------------

    def ask_preview(self) -> None:
        self._preview_asked += 1
        asked = self._preview_asked
        db, workstation, now = self._ctx.db, self._workstation, self._ctx.now()
        subscriber_id = self.subscriber.subscriber_id
        contract, category = self.contract.currentData(), self.category.currentData()
        language = current_language()  # the agent reads it; the slip is in the customer's
        self._preview_language = language
        self._runner.submit(
            lambda: preview_commitment(
                db,
                subscriber_id=subscriber_id,
                contract_number=contract,
                category=category,
                workstation=workstation,
                at=now,
                language=language,
            ),
            lambda preview: self._previewed(asked, preview),
            lambda error: self._preview_failed(asked, error),
        )

    def _previewed(self, asked: int, preview: CommitmentPreview | None) -> None:
        if asked != self._preview_asked:
            return
        self.preview = preview
        self.preview_known = True
        self._show_preview()

    def _preview_failed(self, asked: int, error: BaseException) -> None:
        if asked == self._preview_asked:
            self.preview = None
            self.commitment.setText(error_text(error))
            self.deadline.clear()

    def _show_preview(self) -> None:
        preview = self.preview
        needs_proof = preview is not None and preview.needs_proof
        self._labels[4].setText(
            _(N_("Proof reference (required)")) if needs_proof else _(N_("Proof reference"))
        )
        if not self.preview_known:
            self.commitment.setText(_(N_("Looking for the commitment that applies…")))
            self.deadline.clear()
            return
        if preview is None:
            self.commitment.setText(
                _(N_("No commitment of the charter covers this complaint: no deadline."))
            )
            self.deadline.clear()
            return
        self.commitment.setText(
            _(N_("Commitment: {title} ({clock})")).format(
                title=preview.title, clock=_(CLOCKS.get(preview.clock, preview.clock))
            )
        )
        self.deadline.setText(
            _(N_("Answer due by {date}")).format(
                date=isolated(moment(preview.due_at, preview.timezone))
            )
        )

    # --- keys -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.description and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if key_event.key() in _ENTER_KEYS and not (
                key_event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            ):
                self.record()
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER_KEYS:
            self.record()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self.busy:
            return  # being saved: its outcome must be seen
        super().reject()

    # --- recording ----------------------------------------------------------------------------

    def request(self) -> ComplaintRequest:
        return ComplaintRequest(
            subscriber_id=self.subscriber.subscriber_id,
            contract_number=self.contract.currentData(),
            category=self.category.currentData(),
            channel=self.channel.currentData(),
            description=self.description.toPlainText(),
            proof_reference=self.proof.text() or None,
        )

    def record(self) -> None:
        if self.busy or self.opened is not None:
            return  # one complaint per Enter, however long it is held
        self.busy = True
        self._show_error(None)
        ctx, actor, workstation, request = self._ctx, self._actor, self._workstation, self.request()
        self._runner.submit(
            lambda: open_complaint(ctx, actor, request, workstation=workstation),
            self._recorded,
            self._failed,
        )

    def _recorded(self, opened: OpenedComplaint) -> None:
        self.busy = False
        self.opened = opened
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self._show_error(error)
        field = error.field if isinstance(error, GuichetError) else None
        target: QWidget = {
            "description": self.description,
            "proof_reference": self.proof,
            "contract": self.contract,
            "category": self.category,
            "channel": self.channel,
        }.get(field or "", self.description)
        target.setFocus()

    def _show_error(self, error: BaseException | None) -> None:
        self._error = error
        self.error.setText(error_text(error) if error is not None else "")
        self.error.setVisible(error is not None)

    def retranslate(self) -> None:
        s = self.subscriber
        self.setWindowTitle(_(N_("Record a complaint")))
        self.title.setText(
            _(N_("Complaint of {name}, account {account}")).format(
                name=s.display_name, account=ltr(s.account_number)
            )
        )
        for caption, text in zip(
            self._labels[:4],
            (N_("Line"), N_("Category"), N_("Received at"), N_("What the customer says")),
            strict=True,
        ):
            caption.setText(_(text))
        for index, line in enumerate(s.contracts):
            self.contract.setItemText(
                index,
                f"{line.number} · {label(SERVICES, line.service)}"
                + (f" · {ltr(line.line_or_meter)}" if line.line_or_meter else ""),
            )
        self.contract.setItemText(len(s.contracts), _(N_("No line in particular")))
        for index, category in enumerate(ComplaintCategory.ALL):
            self.category.setItemText(index, _(CATEGORIES[category]))
        for index, channel in enumerate(ComplaintChannel.ALL):
            self.channel.setItemText(index, _(CHANNELS[channel]))
        self.description.setPlaceholderText(_(N_("Type what the customer says, then Enter")))
        self._show_preview()
        if self.preview is not None and self._preview_language != current_language():
            self.ask_preview()  # the commitment's title in the new language
        if self._error is not None:
            self._show_error(self._error)
        self.hint.setText(
            hint_line(
                [
                    N_("Enter: record and print the slip"),
                    N_("Shift+Enter: new line"),
                    N_("Tab: next field"),
                    N_("Esc: cancel"),
                ]
            )
        )
