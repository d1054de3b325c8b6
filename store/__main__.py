"""`python -m store COMMAND`: set up the ledger store and manage who may sign in.

    python -m store init
    python -m store adduser NAME --role ROLE [--display-name TEXT] [--password-stdin | --sso]
    python -m store passwd NAME [--password-stdin]
    python -m store role NAME ROLE
    python -m store disable NAME | enable NAME
    python -m store signout NAME          (ends every open session of NAME now)
    python -m store users
    python -m store open-items YYYY-MM-DD

The store is Settings.from_env().ledger_url (SEASTAT_LEDGER) unless --ledger URL is given.
Passwords are asked for twice at a terminal, or read as one line from stdin with
--password-stdin (for scripts); they are never taken as an argument, where `ps` would show them.
"""
from __future__ import annotations

import argparse
import getpass
import sys

from store.db import Store, open_store
from store.errors import StoreError
from store.schema import ROLES


class CliError(Exception):
    """A problem to report in one line, with exit status 2."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if not args.command:
        parser.print_help()
        return 0
    try:
        store = open_store(args.ledger)
        try:
            return args.run(store, args)
        finally:
            store.close()
    except (CliError, StoreError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m store", description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", metavar="URL", help="database URL (default: SEASTAT_LEDGER or data/ledger.sqlite3)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create the store and its tables (safe to run again)")
    p.set_defaults(run=_init)

    p = sub.add_parser("adduser", help="add a user; asks for the password")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--display-name", default=None)
    how = p.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")
    how.add_argument("--sso", action="store_true", help="no local password: signs in through the proxy's identity header only")
    p.set_defaults(run=_adduser)

    p = sub.add_parser("passwd", help="set a user's password")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")
    p.set_defaults(run=_passwd)

    p = sub.add_parser("role", help="change a user's role")
    p.add_argument("name")
    p.add_argument("role", choices=ROLES)
    p.set_defaults(run=_role)

    for name, active in (("disable", False), ("enable", True)):
        p = sub.add_parser(name, help=f"{name} a user's sign-in")
        p.add_argument("name")
        p.set_defaults(run=_active, active=active)

    p = sub.add_parser("signout", help="end every open session of a user (they sign in again)")
    p.add_argument("name")
    p.set_defaults(run=_signout)

    p = sub.add_parser("users", help="list users and roles")
    p.set_defaults(run=_list_users)

    p = sub.add_parser("open-items", help="ledger items open at a meeting, with their age")
    p.add_argument("meeting", help="meeting date, YYYY-MM-DD")
    p.set_defaults(run=_open_items)
    return parser


def _init(store: Store, _args) -> int:
    kind = f"journal {store.journal_mode()}" if store.dialect == "sqlite" else f"{store.dialect} server"
    print(f"ledger store ready: {store.url} (schema version {store.schema_version()}, {kind})")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise CliError("password: nothing on stdin")
        return password
    if not sys.stdin.isatty():
        raise CliError("password: no terminal to ask at; pipe it in with --password-stdin")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise CliError("password: the two entries differ; nothing saved")
    return first


def _adduser(store: Store, args) -> int:
    from store.users import Users

    password = None if args.sso else _read_password(args.password_stdin)
    user = Users(store).add_user(args.name, args.role, password, args.display_name)
    kind = "single sign-on only" if not user.has_password else "password set"
    print(f"added {user.username} ({user.role}, {kind}) to {store.url}")
    return 0


def _passwd(store: Store, args) -> int:
    from store.users import Users

    users = Users(store)
    users.get(args.name)  # say "no such user" before asking for a password
    user = users.set_password(args.name, _read_password(args.password_stdin))
    print(f"password changed for {user.username}")
    return 0


def _role(store: Store, args) -> int:
    from store.users import Users

    user = Users(store).set_role(args.name, args.role)
    print(f"{user.username} is now {user.role}")
    return 0


def _active(store: Store, args) -> int:
    from store.users import Users

    user = Users(store).set_active(args.name, args.active)
    print(f"{user.username} {'enabled' if user.active else 'disabled'}")
    return 0


def _signout(store: Store, args) -> int:
    from store.sessions import Sessions
    from store.users import Users

    user = Users(store).get(args.name)  # "no such user" in one line
    ended = Sessions(store).end_user(user.username)
    print(f"{user.username}: {ended} open session(s) ended")
    return 0


def _list_users(store: Store, _args) -> int:
    from store.users import Users

    for u in Users(store).list_users():
        sign_in = "password" if u.has_password else "sso"
        print(f"{u.username}\t{u.role}\t{'active' if u.active else 'disabled'}\t{sign_in}\t{u.display_name}")
    return 0


def _open_items(store: Store, args) -> int:
    from city import load_city
    from settings import Settings
    from store.ledger import Ledger

    # Listing checks no measure ids, so the catalog is not needed here.
    ledger = Ledger(store, load_city(Settings.from_env().city_config), valid_measures=())
    for row in ledger.open_items(args.meeting):
        it = row.item
        due = it.due_date.isoformat() if it.due_date else "-"
        late = " OVERDUE" if row.overdue else ""
        print(f"#{it.id}\t{it.kind}\t{row.age_days}d old\tdue {due}{late}\t{it.owner}\t{it.measure_id or '-'}\t{it.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
