"""Keep the translation catalogues in step with the source code.

Usage::

    .venv/bin/python -m app.i18n_catalog update   # extract msgids, merge them into the .po files
    .venv/bin/python -m app.i18n_catalog check    # exit 1 if a translation is missing or wrong

The msgids are the English strings marked in the code with ``N_``, ``_``,
``gettext`` and ``ngettext``; which files are read is set in ``babel.cfg`` at the
root of the repository (the packages ``app``, ``db``, ``ui`` and ``main.py``).
``update`` adds new msgids with an empty translation, keeps every existing
translation, and marks the msgids that left the code as obsolete (``#~``) so that
their translation comes back if the string does; ``--drop-obsolete`` removes them.
The output is sorted, and the file is only rewritten when its content changes.

This module must not import Qt: it runs in CI and in the tests without a display.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io
import re
import string
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
BABEL_CFG = ROOT / "babel.cfg"
TRANSLATIONS_DIR = ROOT / "resources" / "translations"
DOMAIN = "guichet"

KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "N_": None,
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
}
COMMENT_TAGS = ("Translators:",)

# Languages with a catalogue (English is the source language) and their plural rule.
PLURAL_FORMS: dict[str, str] = {
    "fr": "nplurals=2; plural=(n > 1);",
    "ar": (
        "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
        "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);"
    ),
}
LANGUAGE_TEAMS: dict[str, str] = {"fr": "French", "ar": "Arabic"}

PROJECT = "Guichet"
_PO_WIDTH = 76
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|%")

MessageId = str | tuple[str, ...]


def po_path(language: str) -> Path:
    return TRANSLATIONS_DIR / language / f"{DOMAIN}.po"


def _display(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- extraction


@dataclass(frozen=True)
class Extracted:
    """One msgid found in the source, with where it was found."""

    msgid: MessageId
    locations: tuple[tuple[str, int], ...]
    comments: tuple[str, ...]


def _mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    with BABEL_CFG.open(encoding="utf-8") as handle:
        return parse_mapping_cfg(handle, str(BABEL_CFG))


def _directory_filter(path: str) -> bool:
    name = Path(path).name
    return not name.startswith((".", "_")) and name not in {"tests", "node_modules"}


def extract() -> dict[MessageId, Extracted]:
    """Every msgid marked in the source tree, keyed by msgid (a tuple for plurals)."""
    method_map, options_map = _mapping()
    found: dict[MessageId, tuple[list[tuple[str, int]], list[str]]] = {}
    results = extract_from_dir(
        ROOT,
        method_map=method_map,
        options_map=options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
        directory_filter=_directory_filter,
    )
    for filename, lineno, message, comments, _context in results:
        msgid: MessageId = message if isinstance(message, str) else tuple(message)
        locations, notes = found.setdefault(msgid, ([], []))
        locations.append((Path(filename).as_posix(), lineno))
        for note in comments:
            if note not in notes:
                notes.append(note)
    return {
        msgid: Extracted(msgid, tuple(sorted(set(locations))), tuple(notes))
        for msgid, (locations, notes) in found.items()
    }


# --------------------------------------------------------------------------- catalogues


def _key(msgid: MessageId) -> str:
    """The key Babel's Catalog uses: the singular msgid."""
    return msgid[0] if isinstance(msgid, tuple) else msgid


def read_catalog(language: str) -> Catalog | None:
    path = po_path(language)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0)


def _new_catalog(language: str, previous: Catalog | None) -> Catalog:
    now = _now()
    catalog = Catalog(
        locale=language,
        domain=DOMAIN,
        project=PROJECT,
        version=previous.version if previous else "0.1.0",
        copyright_holder=PROJECT,
        charset="utf-8",
        creation_date=previous.creation_date if previous else now,
        revision_date=previous.revision_date if previous else now,
        last_translator=previous.last_translator if previous else "Guichet localisation team",
        language_team=LANGUAGE_TEAMS.get(language, language),
        header_comment=(
            previous.header_comment
            if previous
            else (
                f"# {LANGUAGE_TEAMS.get(language, language)} translations for {PROJECT}.\n"
                f"# Copyright (C) {now.year} {PROJECT}\n"
                f"# Update with: .venv/bin/python -m app.i18n_catalog update\n"
                f"#"
            )
        ),
    )
    # Babel's built-in Arabic rule is not the standard gettext one: always set ours.
    catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[language])]
    catalog.msgid_bugs_address = ""
    catalog.fuzzy = False
    return catalog


def _fit_plural(
    translation: str | tuple[str, ...] | list[str] | None, msgid: MessageId, n: int
) -> str | tuple[str, ...]:
    """Shape a kept translation to the msgid: a string, or a tuple of ``n`` forms."""
    forms = _as_forms(translation) if translation else []
    if isinstance(msgid, tuple):
        return tuple((forms + [""] * n)[:n])
    return forms[0] if forms else ""


def merge(
    language: str, extracted: dict[MessageId, Extracted], *, drop_obsolete: bool = False
) -> Catalog:
    """The catalogue of ``language`` updated to the extracted msgids."""
    previous = read_catalog(language)
    catalog = _new_catalog(language, previous)
    nplurals = catalog.num_plurals
    known: dict[str, Message] = {}
    if previous is not None:
        known.update({_key(key): msg for key, msg in previous.obsolete.items()})
        known.update(
            {msg.id if isinstance(msg.id, str) else msg.id[0]: msg for msg in previous if msg.id}
        )
    for msgid, found in extracted.items():
        old = known.get(_key(msgid))
        translation = _fit_plural(old.string if old else "", msgid, nplurals)
        flags = set(old.flags) if old else set()
        flags -= {"python-format", "python-brace-format"}  # Babel decides them from the msgid
        if (
            old is not None
            and old.id != msgid
            and any(translation if isinstance(translation, tuple) else [translation])
        ):
            flags.add("fuzzy")  # the plural msgid changed under the same singular
        catalog.add(
            msgid,
            translation,
            locations=found.locations,
            flags=flags,
            auto_comments=found.comments,
            user_comments=old.user_comments if old else (),
        )
    if previous is not None and not drop_obsolete:
        wanted = {_key(msgid) for msgid in extracted}
        for key, old in known.items():
            if key in wanted or not any(_as_forms(old.string)):
                continue
            catalog.obsolete[key] = Message(
                old.id, old.string, flags=old.flags, user_comments=old.user_comments
            )
    return catalog


