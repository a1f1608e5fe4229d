"""What a form hands back after a write: the words for the notice and the undo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
