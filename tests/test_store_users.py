"""Users and roles: hashed passwords that work, roles that allow what the product says, and the
`python -m store adduser` command an operator runs."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from store import NotFoundError, UserInputError, Users, open_store, role_allows
from store.schema import users as users_table
from tests.support.pgserver import BACKENDS

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path) -> str:
    """Users live in the same store as the ledger: both backends."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_server").new_database()
    return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"


@pytest.fixture
def users(url) -> Users:
    store = open_store(url)
    yield Users(store)
    store.close()


def stored_hash(users: Users, name: str) -> str | None:
    with users.store.read() as conn:
        return conn.execute(select(users_table.c.password_hash).where(users_table.c.username == name)).scalar()


def test_password_is_stored_hashed_and_only_the_right_one_signs_in(users, tmp_path):
    added = users.add_user("ann", "editor", PASSWORD, "Ann Analyst")
    assert (added.username, added.role, added.display_name, added.active) == ("ann", "editor", "Ann Analyst", True)
    hashed = stored_hash(users, "ann")
    assert hashed != PASSWORD and PASSWORD not in hashed and hashed.startswith(("scrypt:", "pbkdf2:"))
    if users.store.dialect == "sqlite":  # nowhere in the file, not even in a free page
        assert PASSWORD.encode() not in (tmp_path / "ledger.sqlite3").read_bytes()
    assert PASSWORD not in repr(added)

    assert users.authenticate("ann", PASSWORD) == added
    assert users.authenticate("ANN ", PASSWORD) == added     # names are not case-sensitive
    assert users.authenticate("ann", "correct horse battery!") is None
    assert users.authenticate("ann", "") is None
    assert users.authenticate("nobody", PASSWORD) is None


def test_neither_password_nor_hash_reaches_the_logs_even_with_sql_logging_on(users, caplog):
    """SQL logging at INFO (what echo=True gives) shows statements, never their values."""
    import logging

    with caplog.at_level(logging.INFO):
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
        try:
            users.add_user("ann", "viewer", PASSWORD)
            users.set_password("ann", "a whole new secret")
            assert users.authenticate("ann", "a whole new secret") is not None
            users.authenticate("ann", PASSWORD)
        finally:
            logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert "INSERT INTO users" in caplog.text  # the SQL was logged...
    hashed = stored_hash(users, "ann")
    for secret in (PASSWORD, "a whole new secret", hashed, hashed.split("$")[-1]):
        assert secret not in caplog.text  # ...its values were not


def test_the_same_password_hashes_differently_for_two_users(users):
    users.add_user("ann", "viewer", PASSWORD)
    users.add_user("bob", "viewer", PASSWORD)
    assert stored_hash(users, "ann") != stored_hash(users, "bob")


def test_set_password_replaces_the_old_one(users):
    users.add_user("ann", "viewer", PASSWORD)
    users.set_password("ann", "a whole new secret")
    assert users.authenticate("ann", PASSWORD) is None
    assert users.authenticate("ann", "a whole new secret").username == "ann"


def test_disabled_and_single_sign_on_accounts_cannot_sign_in_with_a_password(users):
    users.add_user("ann", "admin", PASSWORD)
    users.set_active("ann", False)
    assert users.authenticate("ann", PASSWORD) is None
    assert not users.get("ann").can("read")

    sso = users.add_user("bob@seattle.gov", "analyst")  # no password: the proxy vouches for him
    assert sso.has_password is False and stored_hash(users, "bob@seattle.gov") is None
    assert users.authenticate("bob@seattle.gov", "") is None
    assert users.authenticate("bob@seattle.gov", "anything at all") is None
    assert users.find("BOB@seattle.gov").role == "analyst"
    assert users.find("carol@seattle.gov") is None


@pytest.mark.parametrize("call, field", [
    (lambda u: u.add_user("ann", "superuser", PASSWORD), "role"),
    (lambda u: u.add_user("", "viewer", PASSWORD), "username"),
    (lambda u: u.add_user("ann smith", "viewer", PASSWORD), "username"),
    (lambda u: u.add_user("ann", "viewer", "short"), "password"),
    (lambda u: u.add_user("ann", "viewer", PASSWORD, "two\nlines"), "display_name"),
])
def test_bad_user_input_names_the_field_and_saves_nothing(users, call, field):
    with pytest.raises(UserInputError) as err:
        call(users)
    assert isinstance(err.value, ValueError) and err.value.field == field
    assert "short" not in str(err.value)  # a rejected password is never echoed back
    assert users.list_users() == []


