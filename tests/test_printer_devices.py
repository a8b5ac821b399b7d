"""Printer addresses, printer status and getting every byte to the printer.

Network printing runs against :class:`tests.fake_printer.FakePrinter`, serial
printing against a pseudo-terminal; USB and CUPS cannot print for real here, so
their tests check the addresses and that a missing device or queue gives a clear
message.
"""

from __future__ import annotations

import os
import pty
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import ValidationError
from app.i18n import gettext
from app.printing.devices import (
    Delivery,
    PrinterError,
    parse_printer_uri,
    query_status,
    send,
)
from app.printing.status import STATUS_LABELS, PrinterStatus, can_print, decode_status
from tests.fake_printer import FakePrinter

RECEIPT = "\x1b@Reçu ALG01-G02-000123\n1 500,00 DA\n".encode("cp858") + b"\x1dV\x00"


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    with FakePrinter() as fake:
        yield fake


# --------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("text", "uri", "fields"),
    [
        (
            "tcp://192.168.1.50:9100",
            "tcp://192.168.1.50:9100",
            {"host": "192.168.1.50", "port": 9100},
        ),
        ("tcp://192.168.1.50", "tcp://192.168.1.50:9100", {"port": 9100}),
        (
            "  TCP://Imprimante-G2.Agence.local:9101 ",
            "tcp://imprimante-g2.agence.local:9101",
            {"port": 9101},
        ),
        ("tcp://[::1]:9100", "tcp://[::1]:9100", {"host": "::1"}),
        ("usb://04B8:202", "usb://04b8:0202", {"vendor_id": 0x04B8, "product_id": 0x0202}),
        ("serial:///dev/ttyS0", "serial:///dev/ttyS0", {"path": "/dev/ttyS0", "baudrate": 9600}),
        (
            "serial:///dev/ttyUSB0?baudrate=19200",
            "serial:///dev/ttyUSB0?baudrate=19200",
            {"baudrate": 19200},
        ),
        ("serial:///dev/ttyS1?baudrate=9600", "serial:///dev/ttyS1", {"baudrate": 9600}),
        ("serial://COM3", "serial://COM3", {"path": "COM3"}),
        ("file:///dev/usb/lp0", "file:///dev/usb/lp0", {"path": "/dev/usb/lp0"}),
        ("file:///var/spool/guichet/receipts.prn", "file:///var/spool/guichet/receipts.prn", {}),
        ("cups://Recus_Guichet2", "cups://Recus_Guichet2", {"queue": "Recus_Guichet2"}),
    ],
)
def test_every_printer_address_form_is_read(text: str, uri: str, fields: dict[str, object]) -> None:
    address = parse_printer_uri(text)
    assert address.uri == uri
    assert address.scheme == uri.split(":", 1)[0]
    for name, value in fields.items():
        assert getattr(address, name) == value
    assert parse_printer_uri(address.uri) == address  # the normalised form reads back the same


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("", "tcp://192.168.1.50:9100"),
        ("tcp://host:notaport", "notaport"),
        ("tcp://10.0.0.5:70000", "70000"),
        ("tcp://:9100", "no host name"),
        ("tcp://imprimante_2!:9100", "imprimante_2!"),
        ("tcp://10.0.0.5:9100/queue", "only a host and a port"),
        ("usb://zz:1", "hexadecimal"),
        ("usb://04b8", "usb://04b8:0202"),
        ("ftp://x", "ftp://x"),
        ("192.168.1.50:9100", "tcp://192.168.1.50:9100"),
        ("serial:///dev/ttyS0?baudrate=96000", "96000"),
        ("serial:///dev/ttyS0?parity=N", "parity"),
        ("serial://dev/ttyS0", "three slashes"),
        ("file://lp0", "three slashes"),
        ("file:///dev/usb/lp0?copies=2", "copies=2"),
        ("cups://", "queue name"),
        ("cups://Recus Guichet", "queue name"),
    ],
)
def test_a_wrong_address_gets_a_message_naming_the_problem(text: str, named: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_printer_uri(text)
    assert caught.value.field == "printer_uri"
    assert named in caught.value.translated("en")


# --------------------------------------------------------------------------- status


@pytest.mark.parametrize(
    ("replies", "status"),
    [
        ((0x12, 0x12, 0x12), PrinterStatus.ONLINE),
        ((0x12, 0x12, 0x1E), PrinterStatus.PAPER_LOW),
        ((0x1A, 0x32, 0x7E), PrinterStatus.PAPER_OUT),
        ((0x12, 0x12, 0x72), PrinterStatus.PAPER_OUT),  # end sensor before the stop
        ((0x1A, 0x16, 0x12), PrinterStatus.COVER_OPEN),
        ((0x1A, 0x36, 0x7E), PrinterStatus.COVER_OPEN),  # the cover is what to fix first
        ((0x1A, 0x52, 0x12), PrinterStatus.OFFLINE),  # an error
        ((0x1A, 0x1A, 0x12), PrinterStatus.OFFLINE),  # paper fed with the FEED button
        ((0x1A, None, None), PrinterStatus.OFFLINE),  # a clone answering DLE EOT 1 only
        ((0x16, None, None), PrinterStatus.ONLINE),  # drawer sensor high: no matter
        ((0x12, 0xFF, 0x00), PrinterStatus.ONLINE),  # replies without the fixed bits ignored
        ((0x00, 0x12, 0x12), PrinterStatus.UNKNOWN),  # not a status reply at all
        ((0xFF, 0x12, 0x12), PrinterStatus.UNKNOWN),
    ],
)
def test_escpos_status_replies(
    replies: tuple[int, int | None, int | None], status: PrinterStatus
) -> None:
    assert decode_status(*replies) == status


def test_every_status_has_a_label_and_only_answered_faults_block_printing() -> None:
    assert set(STATUS_LABELS) == set(PrinterStatus)
    assert all(gettext(label, "en") for label in STATUS_LABELS.values())
    blocked = {status for status in PrinterStatus if not can_print(status)}
    assert blocked == {
        PrinterStatus.PAPER_OUT,
        PrinterStatus.COVER_OPEN,
        PrinterStatus.OFFLINE,
        PrinterStatus.UNREACHABLE,
    }


# --------------------------------------------------------------------------- network printers


def test_an_online_printer_confirms_and_gets_exactly_the_bytes(printer: FakePrinter) -> None:
    address = parse_printer_uri(printer.uri)
    assert send(address, RECEIPT, timeout=2) == Delivery.CONFIRMED
    assert printer.wait_for_jobs(1) == [RECEIPT]


def test_a_job_with_dle_bytes_that_are_not_status_requests_arrives_whole(
    printer: FakePrinter,
) -> None:
    job = b"\x1b@\x10\x05\x01data\x10\x04\x09" + RECEIPT + b"\x10"
    assert send(parse_printer_uri(printer.uri), job, timeout=2) == Delivery.CONFIRMED
    assert printer.wait_for_jobs(1) == [job]


def test_a_printer_low_on_paper_still_prints(printer: FakePrinter) -> None:
    printer.mode = "paper_low"
    assert send(parse_printer_uri(printer.uri), RECEIPT, timeout=2) == Delivery.CONFIRMED
    assert printer.wait_for_jobs(1) == [RECEIPT]


@pytest.mark.parametrize(
    ("mode", "status", "words"),
    [
        ("paper_out", PrinterStatus.PAPER_OUT, "out of paper"),
        ("cover_open", PrinterStatus.COVER_OPEN, "cover"),
        ("offline", PrinterStatus.OFFLINE, "offline"),
    ],
)
def test_a_printer_that_cannot_print_gets_nothing(
    printer: FakePrinter, mode: str, status: PrinterStatus, words: str
) -> None:
    printer.mode = mode
    with pytest.raises(PrinterError) as caught:
        send(parse_printer_uri(printer.uri), RECEIPT, timeout=2)
    assert caught.value.status == status
    assert not caught.value.may_have_printed
    message = caught.value.translated()
    assert printer.uri in message and words in message
    printer.wait_until_idle()
    assert printer.jobs == []
    assert printer.received == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"


def test_a_printer_that_never_answers_status_gets_the_job_as_sent(printer: FakePrinter) -> None:
    printer.mode = "silent"
    assert send(parse_printer_uri(printer.uri), RECEIPT, timeout=0.3) == Delivery.SENT
    assert printer.wait_for_jobs(1) == [RECEIPT]


def test_a_printer_that_is_off_fails_at_once_and_works_when_switched_on(
    printer: FakePrinter,
) -> None:
    printer.mode = "refuse"
    address = parse_printer_uri(printer.uri)
    started = time.monotonic()
    with pytest.raises(PrinterError) as caught:
        send(address, RECEIPT, timeout=3)
    assert time.monotonic() - started < 1
    assert "refused the connection" in caught.value.translated()
    assert printer.uri in caught.value.translated()
    assert query_status(address) == PrinterStatus.UNREACHABLE

    printer.mode = "online"
    assert send(address, RECEIPT, timeout=2) == Delivery.CONFIRMED
    assert printer.wait_for_jobs(1) == [RECEIPT]


def test_a_connection_closed_mid_job_is_a_failure_that_may_have_printed(
    printer: FakePrinter,
) -> None:
    printer.mode = "close_mid_job"
    printer.close_after = 10
    with pytest.raises(PrinterError) as caught:
        send(parse_printer_uri(printer.uri), RECEIPT * 50, timeout=2)
    assert caught.value.may_have_printed
    assert "in the middle of the job" in caught.value.translated()
    assert printer.wait_for_jobs(1) == [(RECEIPT * 50)[:10]]


def test_a_printer_that_stops_reading_fails_within_the_timeout(printer: FakePrinter) -> None:
    printer.mode = "stall"
    started = time.monotonic()
    with pytest.raises(PrinterError) as caught:
        send(parse_printer_uri(printer.uri), b"x" * 4_000_000, timeout=0.5)
    assert time.monotonic() - started < 2
    assert caught.value.may_have_printed
    assert "stopped taking data for 0.5 seconds" in caught.value.translated()


def test_a_printer_that_takes_the_job_but_never_confirms_it_fails(printer: FakePrinter) -> None:
    printer.mode = "stall"
    started = time.monotonic()
    with pytest.raises(PrinterError) as caught:
        send(parse_printer_uri(printer.uri), RECEIPT, timeout=0.5)
    assert time.monotonic() - started < 2
    assert caught.value.may_have_printed
    assert "did not confirm it within 0.5 seconds" in caught.value.translated()


@pytest.mark.parametrize(
    ("mode", "status"),
    [
        ("online", PrinterStatus.ONLINE),
        ("paper_low", PrinterStatus.PAPER_LOW),
        ("paper_out", PrinterStatus.PAPER_OUT),
        ("cover_open", PrinterStatus.COVER_OPEN),
        ("offline", PrinterStatus.OFFLINE),
        ("silent", PrinterStatus.UNKNOWN),
        ("refuse", PrinterStatus.UNREACHABLE),
        ("stall", PrinterStatus.ONLINE),  # it answers until print data comes
    ],
)
def test_query_status_of_a_network_printer(
    printer: FakePrinter, mode: str, status: PrinterStatus
) -> None:
    printer.mode = mode
    assert query_status(parse_printer_uri(printer.uri), timeout=0.3) == status
    printer.wait_until_idle()
    assert printer.jobs == []  # asking prints nothing


def test_a_printer_address_where_nothing_answers_is_unreachable() -> None:
    with FakePrinter("refuse") as fake:
        address = parse_printer_uri(fake.uri)
    # Stopped: the port is free again, and nothing listens there.
    assert query_status(address, timeout=0.3) == PrinterStatus.UNREACHABLE
    with pytest.raises(PrinterError):
        send(address, RECEIPT, timeout=0.3)


def test_the_fake_printer_answers_a_request_cut_in_two(printer: FakePrinter) -> None:
    import socket

    with socket.create_connection(("127.0.0.1", printer.port), timeout=2) as sock:
        sock.sendall(b"AB\x10")
        time.sleep(0.05)
        sock.sendall(b"\x04")
        time.sleep(0.05)
        sock.sendall(b"\x01CD")
        assert sock.recv(1) == b"\x12"
    assert printer.wait_for_jobs(1) == [b"ABCD"]


def test_the_fake_printer_leaves_no_thread_behind() -> None:
    with FakePrinter() as fake:
        send(parse_printer_uri(fake.uri), RECEIPT, timeout=2)
        name = f"fake-printer-{fake.port}"
    assert name not in {thread.name for thread in threading.enumerate()}


# --------------------------------------------------------------------------- files and devices


def test_a_file_printer_gets_each_job_appended(tmp_path: Path) -> None:
    target = tmp_path / "receipts.prn"
    address = parse_printer_uri(f"file://{target}")
    assert query_status(address) == PrinterStatus.UNKNOWN  # a file cannot tell more
    assert send(address, b"first\n") == Delivery.SENT
    assert send(address, RECEIPT) == Delivery.SENT
    assert target.read_bytes() == b"first\n" + RECEIPT


def test_a_file_printer_in_a_missing_folder_fails_with_its_address(tmp_path: Path) -> None:
    address = parse_printer_uri(f"file://{tmp_path}/unplugged/lp0")
    assert query_status(address) == PrinterStatus.UNREACHABLE
    with pytest.raises(PrinterError) as caught:
        send(address, RECEIPT)
    message = caught.value.translated()
    assert address.uri in message and "does not exist" in message


def test_a_file_printer_address_naming_a_folder_fails(tmp_path: Path) -> None:
    address = parse_printer_uri(f"file://{tmp_path}")
    assert query_status(address) == PrinterStatus.UNREACHABLE
    with pytest.raises(PrinterError, match="folder"):
        send(address, RECEIPT)


def test_a_device_nobody_reads_fails_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    with pytest.raises(PrinterError) as caught:
        send(parse_printer_uri(f"file://{fifo}"), RECEIPT, timeout=0.3)
    assert str(fifo) in caught.value.translated()


class _SerialPrinter:
    """The printer end of a pseudo-terminal: answers DLE EOT like an online printer."""

    def __init__(self, answers: bool) -> None:
        self.master, slave = pty.openpty()
        self.path = os.ttyname(slave)
        os.close(slave)
        self.answers = answers
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import select

        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # no one has the port open
                time.sleep(0.01)
                continue
            self.received += chunk
            if self.answers:
                os.write(self.master, b"\x12" * chunk.count(b"\x10\x04"))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self.master)


