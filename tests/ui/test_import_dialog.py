"""The administrators' import screen: preview as parsed, check, import, the refusals
shown and saved, Cancel rolling everything back, admins only, in fr, ar and en."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.auth import Actor
from app.i18n import set_language
from app.imports import apply, lock
from app.imports.screen import Pace
from db.engine import Database
from db.models import Role
from tests.factories import World, build_world
from tests.imports.helpers import TABLES, checksum, copy_examples, write
from tests.ui.conftest import SyncRunner
from ui.admin.import_dialog import ImportDialog, size_text, split_paths, time_left_text
from ui.language import LanguageSwitch
from ui.qt import QApplication, Qt, QWidget
from ui.tasks import TaskRunner


@pytest.fixture
def world(sqlite_database: Database, tmp_path: Path) -> World:
    return build_world(sqlite_database, tmp_path / "keys")


def admin_of(world: World) -> Actor:
    return dataclasses.replace(world.supervisor, login="adil", role=Role.ADMIN)


def dialog_for(
    world: World, qtbot: QtBot, actor: Actor | None = None, runner: object = None
) -> ImportDialog:
    dialog = ImportDialog(world.ctx, actor or admin_of(world), runner or SyncRunner())  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    return dialog


def plain(shown: str) -> str:
    """The text without the direction marks that keep paths and numbers in order."""
    return "".join(char for char in shown if char not in "\u2066\u2067\u2068\u2069")


def press(qtbot: QtBot, dialog: ImportDialog, key: Qt.Key) -> None:
    QApplication.processEvents()
    qtbot.keyClick(QApplication.focusWidget() or dialog, key)


def counts(database: Database) -> dict[str, int]:
    with database.read() as session:
        return {
            table: int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in TABLES
        }


def test_the_files_are_previewed_as_the_import_reads_them(
    world: World, qtbot: QtBot, tmp_path: Path
) -> None:
    paths = copy_examples(tmp_path / "batch", ("subscribers.csv", "invoices.csv"))
    bad = write(
        tmp_path / "batch",
        "more.csv",
        "account_number,last_name,mobile\nA-1,Saadi,bad\nA-2,Haddad,\n",
    )
    dialog = dialog_for(world, qtbot)
    chosen = [str(path) for path in (*paths, bad)]
    dialog.choose = lambda: chosen
    press(qtbot, dialog, Qt.Key.Key_F3)
    assert split_paths(dialog.files.text()) == [Path(name) for name in chosen]
    assert [preview.name for preview in dialog.previews] == [
        "subscribers.csv",
        "invoices.csv",
        "more.csv",
    ]
    summary = plain(dialog.preview_summary.text())
    assert (
        "subscribers (recognised)" in summary
        and "UTF-8 BOM" in summary
        and "semicolon (;)" in summary
    )
    model = dialog.preview_model
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Line"
    assert model.columns[0] == "account_number" and "first_name" in model.columns
    assert model.rowCount() == 3
    # A quoted line break (line 4) is one record of the file: it starts on line 4.
    assert [model.data(model.index(row, 0)) for row in range(3)] == ["2", "3", "4"]
    assert model.data(model.index(0, 1 + model.columns.index("first_name"))) == "Yasmine"
    assert model.problem_cells() == []
    dialog.preview_file.setCurrentIndex(1)
    assert "invoices (recognised)" in plain(dialog.preview_summary.text())
    assert model.data(model.index(0, 1)) == "IMP-F-2024-0101"
    dialog.preview_file.setCurrentIndex(2)
    assert "separator comma (,)" in plain(dialog.preview_summary.text())
    assert model.problem_cells() == [(2, "mobile", "not a phone number")]
    mobile = 1 + model.columns.index("mobile")
    assert model.data(model.index(0, mobile), Qt.ItemDataRole.ToolTipRole) == "not a phone number"
    # Forced: the kind chosen, and a file that does not fit it says which columns lack.
    dialog.kind.setCurrentIndex(dialog.kind.findData("offers"))
    assert "offers (as chosen)" in plain(dialog.preview_summary.text())
    assert "the column offer_code is missing" in dialog.preview_problems.text()


def test_check_then_import_then_a_refusal_shown_and_saved(
    world: World, qtbot: QtBot, tmp_path: Path
) -> None:
    paths = copy_examples(tmp_path / "batch")
    dialog = dialog_for(world, qtbot)
    dialog.files.setText(" ; ".join(str(path) for path in paths))
    before = checksum(world.db)
    press(qtbot, dialog, Qt.Key.Key_F4)
    assert "checked, every line is accepted; nothing was written" in dialog.verdict.text()
    assert "subscribers: 3 created" in dialog.verdict.text()
    assert checksum(world.db) == before
    assert not list((tmp_path / "batch").glob("*.report.txt"))
    assert dialog.progress.value() == dialog.progress.maximum()

    press(qtbot, dialog, Qt.Key.Key_F5)
    assert "applied" in dialog.verdict.text()
    assert dialog.outcome is not None and dialog.outcome.result.applied
    report = paths[0].with_name(paths[0].name + ".report.txt")
    assert "subscribers: 3 created" in report.read_text(encoding="utf-8")
    assert "Report saved next to each file" in dialog.saved.text()
    assert dialog.refusals_table.isHidden()
    with world.db.read() as session:
        journal = session.execute(
            text("SELECT actor_login FROM journal_events WHERE kind = 'import.applied'")
        ).scalar_one()
    assert journal.startswith("adil@")

    bad = write(tmp_path / "bad", "subs.csv", "account_number,last_name,mobile\nA-1,Saadi,bad\n")
    dialog.files.setText(str(bad))
    after = checksum(world.db)
    press(qtbot, dialog, Qt.Key.Key_F5)
    assert "refused; nothing was written." in dialog.verdict.text()
    assert not dialog.refusals_table.isHidden()
    refusal = dialog.refusals_model.rows[0]
    assert (refusal.file, refusal.line, refusal.column, refusal.value, refusal.rule) == (
        "subs.csv",
        2,
        "mobile",
        "bad",
        "not a phone number",
    )
    assert "value «bad»: not a phone number" in bad.with_name("subs.csv.report.txt").read_text(
        encoding="utf-8"
    )
    assert checksum(world.db) == after


def test_bad_input_and_a_non_admin_get_one_line(world: World, qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(world, qtbot)
    dialog.preview()
    assert dialog.error.text().startswith("Give the files to import")
    dialog.files.setText(str(tmp_path / "nope.csv"))
    qtbot.keyClick(dialog.files, Qt.Key.Key_Return)
    assert plain(dialog.error.text()).endswith("nope.csv is not a file.")
    paths = copy_examples(tmp_path / "batch", ("offers.csv",))
    refused = dialog_for(world, qtbot, world.supervisor)
    refused.files.setText(str(paths[0]))
    before = counts(world.db)
    for action in (refused.preview, refused.check, refused.run):
        action()
        assert refused.error.text() == "This needs the admin role; marc is supervisor." or (
            "needs the admin role" in refused.error.text()
        )
        assert "\n" not in refused.error.text()
    assert refused.previews == [] and counts(world.db) == before


def test_cancel_rolls_everything_back(
    world: World, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "".join(f"S-{n:06d};Nom{n};055{n:07d}\n" for n in range(6000))
    big = write(tmp_path, "subscribers.csv", "account_number;last_name;mobile\n" + rows)
    offers = copy_examples(tmp_path / "batch", ("offers.csv",))
    before_counts, before = counts(world.db), checksum(world.db)
    in_transaction, go_on = threading.Event(), threading.Event()
    real = apply._write_chunk

    calls = {"n": 0}

    def held(*args: object) -> None:
        real(*args)  # type: ignore[arg-type]
        calls["n"] += 1
        if calls["n"] == 2:  # offers and 2,000 subscribers written, not committed
            in_transaction.set()
            go_on.wait(30)

    monkeypatch.setattr(apply, "_write_chunk", held)
    runner = TaskRunner()
    try:
        dialog = dialog_for(world, qtbot, runner=runner)
        dialog.files.setText(f"{offers[0]}; {big}")
        press(qtbot, dialog, Qt.Key.Key_F5)
        assert dialog.busy and dialog.cancel_button.isEnabled()
        assert not dialog.import_button.isEnabled()
        assert in_transaction.wait(30)
        # The bar follows the worker: the offers read, the subscribers under way.
        qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=5000)
        assert "offers.csv" in plain(dialog.pace.text())
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert not dialog.cancel_button.isEnabled()
        assert "Cancelling" in dialog.pace.text()
        go_on.set()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    finally:
        go_on.set()
        runner.close()
    assert dialog.error.text() == (
        "Import cancelled: everything was rolled back, nothing was written."
    )
    assert counts(world.db) == before_counts and checksum(world.db) == before
    assert not list(tmp_path.glob("*.report.txt"))
    assert dialog.import_button.isEnabled()


def test_the_pace_of_a_batch() -> None:
    clock = {"now": 0.0}
    files = Path(__file__).parent
    first, second = files / "conftest.py", files / "__init__.py"
    pace = Pace([first, second], clock=lambda: clock["now"])
    whole = first.stat().st_size + max(1, second.stat().st_size)
    assert pace.snapshot().rate is None and pace.snapshot().fraction == 0
    clock["now"] = 2.0
    pace("conftest.py", 50, 100)  # bytes of a CSV file, or rows of a workbook: a share
    snapshot = pace.snapshot()
    half = first.stat().st_size // 2
    assert snapshot.done_bytes == half and snapshot.total_bytes == whole
    assert snapshot.rate == pytest.approx(half / 2)
    assert snapshot.seconds_left == pytest.approx((whole - half) / (half / 2))
    assert snapshot.file == "conftest.py"
    assert size_text(1536) == "1.5 KB" and size_text(3 * 1024 * 1024, per_second=True) == "3.0 MB/s"
    assert time_left_text(75) == "about 1 min 15 s left"
    assert time_left_text(0.2) == "about 1 s left"
    set_language("fr")
    try:
        assert size_text(1536) == "1,5 KB" or size_text(1536).startswith("1,5")
    finally:
        set_language("en")


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_the_screen_fits_in_each_language(
    world: World, qtbot: QtBot, tmp_path: Path, language: str, size: tuple[int, int]
) -> None:
    switch = LanguageSwitch()
    switch.apply(language)
    try:
        host = QWidget()
        qtbot.addWidget(host)
        host.resize(*size)
        paths = copy_examples(tmp_path / "batch", ("subscribers.csv", "invoices.csv"))
        bad = write(tmp_path / "batch", "z.csv", "account_number,last_name,mobile\nA-1,Saadi,bad\n")
        dialog = ImportDialog(world.ctx, admin_of(world), SyncRunner(), host)  # closed with host
        dialog.files.setText("; ".join(str(path) for path in (*paths, bad)))
        dialog.show()
        dialog.preview()
        dialog.run()
        assert dialog.width() <= size[0] and dialog.height() <= size[1]
        assert dialog.windowTitle() and dialog.verdict.text() and dialog.refusals_model.rowCount()
        if language == "ar":
            assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
        assert dialog.preview_table.height() > 80 and dialog.refusals_table.height() > 40
    finally:
        switch.apply("en")
        set_language("en")


def test_an_import_elsewhere_is_named_in_one_line(
    world: World, qtbot: QtBot, tmp_path: Path
) -> None:
    paths = copy_examples(tmp_path / "batch", ("offers.csv",))
    dialog = dialog_for(world, qtbot)
    dialog.files.setText(str(paths[0]))
    before = counts(world.db)
    holder = "watcher@it-server pid 9 since 2026-12-02 08:00:00"
    with lock.lock_sqlite_file(world.db.engine.url.database, holder):
        press(qtbot, dialog, Qt.Key.Key_F5)
    assert dialog.error.text() == (
        f"Another import is running ({holder}): try again when it has finished."
    )
    assert not dialog.busy and dialog.import_button.isEnabled() and counts(world.db) == before
    press(qtbot, dialog, Qt.Key.Key_F5)
    assert dialog.error.isHidden() and "applied" in dialog.verdict.text()
