"""The daily view: every active customer, who needs attention first."""

from __future__ import annotations

import sqlite3

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from tempcheck.domain import temperature
from tempcheck.domain.attention import DashboardRow
from tempcheck.domain.matching import key
from tempcheck.domain.staleness import Staleness
from tempcheck.domain.text import printable
from tempcheck.tui.widgets.customer_table import COLUMNS, CustomerTable
from tempcheck.tui.widgets.today_panel import TodayPanel

UNDO_SECONDS = 10.0
SORTS = [None] + [column.key for column in COLUMNS]


class DashboardScreen(Screen[None]):
    """The home screen: filterable, sortable table of customers coloured by staleness."""

    BINDINGS = [
        # Priority: they act the moment they arrive, so what is typed right behind them
        # (a fast typist, a paste, a browser session) lands in the filter or the form.
        Binding("l", "log", "Log", tooltip="Log a check-in", priority=True, id="tempcheck.log"),
        Binding("slash", "filter", "Filter", priority=True, id="tempcheck.filter"),
        Binding("a", "add_customer", "Add", tooltip="Add a customer", id="tempcheck.add"),
        Binding("i", "open_issue", "Issue", tooltip="Open an issue", id="tempcheck.issue"),
        Binding("p", "promise", "Promise", tooltip="Record a promise", id="tempcheck.promise"),
        Binding("e", "export", "Export", tooltip="Export CSV or iCalendar", id="tempcheck.export"),
        Binding(
            "t",
            "toggle_today",
            "Today",
            tooltip="Show or hide the morning brief",
            id="tempcheck.today",
        ),
        Binding(
            "z", "snooze", "Snooze", tooltip="Snooze a customer's reminders", id="tempcheck.snooze"
        ),
        Binding(
            "v", "portfolio", "Portfolio", tooltip="The whole portfolio", id="tempcheck.portfolio"
        ),
        Binding(
            "f",
            "search",
            "Search",
            tooltip="Search everything said: notes, issues, promises, people",
            id="tempcheck.search",
        ),
        Binding(
            "number_sign",
            "toggle_tags",
            "Tags",
            tooltip="Show or hide each customer's tags",
            show=False,
            id="tempcheck.tags",
        ),
        Binding("s", "sort", "Sort", tooltip="Sort by the next column", id="tempcheck.sort"),
        Binding("r", "reverse", "Reverse the sort", show=False, id="tempcheck.reverse"),
        Binding("u", "undo", "Undo", tooltip="Undo the check-in just logged", id="tempcheck.undo"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.all_rows: list[DashboardRow] = []
        self._name_keys: list[str] = []  # matching.key() of each name, for the filter
        self.undo_checkin: tuple[int, str] | None = None  # (check-in id, customer name)
        # Read when first needed after each reload: tags, and people's name keys per customer.
        self._tags: dict[int, list[str]] | None = None
        self._people: dict[int, str] | None = None
        self._undo_timer = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="Filter by name, a person's name or #tag… (Enter: open or add, Esc: clear)",
            id="filter",
        )
        yield Static("", id="summary", markup=False)
        yield TodayPanel(id="today")
        yield CustomerTable(id="customers")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self.reload()
        self.query_one(CustomerTable).focus()

    @property
    def table(self) -> CustomerTable:
        return self.query_one(CustomerTable)

    # --- loading -----------------------------------------------------------------------------

    def reload(self, *, keep: int | None = None) -> None:
        """Read the rows again (fast query), then fill in the trust trend after painting."""
        from tempcheck.store.dashboard import dashboard_rows

        conn = self.app.conn
        self.all_rows = dashboard_rows(conn, with_trust=False)
        self._name_keys = [key(row.name) for row in self.all_rows]  # once, not per keystroke
        self._tags = self._people = None
        if self.table.tag_text is not None:
            self.table.tag_text = self._tag_text()
        self._show(keep=keep)
        self.call_after_refresh(self._fill_trust)
        if self.query_one(TodayPanel).display:
            self.call_after_refresh(self._load_brief)

    @work(thread=True, exclusive=True, group="brief")
    def _load_brief(self) -> None:
        """The brief reads every open item; at 10,000 customers that is a few hundred ms,
        so it runs on its own connection in a thread, after the table has painted."""
        from tempcheck.store import open_db
        from tempcheck.store.reminders import brief

        conn = open_db(self.app.db_path)
        try:
            items = brief(conn)
        finally:
            conn.close()
        self.app.call_from_thread(self.query_one(TodayPanel).show, items)

    def action_toggle_today(self) -> None:
        panel = self.query_one(TodayPanel)
        panel.display = not panel.display
        if panel.display:
            self._load_brief()
            panel.focus()
        else:
            self.table.focus()

    @on(TodayPanel.RowSelected)
    def _brief_selected(self, event: TodayPanel.RowSelected) -> None:
        item = self.query_one(TodayPanel).current_item
        if item is not None:
            self._open_customer(item.customer_id)

    def action_snooze(self) -> None:
        if (customer := self._current_customer()) is None:
            return
        from tempcheck.tui.screens.forms import snooze_reminder_form

        self.app.push_screen(snooze_reminder_form(self.app.conn, customer), lambda _: self.reload())

    def action_portfolio(self) -> None:
        from tempcheck.tui.screens.portfolio import PortfolioScreen

        self.app.push_screen(PortfolioScreen())

    def _fill_trust(self) -> None:
        """The 30-day trust trend walks the check-in index per customer: after first paint."""
        from tempcheck.store.dashboard import trust_changes

        self.table.update_trust(trust_changes(self.app.conn))

    def _show(self, *, keep: int | None = None) -> None:
        words = self.query_one("#filter", Input).value.split()
        wanted_tags = [w.lstrip("#").casefold() for w in words if w.startswith("#") and w != "#"]
        mine = "@me" in words  # my accounts: owner is my user.name
        needle = key(" ".join(w for w in words if not w.startswith("#") and w != "@me"))
        rows = self.all_rows
        if mine:
            from tempcheck.store.identity import my_customers

            owned = my_customers(self.app.conn)
            rows = [row for row in rows if row.customer_id in owned]
        if wanted_tags:
            tags = self._all_tags()
            rows = [
                row
                for row in rows
                if all(
                    any(t.startswith(w) for t in tags.get(row.customer_id, ())) for w in wanted_tags
                )
            ]
        if needle:
            # The name, or the name of someone who works there.
            people = self._people_keys()
            names = dict(zip((r.customer_id for r in self.all_rows), self._name_keys, strict=True))
            rows = [
                row
                for row in rows
                if needle in names[row.customer_id] or needle in people.get(row.customer_id, "")
            ]
        self.table.set_rows(rows, keep=keep)
        self._update_summary(rows)

    def _all_tags(self) -> dict[int, list[str]]:
        if self._tags is None:
            from tempcheck.store.accounts import all_tags

            self._tags = all_tags(self.app.conn)
        return self._tags

    def _people_keys(self) -> dict[int, str]:
        """Each customer's people's names (name keys, one per line) for the filter."""
        if self._people is None:
            found: dict[int, list[str]] = {}
            for cid, name_key in self.app.conn.execute(
                "SELECT customer_id, name_key FROM contacts"
            ):
                found.setdefault(cid, []).append(name_key)
            self._people = {cid: "\n".join(keys) for cid, keys in found.items()}
        return self._people

    def _tag_text(self) -> dict[int, str]:
        return {cid: " ".join(f"#{t}" for t in tags) for cid, tags in self._all_tags().items()}

    def action_toggle_tags(self) -> None:
        if self._typed_into_input("#"):
            return
        showing = self.table.tag_text is not None
        self.table.tag_text = None if showing else self._tag_text()
        self._show()  # the name column's width changed
        self.notify("Tags hidden." if showing else "Tags shown after each name.", timeout=2)

    def action_search(self) -> None:
        from tempcheck.tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(), lambda _: self.reload())

    def _update_summary(self, rows: list[DashboardRow]) -> None:
        counts = {state: 0 for state in Staleness}
        low = 0
        for row in rows:
            counts[row.staleness] += 1
            low += row.recent_newest_first[:1] in ("1", "2")
        parts = [f"{len(rows)} customers"]
        parts += [
            f"{state.symbol}{counts[state]} {state.value}" for state in Staleness if counts[state]
        ]
        if low:
            parts.append(f"☹{low} unhappy")
        if recalibrate := sum(row.recalibrate for row in rows):
            parts.append(f"⟳{recalibrate} recalibrate")
        sort = self.table.sort_column
        label = next((c.label.lower() for c in COLUMNS if c.key == sort), "attention")
        parts.append(f"by {label}{' ▼' if self.table.sort_reverse else ''}")
        self.query_one("#summary", Static).update(" · ".join(parts))

    # --- filter ------------------------------------------------------------------------------

    def action_filter(self) -> None:
        if self._typed_into_input("/"):
            return
        box = self.query_one("#filter", Input)
        box.display = True
        # Focus at once (not on the next tick): the letters of a fast "/acme" arrive
        # right behind the "/" and must reach the filter, not the dashboard's own keys.
        self.set_focus(box)

    def _typed_into_input(self, character: str) -> bool:
        """Priority keys ("/", "l") act at once, even in a burst of typing; inside a text
        field they are just the character typed."""
        if isinstance(self.focused, Input):
            self.focused.insert_text_at_cursor(character)
            return True
        return False

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._show()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self.table.rows:
            self.table.focus()
            self.table.action_select()
            return
        name = event.value.strip()
        if not name:
            return
        from tempcheck.tui.screens.confirm import ConfirmDialog

        def answered(add: bool | None) -> None:
            if add:
                self._add_and_log(name)

        self.app.push_screen(
            ConfirmDialog(
                f"Nobody is called {printable(name, single_line=True)!r}. Add them and "
                "log a check-in?",
                yes="Add",
            ),
            answered,
        )

    def _add_and_log(self, name: str) -> None:
        from tempcheck.store import StoreError
        from tempcheck.store.customers import add_customer

        try:
            customer = add_customer(self.app.conn, name)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.action_clear_filter()
        self.reload(keep=customer.id)
        self._open_checkin(customer.id)

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value or box.display:
            box.value = ""
            box.display = False
            self._show()
        self.table.focus()

    # --- sorting -----------------------------------------------------------------------------

    def action_sort(self) -> None:
        current = SORTS.index(self.table.sort_column)
        self.table.sort_by(SORTS[(current + 1) % len(SORTS)], self.table.sort_reverse)
        self._update_summary(self.table.rows)

    def action_reverse(self) -> None:
        self.table.sort_by(self.table.sort_column, not self.table.sort_reverse)
        self._update_summary(self.table.rows)

    # --- opening and logging -----------------------------------------------------------------

    @on(CustomerTable.Selected)
    def _open_detail(self, event: CustomerTable.Selected) -> None:
        self._open_customer(event.row.customer_id)

    def _open_customer(self, customer_id: int) -> None:
        """The detail screen; coming back shows what changed there."""
        from tempcheck.tui.screens.customer_detail import CustomerDetailScreen

        self.app.push_screen(
            CustomerDetailScreen(customer_id), lambda _: self.reload(keep=customer_id)
        )

    def _current_customer(self):
        """The Today panel's customer when it has focus, else the table's highlighted one."""
        from tempcheck.store.customers import get_customer

        panel = self.query_one(TodayPanel)
        if panel.has_focus and (item := panel.current_item) is not None:
            return get_customer(self.app.conn, item.customer_id)
        row = self.table.current_row
        if row is None:
            self.notify("No customer selected: add one with a", severity="warning")
            return None
        return get_customer(self.app.conn, row.customer_id)

    def action_log(self) -> None:
        if self._typed_into_input("l"):
            return
        if (customer := self._current_customer()) is not None:
            self._open_checkin(customer.id)

    def _open_checkin(self, customer_id: int) -> None:
        from tempcheck.store.customers import get_customer
        from tempcheck.tui.screens.checkin_form import CheckInForm, SavedCheckIn

        customer = get_customer(self.app.conn, customer_id)

        def saved(result: SavedCheckIn | None) -> None:
            if result is None:
                return
            self.reload(keep=customer.id)
            word = temperature.label(result.checkin.temperature)
            extra = f", issue {result.issue_id} opened" if result.issue_id else ""
            self.undo_checkin = (result.checkin.id, customer.name)
            if self._undo_timer is not None:
                self._undo_timer.stop()
            self._undo_timer = self.set_timer(UNDO_SECONDS, self._expire_undo)
            self.refresh_bindings()
            self.notify(
                f"Logged {printable(customer.name, single_line=True)}: {word}{extra}. "
                "Press u to undo.",
                title="Check-in saved",
                timeout=UNDO_SECONDS,
                markup=False,
            )

        self.app.push_screen(CheckInForm(customer), saved)

    def _expire_undo(self) -> None:
        self.undo_checkin = None
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return self.undo_checkin is not None
        return True

    def action_undo(self) -> None:
        if self.undo_checkin is None:
            return
        from tempcheck.store import StoreError
        from tempcheck.store.checkins import get_checkin, undo_checkin

        checkin_id, name = self.undo_checkin
        self.undo_checkin = None
        self.refresh_bindings()
        try:
            customer_id = get_checkin(self.app.conn, checkin_id).customer_id
            undo_checkin(self.app.conn, checkin_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.reload(keep=customer_id)
        self.notify(f"Removed the check-in for {printable(name, single_line=True)}.", markup=False)

    def action_add_customer(self) -> None:
        from tempcheck.tui.screens.customer_form import CustomerForm

        def added(customer_id: int | None) -> None:
            if customer_id is not None:
                self.reload(keep=customer_id)

        self.app.push_screen(CustomerForm(), added)

    def action_open_issue(self) -> None:
        if (customer := self._current_customer()) is None:
            return
        from tempcheck.tui.screens.forms import issue_form

        self.app.push_screen(
            issue_form(self.app.conn, customer), lambda _: self.reload(keep=customer.id)
        )

    def action_promise(self) -> None:
        if (customer := self._current_customer()) is None:
            return
        from tempcheck.tui.screens.forms import promise_form

        self.app.push_screen(
            promise_form(self.app.conn, customer), lambda _: self.reload(keep=customer.id)
        )

    def action_export(self) -> None:
        from tempcheck.tui.screens.export_dialog import ExportJob, export_dialog

        row = self.table.current_row

        def chosen(job: ExportJob | None) -> None:
            if job is not None:
                self.notify(f"Exporting to {job.target}…", markup=False)
                self._run_export(job)

        self.app.push_screen(
            export_dialog(
                self.app.conn,
                customer_id=row.customer_id if row else None,
                customer_name=row.name if row else None,
                name_filter=self.query_one("#filter", Input).value,
            ),
            chosen,
        )

    @work(thread=True, group="export")
    def _run_export(self, job) -> None:  # noqa: ANN001 - an ExportJob
        from tempcheck.store import StoreError, describe

        try:
            what = job.run(self.app.db_path)
        except StoreError as exc:
            message, severity = str(exc), "error"
        except OSError as exc:
            message, severity = f"could not write {job.target}: {exc.strerror}", "error"
        except sqlite3.Error as exc:  # locked, disk full
            message, severity = str(describe(exc)), "error"
        else:
            message, severity = f"Wrote {what} to {job.target}", "information"
        self.app.call_from_thread(
            self.notify, message, title="Export", severity=severity, markup=False
        )
