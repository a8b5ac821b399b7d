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

ISOLATES = "\u2066\u2067\u2068\u2069\u200e\u200f"  # and the line's direction mark


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


def keys_apart_from_their_action(label: QLabel) -> list[str]:
    """The hints whose key Qt, wrapping the label at its width, would leave at the end
    of a line with what it does on the next."""
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
    apart = []
    start = 0
    for piece in text.split(" · "):
        core = piece.strip(ISOLATES)
        offset = start + piece.index(core)
        colon = core.index(":")
        action = core[colon + 1 :].lstrip(" \u00a0")
        first_word_end = offset + len(core) - len(action) + len(action.split(" ")[0])
        first = layout.lineForTextPosition(offset).lineNumber()
        last = layout.lineForTextPosition(first_word_end - 1).lineNumber()
        if first != last:
            apart.append(core)
        start += len(piece) + len(" · ")
    return apart


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
@pytest.mark.parametrize("width", [1024, 1366])
def test_a_narrow_screen_never_parts_a_key_from_what_it_does(
    counter: Counter, language: str, width: int
) -> None:
    counter.sign_in()
    window = counter.window
    window.language.apply(language)
    window.resize(width, 768)
    counter.qtbot.wait(20)
    label = window.counter._keys_help
    assert label.wordWrap()
    assert keys_apart_from_their_action(label) == []
    left, right = last_line_margins(label)
    if width == 1024:  # two lines: the short last one starts on the reading side
        if language == "ar":
            assert right < 12 < left, (left, right)
        else:
            assert left < 12 < right, (left, right)


def last_line_margins(label: QLabel) -> tuple[int, int]:
    """The blank widths left and right of the label's last line of text, as drawn."""
    image = label.grab().toImage()
    background = image.pixelColor(0, 0).lightness()

    def inked(x: int, y: int) -> bool:
        return abs(image.pixelColor(x, y).lightness() - background) > 60

    rows = [y for y in range(image.height()) if any(inked(x, y) for x in range(image.width()))]
    assert rows, "nothing drawn"
    bottom = rows[-1]
    top = bottom
    while top - 1 in rows:
        top -= 1
    columns = [x for x in range(image.width()) if any(inked(x, y) for y in range(top, bottom + 1))]
    return columns[0], image.width() - 1 - columns[-1]
