"""Quick capture: ``l``, a digit, the note, Enter — a check-in in seconds.

Everything typed survives bad input: errors are shown beside their field and
the form stays open until the check-in is saved or the user chooses to discard it.
Saving goes through :mod:`tempcheck.services.capture`, the same path as ``tempcheck log``.

Keys that arrive in one burst (a fast typist, a paste, SSH, the browser mode) are
routed here as they arrive, in order: characters into the field that holds the
typing focus, Tab and Shift+Tab to the next and previous field, Enter to save.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select

from tempcheck.domain import clock, temperature
from tempcheck.domain.dates import DateParseError, format_short, parse_date
from tempcheck.domain.meetings import time_span
from tempcheck.domain.people import Contact
from tempcheck.domain.records import CHANNELS, CheckIn, Customer
from tempcheck.domain.settings import CHANNEL_KEY
from tempcheck.domain.text import clip, printable
from tempcheck.services.capture import Draft, capture, due_items
from tempcheck.services.undo import Undo
from tempcheck.store import StoreError, describe, settings
from tempcheck.store.contacts import list_contacts, primary_contact, resolve_contact
from tempcheck.store.issues import list_issues
from tempcheck.tui.literal import literal
from tempcheck.tui.screens.confirm import ConfirmDialog
from tempcheck.tui.widgets.field import Field, FormSelect
from tempcheck.tui.widgets.key_footer import KeyFooter

DIGITS = ("1", "2", "3", "4", "5")

if TYPE_CHECKING:
    from tempcheck.services.meetings import MeetingDefaults


@dataclass(frozen=True)
class SavedCheckIn:
    """What the form hands back: the stored check-in, any issue opened with it, the
    words for the notice (customer and item) and the undo."""

    checkin: CheckIn
    issue_id: int | None = None
    notice: str = ""
    undo: Undo | None = None


class TemperatureInput(Input):
    """The temperature field: once it holds a digit 1-5, what is typed next is the note.

    Focus moves to the note after the digit, but keys typed in the same burst (fast
    typists, pasted text, a browser session) arrive before that; they are handed to
    the note here, in order, so nothing lands in the wrong field.
    """

    async def _on_key(self, event: events.Key) -> None:
        if (
            event.is_printable
            and self.selection.is_empty
            and self.value in DIGITS
            and self.cursor_position == len(self.value)
        ):
            event.stop()
            event.prevent_default()
            note = self.screen.query_one("#note", Input)
            note.insert_text_at_cursor(event.character or "")
            note.focus()
            return
        await super()._on_key(event)


class CheckInForm(ModalScreen[SavedCheckIn | None]):
    """Log how ``customer`` felt. Saves on Enter; Esc asks before discarding."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+o", "toggle_issue", "Issue from answer"),
    ]

    def __init__(self, customer: Customer, *, meeting: MeetingDefaults | None = None) -> None:
        super().__init__()
        self.customer = customer
        self.meeting = meeting  # logging a meeting: its end, channel and contact
        self._early_keys: list[events.Key] | None = []
        self._default_with = ""  # the primary contact, filled in when the form opens
        self.sub_title = printable(customer.name, single_line=True)

    def compose(self) -> ComposeResult:
        conn = self.app.conn
        last_channel = settings.get(conn, CHANNEL_KEY) or "hallway"
        if last_channel not in CHANNELS:
            last_channel = "hallway"
        if self.meeting is not None:
            last_channel = self.meeting.channel
        issues = self._open_issues()

        due = due_items(conn, self.customer.id)
        name = printable(self.customer.name, single_line=True)
        with VerticalScroll(classes="dialog form checkin"):
            yield Label(
                f"Check-in · {printable(self.customer.name, single_line=True)}",
                classes="title",
                markup=False,
            )
            if self.meeting is not None:
                yield Label(meeting_line(self.meeting), id="meeting", markup=False)
            yield Field(
                "Temperature (1-5)",
                TemperatureInput(id="temp", max_length=12, placeholder="1-5", classes="short"),
                hint="1 frustrated · 2 uneasy · 3 neutral · 4 content · 5 delighted",
                id="temp-field",
            )
            yield Field("Note", Input(id="note", placeholder="What did they say?"), id="note-field")
            with Vertical(id="short-box"):
                yield Field(
                    "Where did we fall short?",
                    Input(id="short", placeholder="In their words"),
                    id="short-field",
                )
                yield Checkbox("Open an issue from this answer (ctrl+o)", id="open-issue")
            with Horizontal(classes="row"):
                yield Field(
                    "Channel",
                    FormSelect(
                        [(c, c) for c in CHANNELS],
                        value=last_channel,
                        allow_blank=False,
                        id="channel",
                    ),
                    id="channel-field",
                )
                yield Field(
                    "Who reached out",
                    FormSelect(
                        [("us", "us"), ("them", "them")], value="us", allow_blank=False, id="by"
                    ),
                    id="by-field",
                )
            yield self._with_field()
            with Horizontal(classes="row"):
                yield Field(
                    "Follow up on (optional)",
                    Input(id="follow-up", placeholder="fri, +3d, 2w", classes="short"),
                    hint="",
                    id="follow-up-field",
                )
                yield Field(
                    "What to follow up on",
                    Input(id="follow-up-note", placeholder="Ask how the rollout went"),
                    id="follow-up-note-field",
                )
            if issues:
                yield Field(
                    "Related issue (optional)",
                    FormSelect(
                        [(literal(title), iid) for iid, title in issues],
                        id="issue",
                    ),
                    id="issue-field",
                )
            if due.followups or due.promises:
                yield Label("Close the loop: what this check-in settles", classes="field-label")
                for followup in due.followups:
                    about = clip(printable(followup.note, single_line=True), 44) or "(no text)"
                    yield Checkbox(
                        Text(f"done: follow-up {about} (due {followup.due.isoformat()})"),
                        id=f"done-{followup.id}",
                        classes="loop",
                    )
                for promise in due.promises:
                    what = clip(printable(promise.text, single_line=True), 44)
                    yield Checkbox(
                        Text(f"kept: promise {what} (due {promise.due.isoformat()})"),
                        id=f"kept-{promise.id}",
                        classes="loop",
                    )
            yield Label(
                Text(f"For {name} · Enter saves · Tab next field · Esc cancels"),
                classes="hint",
                id="checkin-target",
            )
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.query_one("#short-box").display = False
        temp = self.query_one("#temp", TemperatureInput)
        self.set_focus(temp)
        # Keys typed before the form could take them ("l4" plus the note in one burst,
        # a paste, a browser session) go where they would have gone.
        early, self._early_keys = self._early_keys, None
        for event in early or ():
            fresh = events.Key(event.key, event.character)
            if not self.route_key(fresh):
                self.app.post_message(fresh)  # Enter: after the typing it follows

    async def on_key(self, event: events.Key) -> None:
        """Hold printable keys that arrive while no field has focus yet (see on_mount)."""
        if self._early_keys is not None and self.focused is None and event.is_printable:
            event.stop()
            event.prevent_default()
            self._early_keys.append(event)

    def _with_field(self) -> Field:
        """Who it was with: the primary contact by default, names completed as typed."""
        from textual.suggester import SuggestFromList

        conn = self.app.conn
        people = list_contacts(conn, self.customer.id, include_gone=False)
        primary = primary_contact(conn, self.customer.id)
        self._default_with = primary.name if primary else ""
        if self.meeting is not None and self.meeting.contact_name:
            self._default_with = self.meeting.contact_name  # who the meeting was with
        return Field(
            "With (optional)",
            Input(
                self._default_with,
                id="with",
                placeholder="who was it with?" if people else "nobody recorded yet",
                suggester=SuggestFromList([p.name for p in people], case_sensitive=False),
                max_length=200,
            ),
            hint=primary.role if primary else "",
            id="with-field",
        )

    @on(Input.Changed, "#with")
    def _with_typed(self, event: Input.Changed) -> None:
        field = self.query_one("#with-field", Field)
        text = event.value.strip()
        if not text:
            field.set_error(None)
            field.set_hint("")
            return
        person, problem = self._person(text)
        if person is not None:
            field.set_error(None)
            field.set_hint(person.label if person.name != text else person.role)
        else:
            field.set_hint("…" if problem and "several" in problem else "")

    def _person(self, text: str) -> tuple[Contact | None, str | None]:
        """The contact ``text`` names by the safe rule, or the reason there is none."""
        try:
            return (
                resolve_contact(
                    self.app.conn, self.customer.id, text, customer_name=self.customer.name
                ),
                None,
            )
        except StoreError as exc:
            return None, str(exc)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_issue":  # only while "where did we fall short?" is asked
            boxes = self.query("#short-box")
            return bool(boxes) and boxes.first().display
        return True

    def _show_short(self, low: bool) -> None:
        self.query_one("#short-box").display = low
        self.refresh_bindings()

    def route_key(self, event: events.Key) -> bool:
        """Handle a typed character, Tab or Shift+Tab now, in arrival order (the app calls
        this before queueing the key to a widget). False: let the key go its way (Enter in
        a field saves through the field's own submit, after what was typed into it)."""
        if event.key not in ("tab", "shift+tab", "enter") and not event.is_printable:
            return False
        if self._early_keys is not None:  # not composed yet: keep it for on_mount
            self._early_keys.append(event)
            return True
        focused = self.focused
        if isinstance(focused, Select) and focused.expanded:
            return False  # the open list takes its own keys
        if not isinstance(focused, Input | Select | Checkbox):
            return False
        if event.key == "enter":
            if not isinstance(focused, Checkbox):
                return False  # the field's own Enter, queued behind what was typed into it
            self.action_save()
        elif event.key in ("tab", "shift+tab"):
            self._step_focus(focused, -1 if event.key == "shift+tab" else 1)
        elif isinstance(focused, Input):
            self._type_into(focused, event.character or "")
        else:
            return False  # space toggles a box, letters pick in a list
        return True

    def _step_focus(self, current: Widget, step: int) -> None:
        """Focus the next (or previous) field in the form's order. Screen.focus_next sorts
        by position on screen, which a field shown a moment ago does not have yet."""
        fields = [
            widget
            for widget in self.query("Input, Select, Checkbox").results(Widget)
            if not widget.disabled and self._shown(widget)
        ]
        if current in fields:
            self.set_focus(fields[(fields.index(current) + step) % len(fields)])

    def _shown(self, widget: Widget) -> bool:
        node: object = widget
        while isinstance(node, Widget) and node is not self:
            if not node.display:
                return False
            node = node.parent
        return True

    def _type_into(self, field: Input, character: str) -> None:
        """Type ``character`` into ``field``; after a digit temperature, into the note."""
        if (
            field.id == "temp"
            and field.selection.is_empty
            and field.value in DIGITS
            and field.cursor_position == len(field.value)
        ):
            field = self.query_one("#note", Input)
            self.set_focus(field)
        if field.selection.is_empty:
            field.insert_text_at_cursor(character)
        else:
            field.replace(character, *field.selection)
        if field.id == "temp" and field.value in DIGITS:
            # Decide now, not when the change message arrives: the next key of a burst
            # (Tab, say) must find the fields as they will be.
            self._show_short(temperature.is_low(int(field.value)))
            self.set_focus(self.query_one("#note", Input))

    def _open_issues(self) -> list[tuple[int, str]]:
        return [
            (i.id, f"#{i.id} {i.title}")
            for i in list_issues(self.app.conn, customer_id=self.customer.id)
        ]

    # --- live feedback -----------------------------------------------------------------------

    @on(Input.Changed, "#temp")
    def _temperature_typed(self, event: Input.Changed) -> None:
        field = self.query_one("#temp-field", Field)
        text = event.value.strip()
        if not text:
            field.set_error(None)
            self._show_short(False)
            return
        try:
            value = temperature.parse_temperature(text)
        except ValueError:
            if not text.isdigit() and len(text) < 3:
                return  # maybe a word being typed
            field.set_error("type 1-5 (or a word such as content)")
            return
        field.set_error(None)
        field.set_hint(temperature.label(value))
        self._show_short(temperature.is_low(value))
        if text.isdigit() and self.focused is event.input:
            self.set_focus(self.query_one("#note", Input))

    @on(Input.Changed, "#follow-up")
    def _follow_up_typed(self, event: Input.Changed) -> None:
        field = self.query_one("#follow-up-field", Field)
        text = event.value.strip()
        if not text:
            field.set_hint("")
            field.set_error(None)
            return

        try:
            day = parse_date(text)
        except DateParseError:
            field.set_hint("…")
            return
        field.set_error(None)
        field.set_hint(format_short(day) + (" (in the past)" if day < clock.today() else ""))

    # --- saving ------------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(FormSelect.Submitted)
    def _select_submitted(self) -> None:
        self.action_save()

    def action_toggle_issue(self) -> None:
        if self.query_one("#short-box").display:
            box = self.query_one("#open-issue", Checkbox)
            box.value = not box.value

    def _validate(self) -> dict | None:
        """Read every field; show each problem beside its field. None when anything is wrong."""
        ok = True
        temp_field = self.query_one("#temp-field", Field)
        raw = self.query_one("#temp", Input).value.strip()
        value = None
        try:
            value = temperature.parse_temperature(raw) if raw else None
            if value is None:
                temp_field.set_error("a temperature is required: 1-5")
                ok = False
            else:
                temp_field.set_error(None)
        except ValueError:
            temp_field.set_error(f"{raw!r} is not a temperature: type 1-5")
            ok = False
        follow_field = self.query_one("#follow-up-field", Field)
        follow_text = self.query_one("#follow-up", Input).value.strip()
        follow_up = None
        if follow_text:
            try:
                follow_up = parse_date(follow_text)
            except DateParseError as exc:
                follow_field.set_error(str(exc))
                ok = False
            else:
                try:
                    clock.not_past(follow_up, "the follow-up date")
                except ValueError as exc:
                    follow_field.set_error(str(exc))
                    ok = False
                else:
                    follow_field.set_error(None)
        with_field = self.query_one("#with-field", Field)
        with_text = self.query_one("#with", Input).value.strip()
        contact_id = None
        if with_text:
            person, problem = self._person(with_text)
            if person is None:
                with_field.set_error(problem)
                ok = False
            else:
                with_field.set_error(None)
                contact_id = person.id
        if not ok:
            return None
        low = temperature.is_low(value)
        issue_select = self.query("#issue")
        return {
            "temperature": value,
            "note": self.query_one("#note", Input).value.strip(),
            "fell_short": self.query_one("#short", Input).value.strip() if low else "",
            "open_issue": low and self.query_one("#open-issue", Checkbox).value,
            "channel": self.query_one("#channel", Select).value,
            "initiated_by": self.query_one("#by", Select).value,
            "follow_up": follow_up,
            "follow_up_note": self.query_one("#follow-up-note", Input).value.strip(),
            "contact_id": contact_id,
            "issue_id": None
            if not issue_select or issue_select.first(Select).is_blank()
            else issue_select.first(Select).value,
            "done": self._ticked("done-"),
            "kept": self._ticked("kept-"),
        }

    def _ticked(self, prefix: str) -> tuple[int, ...]:
        return tuple(
            int(box.id.removeprefix(prefix))
            for box in self.query(".loop").results(Checkbox)
            if box.id and box.id.startswith(prefix) and box.value
        )

    def action_save(self) -> None:
        values = self._validate()
        if values is None:
            self._focus_first_error()
            return
        if values["open_issue"] and not values["fell_short"]:
            self.query_one("#short-field", Field).set_error(
                "say what fell short to open an issue from it"
            )
            self.query_one("#short", Input).focus()
            return
        if values["follow_up_note"] and values["follow_up"] is None:
            field = self.query_one("#follow-up-field", Field)
            field.set_error("a date to follow up on, please")
            field.control.focus()
            return

        try:
            draft = Draft(
                customer_id=self.customer.id,
                at=self.meeting.at if self.meeting else None,
                **values,
            )
            captured = capture(self.app.conn, draft)
        except (StoreError, OSError) as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False)
            return
        except sqlite3.Error as exc:  # locked, read-only, disk full
            self.notify(str(describe(exc)), title="Not saved", severity="error", markup=False)
            return
        self.dismiss(
            SavedCheckIn(captured.checkin, captured.issue_id, _notice(captured), captured.undo)
        )

    def _focus_first_error(self) -> None:
        for field in self.query(Field):
            if field.has_class("-invalid"):
                field.control.focus()
                return

    # --- cancelling --------------------------------------------------------------------------

    def _anything_typed(self) -> bool:
        return any(
            widget.value.strip()
            for widget in self.query(Input)
            if not (widget.id == "with" and widget.value == self._default_with)
        )

    def action_cancel(self) -> None:
        if not self._anything_typed():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog(
                "Discard this check-in? What you typed will be lost.",
                yes="Discard",
                no="Keep editing",
            ),
            answered,
        )


def _notice(captured) -> str:  # noqa: ANN001 - a capture.Captured
    """Logged Acme Corp: 4 content, issue 7 opened, follow-up 3 done, promise 2 kept."""
    name = printable(captured.customer_name, single_line=True)
    parts = [f"Logged {name}: {temperature.label(captured.checkin.temperature)}"]
    if captured.issue_id:
        parts.append(f"issue {captured.issue_id} opened")
    parts += [f"follow-up {f.id} done" for f in captured.done]
    parts += [f"promise {p.id} kept" for p in captured.kept]
    return ", ".join(parts) + "."


def meeting_line(meeting: MeetingDefaults) -> str:
    """``Meeting: Quarterly review · Tue 3 Nov 14:00–15:00 (logged at its end)``."""
    m = meeting.meeting
    parts = [f"Meeting: {printable(m.title, single_line=True) or '(no title)'}"]
    parts.append(f"{time_span(m.starts_at, m.ends_at)} (logged at its end)")
    return " · ".join(parts)
