"""Keep what the user typed when the app stops on an unexpected error.

A half-typed check-in must not vanish with a traceback: every non-empty text
field on the open screens goes into a private file beside the database, and
the shell says where.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from textual.app import App
from textual.widgets import Input, TextArea


def typed_text(app: App[object]) -> list[tuple[str, str, str]]:
    """``(screen, field, text)`` for every text field with something in it."""
    found = []
    for screen in app.screen_stack:
        title = type(screen).__name__
        for widget in screen.query("Input, TextArea"):
            if isinstance(widget, Input):
                text = widget.value
            elif isinstance(widget, TextArea):
                text = widget.text
            else:  # pragma: no cover - the query names only these two
                continue
            if text.strip() and widget.id != "filter":
                found.append((title, widget.id or type(widget).__name__, text))
    return found


def rescue_typed_text(app: App[object], folder: Path) -> Path | None:
    """Write the typed text to a new 0600 file in ``folder``; None if nothing was typed."""
    fields = typed_text(app)
    if not fields:
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    lines = [f"# Typed into tempcheck before it stopped on an error ({stamp})", ""]
    for screen, field, text in fields:
        lines.append(f"[{screen} · {field}]")
        lines.append(text)
        lines.append("")
    for number in range(1, 100):
        suffix = "" if number == 1 else f"-{number}"
        path = folder / f"tempcheck-unsaved-{stamp}{suffix}.txt"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines))
        return path
    return None
