"""Find a subscriber from the counter's single search box.

The agent types or scans one thing: an account, phone, line, invoice, contract or
meter number, a bill barcode, or part of a name in Latin or Arabic script. Exact
identifiers are tried first, each with an equality lookup on an indexed column;
only when none matches, and the query has letters, is the name searched, through
the full-text index (FTS5 on SQLite, a GIN index on PostgreSQL). No path reads the
whole subscriber table, so the answer stays instant on a national subscriber base.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, case, select, text
from sqlalchemy.engine import Row
from sqlalchemy.sql.elements import TextClause

from app.lookup.normalize import compact_code, fold_name, phone_to_e164
from db.engine import Database
from db.models import Contract, ContractStatus, Invoice, Subscriber, SubscriberPhone


class MatchKind(StrEnum):
    """What in the query found the subscriber; shown to the agent next to the hit."""

    ACCOUNT = "account"
    PHONE = "phone"
    LINE = "line"
    INVOICE = "invoice"
    BARCODE = "barcode"
    METER = "meter"
    CONTRACT = "contract"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class SubscriberHit:
    """One subscriber found, with what matched.

    ``matched_value`` is the stored value that matched (the invoice number, the
    E.164 line, the folded name...), so the agent sees why this subscriber came up.
    ``rank`` is, for name hits, how many of the typed words matched a whole word
    of the name (higher is better; ``hits`` are already in order) and 0.0 for
    exact identifier hits, which are not scored.
    """

    subscriber_id: int
    account_number: str
    display_name: str
    name_ar: str | None
    city: str | None
    matched_by: MatchKind
    matched_value: str
    rank: float


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The answer to one query.

    ``query`` is the text as given, so a caller searching as the agent types can
    drop an answer that no longer matches the search box.
    """

    query: str
    hits: list[SubscriberHit]
    # The query matched an identifier exactly: the UI may open the subscriber
    # straight away when there is a single hit.
    exact: bool
    # There were more hits than ``limit``: the agent should type more.
    has_more: bool


_HIT_COLUMNS = (
    Subscriber.id,
    Subscriber.account_number,
    Subscriber.first_name,
    Subscriber.last_name,
    Subscriber.name_ar,
    Subscriber.city,
)


def _code_candidates(query: str) -> list[str]:
    """The forms under which an identifier may be stored.

    Identifiers come from the billing system, which may store them compacted
    ("F2024000123") or as printed ("CTR-2024-0001"); the agent may type either, in
    either case. The typed form, its upper case and the compact form are all
    looked up, with one indexed ``IN``.
    """
    typed = "".join(char for char in query if char.isprintable()).strip()
    candidates = [typed, typed.upper(), compact_code(query)]
    return [candidate for candidate in dict.fromkeys(candidates) if candidate]


def _terminated_last() -> ColumnElement[int]:
    # A line or meter number passes from a terminated contract to a new one; the
    # current holder is the likelier subscriber at the counter.
    return case((Contract.status == ContractStatus.TERMINATED.value, 1), else_=0)


def exact_lookup_statements(
    query: str, *, country: str, limit: int
) -> list[tuple[MatchKind, Select[Any]]]:
    """One indexed equality lookup per way the query can be read as an identifier.

    Each statement selects the hit columns and the matched value, at most
    ``limit + 1`` rows. Public so that tests can EXPLAIN exactly what runs.
    """
    codes = _code_candidates(query)
    phone = phone_to_e164(query, country)
    statements: list[tuple[MatchKind, Select[Any]]] = []
    if codes:
        statements.append(
            (
                MatchKind.ACCOUNT,
                select(*_HIT_COLUMNS, Subscriber.account_number).where(
                    Subscriber.account_number.in_(codes)
                ),
            )
        )
    if phone is not None:
        statements.append(
            (
                MatchKind.PHONE,
                select(*_HIT_COLUMNS, SubscriberPhone.number_e164)
                .join(SubscriberPhone, SubscriberPhone.subscriber_id == Subscriber.id)
                .where(SubscriberPhone.number_e164 == phone)
                .order_by(Subscriber.account_number),
            )
        )
        statements.append(
            (
                MatchKind.LINE,
                select(*_HIT_COLUMNS, Contract.line_e164)
                .join(Contract, Contract.subscriber_id == Subscriber.id)
                .where(Contract.line_e164 == phone)
                .order_by(_terminated_last(), Subscriber.account_number),
            )
        )
    if codes:
        statements.append(
            (
                MatchKind.INVOICE,
                select(*_HIT_COLUMNS, Invoice.number)
                .join(Invoice, Invoice.subscriber_id == Subscriber.id)
                .where(Invoice.number.in_(codes)),
            )
        )
        statements.append(
            (
                MatchKind.BARCODE,
                select(*_HIT_COLUMNS, Invoice.barcode)
                .join(Invoice, Invoice.subscriber_id == Subscriber.id)
                .where(Invoice.barcode.in_(codes)),
            )
        )
        statements.append(
            (
                MatchKind.METER,
                select(*_HIT_COLUMNS, Contract.meter_number)
                .join(Contract, Contract.subscriber_id == Subscriber.id)
                .where(Contract.meter_number.in_(codes))
                .order_by(_terminated_last(), Subscriber.account_number),
            )
        )
        statements.append(
            (
                MatchKind.CONTRACT,
                select(*_HIT_COLUMNS, Contract.number)
                .join(Contract, Contract.subscriber_id == Subscriber.id)
                .where(Contract.number.in_(codes)),
            )
        )
    return [(kind, statement.limit(limit + 1)) for kind, statement in statements]


def _fts5_string(word: str) -> str:
    # An FTS5 string literal: inside double quotes nothing is syntax (AND, OR,
    # NEAR, *, ^, :), and a double quote is written twice.
    return '"' + word.replace('"', '""') + '"'


