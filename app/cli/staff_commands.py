"""`python main.py user role|remove|password LOGIN`: staff changes from the command line.

Run by IT on the database's machine, like `user add`: no signed-in actor, and
every change is journaled as made from the command line.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.bootstrap import open_context
from app.cli.output import read_password, say
from app.i18n import N_, gettext
from app.labels import ROLES, label
from app.staff import change_password, change_role, deactivate_user

Handler = Callable[[argparse.Namespace], int]
Command = Callable[..., argparse.ArgumentParser]


def add_parsers(user_sub: Any, command: Command) -> None:
    """Register the actions under `user` (``command`` is the main parser's helper)."""
    _ = gettext
    role = command("role", _("give a staff account another role (journaled)"), user_role, user_sub)
    role.add_argument("login")
    role.add_argument(
        "--role", required=True, choices=["agent", "supervisor", "admin"], help=_("the new role")
    )
    remove = command(
        "remove",
        _("remove a staff account: it can no longer sign in; its history stays (journaled)"),
        user_remove,
        user_sub,
    )
    remove.add_argument("login")
    password = command(
        "password",
        _("set a new password for a staff account (asked, or read from standard input)"),
        user_password,
        user_sub,
    )
    password.add_argument("login")


def user_role(args: argparse.Namespace) -> int:
    ctx = open_context(args.database, args.key_file)
    actor = change_role(ctx, None, args.login, args.role)
    say(
        N_("{login} now has the role {role}."),
        login=actor.login,
        role=label(ROLES, actor.role),
    )
    return 0


def user_remove(args: argparse.Namespace) -> int:
    ctx = open_context(args.database, args.key_file)
    deactivate_user(ctx, None, args.login)
    say(N_("{login} is removed: the account can no longer sign in."), login=args.login.lower())
    return 0


def user_password(args: argparse.Namespace) -> int:
    ctx = open_context(args.database, args.key_file)
    change_password(
        ctx, None, args.login, read_password(N_("New password: "), N_("New password again: "))
    )
    say(N_("New password set for {login}."), login=args.login.lower())
    return 0
