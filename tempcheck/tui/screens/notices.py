"""What a form hands back after a write: the words for the notice and the undo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tempcheck.domain.text import printable
from tempcheck.services.undo import Undo


@dataclass(frozen=True)
class Wrote:
    """A write that happened: ``message`` names the customer and the item."""

    message: str
    undo: Undo | None = None


def announce(app: Any, result: object) -> None:
    """Show the notice (and offer undo) for a form's result, if it was a write."""
    if isinstance(result, Wrote):
        app.wrote(result.message, result.undo)


def added_notice(conn: Any, customer_id: int) -> tuple[str, Undo]:
    """ "Added Acme Corp", undone by removing the customer (while nothing refers to it)."""
    # lazy: keeps the dashboard's first frame fast
    from tempcheck.store.customers import get_customer

    name = printable(get_customer(conn, customer_id).name, single_line=True)
    return f"Added {name}", Undo(f"adding {name}", customer_id, (("customers", customer_id),))
