"""The SQLite store: schema, migrations and queries. Knows SQLite, not Textual."""

from tempcheck.store.connection import StoreError, describe, open_db, write

__all__ = ["StoreError", "describe", "open_db", "write"]
