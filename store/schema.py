"""The store's tables, in SQLAlchemy Core so the same definitions create SQLite and PostgreSQL.

Bump SCHEMA_VERSION and add an entry to MIGRATIONS (store/db.py applies them) whenever a table
changes: a deployed ledger holds a city's commitments and must never be rebuilt from scratch.
Timestamps are UTC, stored without a zone (SQLite has none); the code adds the zone on read.
"""
from __future__ import annotations

from sqlalchemy import (
    DDL, Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData,
    String, Table, Text, UniqueConstraint, event,
)

SCHEMA_VERSION = 5  # 2: sessions and signin_failures (sign-out that holds, a throttle all workers share)
#                    3: refresh_runs, alert_state, subscriptions (refresh log /data shows; alerts sent once; digests)
#                    4: annotations and annotation_history (dated events on a measure or citywide)
#                    5: commentary and commentary_history (per measure per meeting: what happened, what we do)

ROLES = ("viewer", "analyst", "editor", "admin")
KINDS = ("decision", "action")
STATUSES = ("open", "done", "dropped")


def _one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)  # constants above, never user input
    return CheckConstraint(f"{column} IN ({listed})", name=name)


metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime, nullable=False),
)

users = Table(
    "users", metadata,
    Column("username", String(64), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    # NULL: a single-sign-on account that can never sign in with a local password.
    Column("password_hash", String(255), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    _one_of("role", ROLES, "ck_users_role"),
)

# A signed-in browser session (schema 2). The cookie carries a random token; only its SHA-256 is
# kept here, so whoever reads the store cannot take over a session. Signing out deletes the row,
# which ends the session on every worker and host at once; so does a password change or disable.
sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), ForeignKey("users.username"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Index("ix_sessions_username", "username"),
    Index("ix_sessions_expires_at", "expires_at"),
)

# One row per wrong password (schema 2), shared by every worker (auth/throttle.py). Rows older than
# the throttle's window are deleted, and the table is kept under a fixed size by deleting the oldest.
signin_failures = Table(
    "signin_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("failed_at", DateTime, nullable=False),
    Index("ix_signin_failures_username_failed_at", "username", "failed_at"),
    Index("ix_signin_failures_failed_at", "failed_at"),
)

# One row per `python -m etl refresh` (schema 3). Kept here, not in the warehouse, because the
# warehouse is replaced whole by every load: a failed run, which swaps nothing, must still be seen.
# `changes` is JSON: {dataset: {since, fetched, loaded, rejected, duplicate, file}}; `errors` is
# JSON {dataset or "load": one line}. status: running | ok | partial | failed | nothing.
refresh_runs = Table(
    "refresh_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("status", String(16), nullable=False),
    Column("changes", Text, nullable=False),
    Column("errors", Text, nullable=False),
    Index("ix_refresh_runs_started_at", "started_at"),
)

# What the alert rules last said about each thing they watch (schema 3): `key` such as
# `overdue:crime` or `status:robberies`, `value` the state it was in when last seen (the newest
# day of a stalled feed, a measure's status). An alert is sent when the state changes, so a feed
# that stops makes one alert, not one per run; `sent_at` is when that state's alert went out.
alert_state = Table(
    "alert_state", metadata,
    Column("key", String(200), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("sent_at", DateTime, nullable=True),
    Column("recipients", Text, nullable=False),
)

# Who gets the pre-meeting digest of which goal or measure (schema 3, ops/digest.py). One row per
# (address, kind, id); unsubscribing removes every row of the address (a one-click link signed
# with SEASTAT_SECRET_KEY). `username` is the internal account that asked, for the audit.
SUBSCRIPTION_KINDS = ("goal", "measure")
subscriptions = Table(
    "subscriptions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), ForeignKey("users.username"), nullable=False),
    Column("email", String(254), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("target", String(100), nullable=False),
    Column("with_packet", Boolean, nullable=False, default=False),  # attach the meeting packet PDF
    Column("created_at", DateTime, nullable=False),
    _one_of("kind", SUBSCRIPTION_KINDS, "ck_subscriptions_kind"),
    UniqueConstraint("email", "kind", "target", name="uq_subscriptions_email_kind_target"),
)

ledger_items = Table(
    "ledger_items", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("owner", String(200), nullable=False),
    Column("due_date", Date, nullable=True),
    Column("measure_id", String(100), nullable=True),
    Column("area_layer", String(64), nullable=True),
    Column("area_id", String(200), nullable=True),
    Column("status", String(16), nullable=False),
    Column("notes", Text, nullable=False),
    Column("meeting_date", Date, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
    _one_of("kind", KINDS, "ck_ledger_items_kind"),
    _one_of("status", STATUSES, "ck_ledger_items_status"),
    CheckConstraint("(area_layer IS NULL) = (area_id IS NULL)", name="ck_ledger_items_area"),
    Index("ix_ledger_items_status_meeting", "status", "meeting_date"),
)

ledger_history = Table(
    "ledger_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("ledger_items.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", String(16), nullable=False),  # create / edit / close / reopen
    Column("changed_by", String(64), nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Column("changes", Text, nullable=False),  # JSON: {"field": [from, to], ...}
    # One history row per version: a second writer of the same version cannot slip in.
    UniqueConstraint("item_id", "version", name="uq_ledger_history_item_version"),
)

# History rows are never changed or removed: the database itself refuses to (SQLite and PostgreSQL).
for _verb in ("UPDATE", "DELETE"):
    event.listen(ledger_history, "after_create", DDL(
        f"CREATE TRIGGER ledger_history_no_{_verb.lower()} BEFORE {_verb} ON ledger_history "
        "BEGIN SELECT RAISE(ABORT, 'ledger_history rows are immutable'); END"
    ).execute_if(dialect="sqlite"))
event.listen(ledger_history, "after_create", DDL(
    "CREATE FUNCTION ledger_history_immutable() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'ledger_history rows are immutable'; END $$"
).execute_if(dialect="postgresql"))
event.listen(ledger_history, "after_create", DDL(
    "CREATE TRIGGER ledger_history_immutable BEFORE UPDATE OR DELETE ON ledger_history "
    "FOR EACH ROW EXECUTE FUNCTION ledger_history_immutable()"
).execute_if(dialect="postgresql"))


# A dated event that explains a measure's movement (schema 3): a new patrol plan, a storm, a policy
# change. measure_id NULL: citywide (drawn on every chart). `public`: shown on the public site too.
# Removing one sets `deleted` (a new version); the history keeps what it said and who changed it.
annotations = Table(
    "annotations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_id", String(100), nullable=True),
    Column("day", Date, nullable=False),
    Column("text", String(500), nullable=False),
    Column("public", Boolean, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_annotations_day", "day"),
)

annotation_history = Table(
    "annotation_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("annotation_id", Integer, ForeignKey("annotations.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", String(16), nullable=False),  # create / edit / delete
    Column("changed_by", String(64), nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Column("changes", Text, nullable=False),  # JSON: {"field": [from, to], ...}
    UniqueConstraint("annotation_id", "version", name="uq_annotation_history_version"),
)

for _verb in ("UPDATE", "DELETE"):
    event.listen(annotation_history, "after_create", DDL(
        f"CREATE TRIGGER annotation_history_no_{_verb.lower()} BEFORE {_verb} ON annotation_history "
        "BEGIN SELECT RAISE(ABORT, 'annotation_history rows are immutable'); END"
    ).execute_if(dialect="sqlite"))
event.listen(annotation_history, "after_create", DDL(
    "CREATE TRIGGER annotation_history_immutable BEFORE UPDATE OR DELETE ON annotation_history "
    "FOR EACH ROW EXECUTE FUNCTION ledger_history_immutable()"
).execute_if(dialect="postgresql"))

# One commentary per measure per meeting ("what happened and what we are doing"), rewritten in
# place with a version check; every version's words are kept in commentary_history.
commentary = Table(
    "commentary", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_id", String(100), nullable=False),
    Column("meeting", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("public", Boolean, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("measure_id", "meeting", name="uq_commentary_measure_meeting"),
)

commentary_history = Table(
    "commentary_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("commentary_id", Integer, ForeignKey("commentary.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("public", Boolean, nullable=False),
    Column("changed_by", String(64), nullable=False),
    Column("changed_at", DateTime, nullable=False),
    UniqueConstraint("commentary_id", "version", name="uq_commentary_history_version"),
)

for _verb in ("UPDATE", "DELETE"):
    event.listen(commentary_history, "after_create", DDL(
        f"CREATE TRIGGER commentary_history_no_{_verb.lower()} BEFORE {_verb} ON commentary_history "
        "BEGIN SELECT RAISE(ABORT, 'commentary_history rows are immutable'); END"
    ).execute_if(dialect="sqlite"))
event.listen(commentary_history, "after_create", DDL(
    "CREATE TRIGGER commentary_history_immutable BEFORE UPDATE OR DELETE ON commentary_history "
    "FOR EACH ROW EXECUTE FUNCTION ledger_history_immutable()"
).execute_if(dialect="postgresql"))