def render(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=_PO_WIDTH,
        sort_output=True,
        include_lineno=False,
        ignore_obsolete=False,
    )
    return buffer.getvalue()


def _without_revision_date(text: bytes) -> bytes:
    return re.sub(rb'"PO-Revision-Date: [^"]*\\n"\n', b"", text)


def update(languages: Iterable[str] = PLURAL_FORMS, *, drop_obsolete: bool = False) -> list[str]:
    """Merge the source msgids into each catalogue; return the files rewritten."""
    extracted = extract()
    written = []
    for language in languages:
        path = po_path(language)
        catalog = merge(language, extracted, drop_obsolete=drop_obsolete)
        content = render(catalog)
        before = path.read_bytes() if path.exists() else b""
        if _without_revision_date(content) == _without_revision_date(before):
            continue
        catalog.revision_date = _now()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(catalog))
        written.append(_display(path))
    return written


# --------------------------------------------------------------------------- checks


def _as_forms(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a str.format template (``{{`` is a literal brace)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return {"<unbalanced braces>"}
    return {field for _literal, field, _spec, _conv in parsed if field is not None}


def percent_directives(text: str) -> list[str]:
    """The ``%`` directives (argparse help is %-formatted, so ``%`` must stay ``%%``)."""
    return sorted(_PERCENT.findall(text))


def _show(msgid: MessageId) -> str:
    return repr(msgid[0] if isinstance(msgid, tuple) else msgid)


def problems(
    languages: Iterable[str] = PLURAL_FORMS,
    extracted: dict[MessageId, Extracted] | None = None,
) -> list[str]:
    """What is wrong in the catalogues, one line per problem; empty when all is well."""
    if extracted is None:
        extracted = extract()
    found: list[str] = []
    for language in languages:
        catalog = read_catalog(language)
        if catalog is None:
            found.append(f"{language}: {_display(po_path(language))} does not exist")
            continue
        expected_plural = PLURAL_FORMS.get(language)
        if expected_plural and catalog.plural_forms != expected_plural:
            found.append(
                f"{language}: Plural-Forms is {catalog.plural_forms!r}, "
                f"expected {expected_plural!r}"
            )
        for msgid in sorted(extracted, key=_key):
            message = catalog.get(_key(msgid))
            if message is None:
                found.append(f"{language}: not in the catalogue: {_show(msgid)}")
                continue
            forms = _as_forms(message.string)
            if isinstance(msgid, tuple) and message.id != msgid:
                found.append(f"{language}: plural msgid differs in the catalogue: {_show(msgid)}")
            if not forms or not all(form.strip() for form in forms):
                found.append(f"{language}: missing translation: {_show(msgid)}")
                continue
            if message.fuzzy:
                found.append(f"{language}: fuzzy translation: {_show(msgid)}")
            sources = _as_forms(msgid)
            wanted = set().union(*(placeholders(text) for text in sources))
            wanted_percent = percent_directives(sources[-1])
            for index, form in enumerate(forms):
                got = placeholders(form)
                # A singular form may leave out the count ("un fichier"), never add a name.
                missing = set() if isinstance(msgid, tuple) else wanted - got
                if missing or got - wanted:
                    found.append(
                        f"{language}: placeholders differ in {_show(msgid)}"
                        f" (form {index}): expected {sorted(wanted)}, got {sorted(got)}"
                    )
                if percent_directives(form) != wanted_percent:
                    found.append(
                        f"{language}: % directives differ in {_show(msgid)} (form {index}): "
                        f"expected {wanted_percent}, got {percent_directives(form)}"
                    )
    return found


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.i18n_catalog",
        description="Extract the msgids of Guichet and keep the .po catalogues in step.",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    up = sub.add_parser("update", help="merge the msgids of the source into the .po files")
    up.add_argument(
        "--drop-obsolete", action="store_true", help="remove the msgids no longer in the code"
    )
    sub.add_parser("check", help="exit 1 listing missing, fuzzy or inconsistent translations")
    sub.add_parser("list", help="print the msgids found in the source")
    args = parser.parse_args(argv)

    if args.action == "update":
        written = update(drop_obsolete=args.drop_obsolete)
        count = len(extract())
        for path in written:
            print(f"updated {path}")
        print(f"{count} msgids; {len(written)} catalogue(s) rewritten")
        remaining = problems()
        if remaining:
            print(f"{len(remaining)} translation(s) to do or fix; see `check`.")
        return 0
    if args.action == "list":
        for msgid in sorted(extract(), key=_key):
            print(msgid if isinstance(msgid, str) else " | ".join(msgid))
        return 0
    found = problems()
    if found:
        print("\n".join(found), file=sys.stderr)
        print(
            f"\n{len(found)} problem(s). Run `.venv/bin/python -m app.i18n_catalog update`, "
            "then translate the empty or fuzzy entries in "
            "resources/translations/<lang>/guichet.po.",
            file=sys.stderr,
        )
        return 1
    print(f"OK: {len(extract())} msgids translated in {', '.join(PLURAL_FORMS)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
