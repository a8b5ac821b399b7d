"""Printable documents (PDF) made with reportlab: plain Python, no Qt.

Each document is a function that reads what it needs from the database and
returns the PDF bytes; printing, saving or showing them is the caller's business.
"""
