"""Digest subscriptions (ops/digest.py): an internal user's address follows goals or measures."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from store.db import Store, utcnow
from store.errors import StoreInputError
from store.schema import SUBSCRIPTION_KINDS, subscriptions as subs, users

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


class SubscriptionInputError(StoreInputError):
    pass


@dataclass(frozen=True)
class Subscription:
    id: int
    username: str
    email: str
    kind: str
    target: str
    with_packet: bool = False


class Subscriptions:
    def __init__(self, store: Store):
        self.store = store

    def add(self, username: str, email: str, kind: str, target: str, valid: dict[str, set] | None = None,
            with_packet: bool = False) -> None:
        """Subscribe `email` (asked by `username`) to a goal or measure; the same again is a no-op.
        `valid`: {"goal": ids, "measure": ids} from the catalog; an unknown id is refused."""
        email = email.strip().lower()
        if not _EMAIL.match(email):
            raise SubscriptionInputError("email", f"{email!r} is not an email address")
        if kind not in SUBSCRIPTION_KINDS:
            raise SubscriptionInputError("kind", f"expected one of {', '.join(SUBSCRIPTION_KINDS)}")
        if valid is not None and target not in valid.get(kind, set()):
            raise SubscriptionInputError(kind, f"no {kind} {target!r} in the catalog")
        with self.store.write() as conn:
            if conn.execute(select(users.c.username).where(users.c.username == username.lower())).first() is None:
                raise SubscriptionInputError("username", f"no user {username!r}")
            exists = conn.execute(select(subs.c.id).where(subs.c.email == email, subs.c.kind == kind,
                                                          subs.c.target == target)).first()
            if exists is not None:
                conn.execute(subs.update().where(subs.c.id == exists[0]).values(with_packet=with_packet))
            else:
                try:
                    conn.execute(insert(subs).values(username=username.lower(), email=email, kind=kind, target=target,
                                                     with_packet=with_packet, created_at=utcnow()))
                except IntegrityError:  # another process added the same one meanwhile
                    pass

    def replace(self, username: str, email: str, chosen: list[tuple[str, str]], valid: dict[str, set],
                with_packet: bool = False) -> None:
        """What `username` follows at `email` becomes exactly `chosen` [(kind, id)], in one transaction
        (the subscriptions page's Save)."""
        email = email.strip().lower()
        if not _EMAIL.match(email):
            raise SubscriptionInputError("email", f"{email!r} is not an email address")
        for kind, target in chosen:
            if kind not in SUBSCRIPTION_KINDS or target not in valid.get(kind, set()):
                raise SubscriptionInputError(kind if kind in SUBSCRIPTION_KINDS else "kind", f"no {kind} {target!r} in the catalog")
        now = utcnow()
        with self.store.write() as conn:
            conn.execute(delete(subs).where(subs.c.username == username.lower()))
            for kind, target in sorted(set(chosen)):
                conn.execute(delete(subs).where(subs.c.email == email, subs.c.kind == kind, subs.c.target == target))
                conn.execute(insert(subs).values(username=username.lower(), email=email, kind=kind, target=target,
                                                 with_packet=with_packet, created_at=now))

    def of_user(self, username: str) -> list[Subscription]:
        return [s for s in self.all() if s.username == username.lower()]

    def remove_all(self, email: str) -> int:
        with self.store.write() as conn:
            return conn.execute(delete(subs).where(subs.c.email == email.strip().lower())).rowcount

    def all(self) -> list[Subscription]:
        with self.store.read() as conn:
            rows = conn.execute(select(subs).order_by(subs.c.email, subs.c.kind, subs.c.target)).mappings().all()
        return [Subscription(r["id"], r["username"], r["email"], r["kind"], r["target"], bool(r["with_packet"]))
                for r in rows]

    def by_email(self) -> dict[str, list[Subscription]]:
        out: dict[str, list[Subscription]] = {}
        for s in self.all():
            out.setdefault(s.email, []).append(s)
        return out
