"""A labelled form field with its error shown inline, right next to it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label, Static


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
