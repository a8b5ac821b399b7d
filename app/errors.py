"""Errors the services raise, each with a translatable message naming the field."""

from __future__ import annotations

from typing import Any

from app.i18n import Phrase, gettext


class GuichetError(Exception):
    """Base of every error a person may read.

    ``message`` is an English msgid with ``{placeholders}``; it is translated when
    shown, so the same error reads right in French, Arabic or English.
    ``field`` names the form field or file line at fault, for the UI to point at.
    """

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params

    def translated(self, language: str | None = None) -> str:
        params = {
            key: value.text(language) if isinstance(value, Phrase) else value
            for key, value in self.params.items()
        }
        return gettext(self.message, language).format(**params)

    def __str__(self) -> str:
        return self.translated()


class ValidationError(GuichetError):
    """The input is wrong; nothing was written."""


class NotFoundError(GuichetError):
    """What was asked for does not exist."""


class PermissionDeniedError(GuichetError):
    """The person's role does not allow this."""


class AuthenticationError(GuichetError):
    """Wrong login or password."""


class AccountLockedError(AuthenticationError):
    """Too many failed attempts; the account is locked for a while."""


class IdempotencyConflictError(GuichetError):
    """The same idempotency key was already used for a different request."""


class ConflictError(GuichetError):
    """The request clashes with the current state (already voided, session closed...)."""


class SchemaOutOfDateError(GuichetError):
    """The database has migrations that were not applied."""


class ConfigurationError(GuichetError):
    """A setting or key file is missing or wrong."""
