"""Receipts and slips: their content, their renderings (ESC/POS, PDF, screen), the
printers they go to and the durable queue that gets them there. No Qt."""
