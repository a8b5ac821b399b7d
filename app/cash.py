"""Tills moved to :mod:`app.closing.tills`; this name stays for existing imports."""

from app.closing.tills import (
    CashSessionInfo,
    close_cash_session,
    current_cash_session,
    open_cash_session,
    open_session_for,
)

__all__ = [
    "CashSessionInfo",
    "close_cash_session",
    "current_cash_session",
    "open_cash_session",
    "open_session_for",
]
