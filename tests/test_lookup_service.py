"""The counter's search box, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from app.lookup import LookupResult, MatchKind, find_subscribers
from app.lookup.normalize import fold_name
from app.lookup.service import exact_lookup_statements, name_search_statement
from db.engine import Database
from db.models import ContractStatus, ServiceType
from tests.lookup_factories import add_contract, add_invoice, add_offer, add_subscriber

People = dict[str, int]


@pytest.fixture
def people(database: Database) -> People:
    """A few subscribers of a DZ operator, with phones, lines, a meter and bills."""
    with database.write() as session:
        ftth = add_offer(session, "FTTH-100", ServiceType.FTTH)
        power = add_offer(session, "ELEC-BT", ServiceType.ELECTRICITY)
        mobile = add_offer(session, "MOB-1", ServiceType.MOBILE)

        helene = add_subscriber(
            session,
            "DZ000123",
            first_name="Hélène",
            last_name="Dupont",
            city="Alger",
            phones=["+213555123456"],
        )
        line = add_contract(session, helene, ftth, "CTR-2024-0001", line_e164="+21321234567")
        add_invoice(session, line, "F2024000123", barcode="9912345678901234567890")
        add_invoice(session, line, "F-2024-000124", barcode="9912345678901234567891")

        mohamed = add_subscriber(
            session,
            "DZ000124",
            first_name="Mohamed",
            last_name="Benali",
            name_ar="مُحَمَّد بن علي",
            city="Oran",
            phones=["+213661000111"],
        )
        add_contract(session, mohamed, power, "CTR-2024-0002", meter_number="778899001")

        ahmed = add_subscriber(
            session,
            "DZ000125",
            first_name="Ahmed",
            last_name="Haddad",
            name_ar="أحمد حداد",
            phones=["+21698123456"],  # a Tunisian mobile
        )
        add_contract(session, ahmed, mobile, "CTR-2024-0003", line_e164="+213770112233")

        sophie = add_subscriber(
            session,
            "DZ000126",
            first_name="Sophie",
            last_name="Martin",
            phones=["+33612345678"],  # a French mobile
        )
        ali = add_subscriber(
            session, "DZ000127", first_name="Ali", last_name="Ben Mohand", name_ar="علي بن محند"
        )
        # The meter moved from a terminated contract of Ali's to Sophie's.
        add_contract(
            session,
            ali,
            power,
            "CTR-2019-0100",
            meter_number="MTR-5566",
            status=ContractStatus.TERMINATED,
        )
        add_contract(session, sophie, power, "CTR-2024-0101", meter_number="MTR-5566")
        company = add_subscriber(
            session, "DZ000099", first_name=None, last_name="Alimentation Générale Ouest"
        )
        return {
            "helene": helene.id,
            "mohamed": mohamed.id,
            "ahmed": ahmed.id,
            "sophie": sophie.id,
            "ali": ali.id,
            "company": company.id,
        }


def _ids(result: LookupResult) -> list[int]:
    return [hit.subscriber_id for hit in result.hits]


def _single(database: Database, query: str, country: str = "DZ") -> tuple[int, MatchKind, str]:
    result = find_subscribers(database, query, country=country)
    assert result.exact, query
    assert len(result.hits) == 1, (query, result.hits)
    hit = result.hits[0]
    return hit.subscriber_id, hit.matched_by, hit.matched_value


# --- exact identifiers -------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["DZ000123", "dz000123", " DZ 000 123 ", "DZ-000-123", "dz.000.123"]
)
def test_account_number_typed_any_way(database: Database, people: People, typed: str) -> None:
    assert _single(database, typed) == (people["helene"], MatchKind.ACCOUNT, "DZ000123")


@pytest.mark.parametrize(
    "typed",
    ["0555 12 34 56", "0555.12.34.56", "0555123456", "+213 555 12 34 56", "00213555123456"],
)
def test_phone_typed_any_way(database: Database, people: People, typed: str) -> None:
    assert _single(database, typed) == (people["helene"], MatchKind.PHONE, "+213555123456")


@pytest.mark.parametrize(
    ("typed", "country"),
    [
        ("98 123 456", "TN"),
        ("+216 98 123 456", "TN"),
        ("0021698123456", "TN"),
        ("0021698123456", "DZ"),  # a foreign number at a DZ counter
        ("+216 98 123 456", "DZ"),
    ],
)
def test_tunisian_phone(database: Database, people: People, typed: str, country: str) -> None:
    assert _single(database, typed, country) == (people["ahmed"], MatchKind.PHONE, "+21698123456")


@pytest.mark.parametrize(
    ("typed", "country"),
    [
        ("06 12 34 56 78", "FR"),
        ("0612345678", "FR"),
        ("+33 6 12 34 56 78", "FR"),
        ("0033612345678", "FR"),
        ("+33 6 12 34 56 78", "DZ"),
    ],
)
def test_french_phone(database: Database, people: People, typed: str, country: str) -> None:
    assert _single(database, typed, country) == (people["sophie"], MatchKind.PHONE, "+33612345678")


@pytest.mark.parametrize("typed", ["(021) 23 45 67", "021 23 45 67", "+213 21 23 45 67"])
def test_fixed_line_number(database: Database, people: People, typed: str) -> None:
    assert _single(database, typed) == (people["helene"], MatchKind.LINE, "+21321234567")


def test_mobile_line_number(database: Database, people: People) -> None:
    assert _single(database, "0770 11 22 33") == (people["ahmed"], MatchKind.LINE, "+213770112233")


@pytest.mark.parametrize("typed", ["F2024000123", "f2024000123", "F2024 000 123", "F2024.000.123"])
def test_invoice_number_stored_compact(database: Database, people: People, typed: str) -> None:
    assert _single(database, typed) == (people["helene"], MatchKind.INVOICE, "F2024000123")


@pytest.mark.parametrize("typed", ["F-2024-000124", "f-2024-000124", " F-2024-000124 "])
def test_invoice_number_stored_as_printed(database: Database, people: People, typed: str) -> None:
    assert _single(database, typed) == (people["helene"], MatchKind.INVOICE, "F-2024-000124")


@pytest.mark.parametrize(
    "scanned", ["9912345678901234567890\r\n", "9912345678901234567890\n", "9912345678901234567890"]
)
def test_scanned_barcode(database: Database, people: People, scanned: str) -> None:
    assert _single(database, scanned) == (
        people["helene"],
        MatchKind.BARCODE,
        "9912345678901234567890",
    )


@pytest.mark.parametrize("typed", ["778899001", "778 899 001", "778.899.001"])
def test_meter_number(database: Database, people: People, typed: str) -> None:
    # "778899001" is also a possible DZ mobile number; nobody has it, so the
    # meter is the only match.
    assert _single(database, typed) == (people["mohamed"], MatchKind.METER, "778899001")


def test_meter_moved_between_contracts_lists_current_holder_first(
    database: Database, people: People
) -> None:
    result = find_subscribers(database, "mtr-5566", country="DZ")
    assert result.exact
    assert _ids(result) == [people["sophie"], people["ali"]]
    assert {hit.matched_by for hit in result.hits} == {MatchKind.METER}


@pytest.mark.parametrize("typed", ["CTR-2024-0002", "ctr-2024-0002", "CTR-2024-0002\r\n"])
def test_contract_number(database: Database, people: People, typed: str) -> None:
    assert _single(database, typed) == (people["mohamed"], MatchKind.CONTRACT, "CTR-2024-0002")


def test_identifier_hits_carry_the_subscriber(database: Database, people: People) -> None:
    (hit,) = find_subscribers(database, "CTR-2024-0002", country="DZ").hits
    assert hit.account_number == "DZ000124"
    assert hit.display_name == "Mohamed Benali"
    assert hit.name_ar == "مُحَمَّد بن علي"
    assert hit.city == "Oran"
    assert hit.rank == 0.0


def test_subscriber_matched_twice_appears_once_under_first_kind(
    database: Database, people: People
) -> None:
    # A subscriber whose account number is also his own meter number.
    with database.write() as session:
        offer = add_offer(session, "WATER", ServiceType.WATER)
        omar = add_subscriber(session, "40501234", first_name="Omar", last_name="Kaci")
        add_contract(session, omar, offer, "CTR-W-1", meter_number="40501234")
    result = find_subscribers(database, "4050 1234", country="DZ")
    assert result.exact
    assert [(hit.subscriber_id, hit.matched_by) for hit in result.hits] == [
        (omar.id, MatchKind.ACCOUNT)
    ]


def test_exact_match_wins_over_names(database: Database, people: People) -> None:
    # "dz000124" would also be a (fruitless) name query; the account wins.
    result = find_subscribers(database, "dz000124", country="DZ")
    assert result.exact and _ids(result) == [people["mohamed"]]


# --- names -------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["Hélène", "helene", "HELENE", "HÉLÈNE", "hel", "Dupont", "dup hél"]
)
def test_name_ignores_accents_and_case(database: Database, people: People, typed: str) -> None:
    result = find_subscribers(database, typed, country="DZ")
    assert not result.exact
    assert _ids(result) == [people["helene"]]
    hit = result.hits[0]
    assert hit.matched_by == MatchKind.NAME
    assert hit.matched_value == "helene dupont"
    assert hit.display_name == "Hélène Dupont"


@pytest.mark.parametrize("typed", ["محمد", "مُحَمَّد", "مـحمد", "محم", "محمد علي"])
def test_arabic_name_ignores_tashkeel_and_tatweel(
    database: Database, people: People, typed: str
) -> None:
    assert _ids(find_subscribers(database, typed, country="DZ")) == [people["mohamed"]]


@pytest.mark.parametrize("typed", ["أحمد", "احمد", "إحمد", "آحمد"])
def test_arabic_alef_variants(database: Database, people: People, typed: str) -> None:
    assert _ids(find_subscribers(database, typed, country="DZ")) == [people["ahmed"]]


def test_arabic_word_prefix(database: Database, people: People) -> None:
    # "بن" is a whole word in both names.
    result = find_subscribers(database, "بن", country="DZ")
    assert set(_ids(result)) == {people["mohamed"], people["ali"]}


def test_several_word_prefixes_are_all_required(database: Database, people: People) -> None:
    result = find_subscribers(database, "ben moh", country="DZ")
    # Ali Ben Mohand has "ben" as a whole word, Mohamed Benali only as a prefix.
    assert _ids(result) == [people["ali"], people["mohamed"]]
    assert result.hits[0].rank > result.hits[1].rank
    assert _ids(find_subscribers(database, "ben zzz", country="DZ")) == []


def test_whole_word_ranks_above_prefix(database: Database, people: People) -> None:
    # The company's account number sorts first, but "ali" is a whole word in
    # Ali Ben Mohand's name and only a prefix of "alimentation". ("benali" does
    # not match at all: prefixes are word prefixes.)
    result = find_subscribers(database, "ali", country="DZ")
    assert _ids(result) == [people["ali"], people["company"]]


def test_name_with_punctuation(database: Database, people: People) -> None:
    assert _ids(find_subscribers(database, "Ben-Mohand", country="DZ")) == [people["ali"]]
    assert _ids(find_subscribers(database, "Générale, Ouest!", country="DZ")) == [people["company"]]


def test_limit_and_has_more(database: Database) -> None:
    with database.write() as session:
        for number in range(5):
            add_subscriber(session, f"TN{number:06d}", first_name="Sami", last_name="Zeroual")
    three = find_subscribers(database, "zeroual", country="TN", limit=3)
    assert len(three.hits) == 3 and three.has_more
    # Ties in relevance fall back to the account number, so pages are stable.
    assert [hit.account_number for hit in three.hits] == ["TN000000", "TN000001", "TN000002"]
    five = find_subscribers(database, "zeroual", country="TN", limit=5)
    assert len(five.hits) == 5 and not five.has_more
    all_of_them = find_subscribers(database, "zeroual", country="TN")
    assert len(all_of_them.hits) == 5 and not all_of_them.has_more


def test_exact_hits_respect_limit(database: Database) -> None:
    with database.write() as session:
        for number in range(3):
            add_subscriber(
                session,
                f"FR{number:06d}",
                first_name="Famille",
                last_name="Roux",
                phones=["+33145678901"],
            )
    result = find_subscribers(database, "01 45 67 89 01", country="FR", limit=2)
    assert result.exact and len(result.hits) == 2 and result.has_more


@pytest.mark.parametrize(
    "typed", ["", "   ", "\r\n", "xyzzy", "0000000", "DZ999999", "+213 661 99 99 99"]
)
def test_no_match(database: Database, people: People, typed: str) -> None:
    result = find_subscribers(database, typed, country="DZ")
    assert result == LookupResult(query=typed, hits=[], exact=False, has_more=False)


def test_limit_must_be_positive(database: Database) -> None:
    with pytest.raises(ValueError, match="limit"):
        find_subscribers(database, "x", country="DZ", limit=0)


@pytest.mark.parametrize(
    "typed",
    [
        'a"b*',
        "OR",
        "AND",
        "NOT",
        "NEAR(",
        "NEAR(a b, 2)",
        "ben OR moh",
        "*",
        '"',
        "'",
        "(",
        "^dup",
        "search_name:dup",
        "a & b | !c",
        "a:* <-> b",
        "x' OR 1=1 --",
        "\\",
        "dup\x00ont",
        "ﷺ",
    ],
)
def test_query_syntax_in_input_never_raises(database: Database, people: People, typed: str) -> None:
    result = find_subscribers(database, typed, country="DZ")
    assert isinstance(result, LookupResult)
    assert all(hit.matched_by == MatchKind.NAME for hit in result.hits) or result.exact


def test_operators_in_input_are_plain_words(database: Database, people: People) -> None:
    # "ben OR moh" must mean three required prefixes, not an FTS OR.
    with database.write() as session:
        add_subscriber(session, "DZ000500", first_name="Oriane", last_name="Ben Mohand")
    result = find_subscribers(database, "ben OR moh", country="DZ")
    assert [hit.account_number for hit in result.hits] == ["DZ000500"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(typed=st.text(max_size=30), country=st.sampled_from(["DZ", "TN", "FR"]))
def test_any_input_is_answered(
    database: Database, people: People, typed: str, country: str
) -> None:
    # Searches only read, so sharing one populated database across examples is fine.
    result = find_subscribers(database, typed, country=country, limit=5)
    assert len(result.hits) <= 5
    assert len({hit.subscriber_id for hit in result.hits}) == len(result.hits)


# --- index usage -------------------------------------------------------------


def _plan(session: Session, database: Database, statement: ClauseElement) -> str:
    sql = str(
        statement.compile(
            dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
        )
    )
    if database.is_sqlite:
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
        return "\n".join(str(row[-1]) for row in rows)
    # A table of a few rows is cheaper to read whole; forbid that to see
    # whether the index *can* serve the query, which is what matters at scale.
    session.execute(text("SET LOCAL enable_seqscan = off"))
    rows = session.execute(text(f"EXPLAIN {sql}")).all()
    return "\n".join(str(row[0]) for row in rows)


def _full_scans(plan: str, database: Database) -> list[str]:
    lines = plan.splitlines()
    if database.is_sqlite:
        # "SCAN t" reads a table; "SCAN t VIRTUAL TABLE INDEX n:M" is an FTS5 MATCH.
        return [line for line in lines if line.startswith("SCAN") and "VIRTUAL TABLE" not in line]
    return [line for line in lines if "Seq Scan" in line]


@pytest.mark.parametrize(
    ("query", "country"),
    [
        ("DZ-000-123", "DZ"),  # account, invoice, barcode, meter, contract
        ("0555 12 34 56", "DZ"),  # the same, plus phone and line
        ("+216 98 123 456", "TN"),
    ],
)
def test_exact_lookups_use_indexes(
    database: Database, people: People, query: str, country: str
) -> None:
    statements = exact_lookup_statements(query, country=country, limit=20)
    assert {kind for kind, _ in statements} >= {MatchKind.ACCOUNT, MatchKind.CONTRACT}
    for kind, statement in statements:
        with database.read() as session:
            plan = _plan(session, database, statement)
        assert not _full_scans(plan, database), f"{kind}:\n{plan}"


@pytest.mark.parametrize("query", ["helene", "ben moh", "محمد", "a"])
def test_name_search_uses_the_full_text_index(
    database: Database, people: People, query: str
) -> None:
    statement = name_search_statement(database.dialect, fold_name(query).split(), 20)
    with database.read() as session:
        plan = _plan(session, database, statement)
    assert not _full_scans(plan, database), plan
    if database.is_sqlite:
        assert "SCAN subscriber_search VIRTUAL TABLE INDEX" in plan, plan
        assert "SEARCH subscribers USING INTEGER PRIMARY KEY" in plan, plan
    else:
        assert "Bitmap Index Scan on ix_subscribers_search_name_fts" in plan, plan


def test_name_search_statement_needs_words() -> None:
    with pytest.raises(ValueError):
        name_search_statement("sqlite", [], 20)


def test_arabic_family_name_found_with_or_without_the_article(database: Database) -> None:
    from tests.factories import add_subscriber

    add_subscriber(
        database, "3000000001", first_name="Hedi", last_name="Trabelsi", name_ar="الهادي الطرابلسي"
    )
    for query in ("طرابلسي", "الطرابلسي", "هادي طرابلسي"):
        result = find_subscribers(database, query, country="TN")
        assert [hit.account_number for hit in result.hits] == ["3000000001"], query
