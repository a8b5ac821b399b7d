"""What a receipt printer says about itself, and what the counter screen shows of it.

ESC/POS printers answer the real-time status request ``DLE EOT n`` (bytes
``10 04 n``) with one byte, even when they are offline or their buffer is full.
Three of those replies tell whether a receipt can print now:

- ``n = 1`` printer status: bit 3 (0x08) set = offline;
- ``n = 2`` offline cause: bit 2 (0x04) cover open, bit 3 (0x08) paper being fed
  with the FEED button, bit 5 (0x20) printing stopped at paper end, bit 6 (0x40)
  an error occurred;
- ``n = 4`` roll paper sensor: bits 2-3 (0x0C) paper near its end, bits 5-6
  (0x60) no paper at the end sensor.

Every reply has the fixed bit pattern ``0xx1xx10`` (bits 1 and 4 on, 0 and 7 off).
A byte without it is not a status reply (noise, a banner, another protocol), so it
is never read as "ready". Sources: the Epson ESC/POS command reference, DLE EOT.
"""

from __future__ import annotations

from enum import StrEnum

from app.i18n import N_


class PrinterStatus(StrEnum):
    ONLINE = "online"  # answered: ready
    PAPER_LOW = "paper_low"  # answered: paper near its end, still prints
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"  # answered: offline for another reason (error, FEED button)
    UNREACHABLE = "unreachable"  # could not even connect to or open the device
    # Reached, but it does not answer status requests (or the transport cannot
    # ask): printing may work, yet the screen must never show it as fine.
    UNKNOWN = "unknown"


# Statuses worth an attempt: an unknown printer may well print, and the job queue
# learns the truth from the attempt; the others would only fail or be lost.
_PRINTABLE = frozenset({PrinterStatus.ONLINE, PrinterStatus.PAPER_LOW, PrinterStatus.UNKNOWN})


def can_print(status: PrinterStatus) -> bool:
    """Whether sending a job to a printer in ``status`` is worth trying."""
    return status in _PRINTABLE


STATUS_LABELS: dict[PrinterStatus, str] = {
    PrinterStatus.ONLINE: N_("Printer ready"),
    PrinterStatus.PAPER_LOW: N_("Paper low"),
    PrinterStatus.PAPER_OUT: N_("Out of paper"),
    PrinterStatus.COVER_OPEN: N_("Cover open"),
    PrinterStatus.OFFLINE: N_("Printer offline"),
    PrinterStatus.UNREACHABLE: N_("Printer not reachable"),
    PrinterStatus.UNKNOWN: N_("Printer status unknown"),
}

# The request bytes, by n.
PRINTER_STATUS_QUERY = b"\x10\x04\x01"
OFFLINE_CAUSE_QUERY = b"\x10\x04\x02"
PAPER_SENSOR_QUERY = b"\x10\x04\x04"

_FIXED_MASK = 0b1001_0011
_FIXED_BITS = 0b0001_0010

_OFFLINE = 0x08  # n = 1
_COVER_OPEN = 0x04  # n = 2
_FEED_BUTTON = 0x08  # n = 2
_PAPER_END_STOP = 0x20  # n = 2
_ERROR = 0x40  # n = 2
_PAPER_NEAR_END = 0x0C  # n = 4
_PAPER_END = 0x60  # n = 4


def is_status_reply(byte: int) -> bool:
    """Whether ``byte`` has the fixed pattern of a DLE EOT reply."""
    return byte & _FIXED_MASK == _FIXED_BITS


def decode_status(
    printer_status_byte: int,
    offline_cause_byte: int | None = None,
    paper_sensor_byte: int | None = None,
) -> PrinterStatus:
    """The status told by the replies to DLE EOT 1, 2 and 4.

    ``None`` stands for a request the printer did not answer; some clones only
    answer DLE EOT 1. The most actionable cause wins: an open cover, then no paper,
    because that is what the agent must fix before anything prints.
    """
    if not is_status_reply(printer_status_byte):
        return PrinterStatus.UNKNOWN
    cause = (
        offline_cause_byte
        if offline_cause_byte is not None and is_status_reply(offline_cause_byte)
        else 0
    )
    paper = (
        paper_sensor_byte
        if paper_sensor_byte is not None and is_status_reply(paper_sensor_byte)
        else 0
    )
    if cause & _COVER_OPEN:
        return PrinterStatus.COVER_OPEN
    # Either sensor suffices: the end sensor may report before the printer has
    # stopped, and a receipt started then would be cut short.
    if cause & _PAPER_END_STOP or paper & _PAPER_END:
        return PrinterStatus.PAPER_OUT
    if printer_status_byte & _OFFLINE or cause & (_FEED_BUTTON | _ERROR):
        return PrinterStatus.OFFLINE
    if paper & _PAPER_NEAR_END:
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.ONLINE
