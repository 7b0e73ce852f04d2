"""`mtb user add|role|disable|enable|password|list`: who may sign in to the web app, and with which
role (mtb.board.ROLES); and the first start's admin."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from mtb.board import ROLES
from mtb.cli.options import CommandParser
from mtb.config import Settings
from mtb.errors import InputError

if TYPE_CHECKING:
    from mtb.store import Store


def add_parser(commands: Any) -> None:
    user = commands.add_parser(
        "user", help="manage the users who may sign in to the web app",
        description="Users of the web app: add them, change their role or password, disable "
        "or enable them, list them. Every change but `add` ends the user's open sessions.")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True,
                                        parser_class=CommandParser)
    user_list = user_commands.add_parser(
        "list", help="every user: name, role, active, last sign-in",
        description="Every user of the web app with their role, whether they may sign in, "
        "when they were added and when they last signed in (from the audit log). Never a "
        "password or its hash.")
    user_list.add_argument("--format", choices=("tsv", "json"), default="tsv",
                           help="tab-separated with a header line (default), or JSON")
    user_add = user_commands.add_parser(
        "add", help="add a user (prompts for the password when --password is not given)")
    user_add.add_argument("name")
    user_add.add_argument("--role", required=True, choices=ROLES)
    user_add.add_argument("--password", help="at least 10 characters (prefer the prompt: "
                          "options show in `ps` and shell history)")
    user_role = user_commands.add_parser("role", help="give a user another role")
    user_role.add_argument("name")
    user_role.add_argument("role", choices=ROLES)
    user_disable = user_commands.add_parser("disable", help="stop a user from signing in")
    user_disable.add_argument("name")
    user_enable = user_commands.add_parser("enable", help="let a disabled user sign in again")
    user_enable.add_argument("name")
    user_password = user_commands.add_parser("password", help="set a user's password "
                                             "(prompted)")
    user_password.add_argument("name")


def _ask_password(name: str) -> str:
    import getpass

    password = getpass.getpass(f"password for {name}: ")
    if getpass.getpass("again: ") != password:
        raise InputError("password", "the two passwords differ")
    return password


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Users of the web app. Every change but `add` ends the user's open sessions."""
    from mtb.store import Store

    store = Store.open(Settings.load().database_url)
    if args.user_command == "list":
        _list(store, args.format, out)
    elif args.user_command == "add":
        password = args.password if args.password is not None else _ask_password(args.name)
        store.add_user(args.name, args.role, password)
        out.write(f"user {args.name} added ({args.role})\n")
    elif args.user_command == "role":
        store.change_user(args.name, role=args.role)
        out.write(f"user {args.name} is now {args.role}; their sessions ended\n")
    elif args.user_command in ("disable", "enable"):
        store.change_user(args.name, active=args.user_command == "enable")
        out.write(f"user {args.name} {args.user_command}d\n")
    else:
        store.change_user(args.name, password=_ask_password(args.name))
        out.write(f"password of {args.name} changed; their sessions ended\n")
    return 0


def _list(store: Store, fmt: str, out: IO[str]) -> None:
    import json

    def moment(value: datetime | None) -> str:
        return value.isoformat(timespec="seconds") if value is not None else ""

    rows = [{"name": u.name, "role": u.role, "active": u.active,
             "created": moment(u.created_at), "last_sign_in": moment(u.last_sign_in)}
            for u in store.users()]
    if fmt == "json":
        out.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    out.write("name\trole\tactive\tcreated\tlast_sign_in\n")
    for row in rows:
        out.write(f"{row['name']}\t{row['role']}\t{'yes' if row['active'] else 'no'}\t"
                  f"{row['created']}\t{row['last_sign_in'] or '-'}\n")


def first_admin(store: Store, err: IO[str]) -> None:
    """The embedded default's first start: a local admin with a random password, printed
    once on the console of whoever started mtb (never logged, never stored in clear)."""
    import secrets

    if store.has_users():
        return
    password = secrets.token_urlsafe(12)
    store.add_user("admin", "admin", password)
    err.write("mtb: first start: created the user 'admin' (role admin) with the password\n"
              f"     {password}\n"
              "     sign in with it, then add your users: mtb user add NAME --role ROLE\n")