@pytest.mark.parametrize(
    ("answers", "delivery"), [(True, Delivery.CONFIRMED), (False, Delivery.SENT)]
)
def test_a_serial_printer_gets_the_job(answers: bool, delivery: Delivery) -> None:
    serial_printer = _SerialPrinter(answers)
    try:
        address = parse_printer_uri(f"serial://{serial_printer.path}?baudrate=115200")
        assert send(address, RECEIPT, timeout=0.3) == delivery
        expected_status = PrinterStatus.ONLINE if answers else PrinterStatus.UNKNOWN
        assert query_status(address, timeout=0.3) == expected_status
    finally:
        serial_printer.close()
    assert RECEIPT in serial_printer.received


def test_a_serial_port_that_does_not_exist_fails_with_its_address() -> None:
    address = parse_printer_uri("serial:///dev/ttyGUICHET9")
    assert query_status(address) == PrinterStatus.UNREACHABLE
    with pytest.raises(PrinterError) as caught:
        send(address, RECEIPT)
    message = caught.value.translated()
    assert address.uri in message and "does not exist" in message


def test_a_usb_printer_that_is_not_plugged_in_fails_with_a_clear_message() -> None:
    address = parse_printer_uri("usb://fff0:fff1")  # no such device anywhere
    assert query_status(address) == PrinterStatus.UNREACHABLE
    with pytest.raises(PrinterError) as caught:
        send(address, RECEIPT)
    message = caught.value.translated()
    assert "usb://fff0:fff1" in message
    assert "plugged in" in message or "libusb" in message


