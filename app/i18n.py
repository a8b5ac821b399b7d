"""Translation of every user-visible string.

Source strings are English; French and Arabic catalogues live in
``resources/translations/<lang>/guichet.po``. The catalogues are read with Babel
at first use, so there is no compile step between editing a ``.po`` file and
seeing the result. Domain code marks strings with :func:`N_` where they are
defined and translates them with :func:`gettext` where they are shown.
"""

from __future__ import annotations

import gettext as _gettext
import io
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES: dict[str, str] = {"fr": "Français", "ar": "العربية", "en": "English"}
RIGHT_TO_LEFT = frozenset({"ar"})
DEFAULT_LANGUAGE = "fr"

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"

_state = threading.local()
_process_language = DEFAULT_LANGUAGE


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


@cache
def _catalogue(language: str) -> _gettext.NullTranslations:
    po_file = TRANSLATIONS_DIR / language / "guichet.po"
    if not po_file.exists():
        return _gettext.NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def set_language(language: str) -> None:
    """Set the language for the whole process (the GUI and the CLI)."""
    global _process_language
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    _process_language = language
    _state.language = language


def current_language() -> str:
    return getattr(_state, "language", _process_language)


def is_right_to_left(language: str | None = None) -> bool:
    return (language or current_language()) in RIGHT_TO_LEFT


def gettext(message: str, language: str | None = None) -> str:
    return _catalogue(language or current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int, language: str | None = None) -> str:
    return _catalogue(language or current_language()).ngettext(singular, plural, n)


_ = gettext


class Phrase:
    """A msgid given as a parameter of another message ("it cannot become {target}"):
    translated with that message when it is shown, in the reader's language, not when
    the error is raised."""

    __slots__ = ("lower", "msgid")

    def __init__(self, msgid: str, *, lower: bool = False) -> None:
        self.msgid = msgid
        self.lower = lower

    def text(self, language: str | None = None) -> str:
        translated = gettext(self.msgid, language)
        return translated.lower() if self.lower else translated

    def __str__(self) -> str:
        return self.text()

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def babel_locale(language: str | None = None, currency_code: str | None = None) -> str:
    """The Babel locale for numbers, money and dates in ``language``.

    In Arabic, the country's: Tunisia and Algeria name the months differently
    (جانفي, not يناير) and write their currencies differently; the currency
    tells which country the operator is in.
    """
    language = language or current_language()
    if language == "ar":
        return {"DZD": "ar_DZ", "TND": "ar_TN", "EUR": "ar"}.get(currency_code or "", "ar_DZ")
    return {"fr": "fr_FR", "en": "en_GB"}.get(language, language)


def format_count(value: int, language: str | None = None) -> str:
    """A whole number as the reader writes it: 5 000 in French, 5,000 in English."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale(language))


def join_list(items: Iterable[str], language: str | None = None) -> str:
    """Items one after another, separated by the reader's comma: Arabic writes "،"."""
    separator = "\u060c " if is_right_to_left(language) else ", "
    return separator.join(items)
