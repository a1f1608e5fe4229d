"""One dialog for the small forms (issue, promise, snooze, pause…): fields, inline errors, save.

Each field may parse its text (raising ValueError with a message shown beside
it) and show a live hint such as the resolved date. The save callback does the
store write; if it fails the dialog stays open with everything typed intact.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from tempcheck.store import StoreError, describe
from tempcheck.tui.literal import SafeInput, literal
from tempcheck.tui.screens.confirm import ConfirmDialog
from tempcheck.tui.widgets.field import Field, FormSelect
from tempcheck.tui.widgets.key_footer import KeyFooter


class FieldError(ValueError):
    """A problem the save callback found with one field: shown beside that field."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass
class FormField:
    key: str
    label: str
    placeholder: str = ""
    value: str = ""
    required: bool = False
    parse: Callable[[str], Any] | None = None
    hint: Callable[[str], str] | None = None
    choices: list[tuple[str, str]] | None = None
    short: bool = False


class FormDialog(ModalScreen[Any]):
    """Dismisses with whatever ``save`` returned, or ``None`` when cancelled."""

    BINDINGS = [Binding("ctrl+s", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        fields: list[FormField],
        save: Callable[[dict[str, Any]], Any],
        *,
        note: str = "",
        step_by_step: bool = False,
    ) -> None:
        """``step_by_step``: Enter moves to the next field and saves only on the last one."""
        super().__init__()
        self.step_by_step = step_by_step
        self.title_text = title
        self.fields = fields
        self.save = save
        self.note = note

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog form"):
            yield Label(self.title_text, classes="title", markup=False)
            if self.note:
                yield Static(self.note, classes="note", markup=False)
            for spec in self.fields:
                if spec.choices is not None:
                    control = FormSelect(
                        [(literal(prompt), value) for prompt, value in spec.choices],
                        value=spec.value or spec.choices[0][1],
                        allow_blank=False,
                        id=spec.key,
                    )
                else:
                    control = SafeInput(
                        spec.value,
                        placeholder=spec.placeholder,
                        id=spec.key,
                        classes="short" if spec.short else "",
                    )
                optional = not spec.required and spec.choices is None
                label = spec.label + (" (optional)" if optional else "")
                hint = "" if spec.hint is not None else None
                yield Field(label, control, hint=hint, id=f"{spec.key}-field")
            error = Static("", id="form-error", markup=False)
            error.display = False
            yield error
            yield Label("Enter saves · Tab next field · Esc cancels", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(f"#{self.fields[0].key}").focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        spec = next((f for f in self.fields if f.key == event.input.id), None)
        if spec is None or spec.hint is None:
            return
        field = self.query_one(f"#{spec.key}-field", Field)
        field.set_hint(spec.hint(event.value) if event.value.strip() else "")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        inputs = [f for f in self.fields if f.choices is None]
        last = inputs[-1].key if inputs else None
        spec = next(f for f in inputs if f.key == event.input.id)
        if spec.required and not event.value.strip():
            self.query_one(f"#{spec.key}-field", Field).set_error(
                f"{spec.label.lower()} is required"
            )
            return
        if event.input.id != last and (self.step_by_step or not self._complete()):
            self.focus_next()
            return
        self.action_save()

    @on(FormSelect.Submitted)
    def _select_submitted(self) -> None:
        """Enter on a closed drop-down: like Enter in a text field that is filled in."""
        if self.step_by_step or not self._complete():
            self.focus_next()
            return
        self.action_save()

    def _complete(self) -> bool:
        """Every required field has text (Enter then saves rather than moving on)."""
        return all(
            self.query_one(f"#{f.key}", Input).value.strip()
            for f in self.fields
            if f.required and f.choices is None
        )

    def values(self) -> dict[str, Any] | None:
        """Parsed values, or None after showing each problem beside its field."""
        result: dict[str, Any] = {}
        ok = True
        for spec in self.fields:
            field = self.query_one(f"#{spec.key}-field", Field)
            if spec.choices is not None:
                result[spec.key] = self.query_one(f"#{spec.key}", Select).value
                continue
            text = self.query_one(f"#{spec.key}", Input).value.strip()
            if not text:
                if spec.required:
                    field.set_error(f"{spec.label.lower()} is required")
                    ok = False
                else:
                    field.set_error(None)
                result[spec.key] = None
                continue
            try:
                result[spec.key] = spec.parse(text) if spec.parse else text
            except ValueError as exc:
                field.set_error(str(exc))
                ok = False
            else:
                field.set_error(None)
        return result if ok else None

    def action_save(self) -> None:
        values = self.values()
        if values is None:
            for field in self.query(Field):
                if field.has_class("-invalid"):
                    field.control.focus()
                    break
            return
        try:
            outcome = self.save(values)
        except FieldError as exc:
            self._show_error(None)
            field = self.query_one(f"#{exc.key}-field", Field)
            field.set_error(str(exc))
            field.control.focus()
            self.call_after_refresh(field.scroll_visible, animate=False)
            return
        except (StoreError, ValueError) as exc:
            self._show_error(str(exc))
            return
        except sqlite3.Error as exc:
            self._show_error(str(describe(exc)))
            return
        self.dismiss(outcome)

    def _show_error(self, message: str | None) -> None:
        """The form's own error line, scrolled into view: a long form on a short terminal
        must never fail out of sight."""
        error = self.query_one("#form-error", Static)
        error.update(message or "")
        error.display = bool(message)
        if message:
            self.call_after_refresh(error.scroll_visible, animate=False)

    def action_cancel(self) -> None:
        typed = any(
            w.value.strip() and w.value != spec.value
            for spec in self.fields
            if spec.choices is None
            for w in [self.query_one(f"#{spec.key}", Input)]
        )
        if not typed:
            self.dismiss(None)
            return

        self.app.push_screen(
            ConfirmDialog("Discard what you typed?", yes="Discard", no="Keep editing"),
            lambda discard: self.dismiss(None) if discard else None,
        )
