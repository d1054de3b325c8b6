"""Signed-in sessions kept in the store, so that ending one holds on every worker and host.

A signed cookie alone cannot be taken back: a copy saved before sign-out would work until it
expires. So the cookie carries a random token and the session is a row here; the request is
signed in only while the row exists and has not expired. Sign-out deletes the row; a password
change or disabling the account deletes all of that user's rows (store/users.py, in the same
transaction as the change). Only the token's SHA-256 is stored: a copy of the store does not
let anyone take over a session.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Connection, delete, func, insert, select

from store.db import Store, as_utc, utcnow
from store.schema import sessions, users
from store.users import User, _user


MAX_PER_USER = 20  # open sessions one account may hold; a new sign-in past that ends its oldest


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def end_all(conn: Connection, username: str) -> None:
    """Delete every session of `username` (within the caller's write transaction)."""
    conn.execute(delete(sessions).where(sessions.c.username == username))


class Sessions:
    """Start, look up and end sessions."""

    def __init__(self, store: Store):
        self.store = store

    def start(self, username: str, lifetime: dt.timedelta) -> str:
        """A new session for an existing user; returns the token to put in the cookie.
        Expired sessions (anyone's) are removed on the way, and one account keeps at most
        MAX_PER_USER (its oldest go), so the table stays small however often people sign in."""
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with self.store.write() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at <= now))
            conn.execute(insert(sessions).values(token_hash=_hash(token), username=username,
                                                 created_at=now, expires_at=now + lifetime))
            keep = (select(sessions.c.token_hash).where(sessions.c.username == username)
                    .order_by(sessions.c.created_at.desc(), sessions.c.token_hash).limit(MAX_PER_USER))
            conn.execute(delete(sessions).where(sessions.c.username == username,
                                                sessions.c.token_hash.not_in(keep.scalar_subquery())))
        return token

    def user(self, token) -> tuple[User, dt.datetime] | None:
        """The user of a live session and when it started, or None (unknown, ended or expired token).
        One indexed read that also fetches the user, so an account's state is always current."""
        if not isinstance(token, str) or not token or len(token) > 200:
            return None
        query = (select(users, sessions.c.created_at.label("session_created_at"))
                 .join(sessions, sessions.c.username == users.c.username)
                 .where(sessions.c.token_hash == _hash(token), sessions.c.expires_at > utcnow()))
        with self.store.read() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return _user(row), as_utc(row["session_created_at"])

    def end(self, token) -> None:
        """End one session (sign-out). Unknown tokens are ignored."""
        if isinstance(token, str) and token:
            with self.store.write() as conn:
                conn.execute(delete(sessions).where(sessions.c.token_hash == _hash(token)))

    def end_user(self, username: str) -> int:
        """End every session of `username` (python -m store signout); returns how many were open."""
        with self.store.write() as conn:
            live = conn.execute(select(func.count()).select_from(sessions).where(
                sessions.c.username == username, sessions.c.expires_at > utcnow())).scalar()
            end_all(conn, username)
        return int(live)

    def count(self, username: str | None = None) -> int:
        """Live and expired-but-not-yet-removed sessions (of one user, or all): for tests and operators."""
        query = select(func.count()).select_from(sessions)
        if username is not None:
            query = query.where(sessions.c.username == username)
        with self.store.read() as conn:
            return int(conn.execute(query).scalar())
