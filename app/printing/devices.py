"""Where a receipt printer is, whether it can print, and getting every byte to it.

A printer is named by a URI an IT person types in the workstation settings:

- ``tcp://192.168.1.50:9100`` a network printer (raw port, 9100 by default);
- ``usb://04b8:0202`` a USB printer by vendor and product ID (hexadecimal);
- ``serial:///dev/ttyS0?baudrate=19200`` a serial printer (9600 baud by default);
- ``file:///dev/usb/lp0`` a device node (or a plain file, appended to);
- ``cups://Receipts`` a CUPS queue, fed raw.

:func:`send` says how sure it is that the printer took the job:
:attr:`Delivery.CONFIRMED` when the printer answered a status request sent after
the last byte (an ESC/POS printer reads its input in order, so the answer means
everything before it reached the printer), :attr:`Delivery.SENT` when every byte
left without error but the printer cannot say more (a printer that does not answer
status requests, a file, a CUPS queue). Anything less is a :class:`PrinterError`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from app.errors import GuichetError, ValidationError
from app.i18n import N_
from app.printing.status import (
    OFFLINE_CAUSE_QUERY,
    PAPER_SENSOR_QUERY,
    PRINTER_STATUS_QUERY,
    PrinterStatus,
    can_print,
    decode_status,
    is_status_reply,
)

__all__ = [
    "Delivery",
    "PrinterAddress",
    "PrinterError",
    "parse_printer_uri",
    "query_status",
    "send",
]

DEFAULT_TCP_PORT = 9100
DEFAULT_BAUDRATE = 9600
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
# A printer answers a status request in milliseconds; waiting the whole job
# timeout for one that never answers would slow every receipt on such a printer.
STATUS_TIMEOUT = 2.0

_EXAMPLES = (
    "tcp://192.168.1.50:9100, usb://04b8:0202, serial:///dev/ttyS0, file:///dev/usb/lp0, "
    "cups://Receipts"
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")
_USB_IDS = re.compile(r"^([0-9A-Fa-f]{1,4}):([0-9A-Fa-f]{1,4})$")
# CUPS accepts any printable character in a queue name but space, tab, / \ # ' ".
_CUPS_QUEUE = re.compile(r"^[^\s/\\#'\"]{1,127}$")


@dataclass(frozen=True)
class PrinterAddress:
    scheme: str  # "tcp" | "usb" | "serial" | "file" | "cups"
    uri: str  # normalised text form, e.g. "tcp://10.0.0.5:9100"
    host: str | None = None
    port: int | None = None
    vendor_id: int | None = None
    product_id: int | None = None
    path: str | None = None
    baudrate: int | None = None
    queue: str | None = None


class PrinterError(GuichetError):
    """The job could not be given to the printer; the message names the printer.

    ``status`` is the printer's own reason when it gave one (out of paper...).
    ``may_have_printed`` is true when bytes had already left when it failed, so a
    retry may print a second, partial or whole, copy.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = "printer_uri",
        status: PrinterStatus | None = None,
        may_have_printed: bool = False,
        **params: Any,
    ) -> None:
        super().__init__(message, field=field, **params)
        self.status = status
        self.may_have_printed = may_have_printed


def stopped_taking_data(printer: str, timeout: float) -> PrinterError:
    """The failure of a printer that accepted the job, then took no byte for ``timeout``."""
    return PrinterError(
        N_(
            "The printer {printer} stopped taking data for {seconds} seconds; "
            "the receipt may be incomplete."
        ),
        printer=printer,
        seconds=f"{timeout:g}",
    )


class Delivery(StrEnum):
    CONFIRMED = "confirmed"  # the printer acknowledged every byte
    SENT = "sent"  # every byte left cleanly; the printer cannot tell more


class Link(Protocol):
    """A two-way connection to an ESC/POS printer (tcp, usb, serial).

    Every method raises :class:`PrinterError` for a failure, naming the printer.
    """

    def write(self, data: bytes, timeout: float) -> None:
        """Write every byte; fail when the printer takes nothing for ``timeout`` s."""

    def read_byte(self, timeout: float) -> int | None:
        """The next byte from the printer, or ``None`` when none came in time."""

    def discard_input(self) -> None:
        """Drop bytes already received, so the next reply read is the next one sent."""

    def finish(self, timeout: float) -> None:
        """Make sure everything written left, before closing (for silent printers)."""

    def close(self) -> None: ...


# --------------------------------------------------------------------------- addresses


def _invalid(message: str, **params: Any) -> ValidationError:
    return ValidationError(message, field="printer_uri", **params)


MAX_URI_LENGTH = 300  # the printer columns of workstations and print jobs


