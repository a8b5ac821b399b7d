"""Making the archive of a period: the export's tables streamed into a ZIP, then signed.

The tables go straight into the ZIP (no temporary files), each hashed as it is
written; the manifest is written last, once every hash and count is known, and
signed. The ZIP is built as ``FILE.part`` and takes its name only once complete
and journaled; an existing archive is never overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from app.archive.manifest import (
    ALGORITHM,
    FORMAT,
    MANIFEST,
    SIGNATURE,
    VERSION,
    manifest_bytes,
    signature_bytes,
)
from app.auth import Actor, require_role
from app.context import AppContext
from app.errors import ConflictError
from app.exports.service import (
    ExportedFile,
    cannot_write,
    period_details,
    read_scope,
    write_tables,
)
from app.i18n import N_
from app.integrity.canonical import instant
from app.jet import JetCode, archive_jet_code, jet_details
from app.journal import EventKind, record_action
from app.transactions import write_transaction
from db.models import Role


@dataclass(frozen=True)
class ArchiveResult:
    path: Path
    start: date
    end: date
    agency: str | None
    key_id: str
    files: tuple[ExportedFile, ...]
    manifest_sha256: str
    jet: JetCode
    not_closed: dict[str, str | None]  # agency -> last closed day, for those with open days


def make_archive(
    ctx: AppContext,
    actor: Actor,
    start: date,
    end: date,
    out_file: str | Path,
    *,
    agency: str | None = None,
) -> ArchiveResult:
    """Write the signed archive of the business days ``start`` to ``end`` (at one agency,
    or all) to the new file ``out_file``, and journal it.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    scope = read_scope(ctx.db, start, end, agency)
    path = Path(out_file)
    if path.exists():
        raise ConflictError(
            N_("{path} already exists: an archive is never overwritten. Give another file."),
            field="out",
            path=str(path),
        )
    partial = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = partial.open("wb")
    except OSError as error:
        raise cannot_write(partial, error) from error
    jet = archive_jet_code(start, end)
    try:
        with handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:

            @contextmanager
            def member(name: str) -> Iterator[IO[bytes]]:
                with archive.open(name, "w", force_zip64=True) as stream:
                    yield stream

            files = write_tables(ctx.db, scope, member)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "operator": scope.operator,
                "period": {"from": start.isoformat(), "to": end.isoformat()},
                "agency": scope.agency,
                "agencies": [each.code for each in scope.agencies],
                # Days after these were still open: the archive shows them as they stood.
                "closed_through": scope.closed_through,
                "generated_at": instant(ctx.now()),
                "generated_by": actor.login,
                "key_id": ctx.signer.key_id,
                "signature": {"file": SIGNATURE, "algorithm": ALGORITHM, "of": MANIFEST},
                "files": [file.record() for file in files],
            }
            content = manifest_bytes(manifest)
            archive.writestr(MANIFEST, content)
            archive.writestr(SIGNATURE, signature_bytes(ctx.signer.sign(content)))
        digest = hashlib.sha256(content).hexdigest()
        details: dict[str, Any] = {
            **period_details(scope, files),
            "file": path.name,
            "manifest_sha256": digest,
            **jet_details(jet),
        }
        write_transaction(
            ctx.db,
            lambda session: record_action(
                session,
                ctx,
                EventKind.ARCHIVE_MADE,
                actor,
                subject=f"{scope.agency or '*'} {start.isoformat()} {end.isoformat()}",
                details=details,
            ),
        )
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return ArchiveResult(
        path, start, end, scope.agency, ctx.signer.key_id, files, digest, jet, scope.not_closed
    )
