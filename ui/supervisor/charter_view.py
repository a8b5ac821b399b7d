"""The operator's service charter, read-only: the version in force and the others.

Each commitment shows its title and customer-facing text in the reader's language,
the services and complaints it covers, its target on its clock (and whether the
clock pauses while waiting for the customer), and its compensation with who
decides it. A charter is loaded by an administrator from a file
(``python main.py charter load FILE``); nothing here changes it.
"""

from __future__ import annotations

from app.auth import Actor
from app.charter.charters import CharterOverview, CharterVersion, CommitmentView, charter_overview
from app.charter.commitment_texts import (
    clock_notes,
    compensation_words,
    complaint_words,
    services_words,
    target_words,
)
from app.context import AppContext
from app.i18n import N_, gettext, join_list
from ui.focus import KeyboardDialog
from ui.formatting import hint_line, isolated, moment
from ui.qt import (
    QComboBox,
    QFont,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QPushButton,
    QScrollArea,
    QShortcut,
    Qt,
    QVBoxLayout,
    QWidget,
    named,
    wrapped_label,
)
from ui.room import fit
from ui.tasks import Runner, error_text

_ = gettext


class CommitmentCard(QFrame):
    """One commitment: its title and text, then what it covers, its target, its rule."""

    def __init__(self, commitment: CommitmentView, currency: str) -> None:
        super().__init__()
        self.setObjectName("card")
        self.commitment = commitment
        self.currency = currency
        self.heading = wrapped_label("commitment_title")
        font = QFont(self.heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.text = wrapped_label("commitment_text")
        self.captions = [QLabel() for _index in range(4)]
        self.values = [wrapped_label("commitment_value") for _index in range(4)]
        self.code = named(QLabel(), "muted")
        # A grid, not a form layout: a form squeezes its wrapped values to one line's height.
        form = QGridLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(2)
        form.setColumnStretch(1, 1)
        for row, (caption, value) in enumerate(zip(self.captions, self.values, strict=True)):
            caption.setAlignment(Qt.AlignmentFlag.AlignTop)
            form.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            form.addWidget(value, row, 1)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.code, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.text)
        layout.addLayout(form)
        self.retranslate()

    def retranslate(self) -> None:
        commitment, currency = self.commitment, self.currency
        self.heading.setText(f"{commitment.position}. {commitment.title()}")
        self.code.setText(isolated(commitment.code))
        self.text.setText(commitment.text())
        captions = (N_("Services"), N_("Complaints"), N_("Target"), N_("Compensation"))
        target = target_words(commitment)
        notes = clock_notes(commitment)
        values = (
            services_words(commitment),
            complaint_words(commitment),
            f"{target}; {join_list(notes)}" if notes else target,
            compensation_words(commitment, currency),
        )
        for caption, value, text, message in zip(
            self.captions, self.values, values, captions, strict=True
        ):
            caption.setText(_(message))
            value.setText(text)


