"""The one place Qt is imported from, so the binding is named once."""

from typing import TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QGuiApplication,
    QHideEvent,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QShowEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "QAbstractItemView",
    "QAbstractTableModel",
    "QApplication",
    "QCheckBox",
    "QColor",
    "QComboBox",
    "QDesktopServices",
    "QDialog",
    "QDialogButtonBox",
    "QEvent",
    "QFont",
    "QFormLayout",
    "QFrame",
    "QGridLayout",
    "QGroupBox",
    "QGuiApplication",
    "QHBoxLayout",
    "QHeaderView",
    "QHideEvent",
    "QImage",
    "QItemSelectionModel",
    "QKeyEvent",
    "QKeySequence",
    "QLabel",
    "QLineEdit",
    "QMainWindow",
    "QMessageBox",
    "QModelIndex",
    "QMouseEvent",
    "QObject",
    "QPersistentModelIndex",
    "QPixmap",
    "QPushButton",
    "QResizeEvent",
    "QRunnable",
    "QScrollArea",
    "QShortcut",
    "QShowEvent",
    "QSize",
    "QSizePolicy",
    "QSplitter",
    "QStackedWidget",
    "QStyle",
    "QTableView",
    "QTextEdit",
    "QTextLayout",
    "QTextOption",
    "QThreadPool",
    "QTimer",
    "QUrl",
    "QVBoxLayout",
    "QWidget",
    "Qt",
    "Signal",
    "Slot",
    "named",
    "wrapped_label",
]


_Named = TypeVar("_Named", bound=QObject)


def named(widget: _Named, name: str) -> _Named:
    """``widget`` with its object name, which the style sheet and the tests find it by.

    PySide6 takes ``objectName=`` as a keyword, but its type stubs do not say so.
    """
    widget.setObjectName(name)
    return widget


class WrappedLabel(QLabel):
    """A label whose text wraps, every line starting on the reading side.

    Qt mirrors a label's leading alignment twice in a right-to-left layout (the
    style, then the painter), so a wrapped Arabic text would end with a short last
    line hanging at the left. The side is therefore set absolutely, and again
    whenever the layout direction changes (the language is switched). A label
    centred or aligned on purpose by its screen is left as it is.
    """

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.setWordWrap(True)
        self._follow_reading_side()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LayoutDirectionChange:
            self._follow_reading_side()
        super().changeEvent(event)

    def _follow_reading_side(self) -> None:
        alignment = self.alignment()
        horizontal = alignment & Qt.AlignmentFlag.AlignHorizontal_Mask
        reading_side = horizontal == Qt.AlignmentFlag.AlignLeft or bool(
            horizontal & Qt.AlignmentFlag.AlignAbsolute
        )
        if not reading_side:
            return
        side = (
            Qt.AlignmentFlag.AlignRight
            if self.layoutDirection() == Qt.LayoutDirection.RightToLeft
            else Qt.AlignmentFlag.AlignLeft
        )
        vertical = alignment & Qt.AlignmentFlag.AlignVertical_Mask
        self.setAlignment(side | Qt.AlignmentFlag.AlignAbsolute | vertical)


def wrapped_label(name: str, text: str = "") -> QLabel:
    """A named label whose text wraps: messages and captions that must never be cut."""
    return named(WrappedLabel(text), name)
