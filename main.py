"""Guichet: `python main.py` opens the counter; `python main.py --help` lists the commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def opens_the_window(argv: Sequence[str]) -> bool:
    """Whether these arguments name no command, so the counter window opens.

    Read before the command line is parsed for real (that needs the whole command
    package): every global option takes a value (``--name VALUE`` or ``--name=VALUE``),
    so any other word is a command. A wrong guess costs a window shown for nothing.
    """
    words = iter(argv)
    for word in words:
        if not word.startswith("--") or word == "--help":
            return False
        if "=" not in word:
            next(words, None)
    return True


def language_option(argv: Sequence[str]) -> str | None:
    for i, word in enumerate(argv):
        if word.startswith("--language="):
            return word.partition("=")[2]
        if word == "--language" and i + 1 < len(argv):
            return argv[i + 1]
    return None


def open_counter(args: argparse.Namespace) -> int:
    from app import config
    from ui.app import run  # Qt is loaded only when a window is wanted

    return run(
        args.database,
        args.key_file,
        config.workstation_code(args.workstation),
        args.language,
        args.idle_minutes,
    )


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # a frozen build starts verify's workers through here
    if opens_the_window(sys.argv[1:]):
        from ui.app import has_display, show_sign_in

        if has_display():
            # Painted now, while the rest loads: the agent can start typing.
            show_sign_in(language_option(sys.argv[1:]))
    from app.cli.main import main

    raise SystemExit(main(gui=open_counter))
