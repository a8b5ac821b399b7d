"""Guichet: `python main.py --help` lists the commands."""

from app.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