def test_a_username_can_be_added_once(users):
    users.add_user("ann", "viewer", PASSWORD)
    with pytest.raises(UserInputError, match="username: 'ann' already exists"):
        users.add_user("Ann", "admin", "another password")
    assert users.get("ann").role == "viewer"


def test_changes_to_an_unknown_user_say_so(users):
    with pytest.raises(NotFoundError, match="user ghost: no such user"):
        users.set_role("ghost", "admin")


# Worked out from the issue: viewer reads; analyst + downloads; editor + writes the ledger;
# admin + manages users.
ROLE_TABLE = {
    ("viewer", "read"): True, ("viewer", "download"): False,
    ("viewer", "write_ledger"): False, ("viewer", "manage_users"): False,
    ("analyst", "read"): True, ("analyst", "download"): True,
    ("analyst", "write_ledger"): False, ("analyst", "manage_users"): False,
    ("editor", "read"): True, ("editor", "download"): True,
    ("editor", "write_ledger"): True, ("editor", "manage_users"): False,
    ("admin", "read"): True, ("admin", "download"): True,
    ("admin", "write_ledger"): True, ("admin", "manage_users"): True,
}


@pytest.mark.parametrize("role, action", sorted(ROLE_TABLE))
def test_roles_allow_what_the_issue_says(role, action):
    assert role_allows(role, action) is ROLE_TABLE[(role, action)]


def test_unknown_role_or_action_is_an_error_not_a_quiet_no():
    with pytest.raises(ValueError, match="action: 'delete_everything'"):
        role_allows("admin", "delete_everything")
    with pytest.raises(ValueError, match="role: 'root'"):
        role_allows("root", "read")


# ---- the CLI, run the way an operator runs it ----------------------------------------------

def run_cli(*args, stdin: str = "", env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "store", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=60)


def test_cli_adduser_from_a_subprocess_then_that_user_signs_in(url):
    done = run_cli("--ledger", url, "adduser", "Ann", "--role", "editor", "--display-name", "Ann A.",
                   "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "added ann (editor, password set)" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr

    store = open_store(url)
    signed_in = Users(store).authenticate("ann", PASSWORD)
    store.close()
    assert (signed_in.username, signed_in.role, signed_in.display_name) == ("ann", "editor", "Ann A.")


@pytest.mark.slow
def test_cli_reads_the_ledger_url_from_the_environment_and_reports_errors_in_one_line(url):
    env = {"SEASTAT_LEDGER": url}
    kind = "journal wal" if url.startswith("sqlite") else "postgresql server"
    assert run_cli("init", env_extra=env).stdout.startswith(f"ledger store ready: {url} (schema version 3, {kind})")
    assert run_cli("adduser", "bob", "--role", "viewer", "--sso", env_extra=env).returncode == 0

    again = run_cli("adduser", "bob", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n", env_extra=env)
    assert again.returncode == 2
    assert again.stderr == "error: username: 'bob' already exists\n"

    no_terminal = run_cli("adduser", "carl", "--role", "viewer", env_extra=env)
    assert no_terminal.returncode == 2 and "--password-stdin" in no_terminal.stderr

    assert run_cli("role", "bob", "analyst", env_extra=env).returncode == 0
    assert run_cli("disable", "bob", env_extra=env).returncode == 0
    listing = run_cli("users", env_extra=env).stdout.splitlines()
    assert listing == ["bob\tanalyst\tdisabled\tsso\tbob"]


def test_cli_signout_ends_every_open_session_of_that_user_only(url):
    import datetime as dt

    from store.sessions import Sessions

    store = open_store(url)
    users = Users(store)
    users.add_user("ann", "viewer", PASSWORD)
    users.add_user("bob", "viewer", PASSWORD)
    sessions = Sessions(store)
    ann = [sessions.start("ann", dt.timedelta(hours=1)) for _ in range(2)]
    bob = sessions.start("bob", dt.timedelta(hours=1))
    done = run_cli("--ledger", url, "signout", "ANN")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ann: 2 open session(s) ended\n"
    assert [sessions.user(t) for t in ann] == [None, None] and sessions.user(bob) is not None
    missing = run_cli("--ledger", url, "signout", "nobody")
    assert missing.returncode == 2 and missing.stderr == "error: user nobody: no such user\n"
    store.close()
