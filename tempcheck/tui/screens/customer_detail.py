"""One customer in full: profile, flags, open issues, promises, follow-ups, concerns,
the trust bank's entries, and the timeline of everything, newest first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Static

from tempcheck.domain import clock, temperature
from tempcheck.domain.dates import stamp
from tempcheck.domain.text import clip, printable
from tempcheck.services import portfolio, settle
from tempcheck.store import StoreError, concerns, followups, issues, promises, trustbank
from tempcheck.store.accounts import tags_of
from tempcheck.store.concerns import get_concern
from tempcheck.store.contacts import get_contact, mark_gone, people
from tempcheck.store.customers import get_customer, set_status
from tempcheck.store.dashboard import customer_row
from tempcheck.store.followups import get_followup
from tempcheck.store.issues import get_issue
from tempcheck.store.promises import get_promise
from tempcheck.store.timeline import timeline
from tempcheck.tui.screens.checkin_form import CheckInForm, SavedCheckIn
from tempcheck.tui.screens.confirm import ConfirmDialog
from tempcheck.tui.screens.customer_form import CustomerForm
from tempcheck.tui.screens.forms import (
    break_promise_form,
    close_issue_form,
    concern_form,
    contact_form,
    end_form,
    issue_form,
    pause_form,
    promise_form,
    snooze_form,
)
from tempcheck.tui.screens.notices import announce
from tempcheck.tui.widgets.fit_line import PhraseLines
from tempcheck.tui.widgets.key_footer import KeyFooter
from tempcheck.tui.widgets.relationship_charts import ContactChart, TemperatureChart

TIMELINE_PAGE = 200


def _t(text: object) -> Text:
    """A table cell that is never parsed as markup, with control characters neutralised."""
    return Text(printable(str(text), single_line=True))


def _name(name: str) -> str:
    return printable(name, single_line=True)


def _quote(text: str) -> str:
    return f'"{clip(printable(text, single_line=True), 60)}"'


def _when(moment: datetime | None) -> str:
    return stamp(moment) if moment else "—"


class CustomerDetailScreen(Screen[None]):
    """Everything about one customer, with every action a key away."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="tempcheck.back"),
        Binding("l", "log", "Log", tooltip="Log a check-in", id="tempcheck.detail.log"),
        Binding("i", "open_issue", "Issue", tooltip="Open an issue", id="tempcheck.detail.issue"),
        Binding(
            "c",
            "close_issue",
            "Close",
            tooltip="Close the highlighted issue",
            id="tempcheck.detail.close",
        ),
        Binding("p", "promise", "Promise", tooltip="Make a promise", id="tempcheck.detail.promise"),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
        Binding("g", "jump(0)", "First", show=False),
        Binding("G", "jump(-1)", "Last", show=False),
        Binding(
            "K",
            "keep_promise",
            "Kept",
            tooltip="Mark the highlighted promise kept",
            id="tempcheck.detail.keep",
        ),
        Binding(
            "b",
            "break_promise",
            "Broken",
            tooltip="Mark the highlighted promise broken",
            id="tempcheck.detail.break",
        ),
        Binding(
            "d",
            "followup_done",
            "Done",
            tooltip="Mark the highlighted follow-up done",
            id="tempcheck.detail.done",
        ),
        Binding(
            "z",
            "snooze",
            "Snooze",
            tooltip="Snooze the highlighted follow-up",
            id="tempcheck.detail.snooze",
        ),
        Binding(
            "n",
            "add_concern",
            "Concern",
            tooltip="Add a concern or priority",
            id="tempcheck.detail.concern",
        ),
        Binding(
            "f",
            "confirm_concern",
            "Confirmed",
            tooltip="The highlighted concern is confirmed with the customer",
            id="tempcheck.detail.confirm",
        ),
        Binding(
            "x",
            "drop_concern",
            "Drop concern",
            tooltip="Drop the highlighted concern",
            show=False,
            id="tempcheck.detail.drop",
        ),
        Binding(
            "E",
            "edit",
            "Edit",
            tooltip="Edit name, cadence, engagement, contact",
            id="tempcheck.detail.edit",
        ),
        Binding(
            "P",
            "pause",
            "Pause",
            tooltip="Pause this customer",
            show=False,
            id="tempcheck.detail.pause",
        ),
        Binding(
            "X",
            "end",
            "End",
            tooltip="End the relationship with a closing note",
            show=False,
            id="tempcheck.detail.end",
        ),
        Binding("R", "reactivate", "Reactivate", show=False, id="tempcheck.detail.reactivate"),
        Binding("a", "add_person", "Person", tooltip="Add a person", id="tempcheck.detail.person"),
        Binding(
            "L",
            "person_gone",
            "Person gone",
            tooltip="Mark the highlighted person as gone (kept in the history)",
            show=False,
            id="tempcheck.detail.gone",
        ),
        Binding("m", "more", "More history", show=False, id="tempcheck.detail.more"),
    ]

    def __init__(self, customer_id: int, *, show: tuple[str, int] | None = None) -> None:
        """``show``: (kind, id) of a search hit to put the cursor on once loaded."""
        super().__init__()
        self.customer_id = customer_id
        self._timeline_oldest: datetime | None = None
        self._show_item = show

    def compose(self) -> ComposeResult:
        yield Header()
        yield PhraseLines(id="detail-header")
        yield PhraseLines(id="detail-flags")
        with VerticalScroll(id="detail-body"):
            with Horizontal(id="charts"):
                yield TemperatureChart(id="temperature-chart")
                yield ContactChart(id="contact-chart")
            for key, title, columns in (
                (
                    "people",
                    "People (a add · L left, marked gone)",
                    ["Name", "Role", "Email", "Phone", "Last check-in", "Temperature"],
                ),
                (
                    "issues",
                    "Open issues (i open · c close)",
                    ["#", "Title", "Due", "Raised by", "Flags", "Opened"],
                ),
                (
                    "promises",
                    "Promises (p make · K kept · b broken)",
                    ["#", "Promise", "Due", "State", "Note"],
                ),
                ("followups", "Follow-ups (d done · z snooze)", ["#", "Due", "Note", "From"]),
                (
                    "concerns",
                    "Concerns and priorities (n add · f confirmed · x drop)",
                    ["#", "Kind", "Text", "State", "Confirmed"],
                ),
                ("trust", "Trust bank", ["When", "±", "What", "About"]),
                ("timeline", "Timeline (m more)", ["When", "What", "Temp", "Text", "Detail"]),
            ):
                yield Label(title, classes="section-title", id=f"{key}-title")
                table: DataTable = DataTable(
                    id=key, cursor_type="row", zebra_stripes=True, classes="section"
                )
                table.add_columns(*columns)
                yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#issues", DataTable).focus(scroll_visible=False)
        self.call_after_refresh(self._show_section, "issues")
        if self._show_item is not None:
            self.call_after_refresh(self._reveal, *self._show_item)

    def _reveal(self, kind: str, ref_id: int) -> None:
        """Put the cursor on a search hit's row, scrolled into view and focused."""
        section = {
            "issue": "issues",
            "promise": "promises",
            "concern": "concerns",
            "priority": "concerns",
            "contact": "people",
        }.get(kind)
        if kind in ("check-in", "resolution"):
            wanted = {"check-in": "checkin", "resolution": "issue closed"}[kind]
            table = self.query_one("#timeline", DataTable)
            for index, ref in enumerate(self._timeline_refs):
                if ref == (wanted, ref_id):
                    table.move_cursor(row=index)
                    table.focus()
                    table.scroll_visible()
                    return
            if kind == "resolution":
                section = "issues"
        if section is None:
            return
        table = self.query_one(f"#{section}", DataTable)
        try:
            index = table.get_row_index(str(ref_id))
        except Exception:  # not on this screen (say, a closed issue): stay at the top
            return
        table.move_cursor(row=index)
        table.focus()
        table.scroll_visible()

    def _show_section(self, key: str) -> None:
        """Bring a section's title, header and first rows into view (on a short terminal
        the charts above would push them out of sight)."""
        body = self.query_one("#detail-body", VerticalScroll)
        table = self.query_one(f"#{key}", DataTable)
        if table.region.y + min(table.region.height, 3) > body.region.bottom:
            body.scroll_to_widget(self.query_one(f"#{key}-title"), top=True, animate=False)

    # --- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        conn = self.app.conn
        self.customer = customer = get_customer(conn, self.customer_id)
        row = customer_row(conn, customer.id)
        record = promises.promise_record(conn, customer.id)
        balance = trustbank.trust_balance(conn, customer.id)
        recalibrate, confirmed = concerns.calibration(conn, customer.id)
        last = row.last_contact if row else None
        temp = temperature.label(row.last_temperature) if row else "—"
        self.sub_title = printable(customer.name, single_line=True)
        lines = [
            f"{printable(customer.name, single_line=True)}   "
            f"contact: {printable(customer.contact, single_line=True) or '—'}   "
            f"{customer.kind}, every {customer.cadence_days} days   status: {customer.status}"
            + (f" until {customer.paused_until}" if customer.paused_until else ""),
            f"State: {row.staleness.label if row else '—'}   last contact: {_when(last)}"
            f" ({clock.ago(last)})   temperature: {temp}"
            f"   trust balance: {balance:+d}",
            f"Promises: {record.summary}   priorities last confirmed: {_when(confirmed)}",
        ]

        tags = " ".join(f"#{t}" for t in tags_of(conn, customer.id))
        renewal = (
            f"{customer.renewal_on} ({clock.until(customer.renewal_on)})"
            if customer.renewal_on
            else "—"
        )
        lines.append(
            f"Owner: {printable(customer.owner, single_line=True) or '—'}   renewal: {renewal}"
            f"   tags: {printable(tags, single_line=True) or '—'}"
        )
        if customer.notes:
            lines.append(f"Notes: {clip(printable(customer.notes, single_line=True), 200)}")
        self.query_one("#detail-header", Static).update("\n".join(lines))

        open_issues = issues.list_issues(conn, customer_id=customer.id)
        flags = []
        at_risk = [i for i in open_issues if i.at_risk]
        call_first = [i for i in open_issues if i.call_first]
        if at_risk:
            flags.append(f"⚠ {len(at_risk)} issue{'' if len(at_risk) == 1 else 's'} at risk")
        if call_first:
            flags.append("☎ call them first: no contact from us since the issue was opened")
        if recalibrate:
            flags.append("⟳ priorities may have shifted: confirm them with the customer")
        if customer.status != "active":
            flags.append(f"this customer is {customer.status}: R reactivates")
        flag_box = self.query_one("#detail-flags", Static)
        flag_box.update("   ".join(flags))
        flag_box.display = bool(flags)

        self._fill(
            "people",
            people(conn, customer.id),
            lambda p: (
                p.contact.id,
                p.contact.name
                + (" ★" if p.contact.is_primary else "")
                + (f" (gone {clock.local(p.contact.gone_at).date()})" if p.contact.gone else ""),
                p.contact.role or "—",
                p.contact.email or "—",
                p.contact.phone or "—",
                f"{_when(p.last_at)} ({clock.ago(p.last_at)})" if p.last_at else "never",
                temperature.label(p.last_temperature),
            ),
        )
        self._fill(
            "issues",
            open_issues,
            lambda i: (
                i.id,
                i.id,
                i.title,
                i.due or "—",
                i.raised_by,
                ", ".join(i.flags) or "—",
                clock.ago(i.opened_at),
            ),
        )
        self._fill(
            "promises",
            promises.list_promises(conn, customer_id=customer.id, include_settled=True),
            lambda p: (p.id, p.id, p.text, p.due, p.state, p.note or "—"),
        )
        self._fill(
            "followups",
            followups.open_followups(conn, customer_id=customer.id),
            lambda f: (
                f.id,
                f.id,
                f"{f.due} ({clock.until(f.due)})",
                f.note or "—",
                "issue" if f.issue_id else "check-in" if f.checkin_id else "—",
            ),
        )
        self._fill(
            "concerns",
            concerns.list_concerns(conn, customer_id=customer.id),
            lambda c: (c.id, c.id, c.kind, c.text, c.state, _when(c.confirmed_at)),
        )
        entries = trustbank.trust_entries(conn, customer.id)
        self._fill(
            "trust",
            list(enumerate(entries[:500])),
            lambda pair: (
                pair[0],
                pair[1].on,
                f"{pair[1].amount:+d}",
                pair[1].description,
                clip(pair[1].what, 60) or "—",
            ),
        )
        self.query_one("#trust-title", Label).update(
            f"Trust bank: balance {balance:+d} from {len(entries)} entries"
            + (
                " (the newest 500 shown; tempcheck show lists them all)"
                if len(entries) > 500
                else ""
            )
        )
        self._load_timeline(reset=True)
        self._draw_charts()

    def _draw_charts(self) -> None:

        conn = self.app.conn
        since = clock.today() - timedelta(days=182)
        self.query_one(TemperatureChart).show(
            portfolio.temperature_series(conn, self.customer_id, since=since),
            portfolio.chart_marks(conn, self.customer_id, since=since),
        )
        self.query_one(ContactChart).show(
            portfolio.weekly_contacts(conn, self.customer_id, weeks=26),
            portfolio.cadence_per_week(self.customer.cadence_days),
        )

    def _fill(self, key: str, items: list, cells: Callable[[object], tuple]) -> None:
        table = self.query_one(f"#{key}", DataTable)
        cursor = table.cursor_row
        table.clear()
        for item in items:
            row_key, *values = cells(item)
            table.add_row(*(_t(v) for v in values), key=str(row_key))
        if not items:
            table.add_row(
                *(_t("—") if i == 0 else _t("") for i in range(len(table.columns))), key="none"
            )
        if items:
            table.move_cursor(row=min(cursor, len(items) - 1))

    def _load_timeline(self, *, reset: bool) -> None:
        table = self.query_one("#timeline", DataTable)
        if reset:
            table.clear()
            self._timeline_oldest = None
            self._timeline_refs: list[tuple[str, int | None]] = []
        items = timeline(
            self.app.conn, self.customer_id, limit=TIMELINE_PAGE, before=self._timeline_oldest
        )
        for index, item in enumerate(items):
            table.add_row(
                _t(_when(item.at)),
                _t(item.kind),
                _t(temperature.label(item.temperature) if item.temperature else ""),
                _t(clip(printable(item.text, single_line=True), 70)),
                _t(clip(printable(item.detail, single_line=True), 50)),
                key=f"{item.at.isoformat()}-{item.kind}-{item.ref_id}-{index}-{table.row_count}",
            )
            self._timeline_refs.append((item.kind, item.ref_id))
        if items:
            self._timeline_oldest = items[-1].at
        title = self.query_one("#timeline-title", Label)
        more = " · m loads more" if len(items) == TIMELINE_PAGE else ""
        title.update(f"Timeline, newest first ({table.row_count} shown{more})")

    # --- helpers -----------------------------------------------------------------------------

    def _selected(self, key: str, what: str) -> int | None:
        """The id under the cursor in section ``key``, or a hint when there is none."""
        table = self.query_one(f"#{key}", DataTable)
        if table.row_count == 0 or not table.is_valid_row_index(table.cursor_row):
            self.notify(f"No {what} to act on.", severity="warning")
            return None
        row_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        if row_key == "none":
            self.notify(f"No {what} to act on.", severity="warning")
            return None
        return int(row_key)

    def _run(self, action: Callable[[], object], done: str) -> None:
        try:
            action()
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.reload()
        self.app.wrote(done)

    def _settle(self, question: str, yes: str, settle: Callable[[], object]) -> None:
        """Ask first (Enter cancels), then settle through the service; notice and undo."""

        def answered(go: bool | None) -> None:
            if not go:
                return

            try:
                settled = settle()
            except StoreError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.reload()
            self.app.wrote(settled.notice, settled.undo)  # type: ignore[attr-defined]

        self.app.push_screen(
            ConfirmDialog(question, yes=yes, no="Cancel", default_yes=False), answered
        )

    def _form(self, dialog) -> None:  # noqa: ANN001 - a FormDialog

        def done(result: object) -> None:
            if result is not None:
                self.reload()
                announce(self.app, result)

        self.app.push_screen(dialog, done)

    # --- moving: j/k/g/G move in the focused list, never write ---------------------------

    def _focused_table(self) -> DataTable | None:
        return self.focused if isinstance(self.focused, DataTable) else None

    def action_move(self, delta: int) -> None:
        if (table := self._focused_table()) is not None:
            table.action_cursor_down() if delta > 0 else table.action_cursor_up()

    def action_jump(self, where: int) -> None:
        if (table := self._focused_table()) is not None and table.row_count:
            table.move_cursor(row=0 if where == 0 else table.row_count - 1)

    # --- actions -----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_log(self) -> None:
        def saved(result: SavedCheckIn | None) -> None:
            if result is not None:
                self.reload()
                self.app.wrote(result.notice, result.undo, title="Check-in saved")

        self.app.push_screen(CheckInForm(self.customer), saved)

    def action_open_issue(self) -> None:
        self._form(issue_form(self.app.conn, self.customer))

    def action_close_issue(self) -> None:
        if (issue_id := self._selected("issues", "open issue")) is not None:
            issue = get_issue(self.app.conn, issue_id)
            self._form(close_issue_form(self.app.conn, issue_id, issue.title, issue.due))

    def action_promise(self) -> None:
        self._form(promise_form(self.app.conn, self.customer))

    def action_keep_promise(self) -> None:
        if (promise_id := self._selected("promises", "promise")) is None:
            return
        promise = get_promise(self.app.conn, promise_id)
        if not promise.is_open:
            self.notify(f"That promise is already {promise.state}.", severity="warning")
            return
        self._settle(
            f"{_name(self.customer.name)}: mark promise #{promise.id} kept?\n"
            f"{_quote(promise.text)}, due {promise.due.isoformat()}",
            "Kept",
            lambda: settle.keep_promise(self.app.conn, promise_id),
        )

    def action_break_promise(self) -> None:
        if (promise_id := self._selected("promises", "promise")) is not None:
            promise = get_promise(self.app.conn, promise_id)
            if not promise.is_open:
                self.notify(f"That promise is already {promise.state}.", severity="warning")
                return
            self._form(break_promise_form(self.app.conn, promise_id, promise.text, promise.due))

    def action_followup_done(self) -> None:
        if (followup_id := self._selected("followups", "follow-up")) is None:
            return
        followup = get_followup(self.app.conn, followup_id)
        about = _quote(followup.note) if followup.note else "(no text)"
        self._settle(
            f"{_name(self.customer.name)}: mark follow-up #{followup.id} done?\n"
            f"{about}, due {followup.due.isoformat()}",
            "Done",
            lambda: settle.followup_done(self.app.conn, followup_id),
        )

    def action_snooze(self) -> None:
        if (followup_id := self._selected("followups", "follow-up")) is not None:
            self._form(snooze_form(self.app.conn, followup_id))

    def action_add_concern(self) -> None:
        self._form(concern_form(self.app.conn, self.customer))

    def action_confirm_concern(self) -> None:
        if (concern_id := self._selected("concerns", "concern")) is None:
            return
        concern = get_concern(self.app.conn, concern_id)
        self._settle(
            f"{_name(self.customer.name)}: confirmed with them today?\n"
            f"{concern.kind} #{concern.id} {_quote(concern.text)}",
            "Confirmed",
            lambda: settle.confirm_concern(self.app.conn, concern_id),
        )

    def action_drop_concern(self) -> None:
        if (concern_id := self._selected("concerns", "concern")) is None:
            return
        concern = get_concern(self.app.conn, concern_id)
        self._settle(
            f"{_name(self.customer.name)}: drop {concern.kind} #{concern.id}? It no longer"
            f" matters to them.\n{_quote(concern.text)}",
            "Drop",
            lambda: settle.drop_concern(self.app.conn, concern_id),
        )

    def action_edit(self) -> None:
        def saved(customer_id: int | None) -> None:
            if customer_id is not None:
                self.reload()
                self.app.wrote(f"Saved the profile of {_name(self.customer.name)}")

        self.app.push_screen(CustomerForm(self.customer), saved)

    def action_pause(self) -> None:
        self._form(pause_form(self.app.conn, self.customer))

    def action_end(self) -> None:
        self._form(end_form(self.app.conn, self.customer))

    def action_reactivate(self) -> None:
        self._run(
            lambda: set_status(self.app.conn, self.customer_id, "active", note="reactivated"),
            f"{_name(self.customer.name)} is active again.",
        )

    def action_add_person(self) -> None:
        self._form(contact_form(self.app.conn, self.customer))

    def action_person_gone(self) -> None:
        if (contact_id := self._selected("people", "person")) is None:
            return
        person = get_contact(self.app.conn, contact_id)
        if person.gone:
            self.notify(f"{printable(person.name)} is already marked gone.", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(
                    lambda: mark_gone(self.app.conn, contact_id),
                    f"{printable(person.name, single_line=True)} marked gone.",
                )

        self.app.push_screen(
            ConfirmDialog(
                f"Mark {printable(person.name, single_line=True)} as gone? Their check-ins "
                "keep their name.",
                yes="Mark gone",
            ),
            answered,
        )

    def action_more(self) -> None:
        self._load_timeline(reset=False)

    @on(DataTable.RowSelected, "#issues")
    def _issue_selected(self) -> None:
        self.action_close_issue()
