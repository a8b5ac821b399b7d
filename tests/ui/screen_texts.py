"""Every text a person can see on screen: labels, fields, buttons, table cells and headers,
tool tips and what a screen reader reads, across the window and its open dialogs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from babel.messages.pofile import read_po
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.i18n import TRANSLATIONS_DIR


def _texts_of(widget: QWidget) -> Iterable[str]:
    yield widget.toolTip()
    yield widget.accessibleName()
    yield widget.accessibleDescription()
    if widget.isWindow():
        yield widget.windowTitle()
    if isinstance(widget, QLabel):
        yield widget.text()
    elif isinstance(widget, QLineEdit):
        yield widget.text()
        yield widget.placeholderText()
    elif isinstance(widget, QAbstractButton):
        yield widget.text()
    elif isinstance(widget, QComboBox):
        yield widget.currentText()
    elif isinstance(widget, QAbstractItemView):
        model = widget.model()
        if model is None:
            return
        for column in range(model.columnCount()):
            yield str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            for row in range(model.rowCount()):
                yield str(model.data(model.index(row, column)) or "")


def visible_texts(
    root: QWidget | None = None, *, skip: tuple[QWidget, ...] = ()
) -> list[tuple[QWidget, str]]:
    """(widget, text) for every visible widget of ``root`` (else of every open window),
    leaving out ``skip`` and what is inside them."""
    roots = [root] if root is not None else QApplication.topLevelWidgets()
    found: list[tuple[QWidget, str]] = []
    for top in roots:
        if not top.isVisible():
            continue
        for widget in [top, *top.findChildren(QWidget)]:
            if not widget.isVisible():
                continue
            if any(widget is s or s.isAncestorOf(widget) for s in skip):
                continue
            found.extend((widget, text) for text in _texts_of(widget) if text)
    return found


def traces(needles: Iterable[str], root: QWidget) -> list[tuple[str, str, str]]:
    """(needle, widget's class and name, text) wherever a needle shows in ``root``, its
    dialogs included (they are its children)."""
    shown = visible_texts(root)
    return [
        (needle, f"{type(widget).__name__}#{widget.objectName()}", text)
        for needle in needles
        for widget, text in shown
        if needle in _plain(text)
    ]


def _plain(text: str) -> str:
    """No-break spaces as plain ones: money and French punctuation use them."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


@cache
def _catalogue(language: str) -> dict[str, str]:
    with (TRANSLATIONS_DIR / language / "guichet.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {
        message.id: message.string
        for message in catalog
        if isinstance(message.id, str) and message.id and isinstance(message.string, str)
    }


def translated(msgid: str, language: str) -> str:
    """``msgid`` as the screen writes it in ``language`` (English: the msgid itself)."""
    if language == "en":
        return msgid
    return _catalogue(language).get(msgid) or msgid


_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def leftovers(previous: str, now: str, texts: Iterable[str]) -> list[tuple[str, str, str]]:
    """Pieces of ``previous``-language translations still shown after a switch to ``now``.

    A translation is cut at its placeholders; a piece counts when it has six
    characters or more, with a letter, and no ``now`` translation has it too (the
    product's name "Guichet" is the French for "Counter", and stays in the Arabic
    window title).
    """
    everything_now = "\n".join(_plain(translated(m, now)) for m in _catalogue("fr"))
    pieces: dict[str, str] = {}
    for msgid in _catalogue("fr"):
        before, after = translated(msgid, previous), translated(msgid, now)
        if before == after:
            continue
        for piece in _PLACEHOLDER.split(_plain(before)):
            piece = piece.strip(" .,:;·—()\n")
            if len(piece) >= 6 and any(c.isalpha() for c in piece) and piece not in everything_now:
                pieces.setdefault(piece, msgid)
    shown = [_plain(text) for text in texts]
    return [
        (piece, msgid, text) for piece, msgid in pieces.items() for text in shown if piece in text
    ]
