"""A labelled form field with its error shown inline, right next to it."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, Select, Static


class FormSelect(Select[Any]):
    """A drop-down in a form: Enter on it, closed, saves the form like Enter in a text
    field; Down, Up or Space open the list."""

    BINDINGS = [
        Binding("enter", "submit", "Save", show=False),
        Binding("down,space,up", "show_overlay", "Show menu", show=False),
    ]

    class Submitted(Message):
        """Enter on the closed drop-down."""

    def action_submit(self) -> None:
        self.post_message(self.Submitted())


class Field(Vertical):
    """Label, the input widget with a hint beside it, and an inline error line.

    ``hint=None`` gives the control the whole width; a string (even empty)
    keeps room beside it for hints such as the resolved date.
    """

    DEFAULT_CSS = """
    Field { height: auto; margin-bottom: 0; }
    Field > .field-label { color: $text-muted; }
    Field > Horizontal { height: auto; }
    Field .field-hint { width: 1fr; padding: 1 1 0 1; color: $text-muted; }
    Field > .field-error { color: $error; height: auto; display: none; }
    Field.-invalid > .field-error { display: block; }
    """

    def __init__(
        self,
        label: str,
        control: Widget,
        *,
        hint: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
    ) -> None:
        super().__init__(id=id)
        self.label = label
        self.control = control
        self.hint = hint

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label", markup=False)
        with Horizontal():
            yield self.control
            if self.hint is not None:
                yield Static(self.hint, classes="field-hint", markup=False)
        yield Static("", classes="field-error", markup=False)

    def set_hint(self, text: str) -> None:
        self.query_one(".field-hint", Static).update(text)

    def set_error(self, message: str | None) -> None:
        """Show ``message`` under the control, or clear it with ``None``."""
        self.query_one(".field-error", Static).update(message or "")
        self.set_class(bool(message), "-invalid")

    @property
    def error(self) -> str:
        return (
            str(self.query_one(".field-error", Static).content)
            if self.has_class("-invalid")
            else ""
        )
