"""The daily view: every active customer, who needs attention first."""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right
from datetime import datetime

from textual import events, on, work
from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import Binding, NoBinding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Header, Input
from textual.worker import get_current_worker

from tempcheck.domain import clock
from tempcheck.domain.attention import DashboardRow, attention_key
from tempcheck.domain.brief import MET_NOT_LOGGED, BriefItem, merge
from tempcheck.domain.matching import key
from tempcheck.domain.staleness import Staleness
from tempcheck.domain.text import printable
from tempcheck.store import StoreError, describe, open_db
from tempcheck.store.calendar import dismiss, unmatched
from tempcheck.store.dashboard import dashboard_rows, first_page, trust_changes
from tempcheck.tui.screens.notices import added_notice, announce
from tempcheck.tui.widgets.customer_table import COLUMNS, CustomerTable
from tempcheck.tui.widgets.fit_line import FitLine
from tempcheck.tui.widgets.key_footer import KeyFooter
from tempcheck.tui.widgets.today_panel import TodayBox, TodayPanel

SORTS = [None] + [column.key for column in COLUMNS]


class FilterInput(Input):
    """The name filter. Down and Tab go to the matches (not to the next widget in the
    DOM, the Today panel); Enter opens the highlighted match."""

    BINDINGS = [
        Binding("down", "to_matches", "Matches", show=False),
        Binding("tab", "to_matches", "Matches", show=False),
    ]

    def action_to_matches(self) -> None:
        # set_focus, not focus(): focus() waits for the next idle moment, and keys typed
        # in the same burst ("/globex<Tab>l4") would still land in the filter.
        self.screen.set_focus(self.screen.query_one(CustomerTable))


