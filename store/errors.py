"""The store's error types, so callers (pages, the CLI) can tell bad input from a lost race.

Every message is one line that names the field, item or user at fault: a page can show it as is.
"""
from __future__ import annotations


class StoreError(Exception):
    """The store cannot be opened or used (bad URL, missing driver, newer schema, not WAL)."""


class StoreInputError(StoreError, ValueError):
    """A value a user typed is not acceptable; `field` names it. Nothing was saved."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class ConflictError(StoreError):
    """Someone else changed the record since it was read; reload and apply the edit again."""


class NotFoundError(StoreError, LookupError):
    """No ledger item or user has that id / name."""


def shown(value: object, limit: int = 60) -> str:
    """A user's value quoted for an error message: one line, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