def parse_printer_uri(text: str) -> PrinterAddress:
    """Read a printer URI; a wrong one gets a message naming the part at fault."""
    value = text.strip()
    if not value:
        raise _invalid(
            N_("Give the printer's address, for example {example}."),
            example="tcp://192.168.1.50:9100",
        )
    if len(value) > MAX_URI_LENGTH:
        raise _invalid(
            N_("A printer address has at most {count} characters; this one has {length}."),
            count=MAX_URI_LENGTH,
            length=len(value),
        )
    scheme, separator, _rest = value.partition("://")
    scheme = scheme.lower()
    parsers = {
        "tcp": _parse_tcp,
        "usb": _parse_usb,
        "serial": _parse_serial,
        "file": _parse_file,
        "cups": _parse_cups,
    }
    if not separator or scheme not in parsers:
        raise _invalid(
            N_(
                "{value} is not a printer address this workstation knows; write one of: {examples}."
            ),
            value=value,
            examples=_EXAMPLES,
        )
    return parsers[scheme](value)


def _reject_options(value: str, query: str) -> None:
    if query:
        raise _invalid(
            N_(
                "The printer address {value} has an option this kind of printer does not take: "
                "{option}."
            ),
            value=value,
            option=query,
        )


def _parse_tcp(value: str) -> PrinterAddress:
    parts = urlsplit(value)
    example = "tcp://192.168.1.50:9100"
    if parts.path not in ("", "/") or parts.fragment:
        raise _invalid(
            N_(
                "The network printer address {value} must be only a host and a port, "
                "like {example}."
            ),
            value=value,
            example=example,
        )
    _reject_options(value, parts.query)
    netloc = parts.netloc
    if netloc.startswith("["):  # IPv6 literal: [::1]:9100
        host, _, after = netloc[1:].partition("]")
        port_text = after[1:] if after.startswith(":") else after
    else:
        host, _, port_text = netloc.partition(":")
    if not host:
        raise _invalid(
            N_(
                "The printer address {value} has no host name or IP address; "
                "write it like {example}."
            ),
            value=value,
            example=example,
        )
    try:
        ip = ipaddress.ip_address(host)
        host = str(ip)
        shown = f"[{host}]" if ip.version == 6 else host
    except ValueError:
        if not _HOST_NAME.match(host):
            raise _invalid(
                N_(
                    "{host} is not a valid host name or IP address for a printer; "
                    "write it like {example}."
                ),
                host=host,
                example=example,
            ) from None
        host = host.lower()
        shown = host
    port = DEFAULT_TCP_PORT
    if port_text:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise _invalid(
                N_(
                    "The printer port {port} is not a number from 1 to 65535; "
                    "write it like {example}."
                ),
                port=port_text,
                example=example,
            )
        port = int(port_text)
    return PrinterAddress("tcp", f"tcp://{shown}:{port}", host=host, port=port)


def _parse_usb(value: str) -> PrinterAddress:
    parts = urlsplit(value)
    _reject_options(value, parts.query)
    match = _USB_IDS.match(parts.netloc)
    if not match or parts.path not in ("", "/"):
        raise _invalid(
            N_(
                "The USB printer address {value} needs the vendor and product IDs in "
                "hexadecimal, like {example}."
            ),
            value=value,
            example="usb://04b8:0202",
        )
    vendor_id, product_id = int(match[1], 16), int(match[2], 16)
    return PrinterAddress(
        "usb", f"usb://{vendor_id:04x}:{product_id:04x}", vendor_id=vendor_id, product_id=product_id
    )


def _needs_three_slashes(value: str, example: str) -> ValidationError:
    return _invalid(
        N_(
            "The printer address {value} needs three slashes before an absolute path, like {example}."
        ),
        value=value,
        example=example,
    )


def _local_path(value: str, example: str) -> str:
    """The path of a ``scheme:///path`` URI; ``scheme://COM3`` names a Windows port."""
    parts = urlsplit(value)
    if parts.netloc and parts.path:  # serial://dev/ttyS0: a slash is missing
        raise _needs_three_slashes(value, example)
    path = unquote(parts.path or parts.netloc)
    if not path:
        raise _invalid(
            N_("The printer address {value} names no device or file; write it like {example}."),
            value=value,
            example=example,
        )
    return path


def _parse_serial(value: str) -> PrinterAddress:
    example = "serial:///dev/ttyS0?baudrate=19200"
    path = _local_path(value, example)
    options = dict(parse_qsl(urlsplit(value).query, keep_blank_values=True))
    baudrate_text = options.pop("baudrate", str(DEFAULT_BAUDRATE))
    if options:
        _reject_options(value, ", ".join(options))
    if not baudrate_text.isdigit() or int(baudrate_text) not in BAUDRATES:
        raise _invalid(
            N_("The baud rate {baudrate} is not one of {baudrates}; write it like {example}."),
            baudrate=baudrate_text,
            baudrates=", ".join(map(str, BAUDRATES)),
            example=example,
        )
    baudrate = int(baudrate_text)
    suffix = "" if baudrate == DEFAULT_BAUDRATE else f"?baudrate={baudrate}"
    return PrinterAddress("serial", f"serial://{path}{suffix}", path=path, baudrate=baudrate)


