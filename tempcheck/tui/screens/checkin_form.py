"""Quick capture: ``l``, a digit, the note, Enter — a check-in in seconds.

Everything typed survives bad input: errors are shown beside their field and
the form stays open until the check-in is saved or the user chooses to discard it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select

from tempcheck.domain import clock, temperature
from tempcheck.domain.records import CHANNELS, CheckIn, Customer
from tempcheck.domain.settings import CHANNEL_KEY
from tempcheck.domain.text import printable
from tempcheck.tui.widgets.field import Field


@dataclass(frozen=True)
class SavedCheckIn:
    """What the form hands back: the stored check-in and any issue opened with it."""

    checkin: CheckIn
    issue_id: int | None = None


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
            and self.value in ("1", "2", "3", "4", "5")
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
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+o", "toggle_issue", "Open issue from answer", show=False),
    ]

    def __init__(self, customer: Customer) -> None:
        super().__init__()
        self.customer = customer
        self._early_keys: list[events.Key] | None = []
        self._default_with = ""  # the primary contact, filled in when the form opens

    def compose(self) -> ComposeResult:
        from tempcheck.store import settings

        conn = self.app.conn
        last_channel = settings.get(conn, CHANNEL_KEY) or "hallway"
        if last_channel not in CHANNELS:
            last_channel = "hallway"
        issues = self._open_issues()
        with VerticalScroll(classes="dialog form checkin"):
            yield Label(
                f"Check-in · {printable(self.customer.name, single_line=True)}",
                classes="title",
                markup=False,
            )
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
            yield self._with_field()
            with Horizontal(classes="row"):
                yield Field(
                    "Channel",
                    Select(
                        [(c, c) for c in CHANNELS],
                        value=last_channel,
                        allow_blank=False,
                        id="channel",
                    ),
                    id="channel-field",
                )
                yield Field(
                    "Who reached out",
                    Select(
                        [("us", "us"), ("them", "them")], value="us", allow_blank=False, id="by"
                    ),
                    id="by-field",
                )
            yield Field(
                "Follow up on (optional)",
                Input(id="follow-up", placeholder="fri, +3d, 2w, 2026-12-01", classes="short"),
                hint="",
                id="follow-up-field",
            )
            if issues:
                yield Field(
                    "Related issue (optional)",
                    Select(
                        [(printable(title, single_line=True), iid) for iid, title in issues],
                        id="issue",
                    ),
                    id="issue-field",
                )
            yield Label("Enter saves · Tab next field · Esc cancels", classes="hint")

    async def on_mount(self) -> None:
        self.query_one("#short-box").display = False
        temp = self.query_one("#temp", TemperatureInput)
        self.set_focus(temp)
        # Keys typed before the form could take them ("l4" plus the note in one burst,
        # a paste, a browser session) go where they would have gone: digit, then note.
        early, self._early_keys = self._early_keys, None
        for event in early or ():
            await temp._on_key(event)

    async def on_key(self, event: events.Key) -> None:
        """Hold printable keys that arrive while no field has focus yet (see on_mount)."""
        if self._early_keys is not None and self.focused is None and event.is_printable:
            event.stop()
            event.prevent_default()
            self._early_keys.append(event)

    def _with_field(self) -> Field:
        """Who it was with: the primary contact by default, names completed as typed."""
        from textual.suggester import SuggestFromList

        from tempcheck.store.contacts import list_contacts, primary_contact

        conn = self.app.conn
        people = list_contacts(conn, self.customer.id, include_gone=False)
        primary = primary_contact(conn, self.customer.id)
        self._default_with = primary.name if primary else ""
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

    def _person(self, text: str):  # noqa: ANN202 - (Contact | None, problem | None)
        """The contact ``text`` names by the safe rule, or the reason there is none."""
        from tempcheck.store import StoreError
        from tempcheck.store.contacts import resolve_contact

        try:
            return (
                resolve_contact(
                    self.app.conn, self.customer.id, text, customer_name=self.customer.name
                ),
                None,
            )
        except StoreError as exc:
            return None, str(exc)

    def _open_issues(self) -> list[tuple[int, str]]:
        try:
            from tempcheck.store.issues import list_issues
        except ImportError:
            return []
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
            self.query_one("#short-box").display = False
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
        self.query_one("#short-box").display = temperature.is_low(value)
        if text.isdigit():
            self.query_one("#note", Input).focus()

    @on(Input.Changed, "#follow-up")
    def _follow_up_typed(self, event: Input.Changed) -> None:
        field = self.query_one("#follow-up-field", Field)
        text = event.value.strip()
        if not text:
            field.set_hint("")
            field.set_error(None)
            return
        from tempcheck.domain.dates import DateParseError, format_short, parse_date

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

    def action_toggle_issue(self) -> None:
        if self.query_one("#short-box").display:
            box = self.query_one("#open-issue", Checkbox)
            box.value = not box.value

    def _validate(self) -> dict | None:
        """Read every field; show each problem beside its field. None when anything is wrong."""
        from tempcheck.domain.dates import DateParseError, parse_date

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
                if follow_up < clock.today():
                    follow_field.set_error("the follow-up date is in the past")
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
            "contact_id": contact_id,
            "issue_id": None
            if not issue_select or issue_select.first(Select).is_blank()
            else issue_select.first(Select).value,
        }

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
        from tempcheck.store import StoreError, settings, write
        from tempcheck.store.checkins import add_checkin

        conn = self.app.conn
        issue_id = None
        try:
            with write(conn):
                saved = add_checkin(
                    conn,
                    self.customer.id,
                    values["temperature"],
                    note=values["note"],
                    channel=values["channel"],
                    initiated_by=values["initiated_by"],
                    fell_short=values["fell_short"],
                    follow_up=values["follow_up"],
                    issue_id=values["issue_id"],
                    contact_id=values["contact_id"],
                )
                settings.put(conn, CHANNEL_KEY, values["channel"])
                if values["open_issue"]:
                    from tempcheck.store.issues import open_issue

                    issue_id = open_issue(
                        conn,
                        self.customer.id,
                        values["fell_short"],
                        raised_by="customer" if values["initiated_by"] == "them" else "us",
                        from_checkin_id=saved.id,
                    ).id
        except (StoreError, OSError) as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False)
            return
        except sqlite3.Error as exc:  # locked, read-only, disk full
            from tempcheck.store import describe

            self.notify(str(describe(exc)), title="Not saved", severity="error", markup=False)
            return
        self.dismiss(SavedCheckIn(saved, issue_id))

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
        from tempcheck.tui.screens.confirm import ConfirmDialog

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