class _UsbEndpoint:
    """A bulk endpoint of a stubbed pyusb device; OUT answers DLE EOT like a printer."""

    def __init__(self, address: int, replies: bytearray | None) -> None:
        self.bEndpointAddress = address
        self.bmAttributes = 0x02  # bulk
        self.wMaxPacketSize = 64
        self.replies = replies
        self.written = bytearray()

    def write(self, data: bytes, timeout: int) -> int:
        taken = data[:1000]  # like a device, it may take part of a write
        self.written += taken
        if self.replies is not None:
            self.replies += b"\x12" * taken.count(b"\x10\x04")
        return len(taken)

    def read(self, size: int, timeout: int) -> bytes:
        import usb.core

        if not self.replies:
            raise usb.core.USBTimeoutError("Operation timed out", errno=110)
        reply = bytes(self.replies[:size])
        del self.replies[:size]
        return reply


@pytest.mark.parametrize(
    ("answers", "delivery"), [(True, Delivery.CONFIRMED), (False, Delivery.SENT)]
)
def test_a_usb_printer_gets_the_job_through_its_bulk_endpoints(
    monkeypatch: pytest.MonkeyPatch, answers: bool, delivery: Delivery
) -> None:
    import usb.core
    import usb.util

    replies = bytearray() if answers else None
    out_endpoint, in_endpoint = _UsbEndpoint(0x02, replies), _UsbEndpoint(0x81, replies)

    class Interface(list[_UsbEndpoint]):
        bInterfaceClass = 7  # printer
        bInterfaceNumber = 0

    class Device:
        kernel_driver = True

        def get_active_configuration(self) -> list[Interface]:
            return [Interface([in_endpoint, out_endpoint])]

        def is_kernel_driver_active(self, interface: int) -> bool:
            return self.kernel_driver

        def detach_kernel_driver(self, interface: int) -> None:
            self.kernel_driver = False

        def attach_kernel_driver(self, interface: int) -> None:
            self.kernel_driver = True

    device = Device()
    monkeypatch.setattr(usb.core, "find", lambda **ids: device)
    for name in ("claim_interface", "release_interface", "dispose_resources"):
        monkeypatch.setattr(usb.util, name, lambda *args: None)
    job = RECEIPT * 100
    assert send(parse_printer_uri("usb://04b8:0202"), job, timeout=0.2) == delivery
    assert job in out_endpoint.written
    assert device.kernel_driver  # usblp gets its printer back


