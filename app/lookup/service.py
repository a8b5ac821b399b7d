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
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, func, select, text
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from app.lookup.normalize import compact_code, fold_name, phone_for_display, phone_to_e164
from app.money import currency as currency_of
from app.money import from_minor
from app.payments.ledger import OPEN_STATUSES
from db.engine import Database
from db.models import (
    Contract,
    ContractStatus,
    Invoice,
    OperatorSettings,
    PhoneKind,
    Subscriber,
    SubscriberPhone,
)

# Beyond one page, matches are counted up to this many and no further: "12 more"
# helps the agent decide to type more, while counting 30,000 "Ben..." to the last
# one would cost what the page itself costs, for "more than 500" said just as well.
COUNT_LIMIT = 500


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

    ``phone``, ``city``, ``amount_due`` and ``status`` tell namesakes apart: the
    first mobile (else any phone) as people read it, what the open bills leave to
    pay (None when the database has no operator, hence no currency, yet), and the
    status of the contract that most needs the agent's eye (suspended, then
    pending activation, then active, then terminated; None without a contract).
    """

    subscriber_id: int
    account_number: str
    display_name: str
    name_ar: str | None
    city: str | None
    matched_by: MatchKind
    matched_value: str
    rank: float
    phone: str | None = None
    amount_due: Decimal | None = None
    status: str | None = None


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
    # How many subscribers match in all, counted up to COUNT_LIMIT; ``total_capped``:
    # more than ``total`` match (the count stopped there).
    total: int = 0
    total_capped: bool = False
    currency: str | None = None  # of every hit's amount_due

    @property
    def more(self) -> int:
        """Matches beyond the page (at least this many when ``total_capped``)."""
        return max(0, self.total - len(self.hits))


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


def _name_search(
    session: Any, dialect: str, words: Sequence[str], limit: int
) -> tuple[list[Row[Any]], int]:
    """Up to ``limit + 1`` rows, whole-word matches first, then prefix matches; and how
    many names match as prefixes, counted up to COUNT_LIMIT + 1 (or the page's size)."""
    wanted = limit + 1
    whole = list(session.execute(name_search_statement(dialect, words, wanted, whole_words=True)))
    page = _order_page(whole, words)
    if len(page) >= wanted:
        counted = session.scalar(name_count_statement(dialect, words, COUNT_LIMIT + 1))
        return page, max(int(counted or 0), len(page))
    seen = {row[0] for row in page}
    fetch = wanted + len(page)
    prefixed = list(
        session.execute(
            counted_name_search_statement(dialect, words, fetch, max(COUNT_LIMIT + 1, fetch))
        )
    )
    counted = int(prefixed[0][7]) if prefixed else 0
    extra = [row for row in prefixed if row[0] not in seen][: wanted - len(page)]
    page += _order_page(extra, words)
    return page, max(counted, len(page))


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


# The prefix tier and the count in one statement: both need the same index scan,
# which is most of the cost on PostgreSQL (a GIN index is read as a whole bitmap).
_SQLITE_COUNTED_NAME_SEARCH = (
    "WITH matches AS (SELECT rowid AS id FROM subscriber_search "
    "WHERE subscriber_search MATCH :match LIMIT :count_limit) "
    "SELECT subscribers.id, subscribers.account_number, subscribers.first_name, "
    "subscribers.last_name, subscribers.name_ar, subscribers.city, subscribers.search_name, "
    "(SELECT count(*) FROM matches) AS counted "
    "FROM (SELECT id FROM matches LIMIT :limit) AS page "
    "JOIN subscribers ON subscribers.id = page.id"
)
_POSTGRESQL_COUNTED_NAME_SEARCH = (
    "WITH matches AS MATERIALIZED (SELECT id FROM subscribers "
    "WHERE to_tsvector('simple', search_name) @@ to_tsquery('simple', :query) "
    "LIMIT :count_limit) "
    "SELECT subscribers.id, account_number, first_name, last_name, name_ar, city, "
    "search_name, (SELECT count(*) FROM matches) AS counted "
    "FROM (SELECT id FROM matches LIMIT :limit) AS page "
    "JOIN subscribers ON subscribers.id = page.id"
)


def counted_name_search_statement(
    dialect: str, words: Sequence[str], limit: int, count_limit: int
) -> TextClause:
    """The word-prefix search's first ``limit`` rows, each with how many names match,
    counted up to ``count_limit`` (at least ``limit``).

    Public so that tests can EXPLAIN exactly what runs.
    """
    if not words:
        raise ValueError("a name search needs at least one word")
    if dialect == "sqlite":
        match = " AND ".join(f"{_fts5_string(word)}*" for word in words)
        return text(_SQLITE_COUNTED_NAME_SEARCH).bindparams(
            match=match, limit=limit, count_limit=count_limit
        )
    if dialect == "postgresql":
        query = " & ".join(f"{_tsquery_string(word)}:*" for word in words)
        return text(_POSTGRESQL_COUNTED_NAME_SEARCH).bindparams(
            query=query, limit=limit, count_limit=count_limit
        )
    raise NotImplementedError(f"Guichet does not support {dialect}")


def name_count_statement(dialect: str, words: Sequence[str], limit: int) -> TextClause:
    """How many subscribers' names have every one of ``words`` as a word prefix, up to ``limit``.

    Counts what the prefix search finds (it finds the whole words too) without
    reading the subscribers' rows. Public so that tests can EXPLAIN exactly what runs.
    """
    if not words:
        raise ValueError("a name search needs at least one word")
    if dialect == "sqlite":
        match = " AND ".join(f"{_fts5_string(word)}*" for word in words)
        return text(
            "SELECT count(*) FROM (SELECT 1 FROM subscriber_search "
            "WHERE subscriber_search MATCH :match LIMIT :limit)"
        ).bindparams(match=match, limit=limit)
    if dialect == "postgresql":
        query = " & ".join(f"{_tsquery_string(word)}:*" for word in words)
        return text(
            "SELECT count(*) FROM (SELECT 1 FROM subscribers "
            "WHERE to_tsvector('simple', search_name) @@ to_tsquery('simple', :query) "
            "LIMIT :limit) AS matches"
        ).bindparams(query=query, limit=limit)
    raise NotImplementedError(f"Guichet does not support {dialect}")


# Which contract status a hit shows when a subscriber has several: the one that
# most needs the agent's eye at the counter.
_STATUS_ORDER = (
    ContractStatus.SUSPENDED,
    ContractStatus.PENDING_ACTIVATION,
    ContractStatus.ACTIVE,
    ContractStatus.TERMINATED,
)


def _details_statement() -> Select[Any]:
    phone = (
        select(SubscriberPhone.number_e164)
        .where(SubscriberPhone.subscriber_id == Subscriber.id)
        .order_by(
            case((SubscriberPhone.kind == PhoneKind.MOBILE.value, 0), else_=1),
            SubscriberPhone.id,
        )
        .limit(1)
        .scalar_subquery()
    )
    outstanding = Invoice.amount_minor + Invoice.late_fee_minor - Invoice.paid_minor
    due = (
        select(func.coalesce(func.sum(case((outstanding > 0, outstanding), else_=0)), 0))
        .where(Invoice.subscriber_id == Subscriber.id, Invoice.status.in_(OPEN_STATUSES))
        .scalar_subquery()
    )
    status_rank = case(
        *((Contract.status == status.value, rank) for rank, status in enumerate(_STATUS_ORDER)),
        else_=len(_STATUS_ORDER),
    )
    status = (
        select(func.min(status_rank))
        .where(Contract.subscriber_id == Subscriber.id)
        .scalar_subquery()
    )
    return select(Subscriber.id, phone, due, status).where(
        Subscriber.id.in_(bindparam("ids", expanding=True))
    )


# Built once: building the statement cost more than running it on a page of hits.
_DETAILS = _details_statement()


def details_statement(subscriber_ids: Sequence[int]) -> Select[Any]:
    """Phone, amount due (minor units) and most telling contract status of each subscriber.

    One statement for the whole page, each figure a correlated subquery on an
    indexed foreign key, so the cost follows the page, never the table.
    Public so that tests can EXPLAIN exactly what runs.
    """
    return _DETAILS.params(ids=list(subscriber_ids))


def _with_details(
    session: Session, hits: list[SubscriberHit], country: str, currency: str | None
) -> tuple[list[SubscriberHit], str | None]:
    if not hits:
        return hits, currency
    if currency is None:
        currency = session.scalar(select(OperatorSettings.currency).limit(1))
    cur = currency_of(currency) if currency is not None else None
    ids = [hit.subscriber_id for hit in hits]
    details = {row[0]: row[1:] for row in session.execute(_DETAILS, {"ids": ids})}
    enriched = []
    for hit in hits:
        phone, due_minor, status_rank = details.get(hit.subscriber_id, (None, 0, None))
        enriched.append(
            replace(
                hit,
                phone=phone_for_display(phone, country) if phone else None,
                amount_due=from_minor(int(due_minor or 0), cur) if cur is not None else None,
                status=(
                    str(_STATUS_ORDER[status_rank])
                    if status_rank is not None and status_rank < len(_STATUS_ORDER)
                    else None
                ),
            )
        )
    return enriched, currency


def _count_exact(
    session: Session, query: str, country: str, found: set[int], truncated: set[MatchKind]
) -> tuple[int, bool]:
    """Every subscriber the identifiers match, counted up to COUNT_LIMIT: only the
    lookups that filled their page are asked again, for ids alone."""
    ids = set(found)
    capped = False
    for kind, statement in exact_lookup_statements(query, country=country, limit=COUNT_LIMIT):
        if kind in truncated:
            more = session.scalars(statement.with_only_columns(Subscriber.id)).all()
            capped = capped or len(more) > COUNT_LIMIT
            ids.update(more)
    return min(len(ids), COUNT_LIMIT), capped or len(ids) > COUNT_LIMIT


def find_subscribers(
    db: Database,
    query: str,
    *,
    country: str,
    limit: int = 20,
    currency: str | None = None,
) -> LookupResult:
    """Subscribers matching what the agent typed or scanned, best first.

    ``country`` is the operator's ISO code, for phone numbers in national form;
    ``currency`` its currency code, read from the operator's settings when not
    given. An exact identifier match wins over any name match (``exact=True``);
    several identifiers may match at once (an account number that is also
    someone's meter number), each subscriber then appears once, under its first
    match in the order of ``MatchKind``. Each hit carries what tells namesakes
    apart (phone, city, amount due, contract status), read for the page in one
    statement; beyond the page, ``total`` counts the matches up to COUNT_LIMIT.

    Lowest role: none (a read; no actor).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    nothing = LookupResult(query=query, hits=[], exact=False, has_more=False)
    if not query.strip():
        return nothing

    with db.read() as session:
        hits: dict[int, SubscriberHit] = {}
        truncated: set[MatchKind] = set()
        for kind, statement in exact_lookup_statements(query, country=country, limit=limit):
            rows = session.execute(statement).all()
            if len(rows) > limit:
                truncated.add(kind)
            for row in rows[:limit]:
                hits.setdefault(row[0], _hit(row, kind))
        if hits:
            ordered = list(hits.values())
            total, capped = len(ordered), False
            if truncated:
                total, capped = _count_exact(session, query, country, set(hits), truncated)
            page, currency = _with_details(session, ordered[:limit], country, currency)
            return LookupResult(
                query=query,
                hits=page,
                exact=True,
                has_more=total > limit,
                total=total,
                total_capped=capped,
                currency=currency,
            )

        # Digits alone are an identifier that matched nothing, not a name.
        if not any(char.isalpha() for char in query):
            return nothing
        words = fold_name(query).split()
        if not words:
            return nothing
        rows, counted = _name_search(session, db.dialect, words, limit)
        total, capped = len(rows), False
        if len(rows) > limit:
            capped = counted > COUNT_LIMIT
            total = min(counted, COUNT_LIMIT)
        name_hits = [
            _hit(row, MatchKind.NAME, float(_whole_word_score(words, row[6])))  # ok: a score
            for row in rows[:limit]
        ]
        page, currency = _with_details(session, name_hits, country, currency)
    return LookupResult(
        query=query,
        hits=page,
        exact=False,
        has_more=len(rows) > limit,
        total=total,
        total_capped=capped,
        currency=currency,
    )
