"""The charter, version after version: loading (an administrator's act), what is in force
when, and the commitment a complaint is judged against; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.auth import Actor, add_user
from app.charter.charter_file import CharterFileError
from app.charter.charters import (
    CommitmentView,
    charter_in_force,
    charter_versions,
    commitment_by_code,
    commitment_for,
    load_charter,
)
from app.demo.charter import demo_charter_path, load_demo_charter
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.journal import EventKind
from db.engine import Database
from db.models import Charter, CharterCommitment, JournalEvent
from tests.factories import NOW, PASSWORD, World, build_world

V1 = """\
[charter]
title = "Charte 2026"
currency = "DZD"

[[commitment]]
code = "DERANGEMENT"
title_fr = "Dérangement réparé sous 72 heures"
title_ar = "إصلاح العطب في أجل 72 ساعة"
title_en = "Fault repaired within 72 hours"
text_fr = "Réparé sous 72 heures."
text_ar = "يُصلَح في غضون 72 ساعة."
text_en = "Repaired within 72 hours."
services = ["fixed_line", "adsl"]
categories = ["no_service"]
clock = "calendar_days"
target_days = 3
compensation = { rule = "days_credit", days = 1, per_hours = 24, threshold_hours = 72, cap_days = 15 }
automatic = true
approval_above = "2000.00"

