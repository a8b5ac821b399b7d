"""Counter lighting is harsh and customers read over the agent's shoulder:
large type, strong contrast, and colour only where it means something."""

from __future__ import annotations

from pathlib import Path

from ui.qt import QApplication, QFont

BASE_POINT_SIZE = 13
# The tick drawn in a ticked box: a style sheet that colours widgets must draw the
# indicator itself, or an unticked box shows nothing at all.
CHECK_MARK = Path(__file__).resolve().parent.parent / "resources" / "icons" / "check.svg"

STYLE = """
QWidget { color: #111; background: #f7f7f5; }
QLabel, QCheckBox { background: transparent; }
QLineEdit, QTextEdit, QComboBox, QTableView {
    background: #ffffff; border: 1px solid #8a8a8a; border-radius: 4px; padding: 4px;
}
QLineEdit:focus, QTableView:focus { border: 2px solid #0b5cad; }
QLineEdit#search { font-size: 20pt; padding: 8px; }
QLabel#title { font-size: 18pt; font-weight: 600; }
QLabel#big { font-size: 26pt; font-weight: 700; }
QLabel#change { font-size: 26pt; font-weight: 700; color: #0a6b2d; }
QLabel#change_given {
    font-size: 24pt; font-weight: 700; color: #0a6b2d; background: #e6f4ea;
    border: 2px solid #0a6b2d; border-radius: 6px; padding: 6px;
}
QTextEdit#receipt_preview { font-family: "DejaVu Sans Mono", monospace; font-size: 11pt; }
QLabel#error { color: #b00020; font-weight: 600; }
QLabel#muted { color: #555; }
QLabel#understood { font-size: 18pt; font-weight: 700; }
QLabel#refusal { color: #b00020; font-weight: 600; }
QLabel#partial_warning {
    background: #fff4d6; color: #5a3b00; border: 2px solid #c98a00; border-radius: 4px;
    padding: 6px; font-size: 15pt; font-weight: 700;
}
QPushButton {
    background: #0b5cad; color: white; border: none; border-radius: 4px; padding: 8px 14px;
    font-weight: 600;
}
QPushButton:disabled { background: #9bb3cc; }
QPushButton#secondary { background: #e3e3e0; color: #111; }
QPushButton#remove { background: #e3e3e0; color: #111; padding: 4px 10px; }
QHeaderView::section { background: #e3e3e0; padding: 4px; border: none; font-weight: 600; }
QTableView { selection-background-color: #0b5cad; selection-color: white; }
QFrame#card { background: #ffffff; border: 1px solid #d0d0cc; border-radius: 6px; }
QCheckBox::indicator, QTableView::indicator {
    width: 18px; height: 18px; border: 2px solid #4a4a4a; border-radius: 3px; background: #ffffff;
}
QCheckBox::indicator:checked, QTableView::indicator:checked {
    background: #0b5cad; border-color: #0b5cad; image: url(CHECK_MARK);
}
QCheckBox::indicator:focus { border-color: #0b5cad; }
"""


def apply_theme(app: QApplication) -> None:
    font = QFont()
    # DejaVu Sans covers Latin and Arabic; the platform's default may not.
    font.setFamilies(["DejaVu Sans", "Noto Sans", "Noto Sans Arabic", "Sans Serif"])
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(STYLE.replace("CHECK_MARK", CHECK_MARK.as_posix()))