def _tsquery_string(word: str) -> str:
    # A tsquery lexeme in single quotes, so &, |, !, <->, :, * and parentheses in
    # it are plain text; quote and backslash are escaped.
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


# Names are searched in two tiers that both stop at the page size: first the
# words as whole words, then (if the page is not full) as word prefixes. Neither
# asks the index to rank: at national scale a three-letter prefix matches tens
# of thousands of people, and scoring them all (bm25, ts_rank) before LIMIT cost
# 150 ms at p95 on a million subscribers, while ranking 30,000 "Ben..." helps no
# one. The page fetched is ordered afterwards (see _order_page).
_SQLITE_NAME_SEARCH = (
    "SELECT subscribers.id, subscribers.account_number, subscribers.first_name, "
    "subscribers.last_name, subscribers.name_ar, subscribers.city, subscribers.search_name "
    "FROM subscriber_search "
    "JOIN subscribers ON subscribers.id = subscriber_search.rowid "
    "WHERE subscriber_search MATCH :match "
    "LIMIT :limit"
)

# The WHERE clause repeats the indexed expression to the letter (a literal
# 'simple', not a parameter) so that the planner can use the GIN index.
_POSTGRESQL_NAME_SEARCH = (
    "SELECT id, account_number, first_name, last_name, name_ar, city, search_name "
    "FROM subscribers "
    "WHERE to_tsvector('simple', search_name) @@ to_tsquery('simple', :query) "
    "LIMIT :limit"
)


def name_search_statement(
    dialect: str, words: Sequence[str], limit: int, *, whole_words: bool = False
) -> TextClause:
    """The full-text query for folded ``words``, all required: whole words, or word prefixes.

    Fetches ``limit`` rows. Public so that tests can EXPLAIN exactly what runs.
    """
    if not words:
        raise ValueError("a name search needs at least one word")
    if dialect == "sqlite":
        suffix = "" if whole_words else "*"
        match = " AND ".join(f"{_fts5_string(word)}{suffix}" for word in words)
        return text(_SQLITE_NAME_SEARCH).bindparams(match=match, limit=limit)
    if dialect == "postgresql":
        suffix = "" if whole_words else ":*"
        query = " & ".join(f"{_tsquery_string(word)}{suffix}" for word in words)
        return text(_POSTGRESQL_NAME_SEARCH).bindparams(query=query, limit=limit)
    raise NotImplementedError(f"Guichet does not support {dialect}")


def _whole_word_score(words: Sequence[str], search_name: str) -> int:
    tokens = set(search_name.split())
    return sum(word in tokens for word in words)


def _order_page(rows: Sequence[Row[Any]], words: Sequence[str]) -> list[Row[Any]]:
    """Most words matched whole first (Ben Mohand before Benali for "ben"), then by account."""
    return sorted(rows, key=lambda row: (-_whole_word_score(words, row[6]), row[1]))


def _name_search(session: Any, dialect: str, words: Sequence[str], limit: int) -> list[Row[Any]]:
    """Up to ``limit + 1`` rows: whole-word matches first, then prefix matches."""
    wanted = limit + 1
    whole = list(session.execute(name_search_statement(dialect, words, wanted, whole_words=True)))
    page = _order_page(whole, words)
    if len(page) < wanted:
        seen = {row[0] for row in page}
        prefixed = session.execute(name_search_statement(dialect, words, wanted + len(page)))
        extra = [row for row in prefixed if row[0] not in seen][: wanted - len(page)]
        page += _order_page(extra, words)
    return page


def _hit(row: Row[Any], kind: MatchKind, rank: float = 0.0) -> SubscriberHit:
    subscriber_id, account_number, first_name, last_name, name_ar, city, matched = row[:7]
    return SubscriberHit(
        subscriber_id=subscriber_id,
        account_number=account_number,
        display_name=" ".join(part for part in (first_name, last_name) if part),
        name_ar=name_ar,
        city=city,
        matched_by=kind,
        matched_value=matched,
        rank=rank,
    )


def find_subscribers(db: Database, query: str, *, country: str, limit: int = 20) -> LookupResult:
    """Subscribers matching what the agent typed or scanned, best first.

    ``country`` is the operator's ISO code, for phone numbers in national form.
    An exact identifier match wins over any name match (``exact=True``); several
    identifiers may match at once (an account number that is also someone's
    meter number), each subscriber then appears once, under its first match in
    the order of ``MatchKind``.

    Lowest role: none (a read; no actor).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if not query.strip():
        return LookupResult(query=query, hits=[], exact=False, has_more=False)

    with db.read() as session:
        hits: dict[int, SubscriberHit] = {}
        truncated = False
        for kind, statement in exact_lookup_statements(query, country=country, limit=limit):
            rows = session.execute(statement).all()
            truncated = truncated or len(rows) > limit
            for row in rows[:limit]:
                hits.setdefault(row[0], _hit(row, kind))
        if hits:
            ordered = list(hits.values())
            return LookupResult(
                query=query,
                hits=ordered[:limit],
                exact=True,
                has_more=truncated or len(ordered) > limit,
            )

        # Digits alone are an identifier that matched nothing, not a name.
        if not any(char.isalpha() for char in query):
            return LookupResult(query=query, hits=[], exact=False, has_more=False)
        words = fold_name(query).split()
        if not words:
            return LookupResult(query=query, hits=[], exact=False, has_more=False)
        rows = _name_search(session, db.dialect, words, limit)

    name_hits = [
        _hit(row, MatchKind.NAME, float(_whole_word_score(words, row[6])))  # ok: a score
        for row in rows[:limit]
    ]
    return LookupResult(query=query, hits=name_hits, exact=False, has_more=len(rows) > limit)
