"""Printing for the command line: translated, to the right stream."""

from __future__ import annotations

import getpass
import sys
import time
from typing import Any

from app.errors import ValidationError
from app.i18n import N_, format_count, gettext


def say(message: str, **params: Any) -> None:
    print(gettext(message).format(**params))


def warn(message: str, **params: Any) -> None:
    print(gettext(message).format(**params), file=sys.stderr)


class ProgressPrinter:
    """One line per stage step on stderr, at most a few times a second."""

    def __init__(self) -> None:
        self._last = 0.0
        self._start = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.5:
            return
        self._last = now
        percent = 100 * done // total if total else 100
        print(
            f"  {gettext(stage)}: {format_count(done)}/{format_count(total)} ({percent}%) {now - self._start:6.1f} s",
            file=sys.stderr,
            flush=True,
        )


def read_password(prompt: str, again: str) -> str:
    """A password typed twice at a terminal (msgids ``prompt`` and ``again``), or one
    line of standard input when a script pipes it in."""
    if sys.stdin.isatty():
        first = getpass.getpass(prompt=gettext(prompt))
        second = getpass.getpass(prompt=gettext(again))
        if first != second:
            raise ValidationError(N_("The two passwords differ."), field="password")
        return first
    return sys.stdin.readline().rstrip("\r\n")