class DashboardScreen(Screen[None]):
    """The home screen: filterable, sortable table of customers coloured by staleness."""

    FIRST_PAGE_FROM = 2_000  # active customers from which the first page is painted first
    FIRST_PAGE = 100  # rows in it: more than a tall terminal shows

    BINDINGS = [
        # Priority: they act the moment they arrive, so what is typed right behind them
        # (a fast typist, a paste, a browser session) lands in the filter or the form.
        Binding("l", "log", "Log", tooltip="Log a check-in", priority=True, id="tempcheck.log"),
        Binding("slash", "filter", "Filter", priority=True, id="tempcheck.filter"),
        Binding("a", "add_customer", "Add", tooltip="Add a customer", id="tempcheck.add"),
        Binding("i", "open_issue", "Issue", tooltip="Open an issue", id="tempcheck.issue"),
        Binding("p", "promise", "Promise", tooltip="Record a promise", id="tempcheck.promise"),
        Binding("e", "export", "Export", tooltip="Export CSV, xlsx or ics", id="tempcheck.export"),
        Binding(
            "t",
            "toggle_today",
            "Today",
            tooltip="Expand or collapse the morning brief",
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
        Binding(
            "x",
            "dismiss_meeting",
            "Nothing to log",
            tooltip="Dismiss the highlighted meeting for good",
            id="tempcheck.dismiss_meeting",
        ),
        Binding(
            "m",
            "assign_meetings",
            "Meetings",
            tooltip="Assign meetings that match no customer to the highlighted one",
            id="tempcheck.assign_meetings",
        ),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        # The table binds its own; these move the Today panel's cursor when it has focus.
        Binding("j", "brief_move(1)", "Down", show=False),
        Binding("k", "brief_move(-1)", "Up", show=False),
        Binding("g", "brief_jump(0)", "First", show=False),
        Binding("G", "brief_jump(-1)", "Last", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.all_rows: list[DashboardRow] = []
        self._summary_parts: list[str] = []
        self._name_keys: list[str] = []  # matching.key() of each name, for the filter
        self._by_id: dict[int, DashboardRow] = {}  # all_rows by customer id
        self._tally = _Tally()  # the summary line's counts over all_rows
        # Only the first page is shown; every row is on its way. (Not "loading": that
        # is a Textual reactive that covers the screen with a spinner.)
        self.first_page_only = False
        self._generation = 0  # reloads started; a late thread's rows are dropped
        self._active_count = 0
        self._brief_pending = False  # a full brief is being read in a thread
        # The moments the rows and the brief were computed for: a customer's row or lines
        # read again later are computed for the same moment, so they sort among the others
        # exactly as a full reload at that moment would put them.
        self.loaded_at = clock.now()
        self.brief_at = self.loaded_at
        self._brief: list[BriefItem] = []  # the whole brief; the panel shows the filter's part
        # Read when first needed after each reload: tags, and people's name keys per customer.
        self._tags: dict[int, list[str]] | None = None
        self._people: dict[int, str] | None = None
        self.waiting_meetings = 0  # meetings matching no customer, for "m"
        self._applied_filter = ""  # the filter text the table and Today show

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterInput(
            placeholder="Filter: name, person or #tag… (↓/Tab: matches, Enter: open, Esc: clear)",
            id="filter",
        )
        yield FitLine(id="summary")
        yield TodayBox(id="today-box")
        yield CustomerTable(id="customers")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self.reload()
        self.query_one(CustomerTable).focus()

    @property
    def table(self) -> CustomerTable:
        return self.query_one(CustomerTable)

    # --- loading -----------------------------------------------------------------------------

    def reload(self, *, keep: int | None = None) -> None:
        """Read the rows again (fast query), then fill in the trust trend after painting.

        From :attr:`FIRST_PAGE_FROM` active customers on, the first page is read through
        the attention index and painted at once; every row follows from a thread.
        """
        conn = self.app.conn
        self.loaded_at = clock.now()
        self._generation += 1
        self.first_page_only = self._is_large(conn)
        if self.first_page_only:
            self._set_rows(first_page(conn, self.FIRST_PAGE, now=self.loaded_at), keep)
            self._load_rest(self._generation, keep)
        else:
            self._set_rows(dashboard_rows(conn, with_trust=False, now=self.loaded_at), keep)
            self.call_after_refresh(self._fill_trust)
        self._brief_pending = True
        self._count_waiting_meetings()
        self.call_after_refresh(self._load_brief)  # collapsed, it still shows the counts

    def _set_rows(self, rows: list[DashboardRow], keep: int | None) -> None:
        self.all_rows = rows
        self._name_keys = [key(row.name) for row in self.all_rows]  # once, not per keystroke
        self._by_id = {row.customer_id: row for row in self.all_rows}
        self._tally = _tally(self.all_rows)
        self._tags = self._people = None  # read again on the next #tag or contact filter
        if self.table.tag_text is not None:
            self.table.tag_text = self._tag_text()
        self._show(keep=keep)

    def _is_large(self, conn: sqlite3.Connection) -> bool:
        """More active customers than :attr:`FIRST_PAGE_FROM` (counting stops there)."""
        self._active_count = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM attention WHERE status = 'active' LIMIT ?)",
            (self.FIRST_PAGE_FROM,),
        ).fetchone()[0]
        return self._active_count >= self.FIRST_PAGE_FROM

    @work(thread=True, exclusive=True, group="rows")
    def _load_rest(self, generation: int, keep: int | None) -> None:
        """Every row, trust trend included, on a connection of its own."""
        conn = open_db(self.app.db_path)
        try:
            rows = dashboard_rows(conn, now=self.loaded_at)
        finally:
            conn.close()
        self.app.call_from_thread(self._rest_loaded, generation, rows, keep)

    def _rest_loaded(self, generation: int, rows: list[DashboardRow], keep: int | None) -> None:
        if generation != self._generation or not self.query(CustomerTable):
            return  # a newer reload is on its way, or the app is closing
        self.first_page_only = False
        current = self.table.current_customer_id
        self._set_rows(rows, current if current is not None else keep)
        self._keep_long_lived()

    def _keep_long_lived(self) -> None:
        """In a large portfolio, take what is in memory now (every row, the brief) out of
        the garbage collector's full passes: at 100,000 customers one such pass walks
        millions of objects and froze the screen for over a second, at random, often
        right after a save. Rows and brief lines hold no reference cycles, so reference
        counting still frees them when a reload replaces them."""
        if self._active_count >= self.FIRST_PAGE_FROM:
            import gc

            gc.freeze()

    def refresh_customer(self, customer_id: int) -> None:
        """After a save that changed one customer: read their row and their lines of the
        brief again and put them in place; everyone else's stay as they are.

        The result is what :meth:`reload` would show (the tests compare the two); the
        rest is read again only when another program writes or the day changes.
        """
        if self.first_page_only:  # only the first page is here yet: read it all again
            self.reload(keep=customer_id)
            return
        conn = self.app.conn
        # [] once no longer active
        found = dashboard_rows(conn, customer_id=customer_id, now=self.loaded_at)
        old = self._by_id.pop(customer_id, None)
        if old is not None:
            at = bisect_left(self.all_rows, attention_key(old), key=attention_key)
            while at < len(self.all_rows) and self.all_rows[at] is not old:
                at += 1
            if at == len(self.all_rows):  # not where its key says: read everything again
                self.reload(keep=customer_id)
                return
            del self.all_rows[at]
            del self._name_keys[at]
            self._tally.count(old, -1)
        at = None
        for row in found:
            at = bisect_right(self.all_rows, attention_key(row), key=attention_key)
            self.all_rows.insert(at, row)
            self._name_keys.insert(at, key(row.name))
            self._by_id[customer_id] = row
            self._tally.count(row, 1)
        self._show(keep=customer_id, at=at)
        panel = self.query_one(TodayPanel)
        if self._brief_pending or not panel.loaded:
            self._brief_pending = True
            self._load_brief()  # the one under way may have read the data before this save
            return
        self.call_after_refresh(self._refresh_brief_for, customer_id)  # the row first

    def _refresh_brief_for(self, customer_id: int) -> None:
        """Replace one customer's lines of the brief (see :meth:`refresh_customer`)."""
        panel = self.query_one(TodayPanel)
        if self._brief_pending or not panel.loaded:
            return  # a full brief is on its way
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.services.brief import customer_brief

        theirs = customer_brief(self.app.conn, customer_id, now=self.brief_at)
        self._brief = merge(self._brief, customer_id, theirs)
        needle = key(self.query_one("#filter", Input).value)
        panel.replace_customer(
            customer_id, [i for i in self._brief if not needle or needle in key(i.customer_name)]
        )

    @work(thread=True, exclusive=True, group="brief")
    def _load_brief(self) -> None:
        """The brief reads every open item; at 10,000 customers that is a few hundred ms,
        so it runs on its own connection in a thread, after the table has painted."""
        from tempcheck.services.brief import brief  # lazy: keeps the dashboard's first frame fast

        worker = get_current_worker()
        now = clock.now()
        conn = open_db(self.app.db_path)
        try:
            items = brief(conn, now=now)
        finally:
            conn.close()
        if not worker.is_cancelled:
            self.app.call_from_thread(self._brief_loaded, items, now)

    def _brief_loaded(self, items: list[BriefItem], now: datetime) -> None:
        if not self.is_attached or not self.query(TodayPanel):
            return  # the app is closing (its widgets going) while the brief was read
        self._brief_pending = False
        self.brief_at = now
        self._show_brief(items)
        self._keep_long_lived()

    def _show_brief(self, items: list[BriefItem] | None = None) -> None:
        """Show the brief, narrowed to the filter's customers; the cursor keeps its line
        (the same item, else the same customer, else the same place)."""
        if items is not None:
            self._brief = items
        panel = self.query_one(TodayPanel)
        current = panel.current_item
        old_index = panel.cursor_row
        # The customers the filter leaves in the table (by name, person or #tag).
        filtered = bool(self.query_one("#filter", Input).value.strip())
        visible = {row.customer_id for row in self.table.rows}
        shown = [i for i in self._brief if not filtered or i.customer_id in visible]
        panel.show(shown)
        if not shown or current is None:
            return
        same_item = next(
            (
                n
                for n, i in enumerate(shown)
                if (i.reason, i.ref_id, i.customer_id)
                == (current.reason, current.ref_id, current.customer_id)
            ),
            None,
        )
        same_customer = next(
            (n for n, i in enumerate(shown) if i.customer_id == current.customer_id), None
        )
        for index in (same_item, same_customer, min(old_index, len(shown) - 1)):
            if index is not None:
                panel.move_cursor(row=index, animate=False)
                break

    def action_brief_move(self, delta: int) -> None:
        panel = self.query_one(TodayPanel)
        if panel.has_focus:
            panel.action_cursor_down() if delta > 0 else panel.action_cursor_up()

    def action_brief_jump(self, where: int) -> None:
        panel = self.query_one(TodayPanel)
        if panel.has_focus and panel.row_count:
            panel.move_cursor(row=0 if where == 0 else panel.row_count - 1)

    def action_toggle_today(self) -> None:
        """Collapse the brief to its one-line summary or expand it; the focus (and so what
        l acts on) stays where it was."""
        box = self.query_one(TodayBox)
        box.collapsed = not box.collapsed
        if not box.collapsed:
            self._brief_pending = True
            self._load_brief()
        elif self.focused is box.panel or self.focused is None:
            self.set_focus(self.table)
        self._update_target()

    @on(TodayPanel.RowSelected)
    def _brief_selected(self, event: TodayPanel.RowSelected) -> None:
        item = self.query_one(TodayPanel).current_item
        if item is not None:
            self._open_customer(item.customer_id)

    def action_snooze(self) -> None:
        if (customer := self._current_customer()) is None:
            return
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.tui.screens.forms import snooze_reminder_form

        self.app.push_screen(
            snooze_reminder_form(self.app.conn, customer), self._form_saved(customer.id)
        )

    def action_portfolio(self) -> None:
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.tui.screens.portfolio import PortfolioScreen

        self.app.push_screen(PortfolioScreen())

    def _fill_trust(self) -> None:
        """The 30-day trust trend walks the check-in index per customer: after first paint."""
        self.table.update_trust(trust_changes(self.app.conn, now=self.loaded_at))

    def _show(self, *, keep: int | None = None, at: int | None = None) -> None:
        """Show the rows the filter leaves; ``at``: where ``keep`` is in :attr:`all_rows`."""
        words = self.query_one("#filter", Input).value.split()
        wanted_tags = [w.lstrip("#").casefold() for w in words if w.startswith("#") and w != "#"]
        mine = "@me" in words  # my accounts: owner is my user.name
        needle = key(" ".join(w for w in words if not w.startswith("#") and w != "@me"))
        rows = self.all_rows
        if mine:
            # lazy: keeps the dashboard's first frame fast
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
        self.table.set_rows(rows, keep=keep, at=at if rows is self.all_rows else None)
        self._update_summary(rows)
        self._update_target()

    # --- one visible target --------------------------------------------------------------------

    def _target_customer(self) -> tuple[int, str, str] | None:
        """(customer id, name, where) of whatever l, i, p, z and Enter act on now."""
        panel = self.query_one(TodayPanel)
        if panel.display and panel.has_focus and (item := panel.current_item) is not None:
            return item.customer_id, item.customer_name, "Today"
        row = self.table.current_row
        return (row.customer_id, row.name, "table") if row is not None else None

    def _update_target(self) -> None:
        """Name the customer the keys act on in the summary line, where the eye is."""
        if not self.is_mounted:
            return
        target = self._target_customer()
        name = printable(target[1], single_line=True) if target else "nobody"
        self.query_one("#summary", FitLine).show_parts([f"▶ {name}", *self._summary_parts])

    @on(CustomerTable.Highlighted)
    @on(TodayPanel.RowHighlighted)
    def _highlight_moved(self) -> None:
        self._update_target()

    def on_descendant_focus(self) -> None:
        self._update_target()

    def _all_tags(self) -> dict[int, list[str]]:
        if self._tags is None:
            # lazy: keeps the dashboard's first frame fast
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
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(), lambda _: self.reload())

    def _update_summary(self, rows: list[DashboardRow]) -> None:
        if rows is self.all_rows or len(rows) == len(self.all_rows):
            tally = self._tally  # every customer: kept up to date row by row
        else:
            tally = _tally(rows)
        counts, low, recalibrate = tally.states, tally.low, tally.recalibrate
        if self.first_page_only:  # the first page only: the counts follow with the rest
            self._summary_parts = [f"{self._active_count:,}+ customers", "reading them all…"]
            self._update_target()
            return
        parts = [f"{len(rows)} customer{'' if len(rows) == 1 else 's'}"]
        parts += [
            f"{state.symbol}{counts[state]} {state.value}" for state in Staleness if counts[state]
        ]
        if low:
            parts.append(f"☹{low} unhappy")
        if recalibrate:
            parts.append(f"⟳{recalibrate} recalibrate")
        sort = self.table.sort_column
        label = next((c.label.lower() for c in COLUMNS if c.key == sort), "attention")
        parts.append(f"by {label}{' ▼' if self.table.sort_reverse else ''}")
        self._summary_parts = parts
        self._update_target()

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
        self._apply_filter()

    def _apply_filter(self) -> None:
        """Narrow the table and Today to what the filter says, once per new text (a key
        routed ahead applies it at once; its Changed message, arriving later, then must
        not move the cursor back)."""
        value = self.query_one("#filter", Input).value
        if value == self._applied_filter:
            return
        self._applied_filter = value
        self._show()
        self.table.cursor = 0  # Enter opens the first match unless you moved
        self._show_brief()

    # Keys the dashboard acts on in the order they arrive, even in a burst ("jjl", "/glob
    # <Tab>l4"): Textual queues a key to the focused widget but acts on a priority key
    # ("l", "/") at once, so without this "l" could act before the moves typed ahead of it.
    # These are the actions of the widgets' own bindings that only move a cursor.
    _MOVES = frozenset({"cursor", "page", "jump", "cursor_up", "cursor_down"})
    _BRIEF_MOVES = frozenset({"brief_move", "brief_jump"})

    def route_key(self, event: events.Key) -> bool:
        """Act on a moving or typing key now, in arrival order (the app calls this before
        queueing the key to a widget); False lets the key go its usual way."""
        focused = self.focused
        if isinstance(focused, FilterInput):
            if event.key in ("tab", "down"):
                self._apply_filter()
                self.set_focus(self.table)
            elif event.key == "backspace":
                focused.action_delete_left()
            elif event.is_printable and event.character:
                focused.insert_text_at_cursor(event.character)
            else:
                return False
            return True
        if focused is self.table:
            return _move_now(self.table, event.key, self._MOVES)
        if isinstance(focused, TodayPanel):
            # The panel's own bindings first (up, down), then the dashboard's (j, k, g, G),
            # as Textual looks them up.
            return _move_now(focused, event.key, self._MOVES) or _move_now(
                self, event.key, self._BRIEF_MOVES
            )
        return False

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self.table.rows:
            self.set_focus(self.table)
            self.table.action_select()
            return
        name = event.value.strip()
        if not name:
            return
        # lazy: keeps the dashboard's first frame fast
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
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.store.customers import add_customer

        try:
            customer = add_customer(self.app.conn, name)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.app.wrote(*added_notice(self.app.conn, customer.id))
        self.action_clear_filter()
        self.reload(keep=customer.id)
        self._open_checkin(customer.id)

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value or box.display:
            box.value = ""
            box.display = False
            self._applied_filter = ""
            self._show()
            self._show_brief()
        self.set_focus(self.table)  # at once: the next key of a burst goes to the table

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
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.tui.screens.customer_detail import CustomerDetailScreen

        self.app.push_screen(
            CustomerDetailScreen(customer_id), lambda _: self.refresh_customer(customer_id)
        )

    def _current_customer(self):
        """The customer named in the summary line: the Today panel's when it is shown and
        has focus, else the table's highlighted one."""
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.store.customers import get_customer

        target = self._target_customer()
        if target is None:
            self.notify("No customer selected: press a to add one.", severity="warning")
            return None
        return get_customer(self.app.conn, target[0])

    def _current_meeting(self) -> int | None:
        """The meeting id of the Today panel's highlighted "met, not logged" line, if any."""
        panel = self.query_one(TodayPanel)
        item = panel.current_item if panel.has_focus else None
        if item is not None and item.reason == MET_NOT_LOGGED and item.ref_id is not None:
            return item.ref_id
        return None

    @on(TodayPanel.RowHighlighted)
    def _brief_highlighted(self) -> None:
        self.refresh_bindings()  # "x" shows only on a meeting

    def action_dismiss_meeting(self) -> None:
        if (event_id := self._current_meeting()) is None:
            return

        try:
            meeting = dismiss(self.app.conn, event_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._load_brief()
        self.notify(
            f"Nothing to log for {printable(meeting.title, single_line=True)!r}: dismissed.",
            markup=False,
        )

    def _count_waiting_meetings(self) -> None:
        waiting = len(unmatched(self.app.conn))
        if waiting != self.waiting_meetings:
            self.waiting_meetings = waiting
            self.refresh_bindings()

    def action_assign_meetings(self) -> None:
        meetings = unmatched(self.app.conn)
        if not meetings:
            self.notify("No meetings are waiting for a customer.", markup=False)
            return
        row = self.table.current_row
        if row is None:
            self.notify("No customer selected: add one with a", severity="warning")
            return
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.store.customers import get_customer
        from tempcheck.tui.screens.meeting_assign import MeetingAssignDialog

        customer = get_customer(self.app.conn, row.customer_id)
        self.app.push_screen(
            MeetingAssignDialog(customer, meetings), lambda _: self.reload(keep=customer.id)
        )

    def action_log(self) -> None:
        if self._typed_into_input("l"):
            return
        if (event_id := self._current_meeting()) is not None:
            self._open_meeting_checkin(event_id)
            return
        if (customer := self._current_customer()) is not None:
            self._open_checkin(customer.id)

    def _open_meeting_checkin(self, event_id: int) -> None:
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.services.meetings import defaults_for

        try:
            meeting = defaults_for(self.app.conn, event_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            self._load_brief()
            return
        self._open_checkin(meeting.customer_id, meeting=meeting)

    def _open_checkin(self, customer_id: int, *, meeting=None) -> None:  # noqa: ANN001
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.store.customers import get_customer
        from tempcheck.tui.screens.checkin_form import CheckInForm, SavedCheckIn

        customer = get_customer(self.app.conn, customer_id)

        def saved(result: SavedCheckIn | None) -> None:
            if result is not None:
                self.saved_for(customer.id)
                self.app.wrote(result.notice, result.undo, title="Check-in saved")

        self.app.push_screen(CheckInForm(customer, meeting=meeting), saved)

    def saved_for(self, customer_id: int) -> None:
        """After a write for one customer: show their row again, the cursor on it."""
        self.refresh_customer(customer_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "dismiss_meeting":
            return self._current_meeting() is not None
        if action == "assign_meetings":
            return self.waiting_meetings > 0
        return True

    def action_add_customer(self) -> None:
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.tui.screens.customer_form import CustomerForm

        def added(customer_id: int | None) -> None:
            if customer_id is not None:
                self.saved_for(customer_id)
                self.app.wrote(*added_notice(self.app.conn, customer_id))

        self.app.push_screen(CustomerForm(), added)

    def action_open_issue(self) -> None:
        if (customer := self._current_customer()) is None:
            return
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.tui.screens.forms import issue_form

        self.app.push_screen(issue_form(self.app.conn, customer), self._form_saved(customer.id))

    def action_promise(self) -> None:
        if (customer := self._current_customer()) is None:
            return
        # lazy: keeps the dashboard's first frame fast
        from tempcheck.tui.screens.forms import promise_form

        self.app.push_screen(promise_form(self.app.conn, customer), self._form_saved(customer.id))

    def _form_saved(self, customer_id: int):  # noqa: ANN202 - a push_screen callback
        def done(result: object) -> None:
            if result is not None:
                self.saved_for(customer_id)
                announce(self.app, result)

        return done

    def action_export(self) -> None:
        # lazy: keeps the dashboard's first frame fast
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


def _move_now(node: DOMNode, key: str, moves: frozenset[str]) -> bool:
    """Run ``node``'s own binding for ``key`` now, if its action is one of ``moves``."""
    try:
        bindings = node._bindings.get_bindings_for_key(key)
    except NoBinding:
        return False
    for binding in bindings:
        _, name, params = parse_action(binding.action)
        if name in moves:
            getattr(node, f"action_{name}")(*params)
            return True
    return False


class _Tally:
    """The summary line's counts: customers by staleness, unhappy, to recalibrate."""

    def __init__(self) -> None:
        self.states = {state: 0 for state in Staleness}
        self.low = 0
        self.recalibrate = 0

    def count(self, row: DashboardRow, sign: int) -> None:
        self.states[row.staleness] += sign
        self.low += sign * (row.recent_newest_first[:1] in ("1", "2"))
        self.recalibrate += sign * row.recalibrate


def _tally(rows: list[DashboardRow]) -> _Tally:
    tally = _Tally()
    for row in rows:
        tally.count(row, 1)
    return tally
