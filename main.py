"""Guichet: `python main.py` opens the counter; `python main.py --help` lists the commands."""

from __future__ import annotations

import argparse

from app import config
from app.cli.main import main


def open_counter(args: argparse.Namespace) -> int:
    from ui.app import run  # Qt is loaded only when a window is wanted

    return run(
        args.database,
        args.key_file,
        config.workstation_code(args.workstation),
        args.language,
        args.idle_minutes,
    )


if __name__ == "__main__":
    raise SystemExit(main(gui=open_counter))
