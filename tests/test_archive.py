"""The signed period archive: made by a supervisor, checked offline with the public key alone."""

from __future__ import annotations

import base64
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from app.archive.make import make_archive
from app.archive.manifest import MANIFEST, SIGNATURE
from app.archive.verify import ArchiveUnreadableError, verify_archive
from app.errors import ConflictError, PermissionDeniedError
from app.exports.tables import TABLES
from app.integrity.keys import Verifier
from app.jet import archive_jet_code
from db.engine import Database
from db.models import JournalEvent
from tests.factories import World, build_world
from tests.test_exports import DAY, build_day


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_day(build_world(database, tmp_path / "keys"))


@pytest.fixture
def archive(world: World, tmp_path: Path) -> Path:
    path = tmp_path / "out" / "ALG01-2026-11-21.zip"
    make_archive(world.ctx, world.supervisor, DAY, DAY, path, agency="ALG01")
    return path


def rewrite(path: Path, changes: dict[str, bytes | None]) -> Path:
    """A copy of the archive with members replaced (bytes), removed (None) or added."""
    copy = path.with_name("tampered.zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
        for name in source.namelist():
            if name not in changes:
                target.writestr(name, source.read(name))
            elif changes[name] is not None:
                target.writestr(name, changes[name])  # type: ignore[arg-type]
        for name, content in changes.items():
            if name not in source.namelist() and content is not None:
                target.writestr(name, content)
    return copy


def findings(path: Path, verifier: Verifier) -> list[str]:
    return [finding.translated("en") for finding in verify_archive(path, verifier).findings]


def test_made_then_verified(world: World, archive: Path) -> None:
    report = verify_archive(archive, world.ctx.signer.verifier)
    assert report.ok, [f.translated("en") for f in report.findings]
    assert report.period == ("2026-11-21", "2026-11-21") and report.files == len(TABLES)
    assert report.signed_by == world.ctx.signer.key_id
    with zipfile.ZipFile(archive) as zipped:
        assert sorted(zipped.namelist()) == sorted([*(t.file for t in TABLES), MANIFEST, SIGNATURE])
        manifest = json.loads(zipped.read(MANIFEST))
    assert manifest["key_id"] == world.ctx.signer.key_id and "public_key" not in manifest
    assert manifest["operator"]["code"] == "AT" and manifest["generated_by"] == "karim"
    assert manifest["closed_through"] == {"ALG01": "2026-11-21"}
    rows = {f["name"]: f["rows"] for f in manifest["files"]}
    assert rows["payments.csv"] == 3 and rows["closings.csv"] == 1
    assert not archive.with_name(archive.name + ".part").exists()
    with world.db.read() as session:
        event = session.scalars(
            select(JournalEvent).where(JournalEvent.kind == "archive.made")
        ).one()
    details = json.loads(event.details)
    assert (details["jet"], details["jet_verified"], details["file"]) == (20, True, archive.name)


def test_a_modified_file_is_named(world: World, archive: Path) -> None:
    with zipfile.ZipFile(archive) as zipped:
        payments = zipped.read("payments.csv")
    forged = rewrite(archive, {"payments.csv": payments.replace(b"2000.00", b"200.00")})
    assert findings(forged, world.ctx.signer.verifier) == [
        "payments.csv was modified: its SHA-256 or its number of rows is not the manifest's."
    ]


def test_a_missing_and_an_added_file_are_named(world: World, archive: Path) -> None:
    forged = rewrite(archive, {"voids.csv": None, "extra.csv": b"a,b\r\n"})
    assert findings(forged, world.ctx.signer.verifier) == [
        "voids.csv is missing from the archive, though the manifest lists it.",
        "extra.csv was added to the archive: the manifest does not list it.",
    ]


def test_a_file_listed_twice_is_named(world: World, archive: Path) -> None:
    forged = archive.with_name("twice.zip")
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(forged, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        with pytest.warns(UserWarning, match="Duplicate name"):
            target.writestr("voids.csv", b"receipt_no\r\n")
    assert findings(forged, world.ctx.signer.verifier) == [
        "voids.csv is in the archive more than once.",
        "voids.csv was modified: its SHA-256 or its number of rows is not the manifest's.",
    ]


def test_a_modified_manifest_breaks_the_signature(world: World, archive: Path) -> None:
    with zipfile.ZipFile(archive) as zipped:
        manifest = zipped.read(MANIFEST)
    forged = rewrite(archive, {MANIFEST: manifest.replace(b'"rows": 3', b'"rows": 2', 1)})
    assert findings(forged, world.ctx.signer.verifier) == [
        "The signature in manifest.sig does not match manifest.json: the manifest or its "
        "signature was altered.",
        "payments.csv was modified: its SHA-256 or its number of rows is not the manifest's.",
    ]


def test_a_modified_or_missing_signature(world: World, archive: Path) -> None:
    other = Ed25519PrivateKey.generate().sign(b"something else")
    forged = rewrite(archive, {SIGNATURE: base64.b64encode(other) + b"\n"})
    assert findings(forged, world.ctx.signer.verifier) == [
        "The signature in manifest.sig does not match manifest.json: the manifest or its "
        "signature was altered."
    ]
    gone = rewrite(archive, {SIGNATURE: None})
    assert findings(gone, world.ctx.signer.verifier) == [
        "manifest.sig is missing: the manifest cannot be trusted."
    ]
    no_manifest = rewrite(archive, {MANIFEST: None})
    assert findings(no_manifest, world.ctx.signer.verifier) == [
        "manifest.json is missing: nothing in the archive can be checked."
    ]
    garbled = rewrite(archive, {MANIFEST: b"{not json"})
    assert findings(garbled, world.ctx.signer.verifier) == [
        "manifest.json cannot be read: it was altered or damaged."
    ]


def test_another_key_is_told_apart_from_a_forgery(world: World, archive: Path) -> None:
    stranger = Verifier(Ed25519PrivateKey.generate().public_key())
    (finding,) = findings(archive, stranger)
    assert f"signed with key {world.ctx.signer.key_id}, not with the given public key" in finding
    assert stranger.key_id in finding


def test_not_an_archive(world: World, tmp_path: Path) -> None:
    text = tmp_path / "notes.zip"
    text.write_text("hello")
    with pytest.raises(ArchiveUnreadableError, match="not a readable ZIP file"):
        verify_archive(text, world.ctx.signer.verifier)


def test_refusals(world: World, archive: Path) -> None:
    with pytest.raises(ConflictError, match="never overwritten"):
        make_archive(world.ctx, world.supervisor, DAY, DAY, archive)
    with pytest.raises(PermissionDeniedError):
        make_archive(world.ctx, world.agent, DAY, DAY, archive.with_name("b.zip"))
    assert not archive.with_name("b.zip").exists()


def test_a_whole_year_is_a_period_end_archive() -> None:
    assert archive_jet_code(date(2026, 1, 1), date(2026, 12, 31)).code == 30
    assert archive_jet_code(date(2026, 1, 1), date(2026, 12, 30)).code == 20
    assert archive_jet_code(date(2025, 1, 1), date(2026, 12, 31)).code == 20