# --------------------------------------------------------------------------- CUPS


def test_a_cups_queue_that_does_not_exist_fails_with_a_clear_message() -> None:
    # Without a CUPS server pycups fails to connect; with one, the queue is unknown.
    address = parse_printer_uri("cups://guichet-no-such-queue")
    assert query_status(address) == PrinterStatus.UNREACHABLE
    with pytest.raises(PrinterError) as caught:
        send(address, RECEIPT)
    message = caught.value.translated()
    assert "cups://guichet-no-such-queue" in message
    assert "does not answer" in message or "no print queue" in message


@pytest.mark.parametrize(
    ("state", "reasons", "status"),
    [
        (3, ["none"], PrinterStatus.ONLINE),
        (4, [], PrinterStatus.ONLINE),
        (5, ["none"], PrinterStatus.OFFLINE),
        (5, ["paused"], PrinterStatus.OFFLINE),
        (3, ["offline-report"], PrinterStatus.OFFLINE),
        (3, ["media-low-report"], PrinterStatus.PAPER_LOW),
        (5, ["media-empty-error", "media-low-warning"], PrinterStatus.PAPER_OUT),
        (3, ["media-needed"], PrinterStatus.PAPER_OUT),
        (5, ["cover-open-error", "media-empty-error"], PrinterStatus.COVER_OPEN),
        (5, ["door-open-warning"], PrinterStatus.COVER_OPEN),
        (None, [], PrinterStatus.UNKNOWN),
    ],
)
def test_cups_queue_states(state: int | None, reasons: list[str], status: PrinterStatus) -> None:
    from app.printing.transports.cups import status_from_queue

    assert status_from_queue(state, reasons) == status