class CharterDialog(KeyboardDialog):
    """The charter in force (and the other versions, one pick away), read-only."""

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("charter_view")
        self._ctx, self._actor, self._runner = ctx, actor, runner
        self.overview: CharterOverview | None = None
        self.shown: CharterVersion | None = None
        self.cards: list[CommitmentCard] = []

        self.title = named(QLabel(), "title")
        self.version_caption = QLabel()
        self.versions = named(QComboBox(), "charter_versions")
        self.versions.currentIndexChanged.connect(self._version_picked)
        self.version_caption.setBuddy(self.versions)
        self.term = wrapped_label("muted")
        self.empty = wrapped_label("muted")
        self.error = wrapped_label("error")
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.body_layout.addStretch()
        self.area = named(QScrollArea(), "charter_commitments")
        self.area.setWidgetResizable(True)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setWidget(self.body)
        self.keys = wrapped_label("muted")
        self.close_button = named(QPushButton(), "secondary")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

        picker = QHBoxLayout()
        picker.addWidget(self.version_caption)
        picker.addWidget(self.versions, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.keys, 1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(picker)
        layout.addWidget(self.term)
        layout.addWidget(self.empty)
        layout.addWidget(self.error)
        layout.addWidget(self.area, 1)
        layout.addLayout(bottom)
        QShortcut(QKeySequence("PgDown"), self, lambda: self._page(1))
        QShortcut(QKeySequence("PgUp"), self, lambda: self._page(-1))
        self.empty.hide()
        self.error.hide()
        fit(self, parent, 1000, 720)
        self.retranslate()
        self.versions.setFocus()
        self.load()

    # --- reading ---------------------------------------------------------------------------

    def load(self) -> None:
        """Every version and the one in force now, off the GUI thread."""
        db, now = self._ctx.db, self._ctx.now()
        self._runner.submit(lambda: charter_overview(db, now), self._ready, self._failed)

    def _ready(self, overview: CharterOverview) -> None:
        self.overview = overview
        self.error.hide()
        self.versions.blockSignals(True)
        self.versions.clear()
        for version in overview.versions:
            self.versions.addItem(self._version_label(version), version.id)
        first = overview.shown_first
        if first is not None:
            self.versions.setCurrentIndex(self.versions.findData(first.id))
        self.versions.blockSignals(False)
        self.versions.setEnabled(len(overview.versions) > 1)
        self._show(first)

    def _failed(self, error: BaseException) -> None:
        self.error.setText(error_text(error))
        self.error.show()

    def _version_picked(self, index: int) -> None:
        if self.overview is None or index < 0:
            return
        self._show(self.overview.version(self.versions.itemData(index)))

    def _page(self, direction: int) -> None:
        bar = self.area.verticalScrollBar()
        bar.setValue(bar.value() + direction * bar.pageStep())

    # --- showing ---------------------------------------------------------------------------

    def _show(self, version: CharterVersion | None) -> None:
        self.shown = version
        for card in self.cards:
            self.body_layout.removeWidget(card)
            card.deleteLater()
        self.cards = []
        self.empty.setVisible(version is None and self.overview is not None)
        if version is None or self.overview is None:
            self.term.setText("")
            return
        for position, commitment in enumerate(version.commitments):
            card = CommitmentCard(commitment, self.overview.currency)
            self.body_layout.insertWidget(position, card)
            self.cards.append(card)
        self.term.setText(self._term(version))
        self.area.verticalScrollBar().setValue(0)

    def _state(self, version: CharterVersion) -> str:
        if self.overview is not None and version.id == self.overview.in_force_id:
            return _(N_("in force"))
        if version.effective_from > self._ctx.now():
            return _(N_("to come"))
        return _(N_("replaced"))

    def _version_label(self, version: CharterVersion) -> str:
        zone = self.overview.timezone if self.overview is not None else "UTC"
        return _(N_("Version {version} · from {effective_from} · {state}")).format(
            version=version.version,
            effective_from=isolated(moment(version.effective_from, zone)),
            state=self._state(version),
        )

    def _term(self, version: CharterVersion) -> str:
        zone = self.overview.timezone if self.overview is not None else "UTC"
        if version.until is None:
            term = _(N_("{title}: in force from {effective_from}.")).format(
                title=version.title, effective_from=isolated(moment(version.effective_from, zone))
            )
        else:
            term = _(N_("{title}: in force from {effective_from} to {until}.")).format(
                title=version.title,
                effective_from=isolated(moment(version.effective_from, zone)),
                until=isolated(moment(version.until, zone)),
            )
        loaded = _(N_("Loaded by {login} on {loaded_at}.")).format(
            login=isolated(version.loaded_by or "—"),
            loaded_at=isolated(moment(version.loaded_at, zone)),
        )
        return f"{term} {loaded}"

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Service charter")))
        self.title.setText(_(N_("The operator's service charter")))
        self.empty.setText(
            _(
                N_(
                    "No charter is loaded yet. An administrator loads one with "
                    "python main.py charter load FILE."
                )
            )
        )
        self.close_button.setText(_(N_("Close (Esc)")))
        self.keys.setText(
            hint_line([N_("PgUp/PgDn: scroll"), N_("Alt+V: another version"), N_("Esc: back")])
        )
        self.version_caption.setText(_(N_("&Version")))
        if self.overview is not None:
            for index, version in enumerate(self.overview.versions):
                self.versions.setItemText(index, self._version_label(version))
            if self.shown is not None:
                self.term.setText(self._term(self.shown))
        for card in self.cards:
            card.retranslate()
