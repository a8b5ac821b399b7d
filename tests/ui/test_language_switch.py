"""A language switch rewrites every visible text, status line included, and turns the
layout; each agent gets their own language at sign-in and keeps the one they switch to."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from app.staff import set_own_language
from tests.factories import PASSWORD
from tests.ui.conftest import Counter
from tests.ui.screen_texts import leftovers, translated, visible_texts
from ui.qt import Qt


def screen_texts(counter: Counter) -> list[str]:
    """What the agent reads, leaving out the receipt's picture (the paper's own
    language) and the language pickers (each language written in itself)."""
    window = counter.window
    pickers = tuple(window.findChildren(QComboBox, "language"))
    skip = (window.counter.receipt_preview, *pickers)
    return [text for _widget, text in visible_texts(window, skip=skip)]


def test_every_text_follows_the_language_status_line_included(counter: Counter) -> None:
    window, screen = counter.window, counter.window.counter
    window.language.apply("fr")
    counter.sign_in()
    counter.scan("BCF1")  # a bill paid...
    counter.press(Qt.Key.Key_Return)
    counter.press(Qt.Key.Key_Return)
    counter.scan("1000000001")  # ...its subscriber shown again, with that receipt
    counter.press(Qt.Key.Key_F6)  # a copy of it: a note in the status line
    copy = screen.last_copy
    assert copy is not None and screen.subscriber is not None
    status = "Copy {number} of receipt {receipt_no} queued for printing."
    assert screen.status.text() == translated(status, "fr").format(
        number=copy.copy_number, receipt_no=copy.receipt_no
    )
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight

    for before, now in (("fr", "ar"), ("ar", "en")):
        window.language.apply(now)
        counter.qtbot.wait(1)
        left = leftovers(before, now, screen_texts(counter))
        assert not left, f"{before} -> {now}: {left}"
        assert screen.status.text() == translated(status, now).format(
            number=copy.copy_number, receipt_no=copy.receipt_no
        )
        assert screen.panel.invoices.headerData(0, Qt.Orientation.Horizontal) == translated(
            "Invoice", now
        )
        direction = (
            Qt.LayoutDirection.RightToLeft if now == "ar" else Qt.LayoutDirection.LeftToRight
        )
        assert window.layoutDirection() == direction
        assert screen.layoutDirection() == direction
        assert screen.panel.invoices_view.layoutDirection() == direction


def test_a_sign_in_error_follows_the_language(counter: Counter) -> None:
    counter.window.language.apply("fr")
    counter.sign_in(password="wrong password")
    error = counter.window.sign_in.error
    assert error.text() == translated("Wrong login or password.", "fr")
    counter.window.language.apply("en")
    assert error.text() == "Wrong login or password."
    assert not leftovers("fr", "en", screen_texts(counter))


def test_each_agent_signs_in_to_their_own_language(counter: Counter) -> None:
    world, window = counter.world, counter.window
    set_own_language(world.ctx, world.agent, "fr")  # amina
    set_own_language(world.ctx, world.other_agent, "ar")  # yacine
    assert window.workstation_language == "en"

    counter.sign_in("amina")
    assert window.sign_in.error.text() == ""
    assert window.who.text().startswith("Amina Kaci (")
    assert_language(counter, "fr")
    counter.qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
    assert_language(counter, "en")  # the sign-in screen in the workstation's language

    counter.sign_in("yacine")
    assert_language(counter, "ar")
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert not leftovers("fr", "ar", screen_texts(counter))
    counter.qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
    assert_language(counter, "en")
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight

    counter.sign_in("karim")  # no language of his own: the workstation's, not yacine's
    assert_language(counter, "en")
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_switching_while_signed_in_keeps_it_as_the_agents_own(counter: Counter) -> None:
    from app.auth import authenticate

    world, window = counter.world, counter.window
    counter.sign_in("karim")
    window.language.apply("ar")
    assert window.actor is not None and window.actor.language == "ar"
    assert window.counter.actor is window.actor
    assert authenticate(world.ctx, "karim", PASSWORD, journal_success=False).language == "ar"
    # Not on the lock screen: whoever unlocks may not be the agent.
    counter.press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    window.language.apply("fr")
    assert authenticate(world.ctx, "karim", PASSWORD, journal_success=False).language == "ar"
    # Nor anyone's on the sign-in screen.
    window.language.apply("ar")
    counter.type(PASSWORD)
    counter.press(Qt.Key.Key_Return)
    counter.qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
    window.language.apply("fr")
    assert authenticate(world.ctx, "amina", PASSWORD, journal_success=False).language is None
    counter.sign_in("karim")
    assert_language(counter, "ar")


def assert_language(counter: Counter, language: str) -> None:
    from app.i18n import current_language

    assert current_language() == language
    window = counter.window
    if window.actor is None:
        assert window.sign_in.submit.text() == translated("Sign in", language)
    else:
        assert window.sign_out_button.text() == translated("Sign out", language)
