"""Meetings that match no customer (or several): say whose each one was, or that there is
nothing to log. Opened from the dashboard with the customer to assign to named on top."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tempcheck.domain.meetings import Meeting, time_span
from tempcheck.domain.records import Customer
from tempcheck.domain.text import clip, printable
from tempcheck.store import StoreError
from tempcheck.store.calendar import assign, dismiss


class MeetingAssignDialog(ModalScreen[int]):
    """Enter gives the highlighted meeting to ``customer``; ``x`` dismisses it for good.
    Returns how many meetings were assigned."""

    DEFAULT_CSS = """
    MeetingAssignDialog OptionList { height: auto; max-height: 12; margin: 1 0; }
    """
    BINDINGS = [
        Binding("enter", "assign", "Assign", priority=True),
        Binding("x", "dismiss_meeting", "Nothing to log"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, customer: Customer, meetings: list[Meeting]) -> None:
        super().__init__()
        self.customer = customer
        self.meetings = meetings
        self.assigned = 0

    def compose(self) -> ComposeResult:
        name = printable(self.customer.name, single_line=True)
        with Vertical(classes="dialog form"):
            yield Label(f"Meetings waiting for a customer → {name}", classes="title", markup=False)
            yield OptionList(*[self._option(m) for m in self.meetings], id="meetings")
            yield Label(
                f"Enter: it was with {name} · x: nothing to log · Esc: close",
                classes="hint",
                markup=False,
            )

    @staticmethod
    def _option(meeting: Meeting) -> Option:
        why = "several customers" if meeting.state == "ambiguous" else "no customer"
        title = printable(meeting.title, single_line=True) or "(no title)"
        text = Text(f"{time_span(meeting.starts_at, meeting.ends_at)}  {clip(title, 44)}  ({why})")
        return Option(text, id=str(meeting.id))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def _current(self) -> Meeting | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.meetings:
            return None
        return self.meetings[options.highlighted]

    def _remove(self, meeting: Meeting) -> None:
        options = self.query_one(OptionList)
        index = self.meetings.index(meeting)
        self.meetings.pop(index)
        options.remove_option_at_index(index)
        if not self.meetings:
            self.dismiss(self.assigned)

    def action_assign(self) -> None:
        if (meeting := self._current()) is None:
            return

        try:
            assign(self.app.conn, meeting.id, self.customer.id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.assigned += 1
        self.notify(
            f"{printable(meeting.title, single_line=True)!r} was with "
            f"{printable(self.customer.name, single_line=True)}.",
            markup=False,
        )
        self._remove(meeting)

    def action_dismiss_meeting(self) -> None:
        if (meeting := self._current()) is None:
            return

        dismiss(self.app.conn, meeting.id)
        self._remove(meeting)

    def action_close(self) -> None:
        self.dismiss(self.assigned)
