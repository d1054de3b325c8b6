"""What users write (the commitments ledger, the users and roles), kept apart from the warehouse.

    from store import open_store, Ledger, Users
    store = open_store(settings.ledger_url)          # SQLite WAL file by default; schema made on open
    ledger = Ledger(store, city, valid_measures=catalog.measures.keys())
    users = Users(store)

`python -m store --help` lists the operator commands (init, adduser, passwd, ...).
Nothing here opens a database or reads a file at import time.
"""
from store.annotations import Annotation, AnnotationInputError, Annotations
from store.commentary import Commentaries, Commentary, CommentaryInputError
from store.db import Store, open_store
from store.errors import ConflictError, NotFoundError, StoreError, StoreInputError
from store.ledger import HistoryEntry, Item, Ledger, LedgerInputError, OpenItem, is_meeting_date
from store.users import ACTIONS, ROLES, User, UserInputError, Users, role_allows

__all__ = [
    "Store", "open_store", "StoreError", "StoreInputError", "ConflictError", "NotFoundError",
    "Ledger", "Item", "HistoryEntry", "OpenItem", "LedgerInputError", "is_meeting_date",
    "Users", "User", "UserInputError", "ROLES", "ACTIONS", "role_allows",
    "Annotations", "Annotation", "AnnotationInputError",
    "Commentaries", "Commentary", "CommentaryInputError",
]
