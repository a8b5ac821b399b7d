"""A USB printer, through pyusb (libusb).

Not python-escpos's ``Usb``: it checks for a missing device with ``assert`` (gone
under ``python -O``, leaving ``None`` to fail later), reads with no timeout by
default (pyusb's 0 means wait forever), and assumes endpoints 0x01/0x82, which
many printers do not use. Here the endpoints come from the device's descriptors.
"""

from __future__ import annotations

import contextlib
import errno
import time
from typing import Any

import usb.core
import usb.util

from app.i18n import N_
from app.printing.devices import PrinterAddress, PrinterError, stopped_taking_data

_PRINTER_CLASS = 7  # USB interface class of printers
_CHUNK = 4096


class UsbLink:
    def __init__(self, address: PrinterAddress, timeout: float) -> None:
        self._printer = address.uri
        self._interface: int | None = None
        self._detached = False
        self._pending = bytearray()
        try:
            device = usb.core.find(idVendor=address.vendor_id, idProduct=address.product_id)
        except usb.core.NoBackendError:
            raise PrinterError(
                N_(
                    "USB printing needs the libusb library, which is not installed on this "
                    "workstation (printer {printer})."
                ),
                printer=self._printer,
            ) from None
        if device is None:
            raise PrinterError(
                N_(
                    "No USB printer {printer} is plugged in: check its cable and that it is "
                    "switched on."
                ),
                printer=self._printer,
            )
        self._device: Any = device
        try:
            self._claim()
        except usb.core.USBError as error:
            self.close()
            if error.errno == errno.EACCES:
                raise PrinterError(
                    N_(
                        "This user may not use the USB printer {printer}: install the udev rule "
                        "shipped with Guichet, then plug the printer in again."
                    ),
                    printer=self._printer,
                ) from None
            raise PrinterError(
                N_("The USB printer {printer} cannot be opened ({detail})."),
                printer=self._printer,
                detail=error.strerror or str(error),
            ) from None

    def _claim(self) -> None:
        try:
            config = self._device.get_active_configuration()
        except usb.core.USBError:  # not configured yet
            config = None
        if config is None:
            self._device.set_configuration()
            config = self._device.get_active_configuration()
        interfaces = list(config)
        interface = next(
            (i for i in interfaces if i.bInterfaceClass == _PRINTER_CLASS), interfaces[0]
        )
        self._interface = interface.bInterfaceNumber
        # The kernel's usblp driver holds printers it knows; borrow the interface and
        # give it back on close, so file:///dev/usb/lp0 keeps working afterwards.
        with contextlib.suppress(NotImplementedError):
            if self._device.is_kernel_driver_active(self._interface):
                self._device.detach_kernel_driver(self._interface)
                self._detached = True
        usb.util.claim_interface(self._device, self._interface)
        self._out = _endpoint(interface, usb.util.ENDPOINT_OUT)
        self._in = _endpoint(interface, usb.util.ENDPOINT_IN)
        if self._out is None:
            raise usb.core.USBError("no bulk OUT endpoint")

    def write(self, data: bytes, timeout: float) -> None:
        milliseconds = max(1, round(timeout * 1000))
        view = memoryview(data)
        try:
            while view:
                written = self._out.write(view[:_CHUNK].tobytes(), milliseconds)
                view = view[written:]
        except usb.core.USBTimeoutError:
            raise stopped_taking_data(self._printer, timeout) from None
        except usb.core.USBError as error:
            raise self._failure(error) from None

    def read_byte(self, timeout: float) -> int | None:
        if self._in is None:  # a printer that cannot answer at all
            return None
        deadline = time.monotonic() + timeout
        try:
            # Printers often answer a read with an empty packet before the reply.
            while not self._pending and (left := deadline - time.monotonic()) > 0:
                self._pending += self._in.read(self._in.wMaxPacketSize, max(1, round(left * 1000)))
        except usb.core.USBTimeoutError:
            pass
        except usb.core.USBError as error:
            raise self._failure(error) from None
        if not self._pending:
            return None
        return self._pending.pop(0)

    def discard_input(self) -> None:
        self._pending.clear()
        if self._in is None:
            return
        with contextlib.suppress(usb.core.USBTimeoutError):
            while len(self._in.read(self._in.wMaxPacketSize, 5)):
                pass

    def finish(self, timeout: float) -> None:
        """A bulk write returns once the printer took the bytes: nothing is left to wait for."""

    def close(self) -> None:
        if self._interface is not None:
            with contextlib.suppress(usb.core.USBError):
                usb.util.release_interface(self._device, self._interface)
            if self._detached:
                with contextlib.suppress(usb.core.USBError, NotImplementedError):
                    self._device.attach_kernel_driver(self._interface)
        usb.util.dispose_resources(self._device)

    def _failure(self, error: usb.core.USBError) -> PrinterError:
        if error.errno in (errno.ENODEV, errno.EIO):
            return PrinterError(
                N_(
                    "The USB printer {printer} was unplugged or switched off in the middle of "
                    "the job; the receipt may be incomplete."
                ),
                printer=self._printer,
            )
        return PrinterError(
            N_("Sending to the printer {printer} failed ({detail})."),
            printer=self._printer,
            detail=error.strerror or str(error),
        )


def _endpoint(interface: Any, direction: int) -> Any:
    def wanted(endpoint: Any) -> bool:
        return bool(
            usb.util.endpoint_direction(endpoint.bEndpointAddress) == direction
            and usb.util.endpoint_type(endpoint.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
        )

    return usb.util.find_descriptor(interface, custom_match=wanted)
