"""Every user-visible string is translated into French and Arabic, and reads right.

When a test here fails after you added or changed a string, run::

    .venv/bin/python -m app.i18n_catalog update

then translate the empty (or ``#, fuzzy``) entries of
``resources/translations/fr/guichet.po`` and ``resources/translations/ar/guichet.po``,
keeping every ``{placeholder}`` exactly, and check with
``.venv/bin/python -m app.i18n_catalog check``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from app import i18n, i18n_catalog
from app.errors import ValidationError

LANGUAGES = ("fr", "ar")
HOW_TO_FIX = (
    "Run `.venv/bin/python -m app.i18n_catalog update`, then translate the empty or fuzzy "
    "entries in resources/translations/<lang>/guichet.po (keep every {placeholder}); "
    "`.venv/bin/python -m app.i18n_catalog check` lists what is left."
)


@pytest.fixture(scope="module")
def extracted() -> dict[i18n_catalog.MessageId, i18n_catalog.Extracted]:
    return i18n_catalog.extract()


def _key(msgid: i18n_catalog.MessageId) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _forms(string: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if string is None:
        return []
    return [string] if isinstance(string, str) else list(string)


def test_the_source_has_msgids(extracted: dict) -> None:
    assert len(extracted) > 50
    assert "Wrong login or password." in extracted  # N_ in app/auth.py
    assert "language of the messages" in extracted  # `_ = gettext` alias in app/cli/main.py


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_headers(language: str) -> None:
    catalog = i18n_catalog.read_catalog(language)
    assert catalog is not None, f"{i18n_catalog.po_path(language)} is missing. {HOW_TO_FIX}"
    assert str(catalog.locale) == language
    assert catalog.charset == "utf-8"
    assert catalog.plural_forms == i18n_catalog.PLURAL_FORMS[language]
    assert not catalog.fuzzy


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_is_translated(language: str, extracted: dict) -> None:
    catalog = i18n_catalog.read_catalog(language)
    assert catalog is not None, HOW_TO_FIX
    untranslated = []
    for msgid in sorted(extracted, key=_key):
        message = catalog.get(_key(msgid))
        if message is None:
            untranslated.append(f"  {_key(msgid)!r} (not in the catalogue)")
        elif not all(form.strip() for form in _forms(message.string) or [""]):
            untranslated.append(f"  {_key(msgid)!r} (empty)")
        elif message.fuzzy:
            untranslated.append(f"  {_key(msgid)!r} (fuzzy)")
        elif isinstance(msgid, tuple) and message.id != msgid:
            untranslated.append(f"  {_key(msgid)!r} (plural msgid changed)")
    assert not untranslated, (
        f"{len(untranslated)} msgid(s) without a {language} translation:\n"
        + "\n".join(untranslated)
        + f"\n{HOW_TO_FIX}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match(language: str, extracted: dict) -> None:
    catalog = i18n_catalog.read_catalog(language)
    assert catalog is not None, HOW_TO_FIX
    wrong = []
    for msgid in sorted(extracted, key=_key):
        message = catalog.get(_key(msgid))
        if message is None:
            continue
        sources = _forms(msgid)
        wanted = set().union(*(i18n_catalog.placeholders(text) for text in sources))
        for form in _forms(message.string):
            if not form:
                continue
            got = i18n_catalog.placeholders(form)
            # A plural singular form may leave the count out; nothing may be added.
            bad = got - wanted if isinstance(msgid, tuple) else got ^ wanted
            if bad:
                wrong.append(f"  {_key(msgid)!r}: expected {sorted(wanted)}, got {form!r}")
            if i18n_catalog.percent_directives(form) != i18n_catalog.percent_directives(
                sources[-1]
            ):
                wrong.append(f"  {_key(msgid)!r}: % directives differ in {form!r}")
    assert not wrong, f"{language} placeholders differ:\n" + "\n".join(wrong)


def test_check_command_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    code = i18n_catalog.main(["check"])
    output = capsys.readouterr()
    assert code == 0, output.err


def test_placeholder_parsing() -> None:
    assert i18n_catalog.placeholders("Tender {index}: {{literal}} {kind!r:>4}") == {"index", "kind"}
    assert i18n_catalog.placeholders("no fields") == set()
    assert i18n_catalog.placeholders("broken {") == {"<unbalanced braces>"}


def test_french_through_gettext() -> None:
    i18n.set_language("fr")
    assert i18n.gettext("Wrong login or password.") == "Identifiant ou mot de passe incorrect."
    error = ValidationError("The login {login} is already taken.", field="login", login="k.amrani")
    assert str(error) == "L'identifiant k.amrani est déjà utilisé."


def test_arabic_error_with_params() -> None:
    error = ValidationError(
        "No subscriber with account number {account}.",
        field="account_number",
        account="0123456789",
    )
    assert error.translated("ar") == "لا يوجد مشترك برقم الحساب 0123456789."
    i18n.set_language("ar")
    assert str(error) == "لا يوجد مشترك برقم الحساب 0123456789."
    assert error.translated("en") == "No subscriber with account number 0123456789."


def test_unknown_msgid_falls_back_to_english() -> None:
    assert i18n.gettext("A sentence nobody marked.", "ar") == "A sentence nobody marked."


def test_arabic_plural_rule() -> None:
    plural = i18n._catalogue("ar").plural  # type: ignore[attr-defined]
    forms = {n: plural(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111)}
    assert forms == {0: 0, 1: 1, 2: 2, 3: 3, 10: 3, 11: 4, 99: 4, 100: 5, 102: 5, 103: 3, 111: 4}


def test_right_to_left() -> None:
    assert i18n.is_right_to_left("ar") is True
    assert i18n.is_right_to_left("fr") is False
    assert i18n.is_right_to_left("en") is False


def test_catalog_tool_does_not_import_qt() -> None:
    code = (
        "import sys, app.i18n_catalog; "
        "sys.exit(any(name.startswith(('PySide6', 'PyQt')) for name in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=i18n_catalog.ROOT, check=False)
    assert result.returncode == 0, "app.i18n_catalog must run without Qt"
