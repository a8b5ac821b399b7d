"""Key hints read in order: in Arabic, from the right, each key before what it does.

Laid out by Qt as the label draws it (QTextLayout in the label's direction and
font), the centre of every piece, of its key and of its action is measured: in a
right-to-left language the first hint is the rightmost and each key stands to the
right of its action; in a left-to-right one, the mirror image.
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from tests.ui.conftest import Counter
from ui.qt import QLabel, Qt, QTextLayout, QTextOption

ISOLATES = "\u2066\u2067\u2068\u2069"


def centres(label: QLabel) -> list[tuple[float, float, float]]:
    """(piece, key, action) horizontal centres of each "key: action" piece, in reading order."""
    text = label.text()
    layout = QTextLayout(text, label.font())
    option = QTextOption()
    option.setTextDirection(label.layoutDirection())
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(100_000)  # one line: wrapping moves pieces, not their order
    layout.endLayout()

    def centre(start: int, end: int) -> float:
        return (line.cursorToX(start)[0] + line.cursorToX(end)[0]) / 2

    found = []
    start = 0
    for piece in text.split(" · "):
        core = piece.strip(ISOLATES)
        offset = start + piece.index(core)
        colon = core.index(":")
        key = (offset, offset + colon)
        action = (offset + colon + 2, offset + len(core))
        found.append((centre(offset, offset + len(core)), centre(*key), centre(*action)))
        start += len(piece) + len(" · ")
    return found


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_the_counter_hints_read_in_order(counter: Counter, language: str) -> None:
    counter.sign_in()
    counter.window.language.apply(language)
    screen = counter.window.counter
    counter.scan("1000000001")  # the status line says what Enter and Esc do
    for label in (screen._keys_help, screen.status):
        pieces = centres(label)
        assert len(pieces) >= 2
        right_to_left = language == "ar"
        assert label.layoutDirection() == (
            Qt.LayoutDirection.RightToLeft if right_to_left else Qt.LayoutDirection.LeftToRight
        )
        for (piece, _, _), (next_piece, _, _) in pairwise(pieces):
            assert (piece > next_piece) == right_to_left, "hints out of order"
        for _piece, key, action in pieces:
            assert (key > action) == right_to_left, "a key stands after what it does"


def pieces_split_across_lines(label: QLabel) -> list[str]:
    """The hints that Qt, wrapping the label at its width, would cut in two."""
    text = label.text()
    layout = QTextLayout(text, label.font())
    option = QTextOption()
    option.setTextDirection(label.layoutDirection())
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(label.contentsRect().width())
    layout.endLayout()
    split = []
    start = 0
    for piece in text.split(" · "):
        core = piece.strip(ISOLATES)
        offset = start + piece.index(core)
        first = layout.lineForTextPosition(offset).lineNumber()
        last = layout.lineForTextPosition(offset + len(core) - 1).lineNumber()
        if first != last:
            split.append(core)
        start += len(piece) + len(" · ")
    return split


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
@pytest.mark.parametrize("width", [1024, 1366])
def test_a_narrow_screen_wraps_between_hints_never_inside_one(
    counter: Counter, language: str, width: int
) -> None:
    counter.sign_in()
    window = counter.window
    window.language.apply(language)
    window.resize(width, 768)
    counter.qtbot.wait(20)
    label = window.counter._keys_help
    assert label.wordWrap()
    assert pieces_split_across_lines(label) == []
