"""An agency's calendar for its supervisor: weekly hours, coming public holidays and
exceptional days.

Lunar holidays come estimated from the ``holidays`` package; when the official
date is announced the supervisor confirms it (F5, with the feast's following
days), moves it (F6: a day or two,
the whole feast at once) or says it is not a holiday (F7). Exceptional openings
and closures are added with F8 and taken back with Delete. An administrator also
edits the weekly hours here (F9 saves them). Every change is the services' (each
journaled, the running complaint deadlines counted again); this screen only asks.

Opened from the supervisor's dashboard::

    CalendarDialog(ctx, actor, station.agency_code, runner, parent).open()

(the agency by its code, as the workstation knows it, or by its id).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from itertools import pairwise
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, get_day_names

from app.auth import Actor
from app.charter.calendar import Hours
from app.charter.calendar_changes import (
    CalendarChange,
    add_day_exception,
    confirm_holiday,
    decide_holiday,
    parse_day,
    parse_hours,
    remove_day_exception,
    set_weekly_hours,
)
from app.charter.calendar_store import (
    CalendarOverview,
    ExceptionView,
    HolidayView,
    calendar_overview,
)
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, babel_locale, current_language, gettext, ngettext
from db.models import Role
from ui.focus import KeyboardDialog
from ui.formatting import hint_line, isolated, ltr
from ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    QStackedWidget,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    named,
    wrapped_label,
)
from ui.room import fit
from ui.table_model import Column, RowsModel
from ui.tasks import Runner, error_text

_ = gettext

# How far a holiday may be moved from this screen, either way (the service allows more).
MOVE_CHOICES = (1, 2, -1, 3, -2)


def long_day(value: date) -> str:
    """A date with its weekday, as the language writes it ("mar. 9 mars 2027")."""
    return str(format_skeleton("yMMMEd", value, locale=babel_locale()))


def hours_text(hours: tuple[Hours, ...]) -> str:
    """Opening hours as they are typed back: "08:00-12:00, 13:00-16:30"."""

    def clock(t: time, end: bool) -> str:
        return "24:00" if end and t == time(0) else t.strftime("%H:%M")

    return ", ".join(f"{clock(a, False)}-{clock(b, True)}" for a, b in hours)


def first_weekday(country: str) -> int:
    """The first day of the week in ``country`` (0 = Monday; 5 = Saturday in Algeria)."""
    try:
        return int(Locale.parse(f"fr_{country}").first_week_day)
    except (UnknownLocaleError, ValueError):
        return 0


def _holiday_day(h: HolidayView) -> str:
    return long_day(h.day if h.day is not None else h.estimated_on)


def _holiday_status(h: HolidayView) -> str:
    if h.day is None:
        status = _(N_("Not a holiday"))
    elif h.moved:
        status = _(N_("Moved from {day}")).format(day=isolated(long_day(h.estimated_on)))
    elif h.decided:
        status = _(N_("Confirmed"))
    elif h.estimated:
        status = _(N_("Estimated date"))
    else:
        status = _(N_("Fixed date"))
    if h.for_this_agency_only:
        status += " · " + _(N_("this agency"))
    return status


def _holiday_colour(h: HolidayView) -> str | None:
    if h.estimated:
        return "#8a5a00"  # still to be confirmed
    return "#6b6b6b" if h.day is None else None


def _exception_kind(e: ExceptionView) -> str:
    return _(N_("Exceptional opening")) if e.is_open else _(N_("Exceptional closure"))


def _exception_hours(e: ExceptionView) -> str:
    if e.hours:
        return ltr(hours_text(e.hours))
    return _(N_("whole day"))


def _table(name: str, model: RowsModel[Any]) -> QTableView:
    view = named(QTableView(), name)
    view.setModel(model)
    view.verticalHeader().hide()
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return view


class CalendarDialog(KeyboardDialog):
    """The calendar of one agency; ``changed`` counts the changes saved while open."""

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        agency: int | str,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("agency_calendar")
        self._ctx, self._actor, self._runner = ctx, actor, runner
        self.agency = agency
        self.agency_id: int | None = agency if isinstance(agency, int) else None
        self.overview: CalendarOverview | None = None
        self.busy = False
        self.changed = 0
        self._moving: HolidayView | None = None
        self.is_admin = actor.has_role(Role.ADMIN)

        self.pages = QStackedWidget()
        # -- the calendar -------------------------------------------------------------
        self.main_page = QWidget()
        self.title = wrapped_label("title")
        self.zone = wrapped_label("muted")

        self.hours_box = QGroupBox()
        self.hours_grid = hours_grid = QGridLayout(self.hours_box)
        hours_grid.setVerticalSpacing(2)
        self.day_names: list[QLabel] = []
        self.day_hours: list[QLineEdit] = []
        for weekday in range(7):
            name = QLabel()
            edit = named(QLineEdit(), f"hours_{weekday}")
            edit.setReadOnly(not self.is_admin)
            if not self.is_admin:
                edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            name.setBuddy(edit)
            hours_grid.addWidget(name, weekday, 0)
            hours_grid.addWidget(edit, weekday, 1)
            self.day_names.append(name)
            self.day_hours.append(edit)
        self.save_hours_button = named(QPushButton(), "save_hours")
        self.save_hours_button.setAutoDefault(False)
        self.save_hours_button.setVisible(self.is_admin)
        hours_grid.addWidget(self.save_hours_button, 7, 0, 1, 2)

        self.exceptions_box = QGroupBox()
        self.exception_model = RowsModel[ExceptionView](
            [
                Column("day", N_("Date"), lambda e: long_day(e.day)),
                Column("kind", N_("Kind"), _exception_kind),
                Column("hours", N_("Hours"), _exception_hours),
                Column("reason", N_("Reason"), lambda e: e.reason or ""),
            ]
        )
        self.exceptions = _table("calendar_exceptions", self.exception_model)
        self.add_exception_button = named(QPushButton(), "add_exception")
        self.add_exception_button.setAutoDefault(False)
        self.remove_exception_button = named(QPushButton(), "secondary")
        self.remove_exception_button.setAutoDefault(False)
        exceptions_layout = QVBoxLayout(self.exceptions_box)
        exceptions_layout.addWidget(self.exceptions, 1)
        exception_buttons = QHBoxLayout()
        exception_buttons.addStretch()
        exception_buttons.addWidget(self.remove_exception_button)
        exception_buttons.addWidget(self.add_exception_button)
        exceptions_layout.addLayout(exception_buttons)

        self.holidays_box = QGroupBox()
        self.holiday_model = RowsModel[HolidayView](
            [
                Column("day", N_("Date"), _holiday_day),
                Column("holiday", N_("Public holiday"), lambda h: h.label),
                Column("status", N_("Status"), _holiday_status, colour=_holiday_colour),
            ]
        )
        self.holidays = _table("calendar_holidays", self.holiday_model)
        self.confirm_button = named(QPushButton(), "confirm_holiday")
        self.move_button = named(QPushButton(), "move_holiday")
        self.cancel_holiday_button = named(QPushButton(), "secondary")
        for button in (self.confirm_button, self.move_button, self.cancel_holiday_button):
            button.setAutoDefault(False)
        holidays_layout = QVBoxLayout(self.holidays_box)
        holidays_layout.addWidget(self.holidays, 1)
        holiday_buttons = QHBoxLayout()
        holiday_buttons.addStretch()
        holiday_buttons.addWidget(self.cancel_holiday_button)
        holiday_buttons.addWidget(self.move_button)
        holiday_buttons.addWidget(self.confirm_button)
        holidays_layout.addLayout(holiday_buttons)

        self.status = wrapped_label("muted")
        self.error = wrapped_label("error")
        self.keys = wrapped_label("muted")
        self._error_label: QLabel = self.error
        self.close_button = named(QPushButton(), "secondary")
        self.close_button.setAutoDefault(False)

        top = QHBoxLayout()
        top.addWidget(self.hours_box, 2)
        top.addWidget(self.exceptions_box, 5)
        bottom = QHBoxLayout()
        bottom.addWidget(self.keys, 1)
        bottom.addWidget(self.close_button)
        main_layout = QVBoxLayout(self.main_page)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addWidget(self.title)
        main_layout.addWidget(self.zone)
        main_layout.addLayout(top, 2)
        main_layout.addWidget(self.holidays_box, 3)
        main_layout.addWidget(self.status)
        main_layout.addWidget(self.error)
        main_layout.addLayout(bottom)

        # -- moving a holiday ---------------------------------------------------------
        self.move_page = QWidget()
        self.move_title = wrapped_label("title")
        self.move_day = named(QComboBox(), "move_day")
        self.whole_feast = named(QCheckBox(), "whole_feast")
        self.whole_feast.setChecked(True)
        self.only_here = named(QCheckBox(), "only_this_agency")
        self.move_note = named(QLineEdit(), "move_note")
        self.move_error = wrapped_label("error")
        self.move_keys = wrapped_label("muted")
        self.save_move_button = named(QPushButton(), "save_move")
        self.save_move_button.setAutoDefault(False)
        self.move_form = QFormLayout()
        self._move_fields = [
            (N_("New date"), self.move_day),
            ("", self.whole_feast),
            ("", self.only_here),
            (N_("Note"), self.move_note),
        ]
        for _caption, widget in self._move_fields:
            self.move_form.addRow(QLabel(), widget)
        move_buttons = QHBoxLayout()
        move_buttons.addWidget(self.move_keys, 1)
        move_buttons.addWidget(self.save_move_button)
        move_layout = QVBoxLayout(self.move_page)
        move_layout.setContentsMargins(0, 0, 0, 0)
        move_layout.addWidget(self.move_title)
        move_layout.addLayout(self.move_form)
        move_layout.addWidget(self.move_error)
        move_layout.addStretch()
        move_layout.addLayout(move_buttons)

        # -- adding an exceptional day ------------------------------------------------
        self.add_page = QWidget()
        self.add_title = wrapped_label("title")
        self.add_day = named(QLineEdit(), "exception_day")
        self.add_day_understood = wrapped_label("muted")
        self.add_kind = named(QComboBox(), "exception_kind")
        self.add_kind.addItem("", False)
        self.add_kind.addItem("", True)
        self.add_hours = named(QLineEdit(), "exception_hours")
        self.add_reason = named(QLineEdit(), "exception_reason")
        self.add_error = wrapped_label("error")
        self.add_keys = wrapped_label("muted")
        self.save_exception_button = named(QPushButton(), "save_exception")
        self.save_exception_button.setAutoDefault(False)
        self.add_form = QFormLayout()
        self._add_fields = [
            (N_("Date"), self.add_day),
            ("", self.add_day_understood),
            (N_("Kind"), self.add_kind),
            (N_("Hours"), self.add_hours),
            (N_("Reason"), self.add_reason),
        ]
        for _caption, widget in self._add_fields:
            self.add_form.addRow(QLabel(), widget)
        add_buttons = QHBoxLayout()
        add_buttons.addWidget(self.add_keys, 1)
        add_buttons.addWidget(self.save_exception_button)
        add_layout = QVBoxLayout(self.add_page)
        add_layout.setContentsMargins(0, 0, 0, 0)
        add_layout.addWidget(self.add_title)
        add_layout.addLayout(self.add_form)
        add_layout.addWidget(self.add_error)
        add_layout.addStretch()
        add_layout.addLayout(add_buttons)

        self.pages.addWidget(self.main_page)
        self.pages.addWidget(self.move_page)
        self.pages.addWidget(self.add_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        # -- keys ---------------------------------------------------------------------
        self.confirm_button.clicked.connect(self.confirm)
        self.move_button.clicked.connect(self.start_move)
        self.cancel_holiday_button.clicked.connect(self.not_a_holiday)
        self.add_exception_button.clicked.connect(self.start_add)
        self.remove_exception_button.clicked.connect(self.remove_exception)
        self.save_hours_button.clicked.connect(self.save_hours)
        self.close_button.clicked.connect(self.reject)
        self.save_move_button.clicked.connect(self.save_move)
        self.save_exception_button.clicked.connect(self.save_exception)
        self.move_note.returnPressed.connect(self.save_move)
        self.add_day.returnPressed.connect(self.add_kind.setFocus)
        self.add_day.textChanged.connect(lambda _t: self._understand_day())
        self.add_hours.returnPressed.connect(self.add_reason.setFocus)
        self.add_reason.returnPressed.connect(self.save_exception)
        for edit in self.day_hours:
            edit.returnPressed.connect(self.save_hours)
        self._keys: list[tuple[str, Callable[[], None]]] = [
            ("F5", self.confirm),
            ("F6", self.start_move),
            ("F7", self.not_a_holiday),
            ("F8", self.start_add),
            ("F9", self.save_hours),
        ]
        for sequence, action in self._keys:
            QShortcut(QKeySequence(sequence), self, action)
        for view in (self.holidays, self.exceptions):
            view.selectionModel().currentChanged.connect(lambda *_a: self._update_buttons())
        # Delete takes back the exceptional day chosen in its table, and only there.
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.exceptions)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove_exception)
        fit(self, parent, 1200, 740)
        self.retranslate()
        self.holidays.setFocus()
        self.load()

    # -- loading --------------------------------------------------------------------------

    def load(self) -> None:
        ctx, actor, agency = self._ctx, self._actor, self.agency_id or self.agency
        language = current_language()
        self._runner.submit(
            lambda: calendar_overview(ctx, actor, agency, language),
            self.show_overview,
            self._failed,
        )

    def show_overview(self, overview: CalendarOverview) -> None:
        selected = self.selected_holiday()
        self.overview = overview
        self.agency_id = overview.agency_id
        self._order_days(first_weekday(overview.country))
        self.holiday_model.set_rows(list(overview.holidays))
        self.exception_model.set_rows(list(overview.exceptions))
        self.exceptions.resizeRowsToContents()  # a long reason wraps in its cell
        for weekday, edit in enumerate(self.day_hours):
            edit.setText(hours_text(overview.weekly.get(weekday, ())))
        row = 0
        if selected is not None:
            row = next(
                (
                    i
                    for i, h in enumerate(overview.holidays)
                    if (h.name, h.estimated_on) == (selected.name, selected.estimated_on)
                ),
                0,
            )
        if overview.holidays:
            self.holidays.setCurrentIndex(self.holiday_model.index(row, 0))
        if overview.exceptions:
            self.exceptions.setCurrentIndex(self.exception_model.index(0, 0))
        self._fill_titles()
        self._update_buttons()

    def _order_days(self, first: int) -> None:
        """The week as the country counts it: from Saturday in Algeria, Monday elsewhere."""
        for row in range(7):
            weekday = (first + row) % 7
            for column, widget in enumerate((self.day_names[weekday], self.day_hours[weekday])):
                self.hours_grid.removeWidget(widget)
                self.hours_grid.addWidget(widget, row, column)
        edits = [self.day_hours[(first + row) % 7] for row in range(7)]
        for before, after in pairwise(edits):
            QWidget.setTabOrder(before, after)

    def _fill_titles(self) -> None:
        overview = self.overview
        if overview is None:
            self.title.setText(_(N_("Agency calendar")))
            return
        self.title.setText(
            _(N_("Calendar of {agency}")).format(
                agency=f"{overview.agency_name} ({ltr(overview.agency_code)})"
            )
        )
        self.zone.setText(
            _(N_("Local hours of {timezone}; today is {day}.")).format(
                timezone=ltr(overview.timezone), day=isolated(long_day(overview.today))
            )
        )

    def _update_buttons(self) -> None:
        holiday = self.selected_holiday()
        idle = not self.busy
        self.confirm_button.setEnabled(idle and holiday is not None)
        self.move_button.setEnabled(idle and holiday is not None)
        self.cancel_holiday_button.setEnabled(
            idle and holiday is not None and holiday.day is not None
        )
        self.remove_exception_button.setEnabled(idle and self.selected_exception() is not None)
        self.add_exception_button.setEnabled(idle)
        self.save_hours_button.setEnabled(idle)

    def selected_holiday(self) -> HolidayView | None:
        return self._selected(self.holidays, self.holiday_model)

    def selected_exception(self) -> ExceptionView | None:
        return self._selected(self.exceptions, self.exception_model)

    @staticmethod
    def _selected(view: QTableView, model: RowsModel[Any]) -> Any:
        index = view.currentIndex()
        if not index.isValid() or not model.rows:
            return None
        return model.row_at(index.row())

    # -- acting ---------------------------------------------------------------------------

    def _run(self, work: Callable[[], CalendarChange], *, page_error: QLabel | None = None) -> None:
        if self.busy:
            return
        self.busy = True
        self.error.clear()
        self._error_label = page_error or self.error
        self._update_buttons()
        self._runner.submit(work, self._saved, self._failed)

    def _saved(self, change: CalendarChange) -> None:
        self.busy = False
        self.changed += 1
        self.pages.setCurrentWidget(self.main_page)
        self.status.setText(
            _(N_("Saved."))
            + " "
            + ngettext(
                "{count} running complaint deadline counted again.",
                "{count} running complaint deadlines counted again.",
                change.deadlines_moved,
            ).format(count=change.deadlines_moved)
        )
        self.holidays.setFocus()
        self.load()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        target = self._error_label
        target.setText(error_text(error))
        self._error_label = self.error
        self._update_buttons()
        field = error.field if isinstance(error, GuichetError) else None
        focus: QWidget | None = {
            "day": self.add_day,
            "hours": self.add_hours,
            "reason": self.add_reason,
            "note": self.move_note,
            "actual_on": self.move_day,
        }.get(field or "")
        if field and field.startswith("hours.") and field[6:].isdigit():
            focus = self.day_hours[int(field[6:])]
        if focus is not None and focus.isVisible():
            focus.setFocus()

    def confirm(self) -> None:
        holiday = self.selected_holiday()
        if holiday is None or self.pages.currentWidget() is not self.main_page:
            return
        ctx, actor = self._ctx, self._actor
        # Confirming a feast's first day confirms the days that follow it.
        self._run(
            lambda: confirm_holiday(
                ctx, actor, holiday.name, holiday.estimated_on, whole_feast=True
            )
        )

    def not_a_holiday(self) -> None:
        holiday = self.selected_holiday()
        if (
            holiday is None
            or holiday.day is None
            or self.pages.currentWidget() is not self.main_page
        ):
            return
        ctx, actor = self._ctx, self._actor
        self._run(lambda: decide_holiday(ctx, actor, holiday.name, holiday.estimated_on, None))

    def start_move(self) -> None:
        holiday = self.selected_holiday()
        if holiday is None or self.busy or self.pages.currentWidget() is not self.main_page:
            return
        self._moving = holiday
        self.move_day.clear()
        for shift in MOVE_CHOICES:
            day = holiday.estimated_on + timedelta(days=shift)
            self.move_day.addItem(long_day(day), day)
        self.move_note.clear()
        self.only_here.setChecked(False)
        self.whole_feast.setChecked(True)
        self.move_error.clear()
        self._fill_move_title()
        self.pages.setCurrentWidget(self.move_page)
        self.move_day.setFocus()

    def _fill_move_title(self) -> None:
        holiday = self._moving
        if holiday is None:
            return
        self.move_title.setText(
            _(N_("Move {holiday}, estimated on {day}")).format(
                holiday=holiday.label, day=isolated(long_day(holiday.estimated_on))
            )
        )

    def save_move(self) -> None:
        holiday = self._moving
        if holiday is None or self.pages.currentWidget() is not self.move_page:
            return
        ctx, actor = self._ctx, self._actor
        new_day: date = self.move_day.currentData()
        whole = self.whole_feast.isChecked()
        agency = self.agency_id if self.only_here.isChecked() else None
        note = self.move_note.text()
        self._run(
            lambda: decide_holiday(
                ctx,
                actor,
                holiday.name,
                holiday.estimated_on,
                new_day,
                agency_id=agency,
                whole_feast=whole,
                note=note,
            ),
            page_error=self.move_error,
        )

    def start_add(self) -> None:
        if self.busy or self.pages.currentWidget() is not self.main_page:
            return
        for edit in (self.add_day, self.add_hours, self.add_reason):
            edit.clear()
        self.add_kind.setCurrentIndex(0)
        self.add_error.clear()
        self.pages.setCurrentWidget(self.add_page)
        self.add_day.setFocus()

    def _today(self) -> date:
        return self.overview.today if self.overview is not None else date.today()

    def _understand_day(self) -> None:
        text = self.add_day.text()
        try:
            day = parse_day(text, self._today())
        except GuichetError as error:
            self.add_day_understood.setText(error.translated() if text.strip() else "")
            return
        self.add_day_understood.setText(long_day(day))

    def save_exception(self) -> None:
        if self.pages.currentWidget() is not self.add_page:
            return
        try:
            day = parse_day(self.add_day.text(), self._today())
            hours = parse_hours(self.add_hours.text())
        except GuichetError as error:
            self.add_error.setText(error.translated())
            (self.add_day if error.field == "day" else self.add_hours).setFocus()
            return
        ctx, actor, agency_id = self._ctx, self._actor, self.agency_id
        if agency_id is None:
            return
        is_open = bool(self.add_kind.currentData())
        reason = self.add_reason.text()
        self._run(
            lambda: add_day_exception(
                ctx, actor, agency_id, day, is_open=is_open, hours=hours, reason=reason
            ),
            page_error=self.add_error,
        )

    def remove_exception(self) -> None:
        exception = self.selected_exception()
        if exception is None or self.pages.currentWidget() is not self.main_page:
            return
        ctx, actor, agency_id = self._ctx, self._actor, self.agency_id
        if agency_id is None:
            return
        self._run(lambda: remove_day_exception(ctx, actor, agency_id, exception.day))

    def save_hours(self) -> None:
        if not self.is_admin or self.pages.currentWidget() is not self.main_page:
            return
        week: dict[int, tuple[Hours, ...]] = {}
        for weekday, edit in enumerate(self.day_hours):
            try:
                week[weekday] = parse_hours(edit.text(), field=f"hours.{weekday}")
            except GuichetError as error:
                self.error.setText(error.translated())
                edit.setFocus()
                return
        ctx, actor, agency_id = self._ctx, self._actor, self.agency_id
        if agency_id is None:
            return
        self._run(lambda: set_weekly_hours(ctx, actor, agency_id, week))

    def reject(self) -> None:
        if self.busy:
            return
        if self.pages.currentWidget() is not self.main_page:
            self.pages.setCurrentWidget(self.main_page)
            self.holidays.setFocus()
            return
        super().reject()

    # -- language -------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Agency calendar")))
        self._fill_titles()
        names = get_day_names("wide", locale=babel_locale())
        for weekday, label in enumerate(self.day_names):
            label.setText(str(names[weekday]).capitalize())
        self.hours_box.setTitle(_(N_("Weekly hours")))
        self.exceptions_box.setTitle(_(N_("Exceptional openings and closures")))
        self.holidays_box.setTitle(_(N_("Coming public holidays")))
        self.save_hours_button.setText(_(N_("Save the hours (F9)")))
        self.add_exception_button.setText(_(N_("Add… (F8)")))
        self.remove_exception_button.setText(_(N_("Remove (Del)")))
        self.confirm_button.setText(_(N_("Confirm (F5)")))
        self.move_button.setText(_(N_("Move… (F6)")))
        self.cancel_holiday_button.setText(_(N_("Not a holiday (F7)")))
        self.close_button.setText(_(N_("Close (Esc)")))
        self.keys.setText(
            hint_line(
                [N_("↑↓: choose"), N_("Tab: next table")]
                + ([N_("F9: save the hours")] if self.is_admin else [])
            )
        )
        for model in (self.holiday_model, self.exception_model):
            model.retranslate()
        # Moving a holiday.
        self.whole_feast.setText(_(N_("The feast's following days move too")))
        self.only_here.setText(_(N_("Only for this agency")))
        self._relabel(self.move_form, self._move_fields)
        self._fill_move_title()
        self.save_move_button.setText(_(N_("Save (Enter)")))
        self.move_keys.setText(hint_line([N_("Esc: back")]))
        # Adding an exceptional day.
        self.add_title.setText(_(N_("An exceptional opening or closure")))
        self.add_kind.setItemText(0, _(N_("Exceptional closure")))
        self.add_kind.setItemText(1, _(N_("Exceptional opening")))
        self.add_day.setPlaceholderText(_(N_("e.g. 04/12/2026")))
        self.add_hours.setPlaceholderText(
            _(N_("e.g. 08:00-12:00, 13:00-16:30 (empty: the whole day)"))
        )
        self._relabel(self.add_form, self._add_fields)
        self.save_exception_button.setText(_(N_("Save (Enter)")))
        self.add_keys.setText(hint_line([N_("Esc: back")]))

    @staticmethod
    def _relabel(form: QFormLayout, fields: list[tuple[str, QWidget]]) -> None:
        for row, (caption, _widget) in enumerate(fields):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            shown = item.widget() if item is not None else None
            if isinstance(shown, QLabel):
                shown.setText(_(caption) if caption else "")
