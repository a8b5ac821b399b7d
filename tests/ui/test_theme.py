"""Every check box shows its box, ticked or not: an agent must see what is not selected."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from ui.qt import QApplication, QCheckBox, Qt
from ui.theme import CHECK_MARK, apply_theme

BACKGROUND = (0xF7, 0xF7, 0xF5)


def _colours(box: QCheckBox) -> set[tuple[int, int, int]]:
    """The colours drawn where the box is (the indicator sits at the start of the widget)."""
    image = box.grab().toImage()
    side = min(image.height(), 30)
    start = 0 if box.layoutDirection() == Qt.LayoutDirection.LeftToRight else image.width() - side
    colours = set()
    for x in range(start, start + side):
        for y in range(image.height()):
            colour = image.pixelColor(x, y)
            colours.add((colour.red(), colour.green(), colour.blue()))
    return colours


@pytest.mark.parametrize(
    "direction", [Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft]
)
def test_an_unticked_box_is_drawn_and_a_ticked_one_differs(
    qtbot: QtBot, direction: Qt.LayoutDirection
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    unticked, ticked = QCheckBox("Keep the change"), QCheckBox("Keep the change")
    ticked.setChecked(True)
    for box in (unticked, ticked):
        box.setLayoutDirection(direction)
        qtbot.addWidget(box)
        box.show()
    empty = _colours(unticked)
    dark = {c for c in empty if sum(c) < 3 * 110}
    assert dark, "the unticked box draws no border"
    assert (255, 255, 255) in empty  # its inside, lighter than the screen around it
    full = _colours(ticked)
    assert any(b > 150 and r < 60 for r, g, b in full), "the ticked box is not filled"
    assert (255, 255, 255) in full  # the tick itself


def test_the_tick_ships_with_the_application() -> None:
    assert CHECK_MARK.is_file() and b"<svg" in CHECK_MARK.read_bytes()
