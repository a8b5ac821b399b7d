"""The watched import inbox: files dropped in a folder are imported as they arrive.

The folder is a setting of the workstation that watches it: ``--folder DIR`` on the
command line, else the environment variable ``GUICHET_IMPORT_INBOX``. Each look at
the folder takes, in name order, the files that have finished arriving:

- a file is taken once its size and modification time have not changed between two
  looks at least ``settle`` seconds apart; a temporary name (``.part``, ``.tmp``,
  ``.partial``, ``.filepart``, ``.crdownload``, ``~``, a leading ``.`` or ``~$``) is
  never taken: a sender writes ``name.csv.part`` and renames it when it is whole;
- one batch per file, except files whose names share a prefix before ``__``
  (``2026-12-02__subscribers.csv``, ``2026-12-02__invoices.csv``): they are one
  batch, all or nothing together, so a bill may name a subscriber of another file;
  such a batch waits while any of its files is still arriving;
- a batch imported goes to ``done/``, a batch refused to ``failed/``, each file with
  its report beside it (``name.report.txt``); a name already there gets ``.2``,
  ``.3`` ... before its suffix. Files of other kinds (not .csv, .txt, .tsv, .xlsx,
  .xlsm) are left where they are.

One import at a time across all workstations is the core's lock; one watcher per
folder is a lock file in the folder (``.guichet-inbox.lock``, POSIX ``flock``). A
crash between the commit and the move leaves the file in the inbox: imported again,
it changes nothing (the core is idempotent) and then moves to ``done/``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from app.context import AppContext
from app.errors import ConfigurationError, ConflictError
from app.i18n import N_
from app.imports import lock
from app.imports.apply import ImportOptions, Progress, import_files
from app.imports.refusals import ImportResult
from app.imports.report import report_lines, save_reports

ENV_IMPORT_INBOX = "GUICHET_IMPORT_INBOX"
DONE = "done"
FAILED = "failed"
LOCK_NAME = ".guichet-inbox.lock"
BATCH_MARK = "__"
SETTLE_SECONDS = 2.0
POLL_SECONDS = 5.0
TABLE_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".xlsx", ".xlsm"})
TEMPORARY_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".filepart", ".crdownload", "~")
REPORT_SUFFIX = ".report.txt"


def inbox_folder(cli_value: str | None = None) -> Path:
    """The inbox: ``--folder``, else ``GUICHET_IMPORT_INBOX``; it must be a folder."""
    text = cli_value if cli_value is not None else os.environ.get(ENV_IMPORT_INBOX, "")
    if not text.strip():
        raise ConfigurationError(
            N_("No import inbox: give the folder with --folder DIR or {name}."),
            field="folder",
            name=ENV_IMPORT_INBOX,
        )
    path = Path(text).expanduser()
    if not path.is_dir():
        raise ConfigurationError(
            N_("The import inbox {path} is not a folder."), field="folder", path=str(path)
        )
    return path


def is_temporary(name: str) -> bool:
    lowered = name.lower()
    return name.startswith((".", "~$")) or lowered.endswith(TEMPORARY_SUFFIXES)


def is_table(name: str) -> bool:
    lowered = name.lower()
    return not lowered.endswith(REPORT_SUFFIX) and Path(lowered).suffix in TABLE_SUFFIXES


def batch_key(name: str) -> str:
    """The batch a file belongs to: the prefix before ``__``, else the file alone."""
    prefix, mark, _rest = name.partition(BATCH_MARK)
    return prefix + mark if mark and prefix else name


@dataclass
class Look:
    """What a look at the folder found: the batches ready, in name order, and the
    names still arriving (temporary, or changed since the last look)."""

    ready: list[list[Path]] = field(default_factory=list)
    arriving: list[str] = field(default_factory=list)


class Inbox:
    """A folder and what was seen in it at the last look."""

    def __init__(
        self,
        folder: Path,
        *,
        settle: float = SETTLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = folder
        self.settle = settle
        self._clock = clock
        self._seen: dict[str, tuple[int, int]] = {}
        self._seen_at: float | None = None

    @property
    def done(self) -> Path:
        return self.folder / DONE

    @property
    def failed(self) -> Path:
        return self.folder / FAILED

    def _entries(self) -> Iterator[os.DirEntry[str]]:
        with os.scandir(self.folder) as entries:
            for entry in entries:
                try:
                    if entry.is_file():
                        yield entry
                except OSError:
                    continue

    def look(self) -> Look:
        """The batches whose files have all stopped changing since the previous look."""
        now = self._clock()
        previous, previous_at = self._seen, self._seen_at
        settled = previous_at is not None and now - previous_at >= self.settle
        seen: dict[str, tuple[int, int]] = {}
        groups: dict[str, list[str]] = {}
        held: set[str] = set()
        arriving: list[str] = []
        for entry in self._entries():
            name = entry.name
            if name == LOCK_NAME:
                continue
            if is_temporary(name):
                held.add(batch_key(name))
                arriving.append(name)
                continue
            if not is_table(name):
                continue
            try:
                stat = entry.stat()
            except OSError:
                continue
            seen[name] = (stat.st_size, stat.st_mtime_ns)
            groups.setdefault(batch_key(name), []).append(name)
            if not settled or previous.get(name) != seen[name]:
                held.add(batch_key(name))
                arriving.append(name)
        self._seen, self._seen_at = seen, now
        result = Look(arriving=sorted(arriving))
        for key in sorted(groups, key=lambda key: min(groups[key])):
            if key not in held:
                result.ready.append([self.folder / name for name in sorted(groups[key])])
        return result

    @contextmanager
    def claimed(self) -> Iterator[None]:
        """This watcher alone works on the folder while the block runs."""
        try:
            import fcntl
        except ImportError:  # Windows: the core's lock alone keeps imports apart
            yield
            return
        path = self.folder / LOCK_NAME
        handle: IO[str] = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed below
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.seek(0)
                raise ConflictError(
                    N_(
                        "Another watcher is working on the inbox {folder} ({holder}): "
                        "try again when it has finished."
                    ),
                    folder=str(self.folder),
                    holder=handle.read().strip() or "?",
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(lock.who_am_i(datetime.now()))
            handle.flush()
            try:
                yield
            finally:
                handle.seek(0)
                handle.truncate()
                fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            handle.close()


@dataclass(frozen=True)
class BatchOutcome:
    """One batch of the inbox: imported (to ``done/``) or refused (to ``failed/``)."""

    files: tuple[str, ...]
    result: ImportResult
    moved: tuple[Path, ...]  # where the files are now
    reports: tuple[Path, ...]
    lines: tuple[str, ...]  # the report

    @property
    def applied(self) -> bool:
        return self.result.applied


@dataclass
class Round:
    """One look at the inbox and the batches it imported."""

    batches: list[BatchOutcome] = field(default_factory=list)
    arriving: list[str] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return sum(1 for batch in self.batches if not batch.applied)


def free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name`` with ``.2``, ``.3`` ... before its suffix when taken."""
    target = folder / name
    path = Path(name)
    number = 1
    while target.exists() or target.with_name(target.name + REPORT_SUFFIX).exists():
        number += 1
        target = folder / f"{path.stem}.{number}{path.suffix}"
    return target