[[commitment]]
code = "FACTURE"
title_fr = "Facture non reçue"
title_ar = "فاتورة لم تصل"
title_en = "Bill not received"
text_fr = "Réponse sous 16 heures ouvrables."
text_ar = "ردّ في غضون 16 ساعة عمل."
text_en = "An answer within 16 working hours."
services = ["fixed_line", "adsl", "lte"]
categories = ["bill_not_received"]
clock = "business_hours"
target_hours = 16
pauses_when_waiting = true
compensation = { rule = "none" }
"""
# The next year's charter: a fault is repaired within 2 days, not 3.
V2 = V1.replace("Charte 2026", "Charte 2027").replace("target_days = 3", "target_days = 2")


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path / "keys")


@pytest.fixture
def admin(world: World) -> Actor:
    return add_user(world.ctx, "root", role="admin", password=PASSWORD, full_name="Admin")


def _count(world: World, model: type) -> int:
    with world.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _loads(world: World) -> list[JournalEvent]:
    with world.db.read() as session:
        return list(
            session.scalars(
                select(JournalEvent)
                .where(JournalEvent.kind == EventKind.CHARTER_LOADED)
                .order_by(JournalEvent.seq)
            )
        )


def test_an_admin_loads_versions_and_a_complaint_is_judged_by_the_one_in_force(
    world: World, admin: Actor
) -> None:
    first = load_charter(world.ctx, admin, V1)
    assert (first.version, first.title, first.effective_from) == (1, "Charte 2026", NOW)
    assert [c.code for c in first.commitments] == ["DERANGEMENT", "FACTURE"]
    new_year = datetime(2026, 12, 31, 23, tzinfo=UTC)  # 1 January 2027 in Algiers
    second = load_charter(world.ctx, admin, V2, effective_from=new_year)
    assert (second.version, second.effective_from) == (2, new_year)

    with world.db.read() as session:
        assert charter_in_force(session, NOW - timedelta(seconds=1)) is None
        in_force = charter_in_force(session, NOW + timedelta(days=3))
        assert in_force is not None and in_force.version == 1
        later = charter_in_force(session, new_year)
        assert later is not None and later.version == 2
        versions = charter_versions(session)
        # A fault reported in December is judged against 2026's charter (3 days), one
        # reported in January against 2027's (2 days), whatever is in force today.
        december = commitment_for(
            session, category="no_service", service="adsl", at=datetime(2026, 12, 20, tzinfo=UTC)
        )
        january = commitment_for(
            session, category="no_service", service="adsl", at=datetime(2027, 1, 5, tzinfo=UTC)
        )
        no_contract = commitment_for(session, category="bill_not_received", service=None, at=NOW)
        assert commitment_for(session, category="no_service", service="lte", at=NOW) is None
        assert commitment_for(session, category="other", service="adsl", at=NOW) is None
        by_code = commitment_by_code(session, in_force.id, "facture")
    assert [v.version for v in versions] == [2, 1]
    assert versions[1].until == new_year and versions[0].until is None
    assert december is not None and january is not None
    assert (december.charter_version, december.target_minutes, december.target) == (1, 3 * 1440, 3)
    assert (january.charter_version, january.target_minutes) == (2, 2 * 1440)
    assert december.rule == {"days": 1, "per_hours": 24, "threshold_hours": 72, "cap_days": 15}
    assert december.rule_kind == "days_credit" and december.automatic
    assert december.approval_above_minor == 200_000
    assert december.title("ar") == "إصلاح العطب في أجل 72 ساعة"
    assert december.text("en") == "Repaired within 72 hours."
    assert no_contract is not None and no_contract.code == "FACTURE"
    assert by_code is not None and by_code.clock == "business_hours"
    assert by_code.target_minutes == 16 * 60 and by_code.pauses_when_waiting

    events = _loads(world)
    assert [(e.subject, e.actor_login) for e in events] == [
        ("charter:1", "root"),
        ("charter:2", "root"),
    ]
    details = json.loads(events[1].details)
    assert details["version"] == 2 and details["sha256"] == second.source_sha256
    assert details["commitments"] == ["DERANGEMENT", "FACTURE"]


def test_the_same_file_again_is_refused_and_nothing_is_written(world: World, admin: Actor) -> None:
    load_charter(world.ctx, admin, V1)
    with pytest.raises(ConflictError) as refused:
        load_charter(world.ctx, admin, V1, effective_from=NOW + timedelta(days=30))
    assert str(refused.value) == (
        "This file is identical to charter version 1, already loaded: nothing to do."
    )
    assert _count(world, Charter) == 1 and _count(world, CharterCommitment) == 2
    assert len(_loads(world)) == 1


def test_a_supervisor_cannot_load_a_charter(world: World) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        load_charter(world.ctx, world.supervisor, V1)
    assert str(refused.value) == "This needs the admin role; karim is supervisor."
    assert _count(world, Charter) == 0 and _loads(world) == []


def test_a_charter_takes_effect_now_or_later_never_before_the_latest(
    world: World, admin: Actor
) -> None:
    with pytest.raises(ValidationError) as past:
        load_charter(world.ctx, admin, V1, effective_from=NOW - timedelta(minutes=1))
    assert "cannot take effect in the past" in str(past.value)
    dated = V1.replace('currency = "DZD"', 'currency = "DZD"\neffective_from = 2026-01-01')
    with pytest.raises(CharterFileError) as in_file:
        load_charter(world.ctx, admin, dated)
    assert in_file.value.lines("en") == [
        "charter.toml, line 4: effective_from is in the past: a charter takes effect now or "
        "later; write a later date, or remove the line to put it in force now."
    ]
    load_charter(world.ctx, admin, V1, effective_from=NOW + timedelta(days=60))
    with pytest.raises(ValidationError) as earlier:
        load_charter(world.ctx, admin, V2, effective_from=NOW + timedelta(days=30))
    assert str(earlier.value).startswith("Charter version 1 takes effect later")
    assert _count(world, Charter) == 1


def test_a_bad_file_writes_nothing(world: World, admin: Actor) -> None:
    with pytest.raises(CharterFileError) as bad:
        load_charter(
            world.ctx, admin, V1.replace('"adsl"]', '"adsl", "fibre"]'), file_name="x.toml"
        )
    assert bad.value.lines("en") == [
        "x.toml, line 13: Unknown service fibre: use one of fixed_line, adsl, ftth, lte, "
        "mobile, electricity, gas, water."
    ]
    assert _count(world, Charter) == 0 and _loads(world) == []


@pytest.mark.parametrize(("profile", "currency"), [("dz", "DZD"), ("tn", "TND"), ("fr", "EUR")])
def test_the_demo_charters_load_cleanly(
    database: Database, tmp_path: Path, profile: str, currency: str
) -> None:
    world = build_world(database, tmp_path / "keys", currency=currency)
    charter = load_demo_charter(world.ctx, profile)
    assert charter.version == 1 and charter.effective_from < NOW
    admin = add_user(world.ctx, "root", role="admin", password=PASSWORD)
    # The file as an administrator would load it: a second, identical version is refused.
    with pytest.raises(ConflictError):
        load_charter(world.ctx, admin, demo_charter_path(profile))
    with world.db.read() as session:
        versions = charter_versions(session)
        hotline = commitment_for(session, category="hotline", service=None, at=NOW)
    assert len(versions[0].commitments) >= 7
    assert hotline is not None and hotline.clock == "real_time" and hotline.rule_kind == "none"
    assert [e.subject for e in _loads(world)] == ["charter:1"]


def test_the_internet_providers_commitments(database: Database, tmp_path: Path) -> None:
    world = build_world(database, tmp_path / "keys", currency="EUR")
    load_demo_charter(world.ctx, "fr")
    with world.db.read() as session:

        def find(category: str, service: str = "ftth") -> CommitmentView:
            found = commitment_for(session, category=category, service=service, at=NOW)
            assert found is not None, category
            return found

        activation, switching, outage, cutoff = (
            find("activation_late"),
            find("switching_fees", "mobile"),
            find("no_service"),
            find("unjust_cutoff"),
        )
        hotline = find("hotline")
    assert (activation.target_minutes, activation.rule_kind, activation.automatic) == (
        14 * 1440,
        "waive_first_month",
        True,
    )
    assert switching.rule == {"cap_minor": 9900} and switching.needs_proof
    assert switching.approval_above_minor == 6000
    assert outage.rule_kind == "days_credit"
    assert cutoff.clock == "business_hours" and cutoff.pauses_when_waiting
    assert (hotline.clock, hotline.target_minutes) == ("real_time", 3)
