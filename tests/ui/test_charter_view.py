"""The charter screen: the version in force with each commitment in the reader's language,
the other versions one pick away; read-only, at 1366x768 and 1024x768."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.auth import add_user
from app.charter.charters import load_charter
from app.demo.charter import demo_charter_path, load_demo_charter
from app.i18n import is_right_to_left, set_language
from db.engine import Database
from tests.factories import NOW, PASSWORD, World, build_world
from tests.ui.conftest import SyncRunner
from ui.qt import QApplication, QLabel, Qt, QWidget
from ui.supervisor.charter_view import CharterDialog
from ui.theme import apply_theme


@pytest.fixture
def world(sqlite_database: Database, tmp_path: Path) -> World:
    world = build_world(sqlite_database, tmp_path / "keys", currency="EUR")
    load_demo_charter(world.ctx, "fr")
    admin = add_user(world.ctx, "root", role="admin", password=PASSWORD)
    # Next year's charter: the outage credit doubled, to come.
    text = demo_charter_path("fr").read_text("utf-8").replace("days = 2,", "days = 4,")
    load_charter(world.ctx, admin, text, effective_from=NOW + timedelta(days=40))
    return world


@pytest.fixture
def room(qtbot: QtBot) -> Iterator[QWidget]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(1366, 768)
    parent.show()
    yield parent
    _language("en")


def _language(language: str) -> None:
    set_language(language)
    QApplication.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft
        if is_right_to_left(language)
        else Qt.LayoutDirection.LeftToRight
    )


def _open(world: World, room: QWidget, qtbot: QtBot) -> CharterDialog:
    dialog = CharterDialog(world.ctx, world.supervisor, SyncRunner(), room)
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.processEvents()
    return dialog


def _texts(widget: QWidget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def test_the_version_in_force_with_its_commitments(
    world: World, room: QWidget, qtbot: QtBot
) -> None:
    dialog = _open(world, room, qtbot)
    assert dialog.shown is not None and dialog.shown.version == 1
    assert dialog.versions.count() == 2
    assert dialog.versions.currentText().startswith("Version 1 · from ")
    assert dialog.versions.currentText().endswith("· in force")
    assert dialog.versions.itemText(0).endswith("· to come")
    assert len(dialog.cards) == 9
    shown = _texts(dialog)
    assert "1. Your service activated within two weeks" in shown
    assert "The first month's subscription is not billed. Given automatically." in shown
    assert "3 minutes (real time)" in shown
    assert (
        "Refunded on proof, up to €99.00. Given automatically up to €60.00; above, a "
        "supervisor approves it."
    ) in shown
    assert (
        "16 business hours (while the agency is open), the clock pauses while waiting for "
        "the customer"
        in shown
        or "16 business hours (while the agency is open); the clock pauses while waiting for "
        "the customer"
        in shown
    )
    assert "2 days of subscription credited for every started 24 hours" in shown
    # The version to come, picked in the list.
    dialog.versions.setCurrentIndex(0)
    assert dialog.shown is not None and dialog.shown.version == 2
    assert "4 days of subscription credited" in _texts(dialog)
    assert "in force from" in dialog.term.text()


def test_in_french_and_in_arabic_right_to_left(world: World, room: QWidget, qtbot: QtBot) -> None:
    dialog = _open(world, room, qtbot)
    _language("ar")
    dialog.retranslate()
    assert dialog.isRightToLeft()
    shown = _texts(dialog)
    assert "تفعيل خدمتكم في غضون أسبوعين" in shown
    assert "نلتزم بتفعيل خدمتكم" in shown
    _language("fr")
    dialog.retranslate()
    assert "Votre service activé sous deux semaines" in _texts(dialog)


def test_without_a_charter_it_says_how_one_is_loaded(
    sqlite_database: Database, tmp_path: Path, room: QWidget, qtbot: QtBot
) -> None:
    world = build_world(sqlite_database, tmp_path / "keys")
    dialog = _open(world, room, qtbot)
    assert dialog.cards == [] and dialog.empty.isVisible()
    assert "python main.py charter load FILE" in dialog.empty.text()
    assert not dialog.versions.isEnabled()


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_it_fits_the_screen_and_reads_across(
    world: World, room: QWidget, qtbot: QtBot, language: str, size: tuple[int, int]
) -> None:
    room.resize(*size)
    _language(language)
    dialog = _open(world, room, qtbot)
    QApplication.processEvents()
    assert dialog.width() <= size[0] and dialog.height() <= size[1]
    # Nothing wider than the scroll area: the cards wrap their words, no sideways scroll.
    body = dialog.area.widget()
    assert body is not None and body.width() <= dialog.area.viewport().width()
    for card in dialog.cards:
        assert card.heading.text() and card.text.text()