def _parse_file(value: str) -> PrinterAddress:
    example = "file:///dev/usb/lp0"
    _reject_options(value, urlsplit(value).query)
    path = _local_path(value, example)
    if not path.startswith("/"):
        raise _needs_three_slashes(value, example)
    return PrinterAddress("file", f"file://{path}", path=path)


def _parse_cups(value: str) -> PrinterAddress:
    parts = urlsplit(value)
    _reject_options(value, parts.query)
    queue = unquote(parts.netloc)
    if not _CUPS_QUEUE.match(queue) or parts.path not in ("", "/"):
        raise _invalid(
            N_(
                "The CUPS printer address {value} needs a queue name without spaces or "
                "slashes, like {example}."
            ),
            value=value,
            example="cups://Receipts",
        )
    return PrinterAddress("cups", f"cups://{queue}", queue=queue)


# --------------------------------------------------------------------------- talking to printers


def _open_link(address: PrinterAddress, timeout: float) -> Link:
    # Imported here so that a workstation without libusb, pyserial or CUPS still
    # prints over the network: each library loads only where it is used.
    if address.scheme == "tcp":
        from app.printing.transports.tcp import TcpLink

        return TcpLink(address, timeout)
    if address.scheme == "usb":
        from app.printing.transports.usb import UsbLink

        return UsbLink(address, timeout)
    if address.scheme == "serial":
        from app.printing.transports.serial import SerialLink

        return SerialLink(address, timeout)
    raise ValueError(f"{address.scheme} printers are not reached through a link")


def _ask_status(link: Link, timeout: float) -> PrinterStatus | None:
    """The printer's status, or ``None`` for a printer that does not answer."""
    link.discard_input()
    link.write(PRINTER_STATUS_QUERY, timeout)
    printer = link.read_byte(timeout)
    if printer is None or not is_status_reply(printer):
        return None
    # Asked one at a time: several printers drop requests sent before they replied.
    link.write(OFFLINE_CAUSE_QUERY, timeout)
    cause = link.read_byte(timeout)
    link.write(PAPER_SENSOR_QUERY, timeout)
    paper = link.read_byte(timeout)
    return decode_status(printer, cause, paper)


_REFUSALS = {
    PrinterStatus.PAPER_OUT: N_(
        "The printer {printer} is out of paper: load a new roll, then print again."
    ),
    PrinterStatus.COVER_OPEN: N_(
        "The cover of the printer {printer} is open: close it, then print again."
    ),
    PrinterStatus.OFFLINE: N_(
        "The printer {printer} is offline: check its light and its paper, then print again."
    ),
}


def send(address: PrinterAddress, data: bytes, *, timeout: float = 5.0) -> Delivery:
    """Give ``data`` to the printer; raise :class:`PrinterError` unless it all left.

    ``timeout`` bounds each wait: connecting, the printer taking no byte at all
    for that long, its confirmation. A long job on a slow printer is fine as long
    as it keeps taking bytes.
    """
    if address.scheme == "file":
        from app.printing.transports.file import write_file

        write_file(address, data, timeout)
        return Delivery.SENT
    if address.scheme == "cups":
        from app.printing.transports.cups import submit

        submit(address, data)
        return Delivery.SENT
    link = _open_link(address, timeout)
    try:
        status = _ask_status(link, min(timeout, STATUS_TIMEOUT))
        if status is not None and not can_print(status):
            raise PrinterError(_REFUSALS[status], status=status, printer=address.uri)
        try:
            link.write(data, timeout)
            if status is None:  # a silent printer: all we can know is that it all left
                link.finish(timeout)
                return Delivery.SENT
            link.discard_input()
            link.write(PRINTER_STATUS_QUERY, timeout)
            if link.read_byte(timeout) is None:
                raise PrinterError(
                    N_(
                        "The printer {printer} took the data but did not confirm it within "
                        "{seconds} seconds; the receipt may be incomplete."
                    ),
                    printer=address.uri,
                    seconds=f"{timeout:g}",
                )
            return Delivery.CONFIRMED
        except PrinterError as error:
            error.may_have_printed = True
            raise
    finally:
        link.close()


def query_status(address: PrinterAddress, *, timeout: float = 2.0) -> PrinterStatus:
    """The printer's status for the counter screen; never raises for a printer problem."""
    if address.scheme == "file":
        from app.printing.transports.file import file_status

        return file_status(address)
    if address.scheme == "cups":
        from app.printing.transports.cups import queue_status

        return queue_status(address)
    try:
        link = _open_link(address, timeout)
    except PrinterError:
        return PrinterStatus.UNREACHABLE
    try:
        return _ask_status(link, timeout) or PrinterStatus.UNKNOWN
    except PrinterError:  # it hung up while answering
        return PrinterStatus.UNKNOWN
    finally:
        link.close()
