"""``f``: search everything said, results as you type; Enter opens the customer at the item.

The query runs in a worker thread on its own connection, so typing never waits
for the database, and only the newest query's results are shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tempcheck.store import StoreError, open_db
from tempcheck.store.search import search
from tempcheck.tui.screens.customer_detail import CustomerDetailScreen

if TYPE_CHECKING:
    from tempcheck.store.search import Hit

from tempcheck.domain.dates import iso_day
from tempcheck.domain.text import printable

LIMIT = 100


def hit_prompt(hit: Hit) -> Text:
    """Two lines: customer · date · kind, then the snippet with the match highlighted.

    Built from Text pieces, never markup: stored text like "[/] Corp" stays text.
    """
    head = Text()
    head.append(printable(hit.customer_name, single_line=True), style="bold")
    head.append(f"  {iso_day(hit.at)}  {hit.kind}", style="dim")
    body = Text("  ")
    for piece, is_match in hit.parts():
        body.append(printable(piece, single_line=True), style="bold reverse" if is_match else "")
    return Text("\n").join([head, body])


class SearchScreen(Screen[None]):
    """A query box over the results; Down or Tab moves into them, Enter opens one."""

    AUTO_FOCUS = "#search-query"
    BINDINGS = [
        Binding("escape", "back", "Back", id="tempcheck.search.back"),
        Binding("down", "results", "Results", show=False),
        Binding("tab", "results", "Results", show=False),
        Binding("slash", "query", "Edit the query", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Hit] = []
        self._conn = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="Search notes, issues, promises, concerns, people…",
            id="search-query",
            max_length=200,
        )
        yield Static("Type to search everything said.", id="search-status", markup=False)
        yield OptionList(id="search-results")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Search"

    def on_unmount(self) -> None:
        if self._conn is not None:
            self._conn.close()

    # --- searching ---------------------------------------------------------------------------

    @on(Input.Changed, "#search-query")
    def _typed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, text: str) -> None:
        worker = get_current_worker()
        try:
            if self._conn is None:
                self._conn = open_db(self.app.db_path)  # type: ignore[attr-defined]
            hits = search(self._conn, text, limit=LIMIT) if text.strip() else []
        except (StoreError, Exception) as exc:  # noqa: BLE001 - shown, never raised
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_error, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, text, hits)

    def _show_error(self, message: str) -> None:
        self.query_one("#search-status", Static).update(f"Search failed: {message}")

    def _show(self, text: str, hits: list[Hit]) -> None:
        self.hits = hits
        results = self.query_one("#search-results", OptionList)
        results.clear_options()
        results.add_options([Option(hit_prompt(hit), id=str(i)) for i, hit in enumerate(hits)])
        status = self.query_one("#search-status", Static)
        if not text.strip():
            status.update("Type to search everything said.")
        elif not hits:
            status.update(f"Nothing found for {printable(text, single_line=True)!r}.")
        else:
            more = f" (the newest {LIMIT})" if len(hits) == LIMIT else ""
            status.update(
                f"{len(hits)} found{more} · Down to choose · Enter opens the customer at it"
            )
        if hits:
            results.highlighted = 0

    # --- moving and opening ------------------------------------------------------------------

    def action_results(self) -> None:
        results = self.query_one("#search-results", OptionList)
        if self.hits:
            self.set_focus(results)  # at once, so the next key of a burst moves in the list

    def action_query(self) -> None:
        self.set_focus(self.query_one("#search-query", Input))

    @on(Input.Submitted, "#search-query")
    def _submitted(self) -> None:
        if self.hits:
            self._open(self.query_one("#search-results", OptionList).highlighted or 0)

    @on(OptionList.OptionSelected, "#search-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option_index)

    def _open(self, index: int) -> None:
        if not 0 <= index < len(self.hits):
            return
        hit = self.hits[index]
        self.app.push_screen(CustomerDetailScreen(hit.customer_id, show=(hit.kind, hit.ref_id)))

    def action_back(self) -> None:
        self.dismiss(None)
