"""The dashboard table: a virtual, line-rendered list of customers.

Textual's stock DataTable builds every row up front (about 2 s for 10,000
rows); this widget keeps the rows as plain objects and renders only the lines
on screen, so the first frame and every filter keystroke cost the same at 25
customers or 100,000.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tempcheck.domain import clock
from tempcheck.domain.attention import DashboardRow, temperature_label
from tempcheck.domain.staleness import Staleness
from tempcheck.domain.temperature import sparkline
from tempcheck.domain.text import printable
from tempcheck.domain.trust import trend_symbol


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    cell: Callable[[DashboardRow], str]
    sort_key: Callable[[DashboardRow], object]


def _due_text(row: DashboardRow) -> str:
    if row.next_due is None:
        return "—"
    return f"{row.next_due_kind} {clock.until(row.next_due, compact=True)}"


def _state_text(row: DashboardRow) -> str:
    return (
        row.staleness.label
        + (" ⟳" if row.recalibrate else "")
        + (" ☾" if row.snoozed_until else "")
    )


def _issues_text(row: DashboardRow) -> str:
    parts = [str(row.open_issues)]
    if row.at_risk:
        parts.append(f"⚠{row.at_risk} risk")
    if row.call_first:
        parts.append("☎ call")
    return " · ".join(parts)


def _trust_text(row: DashboardRow) -> str:
    return "…" if row.trust_change is None else trend_symbol(row.trust_change)


_FAR = 10**9
# Widths add up to 118 columns with the separators, so the whole row and a scrollbar fit a
# common terminal; the word for the state sits next to the name.
COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "Customer",
        22,
        lambda r: printable(r.name, single_line=True),
        lambda r: r.name.casefold(),
    ),
    Column("state", "State", 12, _state_text, lambda r: (r.staleness.rank, -r.ratio)),
    Column(
        "last",
        "Last contact",
        12,
        lambda r: clock.ago(r.last_contact),
        lambda r: -_FAR if r.days_since is None else -r.days_since,
    ),
    Column("temp", "Temperature", 15, temperature_label, lambda r: r.last_temperature or 0),
    Column("spark", "Recent", 8, lambda r: sparkline(r.recent), lambda r: r.recent),
    Column(
        "issues",
        "Open issues",
        20,
        _issues_text,
        lambda r: (r.call_first, r.at_risk, r.open_issues),
    ),
    Column(
        "due", "Next due", 17, _due_text, lambda r: r.next_due.toordinal() if r.next_due else _FAR
    ),
    Column("trust", "Trust", 6, _trust_text, lambda r: r.trust_change or 0),
)

TAG_EXTRA = 20  # more room for the name column while tags are shown after names
STALENESS_CLASSES = {state: f"customer-table--{state.value}" for state in Staleness}


class CustomerTable(ScrollView, can_focus=True):
    """Customers, one per line, coloured by staleness, with a cursor."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "jump(0)", "First", show=False),
        Binding("end,G", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Open", id="tempcheck.open"),
    ]
    COMPONENT_CLASSES = {
        "customer-table--header",
        "customer-table--cursor",
        *STALENESS_CLASSES.values(),
    }
    DEFAULT_CSS = """
    CustomerTable { height: 1fr; }
    CustomerTable > .customer-table--header { text-style: bold; background: $panel; }
    CustomerTable > .customer-table--cursor { background: $accent 40%; text-style: bold; }
    CustomerTable > .customer-table--never { color: $text-muted; }
    CustomerTable > .customer-table--cold { color: $text-error; }
    CustomerTable > .customer-table--overdue { color: $text-warning; }
    CustomerTable > .customer-table--due { color: $text-primary; }
    CustomerTable > .customer-table--fresh { color: $text-success; }
    """

    cursor = reactive(0)

    class Selected(Message):
        """Enter on a row."""

        def __init__(self, row: DashboardRow) -> None:
            super().__init__()
            self.row = row

    class Highlighted(Message):
        def __init__(self, row: DashboardRow | None) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.rows: list[DashboardRow] = []
        self.sort_column: str | None = None
        self.sort_reverse = False
        self.tag_text: dict[int, str] | None = None  # shown after each name when set

    # --- data -------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[DashboardRow], *, keep: int | None = None) -> None:
        """Show ``rows``; keep the cursor on customer ``keep`` (or the current one) if present."""
        follow = keep if keep is not None else self.current_customer_id
        self.rows = self._sorted(list(rows))
        self.virtual_size = Size(self._total_width(), len(self.rows) + 1)
        index = self.index_of(follow) if follow is not None else None
        self.cursor = index if index is not None else min(self.cursor, max(len(self.rows) - 1, 0))
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self.current_row))

    def sort_by(self, column: str | None, reverse: bool = False) -> None:
        """Sort by a column key, or ``None`` for attention order (as given)."""
        self.sort_column, self.sort_reverse = column, reverse
        self.set_rows(self._unsorted)

    def _sorted(self, rows: list[DashboardRow]) -> list[DashboardRow]:
        self._unsorted = rows
        if self.sort_column is None:
            return list(reversed(rows)) if self.sort_reverse else list(rows)
        column = next(c for c in COLUMNS if c.key == self.sort_column)
        return sorted(rows, key=column.sort_key, reverse=self.sort_reverse)

    @property
    def current_row(self) -> DashboardRow | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    @property
    def current_customer_id(self) -> int | None:
        row = self.current_row
        return row.customer_id if row else None

    def index_of(self, customer_id: int) -> int | None:
        for index, row in enumerate(self.rows):
            if row.customer_id == customer_id:
                return index
        return None

    def update_trust(self, changes: dict[int, int]) -> None:
        for row in self._unsorted:
            row.trust_change = changes.get(row.customer_id, 0)
        if self.sort_column == "trust":
            self.set_rows(self._unsorted)
        self.refresh()

    # --- rendering ----------------------------------------------------------------------

    def _width(self, column: Column) -> int:
        """Column widths; the name column is wider while tags are shown after names."""
        return column.width + (TAG_EXTRA if column.key == "name" and self.tag_text else 0)

    def _total_width(self) -> int:
        return sum(self._width(column) + 1 for column in COLUMNS)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if y == 0:
            strip = self._header_strip()
        else:
            index = y - 1 + scroll_y
            if index >= len(self.rows):
                return Strip.blank(width, self.rich_style)
            strip = self._row_strip(index)
        return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, self.rich_style)

    def _header_strip(self) -> Strip:
        style = self.get_component_rich_style("customer-table--header")
        segments = []
        for column in COLUMNS:
            label = column.label
            if column.key == self.sort_column:
                label += " ▼" if self.sort_reverse else " ▲"
            segments.append(Segment(set_cell_size(" " + label, self._width(column) + 1), style))
        return Strip(segments)

    def _row_strip(self, index: int) -> Strip:
        row = self.rows[index]
        style: Style = self.rich_style + self.get_component_rich_style(
            STALENESS_CLASSES[row.staleness]
        )
        if index == self.cursor and self.has_focus:
            style += self.get_component_rich_style("customer-table--cursor")
        elif index == self.cursor:
            style += Style(underline=True)
        segments = []
        for column in COLUMNS:
            text = column.cell(row)
            tags = self.tag_text.get(row.customer_id) if self.tag_text else None
            if column.key == "name" and tags:
                text += " " + printable(tags, single_line=True)
            width = self._width(column)
            if cell_len(text) > width:
                text = set_cell_size(text, width - 1) + "…"
            segments.append(Segment(set_cell_size(" " + text, width + 1), style))
        return Strip(segments)

    # --- cursor ---------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self.current_row))

    def _scroll_cursor_into_view(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def action_cursor(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.size.height - 2, 1))

    def action_jump(self, where: int) -> None:
        if self.rows:
            self.cursor = 0 if where == 0 else len(self.rows) - 1

    def action_select(self) -> None:
        if (row := self.current_row) is not None:
            self.post_message(self.Selected(row))

    def on_click(self, event) -> None:  # noqa: ANN001 - Textual event
        index = event.y - 1 + self.scroll_offset.y
        if event.y >= 1 and 0 <= index < len(self.rows):
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self._scroll_cursor_into_view()
