"""Switching the language of the running application, layout direction included."""

from __future__ import annotations

from app.i18n import is_right_to_left, set_language
from ui.qt import QApplication, QObject, Qt, Signal


class LanguageSwitch(QObject):
    """Sets the language and direction once, then tells every screen to retranslate."""

    changed = Signal(str)

    def apply(self, language: str) -> None:
        set_language(language)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setLayoutDirection(
                Qt.LayoutDirection.RightToLeft
                if is_right_to_left(language)
                else Qt.LayoutDirection.LeftToRight
            )
        self.changed.emit(language)
