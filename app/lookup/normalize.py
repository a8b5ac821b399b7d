"""Normalising what an agent types or scans into what the database stores.

The same functions fold the stored column and the query, so that a match never
depends on how a name was keyed in (accents, tashkeel, hamza forms, case) or how
a number was written (spaces, dots, national or international form).
"""

from __future__ import annotations

import functools
import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

#: Width of ``subscribers.search_name``; a longer folded name is cut at a word.
SEARCH_NAME_MAX_LENGTH = 400

# Arabic spelling varies between the billing system, the ID card and the agent's
# keyboard: hamza seats, taa marbuta and alef maqsura are written either way, and
# tatweel is pure typography. Folding them lets محمد, مُحَمَّد and مـحمد meet, and
# أحمد / احمد / إحمد too. Harakat (U+064B..U+065F, U+0670) are combining marks and
# go with the other marks; they are listed as well so the folding does not rely on
# their Unicode category alone.
_ALEF = "\u0627"
_FOLD_TABLE: dict[int, str | None] = {
    0x0623: _ALEF,  # أ alef with hamza above
    0x0625: _ALEF,  # إ alef with hamza below
    0x0622: _ALEF,  # آ alef with madda
    0x0671: _ALEF,  # ٱ alef wasla
    0x0629: "\u0647",  # ة taa marbuta -> ه
    0x0649: "\u064a",  # ى alef maqsura -> ي
    0x0624: "\u0648",  # ؤ -> و
    0x0626: "\u064a",  # ئ -> ي
    0x06CC: "\u064a",  # ی Farsi yeh, typed on Persian keyboard layouts
    0x06A9: "\u0643",  # ک keheh -> ك, same reason
    0x0640: None,  # tatweel
    0x0670: None,  # superscript alef
    **{code: None for code in range(0x064B, 0x0660)},  # tashkeel / harakat
    # Latin letters that carry no decomposable accent but that people type
    # without it: Lœtitia is searched as "loetitia", Bjørn as "bjorn".
    ord("œ"): "oe",
    ord("æ"): "ae",
    ord("ø"): "o",
    ord("ł"): "l",
    ord("đ"): "d",
    ord("ð"): "d",
    ord("þ"): "th",
    ord("ı"): "i",
}


def _fold_once(text: str) -> str:
    # NFKD both before and after casefold: compatibility forms (ligatures, Arabic
    # presentation forms, fullwidth letters) may hide upper case, and casefold
    # may produce decomposable characters.
    text = unicodedata.normalize("NFKD", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = text.translate(_FOLD_TABLE)
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] == "M":
            continue  # accents, tashkeel and other combining marks
        # Punctuation, hyphens, apostrophes, symbols and controls separate words,
        # exactly as the full-text tokenizers of both backends would.
        out.append(char if category[0] in "LN" else " ")
    return " ".join(_without_article(word) for word in "".join(out).split())


_ARTICLE = "\u0627\u0644"  # ال, the Arabic definite article
_MIN_STEM = 3


def _without_article(word: str) -> str:
    """الطرابلسي and طرابلسي are the same family name to the person typing it.

    The article is dropped from stored names and queries alike; short words
    keep it, so that a stem of fewer than three letters never matches widely.
    """
    while word.startswith(_ARTICLE) and len(word) - len(_ARTICLE) >= _MIN_STEM:
        word = word[len(_ARTICLE) :]
    return word


# Names repeat (first names above all, and a region's family names): a billing import
# folds a million subscribers' names, most of them already folded a moment before.
# Bounded, so that memory stays flat whatever the number of subscribers.
@functools.lru_cache(maxsize=65536)
def fold_name(text: str) -> str:
    """Fold a name for search: no accents or tashkeel, one alef, lower case, words.

    Used for ``subscribers.search_name`` and for the query alike. Idempotent:
    folding a folded name changes nothing.
    """
    folded = _fold_once(text)
    # One pass is a fixed point for real names; a few exotic code points (say a
    # compatibility character whose decomposition casefolds again) need another.
    for _ in range(3):
        again = _fold_once(folded)
        if again == folded:
            break
        folded = again
    return folded


def search_name_for(first_name: str | None, last_name: str | None, name_ar: str | None) -> str:
    """The value of ``subscribers.search_name``: Latin and Arabic names, folded."""
    parts = (fold_name(part) for part in (first_name, last_name, name_ar) if part)
    joined = " ".join(part for part in parts if part)
    if len(joined) <= SEARCH_NAME_MAX_LENGTH:
        return joined
    # A few compatibility characters expand a lot under NFKD (ﷺ gives 18 letters);
    # cut at a word boundary rather than fail the insert.
    cut = joined[: SEARCH_NAME_MAX_LENGTH + 1]
    return cut.rsplit(" ", 1)[0] if " " in cut else cut[:SEARCH_NAME_MAX_LENGTH]


# Digits (any script), blanks and the punctuation people put in phone numbers.
# Anything else (letters above all) means "not a phone number": phonenumbers
# itself would happily read "1-800-FLOWERS" or dig digits out of free text.
_PHONE_SHAPE = re.compile(r"\+?[\d\s().\-/]+")


def phone_to_e164(text: str, country: str) -> str | None:
    """The E.164 form of a phone number typed any usual way, or None.

    ``country`` is the operator's ISO 3166 code, used for numbers written in the
    national form ("0555 12 34 56"); numbers with "+" or "00" parse whatever it
    is. Only the length is checked (``is_possible``), not the numbering plan, so
    a new range or a demo number still works; a number too short to carry its
    area code is refused rather than stored wrong.
    """
    candidate = text.strip()
    if not _PHONE_SHAPE.fullmatch(candidate):
        return None
    if candidate.startswith("00"):
        # The international call prefix of DZ, TN and FR; rewriting it makes the
        # result independent of the region's metadata.
        candidate = "+" + candidate[2:]
    try:
        number = phonenumbers.parse(candidate, country.upper())
    except NumberParseException:
        return None
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


# Separators found in printed or typed identifiers.
_CODE_SEPARATORS = frozenset("./\\")


# Cached: a page of search hits formats each number shown (40 µs apiece), and the
# same subscribers come up again and again in a day.
@functools.lru_cache(maxsize=4096)
def phone_for_display(e164: str, country: str) -> str:
    """A stored number as people read it: national format at home ("0555 12 34 56"),
    international abroad ("+216 98 123 456")."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    home = phonenumbers.region_code_for_number(number) == country.upper()
    style = PhoneNumberFormat.NATIONAL if home else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def _compact_once(text: str) -> str:
    out: list[str] = []
    for char in unicodedata.normalize("NFKC", text):
        # Blanks, dashes of every kind, and whatever does not print (controls,
        # format characters, unassigned code points): a scanner ends its payload
        # with CR/LF (GS1 codes put GS inside), and text pasted from a PDF carries
        # zero-width spaces.
        if char.isspace() or not char.isprintable() or unicodedata.category(char) == "Pd":
            continue
        if char in _CODE_SEPARATORS:
            continue
        digit = unicodedata.decimal(char, None)
        # Arabic-Indic digits from an Arabic keyboard become ASCII digits.
        out.append(str(digit) if digit is not None else char)
    return "".join(out).upper()


def compact_code(text: str) -> str:
    """An account, invoice, contract or meter number or a barcode, without separators.

    Removes blanks, dots, dashes, slashes and control characters, turns any
    script's digits into ASCII digits, and upper-cases. Idempotent.
    """
    compact = _compact_once(text)
    for _ in range(3):
        again = _compact_once(compact)
        if again == compact:
            break
        compact = again
    return compact
