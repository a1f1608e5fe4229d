"""The dashboard table: a virtual, line-rendered list of customers.

Textual's stock DataTable builds every row up front (about 2 s for 10,000
rows); this widget keeps the rows as plain objects and renders only the lines
on screen, so the first frame and every filter keystroke cost the same at 25
customers or 100,000.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

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
from tempcheck.domain.temperature import trend as temperature_trend
from tempcheck.domain.text import printable
from tempcheck.domain.trust import trend_symbol


@dataclass(frozen=True)
class Form:
    """One way to show a column: its width, its header and how a cell reads.

    A header always fits its width whole; the compact forms use symbols where the
    word is elsewhere (the summary line, the help), short dates and digits.
    """

    width: int
    label: str
    cell: Callable[[DashboardRow], str]


@dataclass(frozen=True)
class Column:
    """A dashboard column: what it sorts by and its forms, widest first."""

    key: str
    label: str  # the full name, as the summary line says it ("by last contact")
    sort_key: Callable[[DashboardRow], object]
    forms: tuple[Form, ...]
    required: bool = True  # shown at every width; the others only when there is room


@dataclass(frozen=True)
class Placed:
    """A column as laid out for one width."""

    column: Column
    form: Form
    width: int

    @property
    def key(self) -> str:
        return self.column.key


DUE_SYMBOLS = {"promise": "⚑", "follow-up": "↻", "renewal": "◷"}  # as in Today


def ago_compact(moment: datetime | None, reference: datetime | None = None) -> str:
    """How long ago, in at most five cells: ``now``, ``40m``, ``5h``, ``12d``, ``6w``,
    ``3mo``, ``2y``, ``never``."""
    if moment is None:
        return "never"
    reference = reference or clock.now()
    seconds = (reference - moment).total_seconds()
    if seconds < 90:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    days = max((clock.local(reference).date() - clock.local(moment).date()).days, 1)
    if days < 14:
        return f"{days}d"
    if days < 63:
        return f"{days // 7}w"
    if days < 365:
        return f"{round(days / 30.4)}mo"
    return f"{int(days / 365.25)}y"


def _until_compact(day: date) -> str:
    delta = (day - clock.today()).days
    if delta == 0:
        return "today"
    return f"{-delta}d late" if delta < 0 else f"in {delta}d"


def _due_text(row: DashboardRow) -> str:
    if row.next_due is None:
        return "—"
    return f"{row.next_due_kind} {clock.until(row.next_due, compact=True)}"


def _due_compact(row: DashboardRow) -> str:
    if row.next_due is None:
        return "—"
    symbol = DUE_SYMBOLS.get(row.next_due_kind, row.next_due_kind[:1])
    return f"{symbol} {_until_compact(row.next_due)}"


def _marks(row: DashboardRow) -> str:
    return ("⟳" if row.recalibrate else "") + ("☾" if row.snoozed_until else "")


def _state_text(row: DashboardRow) -> str:
    return (
        row.staleness.label
        + (" ⟳" if row.recalibrate else "")
        + (" ☾" if row.snoozed_until else "")
    )


def _state_compact(row: DashboardRow) -> str:
    marks = _marks(row)
    return f"{row.staleness.symbol} {marks}" if marks else row.staleness.symbol


def _issues_text(row: DashboardRow) -> str:
    parts = [str(row.open_issues)]
    if row.at_risk:
        parts.append(f"⚠{row.at_risk} risk")
    if row.call_first:
        parts.append("☎ call")
    return " · ".join(parts)


def _issues_compact(row: DashboardRow) -> str:
    text = str(row.open_issues)
    if row.at_risk:
        text += f" ⚠{row.at_risk}"
    if row.call_first:
        text += "☎"
    return text


def _temperature_compact(row: DashboardRow) -> str:
    value = row.last_temperature
    if value is None:
        return "—"
    return f"{value} {temperature_trend(row.recent)}".rstrip()


def _trust_text(row: DashboardRow) -> str:
    return "…" if row.trust_change is None else trend_symbol(row.trust_change)


def _name(row: DashboardRow) -> str:
    return printable(row.name, single_line=True)


_FAR = 10**9
NAME_MIN, NAME_MAX = 12, 36  # the name column's width grows with the terminal
COLUMNS: tuple[Column, ...] = (
    Column("name", "Customer", lambda r: r.name.casefold(), (Form(NAME_MIN, "Customer", _name),)),
    Column(
        "state",
        "State",
        lambda r: (r.staleness.rank, -r.ratio),
        (Form(12, "State", _state_text), Form(5, "State", _state_compact)),
    ),
    Column(
        "last",
        "Last contact",
        lambda r: -_FAR if r.days_since is None else -r.days_since,
        (
            Form(12, "Last contact", lambda r: clock.ago(r.last_contact)),
            Form(5, "Last", lambda r: ago_compact(r.last_contact)),
        ),
    ),
    Column(
        "temp",
        "Temperature",
        lambda r: r.last_temperature or 0,
        (Form(14, "Temperature", temperature_label), Form(4, "Temp", _temperature_compact)),
    ),
    Column(
        "spark",
        "Recent",
        lambda r: r.recent,
        (Form(8, "Recent", lambda r: sparkline(r.recent)),),
        required=False,
    ),
    Column(
        "issues",
        "Open issues",
        lambda r: (r.call_first, r.at_risk, r.open_issues),
        (Form(20, "Open issues", _issues_text), Form(6, "Issues", _issues_compact)),
    ),
    Column(
        "due",
        "Next due",
        lambda r: r.next_due.toordinal() if r.next_due else _FAR,
        (Form(17, "Next due", _due_text), Form(10, "Next due", _due_compact)),
    ),
    Column(
        "trust",
        "Trust",
        lambda r: r.trust_change or 0,
        (Form(5, "Trust", _trust_text),),
        required=False,
    ),
)
_BY_KEY = {column.key: column for column in COLUMNS}

# What a wider terminal buys, most useful first: (column, "wide" form, "add" an optional
# column, or a width for the name). Each step is taken if it fits; leftover room goes to
# the name.
UPGRADES: tuple[tuple[str, str | int], ...] = (
    ("name", 18),
    ("state", "wide"),
    ("temp", "wide"),
    ("last", "wide"),
    ("trust", "add"),
    ("spark", "add"),
    ("name", 22),
    ("due", "wide"),
    ("issues", "wide"),
)


def plan_columns(width: int) -> list[Placed]:
    """The columns to show in ``width`` cells, in order. Each takes its width plus one
    cell of space before it. The required columns always come, compact if need be
    (wider than ``width`` only below about 55 cells, where the table scrolls sideways
    with the name column held in place)."""
    forms: dict[str, Form] = {c.key: c.forms[-1] for c in COLUMNS if c.required}
    name_width = NAME_MIN

    def total() -> int:
        return sum((name_width if key == "name" else form.width) + 1 for key, form in forms.items())

    for key, step in UPGRADES:
        column = _BY_KEY[key]
        before = (dict(forms), name_width)
        if key == "name":
            name_width = max(name_width, int(step))
        elif step == "add":
            forms[key] = column.forms[0]
        elif key in forms:
            forms[key] = column.forms[0]
        if total() > width:
            forms, name_width = before
    name_width = max(NAME_MIN, min(NAME_MAX, name_width + width - total()))
    return [
        Placed(
            column,
            forms[column.key],
            name_width if column.key == "name" else forms[column.key].width,
        )
        for column in COLUMNS
        if column.key in forms
    ]


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
    CustomerTable {
        width: 100%;
        height: 1fr;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;
    }
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
        self._plan: tuple[int, list[Placed]] = (-1, [])

    # --- data -------------------------------------------------------------------------

    def set_rows(
        self, rows: Sequence[DashboardRow], *, keep: int | None = None, at: int | None = None
    ) -> None:
        """Show ``rows``; keep the cursor on customer ``keep`` (or the current one) if present.

        ``at``, when known, is where ``keep`` is in ``rows``: in attention order the cursor
        then finds it without a walk through every row.

        A list is kept as given, not copied (a copy of 100,000 rows touches every row, some
        milliseconds on each save): the table never changes it, and whoever changes it
        afterwards calls this again.
        """
        follow = keep if keep is not None else self.current_customer_id
        self.rows = self._sorted(rows if isinstance(rows, list) else list(rows))
        self._update_virtual_size()
        index = None
        if follow is not None and at is not None and self.sort_column is None:
            hint = len(self.rows) - 1 - at if self.sort_reverse else at
            if 0 <= hint < len(self.rows) and self.rows[hint].customer_id == follow:
                index = hint
        if index is None and follow is not None:
            index = self.index_of(follow)
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
            return list(reversed(rows)) if self.sort_reverse else rows
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

    @property
    def placed(self) -> list[Placed]:
        """The columns as laid out for the current width (recomputed when it changes)."""
        width = self.scrollable_content_region.width
        if self._plan[0] != width:
            self._plan = (width, plan_columns(width))
        return self._plan[1]

    def _total_width(self) -> int:
        return sum(p.width + 1 for p in self.placed)

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self._total_width(), len(self.rows) + 1)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if y == 0:
            cells = self._header_cells()
            style = self.get_component_rich_style("customer-table--header")
        else:
            index = y - 1 + scroll_y
            if index >= len(self.rows):
                return Strip.blank(width, self.rich_style)
            cells, style = self._row_cells(index)
        # The name column stays in place; the others scroll sideways behind it.
        name, rest = cells[0], cells[1:]
        frozen = Strip([Segment(name, style)])
        moving = Strip([Segment("".join(rest), style)])
        if scroll_x:
            moving = moving.crop(scroll_x, scroll_x + width)
        return Strip.join([frozen, moving]).crop(0, width).extend_cell_length(width, style)

    def _header_cells(self) -> list[str]:
        cells = []
        for placed in self.placed:
            label = placed.form.label
            if placed.key == self.sort_column:
                arrow = "▼" if self.sort_reverse else "▲"
                if cell_len(label) + 2 <= placed.width:
                    label += " " + arrow
                elif cell_len(label) + 1 <= placed.width:
                    label += arrow
            cells.append(set_cell_size(" " + label, placed.width + 1))
        return cells

    def _row_cells(self, index: int) -> tuple[list[str], Style]:
        row = self.rows[index]
        style: Style = self.rich_style + self.get_component_rich_style(
            STALENESS_CLASSES[row.staleness]
        )
        if index == self.cursor and self.has_focus:
            style += self.get_component_rich_style("customer-table--cursor")
        elif index == self.cursor:
            style += Style(underline=True)
        cells = []
        for placed in self.placed:
            text = placed.form.cell(row)
            if (
                placed.key == "name"
                and self.tag_text
                and (tags := self.tag_text.get(row.customer_id))
            ):
                text += " " + printable(tags, single_line=True)
            if cell_len(text) > placed.width:
                text = set_cell_size(text, placed.width - 1) + "…"
            cells.append(set_cell_size(" " + text, placed.width + 1))
        return cells, style

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
        self._update_virtual_size()
        self._scroll_cursor_into_view()
        self.refresh()
