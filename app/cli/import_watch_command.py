"""`python main.py import watch [--once] [--folder DIR] [--settle S] [--every S]`.

The watched inbox (:mod:`app.imports.inbox`): ``--once`` imports what is in the
folder now and exits; without it the folder is looked at every few seconds until
Ctrl+C. ``watch`` rides on the ``import`` command (whose FILE... would otherwise take
it for a file name): this module adds its options to that parser and answers when
the first FILE is ``watch``; a file really named ``watch`` is given as ``./watch``.

Exit codes of ``--once``: 0 every batch found was imported (or none was there),
1 a batch was refused (moved to ``failed/``), 2 a setting or the database is wrong,
3 another import or watcher is busy (the files stay for the next run); 130 when
interrupted, whatever was being imported rolled back and left in the inbox.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app import config
from app.bootstrap import open_context
from app.cli.file_bars import FileBars
from app.cli.output import say, warn
from app.db_faults import FAULTS, explain
from app.errors import ConflictError
from app.i18n import N_, gettext
from app.imports.inbox import (
    POLL_SECONDS,
    SETTLE_SECONDS,
    BatchOutcome,
    Inbox,
    Round,
    inbox_folder,
    run_once,
    run_round,
)

WATCH = "watch"
EXIT_BUSY = 3

Command = Callable[..., argparse.ArgumentParser]
Handler = Callable[[argparse.Namespace], int]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0 or value != value:
        raise argparse.ArgumentTypeError(
            gettext(N_("{value} is not a number of seconds")).format(value=text)
        )
    return value


def add_parsers(sub: Any, command: Command, parser: argparse.ArgumentParser) -> None:
    """Add ``import watch`` to the ``import`` command (registered before this)."""
    _ = gettext
    child: argparse.ArgumentParser | None = sub.choices.get("import")
    if child is None:  # the import command is not there: nothing to ride on
        return
    group = child.add_argument_group(
        _("import watch [--once] [--folder DIR]: import the files dropped in the inbox folder")
    )
    group.add_argument(
        "--once",
        action="store_true",
        help=_("import what is in the inbox now, then exit (default: watch until Ctrl+C)"),
    )
    group.add_argument(
        "--folder",
        metavar="DIR",
        help=_("the inbox folder (default: GUICHET_IMPORT_INBOX)"),
    )
    group.add_argument(
        "--settle",
        type=_seconds,
        metavar="S",
        help=_("a file is taken once unchanged for this many seconds (default 2)"),
    )
    group.add_argument(
        "--every",
        type=_seconds,
        metavar="S",
        help=_("look at the inbox every this many seconds (default 5)"),
    )
    files_handler: Handler = child.get_default("handler")
    child.set_defaults(handler=lambda args: _dispatch(args, files_handler))


def _dispatch(args: argparse.Namespace, files_handler: Handler) -> int:
    watch_only = (args.once, args.folder is not None, args.settle is not None, args.every)
    if args.files[:1] == [WATCH]:
        if len(args.files) > 1 or args.check or args.kind or args.encoding or args.separator:
            warn(
                N_(
                    "Error: import watch takes no files and no --check, --kind, --encoding or --separator."
                )
            )
            return 2
        return watch_command(args)
    if any(option not in (None, False) for option in watch_only):
        warn(N_("Error: --once, --folder, --settle and --every go with: import watch"))
        return 2
    return files_handler(args)


class _Watcher:
    """Prints each batch as it ends and knows whether one is being imported.

    A stop (Ctrl+C, or a service manager's SIGTERM) ends the watcher at once, and an
    import under way rolls back; except between a batch's commit and its report,
    where the stop waits for the files to be moved and the report printed: a
    committed batch is always reported, never said to be rolled back.
    """

    def __init__(self) -> None:
        self.bars = FileBars()
        self.importing = False
        self.finishing = False  # committed or refused; its files not moved yet
        self.stop_requested = False

    def started(self, paths: Sequence[Path]) -> None:
        self.importing = True

    def imported(self) -> None:
        self.importing = False
        self.finishing = True

    def stop(self, _signum: int, _frame: object) -> None:
        if self.finishing:
            self.stop_requested = True  # once the batch is reported
            return
        raise KeyboardInterrupt

    def finished(self, outcome: BatchOutcome) -> None:
        self.importing = False
        self.bars.close()
        for line in outcome.lines:
            print(line)
        if outcome.moved:
            say(
                N_("Moved to {folder}: {files}"),
                folder=str(outcome.moved[0].parent),
                files=", ".join(path.name for path in outcome.moved),
            )
        sys.stdout.flush()
        self.finishing = False
        if self.stop_requested:
            raise KeyboardInterrupt  # the stop that came while this batch was finishing

    def interrupted(self) -> int:
        self.bars.close()
        if self.importing:
            warn(N_("Import interrupted: everything was rolled back, nothing was written."))
        else:
            warn(N_("Stopped watching the import inbox."))
        return 130


def watch_command(args: argparse.Namespace) -> int:
    folder = inbox_folder(args.folder)
    ctx = open_context(args.database, args.key_file)
    settle = SETTLE_SECONDS if args.settle is None else args.settle
    inbox = Inbox(folder, settle=settle)
    watcher = _Watcher()
    previous = _stop_on_signals(watcher)
    try:
        if args.once:
            return _once(ctx, inbox, watcher)
        every = POLL_SECONDS if args.every is None else max(args.every, 0.05)
        return _watch(ctx, inbox, watcher, every, args.database)
    except KeyboardInterrupt:
        return watcher.interrupted()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _stop_on_signals(watcher: _Watcher) -> dict[int, Any]:
    """Ctrl+C and a service manager's stop (SIGTERM) end the watcher cleanly (see
    :class:`_Watcher`); returns the handlers they replace."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {
        number: signal.signal(number, watcher.stop) for number in (signal.SIGINT, signal.SIGTERM)
    }


def _once(ctx: Any, inbox: Inbox, watcher: _Watcher) -> int:
    try:
        found: Round = run_once(
            ctx,
            inbox,
            progress=watcher.bars,
            on_batch=watcher.finished,
            on_start=watcher.started,
            on_imported=watcher.imported,
        )
    except ConflictError as error:
        watcher.bars.close()
        _error(error.translated())
        return EXIT_BUSY
    if found.arriving:
        say(
            N_("Still arriving, left for the next run: {files}"),
            files=", ".join(found.arriving),
        )
    if not found.batches:
        say(N_("Nothing to import in {folder}."), folder=str(inbox.folder))
    return 1 if found.refused else 0


def _watch(ctx: Any, inbox: Inbox, watcher: _Watcher, every: float, url: str | None) -> int:
    say(
        N_("Watching the import inbox {folder} every {seconds} s; Ctrl+C stops."),
        folder=str(inbox.folder),
        seconds=f"{every:g}",
    )
    sys.stdout.flush()
    said = ""
    while True:
        line = ""
        try:
            run_round(
                ctx,
                inbox,
                progress=watcher.bars,
                on_batch=watcher.finished,
                on_start=watcher.started,
                on_imported=watcher.imported,
            )
        except ConflictError as error:
            line = error.translated()
        except FAULTS as error:  # the database went away: say so once, try again later
            line = explain(error, _url(url)).translated()
        watcher.bars.close()
        watcher.importing = watcher.finishing = False
        if line and line != said:
            _error(line)
        said = line
        time.sleep(every)


def _error(line: str) -> None:
    print(gettext(N_("Error: {message}")).format(message=line), file=sys.stderr, flush=True)


def _url(url: str | None) -> str | None:
    try:
        return config.database_url(url)
    except Exception:
        return url