def import_batch(
    ctx: AppContext,
    inbox: Inbox,
    paths: Sequence[Path],
    *,
    progress: Progress | None = None,
    on_imported: Callable[[], None] | None = None,
) -> BatchOutcome:
    """Import one batch of the inbox, all or nothing, then move its files to ``done/``
    or ``failed/`` with the report beside each. Another import running raises
    :class:`ConflictError` and leaves the files where they are; so does an interruption.
    ``on_imported`` is called once the import's transaction has ended (committed or
    rolled back), before the files move: a watcher stops only after that, not midway.

    Lowest role: system (the operator's IT, from the command line; no staff actor).
    """
    result = import_files(ctx, list(paths), ImportOptions(), progress=progress)
    if on_imported is not None:
        on_imported()
    lines = report_lines(result)
    target = inbox.done if result.applied else inbox.failed
    target.mkdir(exist_ok=True)
    moved: list[Path] = []
    for path in paths:
        destination = free_name(target, path.name)
        try:
            os.replace(path, destination)
        except FileNotFoundError:  # taken away meanwhile: nothing to move
            continue
        except OSError as error:  # the next look imports it again, changing nothing
            raise ConfigurationError(
                N_("Cannot move {path} to {folder}: {reason}"),
                field="folder",
                path=str(path),
                folder=str(target),
                reason=error.strerror or str(error),
            ) from None
        moved.append(destination)
    reports = save_reports(moved, lines)
    return BatchOutcome(
        tuple(path.name for path in paths), result, tuple(moved), tuple(reports), tuple(lines)
    )


def run_round(
    ctx: AppContext,
    inbox: Inbox,
    *,
    progress: Progress | None = None,
    on_batch: Callable[[BatchOutcome], None] | None = None,
    on_start: Callable[[Sequence[Path]], None] | None = None,
    on_imported: Callable[[], None] | None = None,
) -> Round:
    """Look at the inbox once and import every batch that has finished arriving, in
    name order, one at a time.

    Lowest role: system (the operator's IT, from the command line; no staff actor).
    """
    done = Round()
    with inbox.claimed():
        found = inbox.look()
        done.arriving = found.arriving
        for paths in found.ready:
            if on_start is not None:
                on_start(paths)
            outcome = import_batch(ctx, inbox, paths, progress=progress, on_imported=on_imported)
            done.batches.append(outcome)
            if on_batch is not None:
                on_batch(outcome)
    return done


def run_once(
    ctx: AppContext,
    inbox: Inbox,
    *,
    progress: Progress | None = None,
    on_batch: Callable[[BatchOutcome], None] | None = None,
    on_start: Callable[[Sequence[Path]], None] | None = None,
    on_imported: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Round:
    """What is in the inbox now: a first look, ``settle`` seconds to see that the files
    stopped changing, then the round. Files still arriving are left for the next run.

    Lowest role: system (the operator's IT, from the command line; no staff actor).
    """
    first = inbox.look()
    if first.arriving or first.ready:
        sleep(inbox.settle)
    return run_round(
        ctx,
        inbox,
        progress=progress,
        on_batch=on_batch,
        on_start=on_start,
        on_imported=on_imported,
    )
