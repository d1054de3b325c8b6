"""Who may sign in to the internal site, and what each role may do.

Passwords are hashed with werkzeug.security (scrypt, salted); the plain text is never stored,
returned or logged, and `User` carries no hash. An account without a password hash is a
single-sign-on account: the reverse proxy vouches for it and it can never sign in locally.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from store.db import Store, as_utc, utcnow
from store.errors import NotFoundError, StoreInputError, shown
from store.schema import ROLES, users

# What each role adds to the one before it (viewer, analyst, editor, admin): an analyst downloads
# and reads the event records behind a number (addresses as published, one event at a time).
GRANTS = (("read",), ("download", "read_records"), ("write_ledger",), ("manage_users",))
ACTIONS = tuple(a for level in GRANTS for a in level)
# Each role may do what the one before it may, and more.
PERMISSIONS: dict[str, frozenset[str]] = {
    role: frozenset(a for level in GRANTS[: i + 1] for a in level) for i, role in enumerate(ROLES)
}
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,63}$")


class UserInputError(StoreInputError):
    """A bad username, role, display name or password; nothing was saved."""


def role_allows(role: str, action: str) -> bool:
    """Whether `role` may do `action` (read / download / read_records / write_ledger / manage_users).

    An unknown role or action is a programming error, not a "no": it raises ValueError.
    """
    if action not in ACTIONS:
        raise ValueError(f"action: {shown(action)} is not one of {', '.join(ACTIONS)}")
    if role not in PERMISSIONS:
        raise ValueError(f"role: {shown(role)} is not one of {', '.join(ROLES)}")
    return action in PERMISSIONS[role]


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    active: bool
    has_password: bool  # False: single-sign-on only
    created_at: dt.datetime
    updated_at: dt.datetime

    def can(self, action: str) -> bool:
        return self.active and role_allows(self.role, action)


class Users:
    """The users table: add, change, look up and authenticate accounts."""

    def __init__(self, store: Store):
        self.store = store

    def add_user(self, username: str, role: str, password: str | None = None,
                 display_name: str | None = None) -> User:
        """Add an account; `password=None` makes a single-sign-on account."""
        name = clean_username(username)
        role = _role(role)
        shown_name = _display_name(display_name, name)
        hashed = None if password is None else _hash(password)
        now = utcnow()
        taken = UserInputError("username", f"{shown(name)} already exists")
        try:
            with self.store.write() as conn:
                if conn.execute(select(users.c.username).where(users.c.username == name)).first():
                    raise taken
                conn.execute(insert(users).values(username=name, display_name=shown_name, role=role,
                                                  password_hash=hashed, active=True, created_at=now, updated_at=now))
        except IntegrityError:  # a server database: another session added the name meanwhile
            raise taken from None
        return self.get(name)

    def set_password(self, username: str, password: str | None) -> User:
        """Set a new password (None: make it a single-sign-on account)."""
        return self._set(username, password_hash=None if password is None else _hash(password))

    def set_role(self, username: str, role: str) -> User:
        return self._set(username, role=_role(role))

    def set_active(self, username: str, active: bool) -> User:
        return self._set(username, active=bool(active))

    def get(self, username: str) -> User:
        name = clean_username(username)
        with self.store.read() as conn:
            row = conn.execute(select(users).where(users.c.username == name)).mappings().first()
        if row is None:
            raise NotFoundError(f"user {name}: no such user")
        return _user(row)

    def find(self, username: str) -> User | None:
        """The account for a name, or None (e.g. an identity header naming an unknown person)."""
        try:
            return self.get(username)
        except (NotFoundError, UserInputError):
            return None

    def list_users(self) -> list[User]:
        with self.store.read() as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.username)).mappings()]

    def authenticate(self, username: str, password: str) -> User | None:
        """The active user whose password this is, or None; as slow for unknown names as known ones."""
        try:
            name = clean_username(username)
        except UserInputError:
            name = None
        row = None
        if name is not None:
            with self.store.read() as conn:
                row = conn.execute(select(users).where(users.c.username == name)).mappings().first()
        stored = row["password_hash"] if row is not None and row["password_hash"] else _dummy_hash()
        ok = (isinstance(password, str) and len(password) <= MAX_PASSWORD
              and check_password_hash(stored, password))
        if row is None or not row["password_hash"] or not row["active"] or not ok:
            return None
        return _user(row)

    def _set(self, username: str, **values) -> User:
        """Change an account; a new password, a new role or disabling it also ends every open
        session of that account (store/sessions.py), in the same transaction."""
        from store.sessions import end_all

        name = clean_username(username)
        with self.store.write() as conn:
            done = conn.execute(update(users).where(users.c.username == name).values(**values, updated_at=utcnow()))
            if done.rowcount != 1:
                raise NotFoundError(f"user {name}: no such user")
            end_all(conn, name)
        return self.get(name)


def clean_username(username) -> str:
    """Usernames are compared lower-case: 'Ann' and 'ann' are one account."""
    name = username.strip().lower() if isinstance(username, str) else ""
    if not _USERNAME.match(name):
        raise UserInputError("username", f"{shown(username)} must be 1-64 characters: letters, digits, . _ @ + -")
    return name


def _role(role) -> str:
    if role not in ROLES:
        raise UserInputError("role", f"{shown(role)} is not one of {', '.join(ROLES)}")
    return role


def _display_name(display_name, username: str) -> str:
    if display_name is None or (isinstance(display_name, str) and not display_name.strip()):
        return username
    if not isinstance(display_name, str) or len(display_name) > 200 or "\n" in display_name:
        raise UserInputError("display_name", "must be one line of at most 200 characters")
    return display_name.strip()


def _hash(password) -> str:
    if not isinstance(password, str) or not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        # Never echo the password itself, not even cut short.
        raise UserInputError("password", f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return generate_password_hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("not a password anyone has")


def _user(row) -> User:
    return User(username=row["username"], display_name=row["display_name"], role=row["role"],
                active=bool(row["active"]), has_password=bool(row["password_hash"]),
                created_at=as_utc(row["created_at"]), updated_at=as_utc(row["updated_at"]))
