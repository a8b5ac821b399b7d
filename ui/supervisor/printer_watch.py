"""The dashboard's live view of each counter's receipt printer.

A counter knows its own printer from its print worker, which asks it (DLE EOT)
every few seconds. The dashboard asks the other counters' printers the same
way (:func:`app.printing.devices.query_status`), each on a thread of its own
runner: a printer that does not answer holds that thread for its timeout, never
the dashboard's reads nor this counter's payments, and is not asked again until
it has answered. A printer shared by two counters is asked once.

A printer on a counter's USB or serial port, or behind its CUPS queue, is
reachable from that counter's computer only: it is not asked from here. That
counter's heartbeat writes what its print worker last read of it on its lease
(:func:`app.station_lease.printer_states`), and the dashboard shows that, as
long as the counter still runs and the reading is fresh; otherwise "not
reported" and since when, never a state nobody has seen lately (the failures
its worker meets still show in the dashboard's print jobs). A printer that
stops answering is shown "not reachable" only once it missed twice in a row: a
network printer busy printing for its counter may refuse a second connection
for a moment.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.errors import GuichetError
from app.i18n import N_
from app.printing import devices
from app.printing.status import PrinterStatus
from app.printing.worker import PrintWorker
from app.station_lease import ReportedPrinter
from ui.tasks import Runner

Query = Callable[[devices.PrinterAddress], PrinterStatus]

ASK_TIMEOUT = 1.5  # seconds for each exchange with a printer
# A question unanswered for this long: the printer is shown "not answering".
SILENT_SECONDS = 8.0
# Addresses that mean something on the counter's own computer only: its USB and serial
# ports, its CUPS queues, its files. Only network printers (tcp) are asked from here.
LOCAL_SCHEMES = frozenset({"usb", "serial", "cups", "file"})


class Seen(StrEnum):
    """What the dashboard knows of a printer besides its own answer."""

    ANSWERED = "answered"
    ASKING = "asking"  # asked, no answer yet
    SILENT = "silent"  # asked, no answer for SILENT_SECONDS
    NOT_SET = "not_set"  # the counter has no printer
    # On the counter's own port, read there only:
    REPORTED = "reported"  # as its running counter read it lately
    NOT_REPORTED = "not_reported"  # its counter is not running or has not said lately


# As short as a table cell under "Printer" at 1024 pixels needs them.
SHORT_LABELS: dict[PrinterStatus | Seen, str] = {
    PrinterStatus.ONLINE: N_("ready"),
    PrinterStatus.PAPER_LOW: N_("paper low"),
    PrinterStatus.PAPER_OUT: N_("out of paper"),
    PrinterStatus.COVER_OPEN: N_("cover open"),
    PrinterStatus.OFFLINE: N_("offline"),
    PrinterStatus.UNREACHABLE: N_("not reachable"),
    PrinterStatus.UNKNOWN: N_("state unknown"),
    Seen.ASKING: N_("asking…"),
    Seen.SILENT: N_("not answering"),
    Seen.NOT_SET: N_("none set up"),
    Seen.NOT_REPORTED: N_("not reported"),
}


@dataclass(frozen=True)
class PrinterReading:
    seen: Seen
    status: PrinterStatus | None = None  # when ANSWERED or REPORTED
    # Reported by its counter: what it said last (even when no longer shown as the
    # state), how many seconds ago, and whether that counter still runs.
    report: ReportedPrinter | None = None

    @property
    def short(self) -> str:
        """The msgid of the state in a word or two (the dashboard's column and line)."""
        if self.seen in (Seen.ANSWERED, Seen.REPORTED) and self.status is not None:
            return SHORT_LABELS[self.status]
        return SHORT_LABELS[self.seen]

    @property
    def effective(self) -> PrinterStatus:
        """The status the dashboard's colours are chosen by; never "ready" unheard."""
        if self.seen == Seen.SILENT:
            return PrinterStatus.UNREACHABLE
        if self.seen == Seen.NOT_REPORTED:
            return PrinterStatus.UNKNOWN
        return self.status if self.status is not None else PrinterStatus.UNKNOWN

    @property
    def age_seconds(self) -> float | None:
        """How long ago the state shown (or the last one reported) was read."""
        return None if self.report is None else self.report.age_seconds


ASKING = PrinterReading(Seen.ASKING)


def ask(uri: str, query: Query) -> PrinterStatus:
    """The state of the printer at ``uri``; a broken address is a printer not reachable.

    Lowest role: none (asks a device; no database, no actor).
    """
    try:
        return query(devices.parse_printer_uri(uri))
    except GuichetError:
        return PrinterStatus.UNREACHABLE


def default_query(address: devices.PrinterAddress) -> PrinterStatus:
    return devices.query_status(address, timeout=ASK_TIMEOUT)


class PrinterWatch:
    """The last known state of each printer the dashboard shows, asked in the background.

    ``changed`` is called on the GUI thread when a printer's reading changed.
    """

    def __init__(
        self,
        runner: Runner,
        changed: Callable[[], None],
        *,
        own_workstation: str,
        worker: PrintWorker | None = None,
        query: Query | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._runner, self._changed = runner, changed
        self._own, self._worker, self._clock = own_workstation, worker, clock
        self._query = query if query is not None else default_query
        self._answers: dict[str, PrinterStatus] = {}
        self._misses: dict[str, int] = {}
        self._asked: dict[str, float] = {}  # uri -> when the question in flight left
        self.closed = False

    def watch(self, printers: Mapping[str, str | None]) -> None:
        """Ask again every printer of ``printers`` (workstation -> address) that is not
        being asked already."""
        for workstation, uri in printers.items():
            if uri is None or uri in self._asked or self._asked_locally(workstation, uri):
                continue
            if workstation == self._own and self._worker is not None:
                continue  # this counter's worker asks it already
            self._ask(uri)

    def _ask(self, uri: str) -> None:
        self._asked[uri] = self._clock()
        query = self._query
        self._runner.submit(
            lambda: ask(uri, query),
            lambda status: self._answered(uri, status),
            lambda _error: self._answered(uri, PrinterStatus.UNREACHABLE),
        )

    def _asked_locally(self, workstation: str, uri: str) -> bool:
        """A printer on another counter's own computer: not ours to open."""
        if workstation == self._own:
            return False
        try:
            return devices.parse_printer_uri(uri).scheme in LOCAL_SCHEMES
        except GuichetError:
            return False

    def _answered(self, uri: str, status: PrinterStatus) -> None:
        self._asked.pop(uri, None)
        if self.closed:
            return
        before = self._answers.get(uri)
        if status == PrinterStatus.UNREACHABLE and before not in (None, status):
            self._misses[uri] = self._misses.get(uri, 0) + 1
            if self._misses[uri] < 2:
                return  # once may be a printer busy with its own counter: ask again first
        else:
            self._misses.pop(uri, None)
        self._answers[uri] = status
        if status != before:
            self._changed()

    def reading(
        self, workstation: str, uri: str | None, report: ReportedPrinter | None = None
    ) -> PrinterReading:
        """``report``: what the workstation's counter last wrote on its lease, if it
        holds one (for a printer only it can read)."""
        if workstation == self._own and self._worker is not None:
            return PrinterReading(Seen.ANSWERED, self._worker.snapshot().status)
        if uri is None:
            return PrinterReading(Seen.NOT_SET)
        if self._asked_locally(workstation, uri):
            if report is not None and report.fresh:
                return PrinterReading(Seen.REPORTED, report.status, report)
            return PrinterReading(Seen.NOT_REPORTED, report=report)
        asked = self._asked.get(uri)
        if asked is not None and self._clock() - asked >= SILENT_SECONDS:
            return PrinterReading(Seen.SILENT)  # whatever it said before, it says nothing now
        answer = self._answers.get(uri)
        if answer is not None:
            return PrinterReading(Seen.ANSWERED, answer)
        return PrinterReading(Seen.ASKING)

    def close(self) -> None:
        self.closed = True
