"""One module per way of reaching a printer; :mod:`app.printing.devices` picks one.

The two-way ones (tcp, usb, serial) implement :class:`app.printing.devices.Link`
and leave the ESC/POS conversation to :mod:`app.printing.devices`; file and cups
can only hand the bytes over. Each turns its library's exceptions into
:class:`app.printing.devices.PrinterError` naming the printer.
"""
