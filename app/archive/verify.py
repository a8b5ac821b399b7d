"""Checking an archive offline, with a public key the checker trusts.

Nothing here touches a database: an auditor with the archive and the
operator's public key (``python main.py key show``) checks it anywhere. Every
disagreement is a finding of its own: the manifest's signature, a key other
than the one given, each file missing, modified or added. The key is never
taken from the archive (see :mod:`app.archive.manifest`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.archive.manifest import MANIFEST, SIGNATURE
from app.errors import GuichetError, ValidationError
from app.i18n import N_, gettext
from app.integrity.keys import Verifier

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Finding:
    """One thing wrong with an archive, told in the reader's language."""

    message: str  # msgid with {placeholders}
    params: dict[str, Any] = field(default_factory=dict)

    def translated(self, language: str | None = None) -> str:
        return gettext(self.message, language).format(**self.params)


@dataclass(frozen=True)
class ArchiveReport:
    path: Path
    key_id: str  # the given key's
    signed_by: str | None  # the manifest's key id
    period: tuple[str, str] | None
    files: int  # files the manifest lists
    rows: int
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


class ArchiveUnreadableError(GuichetError):
    """The file is not an archive at all."""


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ValidationError(N_("{path} does not exist."), field="file", path=str(path)) from None
    except IsADirectoryError:
        raise ValidationError(
            N_("{path} is a folder: give the path of a file."), field="file", path=str(path)
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ArchiveUnreadableError(
            N_("{path} is not a Guichet archive: it is not a readable ZIP file."),
            field="file",
            path=str(path),
        ) from None


def _digest(archive: zipfile.ZipFile, name: str) -> tuple[str, int] | None:
    """SHA-256 and data rows of a member; None when it cannot be read (a broken CRC)."""
    try:
        sha = hashlib.sha256()
        with archive.open(name) as stream:
            while chunk := stream.read(_CHUNK):
                sha.update(chunk)
        with archive.open(name) as stream:
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            records = sum(1 for _row in csv.reader(text))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, UnicodeDecodeError, csv.Error):
        return None
    return sha.hexdigest(), max(records - 1, 0)  # less the header


def _manifest(archive: zipfile.ZipFile, findings: list[Finding]) -> tuple[bytes, Any] | None:
    names = archive.namelist()
    if MANIFEST not in names:
        findings.append(
            Finding(
                N_("{file} is missing: nothing in the archive can be checked."), {"file": MANIFEST}
            )
        )
        return None
    try:
        content = archive.read(MANIFEST)
        manifest = json.loads(content.decode("utf-8"))
        listed = [
            (str(item["name"]), str(item["sha256"]), int(item["rows"]))
            for item in manifest["files"]
        ]
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        UnicodeDecodeError,
        ValueError,
        KeyError,
        TypeError,
    ):
        findings.append(
            Finding(N_("{file} cannot be read: it was altered or damaged."), {"file": MANIFEST})
        )
        return None
    manifest["files"] = listed
    return content, manifest


def _signature(
    archive: zipfile.ZipFile,
    content: bytes,
    manifest: dict[str, Any],
    verifier: Verifier,
    findings: list[Finding],
) -> None:
    signed_by = str(manifest.get("key_id"))
    if signed_by != verifier.key_id:
        findings.append(
            Finding(
                N_(
                    "The archive is signed with key {signed}, not with the given public key "
                    "{given}: check it with the operator's key."
                ),
                {"signed": signed_by, "given": verifier.key_id},
            )
        )
        return
    if SIGNATURE not in archive.namelist():
        findings.append(
            Finding(N_("{file} is missing: the manifest cannot be trusted."), {"file": SIGNATURE})
        )
        return
    try:
        signature = archive.read(SIGNATURE).decode("ascii").strip()
    except (zipfile.BadZipFile, zlib.error, OSError, UnicodeDecodeError):
        signature = ""
    if not verifier.verify(signature, content):
        findings.append(
            Finding(
                N_(
                    "The signature in {signature} does not match {manifest}: the manifest or "
                    "its signature was altered."
                ),
                {"signature": SIGNATURE, "manifest": MANIFEST},
            )
        )


def verify_archive(path: str | Path, verifier: Verifier) -> ArchiveReport:
    """Check an archive against the public key ``verifier``: the manifest's signature,
    then each file against the manifest, and no file the manifest does not list.

    Lowest role: none (offline: no database, no actor).
    """
    path = Path(path)
    findings: list[Finding] = []
    with _open(path) as archive:
        read = _manifest(archive, findings)
        if read is None:
            return ArchiveReport(path, verifier.key_id, None, None, 0, 0, tuple(findings))
        content, manifest = read
        _signature(archive, content, manifest, verifier, findings)
        present = Counter(archive.namelist())
        listed = {name for name, _sha, _rows in manifest["files"]}
        rows = 0
        for name, sha256, count in manifest["files"]:
            rows += count
            if name not in present:
                findings.append(
                    Finding(
                        N_("{file} is missing from the archive, though the manifest lists it."),
                        {"file": name},
                    )
                )
                continue
            if present[name] > 1:
                findings.append(
                    Finding(N_("{file} is in the archive more than once."), {"file": name})
                )
            if _digest(archive, name) != (sha256, count):
                findings.append(
                    Finding(
                        N_(
                            "{file} was modified: its SHA-256 or its number of rows is not "
                            "the manifest's."
                        ),
                        {"file": name},
                    )
                )
        for name in sorted(set(present) - listed - {MANIFEST, SIGNATURE}):
            findings.append(
                Finding(
                    N_("{file} was added to the archive: the manifest does not list it."),
                    {"file": name},
                )
            )
    period = manifest.get("period") or {}
    return ArchiveReport(
        path,
        verifier.key_id,
        str(manifest.get("key_id")),
        (str(period.get("from")), str(period.get("to"))) if isinstance(period, dict) else None,
        len(listed),
        rows,
        tuple(findings),
    )
