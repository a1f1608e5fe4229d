"""The morning brief at the top of the dashboard: what to do first, one line each,
with the last note so nobody has to open the detail to remember what was said.

:class:`TodayBox` holds the list (:class:`TodayPanel`), a preview of the highlighted
line in full (its whole "why" and the last thing the customer said), and the
one-line summary that ``t`` collapses it to. It never takes more than about a
third of the screen's height, so the customer table keeps its room.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellKey, Row, RowKey

from tempcheck.domain import brief as brief_rules
from tempcheck.domain import clock
from tempcheck.domain.brief import BriefItem
from tempcheck.domain.text import clip, printable
from tempcheck.tui.widgets.customer_table import ago_compact

SHORT_REASONS = {
    "never contacted": "never",
    "unhappy, not contacted since": "unhappy",
    "recalibrate priorities": "recalibrate",
    "key person unhappy": "person unhappy",
}
# Narrow terminals: the reason in a word (the symbol says it too).
TERSE_REASONS = {
    "call first": "call",
    "promise due": "promise",
    "follow-up due": "follow-up",
    "gone cold": "cold",
    "never contacted": "never",
    "unhappy, not contacted since": "unhappy",
    "recalibrate priorities": "recalibrate",
    "renewal coming": "renewal",
    "key person unhappy": "person",
    "key person quiet": "quiet",
    "met, not logged": "met",
}
# The collapsed summary: (one, many) for each reason; {n} is the count.
SUMMARY_PHRASES = {
    "call first": ("{n} to call", "{n} to call"),
    "promise due": ("{n} promise due", "{n} promises due"),
    "follow-up due": ("{n} follow-up due", "{n} follow-ups due"),
    "gone cold": ("{n} gone cold", "{n} gone cold"),
    "never contacted": ("{n} never contacted", "{n} never contacted"),
    "unhappy, not contacted since": ("{n} unhappy", "{n} unhappy"),
    "recalibrate priorities": ("{n} to recalibrate", "{n} to recalibrate"),
    "renewal coming": ("{n} renewal coming", "{n} renewals coming"),
    "key person unhappy": ("{n} key person unhappy", "{n} key people unhappy"),
    "key person quiet": ("{n} key person quiet", "{n} key people quiet"),
}
WIDE = 110  # from this width the list has its own "Last said" column
PREVIEW_LINES = 2


def tally(items: list[BriefItem]) -> Counter[tuple[str, str]]:
    """How many lines there are of each (reason, symbol)."""
    return Counter((item.reason, item.symbol) for item in items)


def summary_parts(
    items: list[BriefItem], counted: Counter[tuple[str, str]] | None = None
) -> list[str]:
    """``["☎ 3 to call", "⚑ 2 promises due", "❄ 4 gone cold"]``, in the brief's order.

    ``counted``: :func:`tally` of ``items``, when the caller keeps it up to date."""
    counts: Counter[str] = Counter()
    symbols: dict[str, str] = {}
    for (reason, symbol), n in (tally(items) if counted is None else counted).items():
        if n > 0:
            counts[reason] += n
            symbols[reason] = symbol
    parts = []
    for reason in sorted(counts, key=_rank):
        one, many = SUMMARY_PHRASES.get(reason, ("{n} " + reason, "{n} " + reason))
        phrase = (one if counts[reason] == 1 else many).format(n=counts[reason])
        parts.append(f"{symbols[reason]} {phrase}")
    return parts


def _rank(reason: str) -> int:
    order = brief_rules.ORDER
    return order.index(reason) if reason in order else len(order)


def summary_line(
    items: list[BriefItem] | None, width: int, counted: Counter[tuple[str, str]] | None = None
) -> str:
    """The collapsed brief in at most ``width`` cells, whole phrases only."""
    if items is None:
        return "Today: loading…"
    if not items:
        return "Today: ✓ nothing due · t shows the brief"
    tail = " · t shows all"
    parts = summary_parts(items, counted)
    line = "Today: " + " · ".join(parts)
    if cell_len(line + tail) <= width:
        return line + tail
    for keep in range(len(parts) - 1, 0, -1):
        line = "Today: " + " · ".join(parts[:keep]) + " · …"
        if cell_len(line + tail) <= width:
            return line + tail
    return clip("Today: " + parts[0], width)


def preview_text(item: BriefItem, width: int, lines: int = PREVIEW_LINES) -> Text:
    """The highlighted line in full: who, the whole why, and the last words, clipped only
    when a very long note would need more than ``lines`` lines of ``width`` cells."""
    now = clock.now()
    name = printable(item.customer_name, single_line=True)
    detail = printable(item.detail, single_line=True)
    words = brief_rules.last_words(item, now)
    head = f"{item.symbol} {name}: "
    body = f"{detail} · {words}"
    room = max(width * lines - cell_len(head) - 2 * lines, 20)  # slack for word wrap
    if cell_len(body) > room:
        body = clip(body, room)
    return Text.assemble((head, "bold"), body)


class TodayPanel(DataTable):
    """Brief items; the dashboard opens or logs for the highlighted item's customer."""

    DEFAULT_CSS = """
    TodayPanel { height: 6; scrollbar-size-vertical: 1; }
    """

    class Shown(Message):
        """The items were (re)filled; the box updates its summary and preview."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        # The rows' keys and rows in order, and each customer's items: what a change to
        # one customer's lines needs (see replace_customer). None: not kept right now.
        self._keys: list[RowKey] | None = None
        self._ordered_list: list[Row] | None = None
        self._offsets: list[tuple[RowKey, int]] | None = None  # each row is one line
        self._by_customer: dict[int, list[BriefItem]] = {}
        self.counted: Counter[tuple[str, str]] = Counter()  # tally(self.items), kept up to date
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.items: list[BriefItem] = []
        self.loaded = False
        self._layout_width = -1
        self._set_columns(self._columns_for(80))
        self.add_row(
            Text("Loading today's brief…"), *(Text("") for _ in range(len(self.columns) - 1))
        )

    # --- columns for the width --------------------------------------------------------

    def _columns_for(self, width: int) -> list[tuple[str, int]]:
        """(label, width) per column; each also takes two cells of padding."""
        room = max(width - 1, 40)  # the scrollbar
        if width >= WIDE:
            reason, name = 17, 22
            rest = room - (reason + 2) - (name + 2) - 4
            why = min(rest - 24, 62)
            return [("Today", reason), ("Customer", name), ("Why", why), ("Last said", rest - why)]
        reason, name = 13, 18
        why = max(room - (reason + 2) - (name + 2) - 2, 12)
        return [("Today", reason), ("Customer", name), ("Why", why)]

    def _set_columns(self, columns: list[tuple[str, int]]) -> None:
        self._keys = self._ordered_list = self._offsets = None
        self.clear(columns=True)
        for label, width in columns:
            self.add_column(label, width=width)

    def on_resize(self) -> None:
        width = self.size.width
        if width and self._columns_for(width) != self._columns_for(self._layout_width):
            self._layout_width = width
            if self.loaded:
                self.show(self.items)
            else:
                self._set_columns(self._columns_for(width))
                self.add_row(
                    Text("Loading today's brief…"),
                    *(Text("") for _ in range(len(self.columns) - 1)),
                )

    # --- rows -------------------------------------------------------------------------

    def show(self, items: list[BriefItem]) -> None:
        self.items = items
        self.counted = tally(items)
        self.loaded = True
        cursor = self.cursor_row
        columns = self._columns_for(self.size.width or 80)
        self._set_columns(columns)
        widths = [width for _label, width in columns]
        now = clock.now()
        if not items:
            cells = ["✓ nothing due", "", "No calls, promises or follow-ups due, nobody cold."]
            cells += [""] * (len(columns) - len(cells))
            self.add_row(*(Text(clip(c, w)) for c, w in zip(cells, widths, strict=True)))
        keys = [self._add(item, widths, now) for item in items]
        by_customer: dict[int, list[BriefItem]] = {}
        for item in items:
            by_customer.setdefault(item.customer_id, []).append(item)
        self._by_customer = by_customer
        self._keys = keys if items else None
        self._ordered_list = [self.rows[key] for key in keys] if items else None
        self._offsets = [(key, 0) for key in keys] if items else None
        if items:
            self.move_cursor(row=min(max(cursor, 0), len(items) - 1), animate=False)
        self.post_message(self.Shown())

    def _add(self, item: BriefItem, widths: list[int], now: datetime) -> RowKey:
        return self.add_row(*self._cells(item, widths, now), key=_row_key(item))

    def _insert(self, item: BriefItem, widths: list[int], now: datetime) -> RowKey:
        """What ``add_row`` stores for a row, without placing it or moving the cursor:
        :meth:`replace_customer` numbers the rows once all are in."""
        row_key = RowKey(_row_key(item))
        cells = self._cells(item, widths, now)
        self._data[row_key] = {
            column.key: cell for column, cell in zip(self.ordered_columns, cells, strict=True)
        }
        self.rows[row_key] = Row(row_key, 1)
        self._new_rows.add(row_key)
        return row_key

    def _cells(self, item: BriefItem, widths: list[int], now: datetime) -> list[Text]:
        wide = len(widths) == 4
        reasons = SHORT_REASONS if wide else TERSE_REASONS
        cells = [
            f"{item.symbol} {reasons.get(item.reason, item.reason)}",
            printable(item.customer_name, single_line=True),
            printable(item.detail, single_line=True),
        ]
        if wide:
            said = ""
            if item.last_contact is not None:
                note = printable(item.last_note, single_line=True)
                when = ago_compact(item.last_contact, now)
                said = f'"{note}" {when}' if note else when
                if cell_len(said) > widths[3] and note:
                    room = max(widths[3] - cell_len(when) - 3, 4)
                    said = f'"{clip(note, room)}" {when}'
            cells.append(said)
        return [Text(clip(c, w)) for c, w in zip(cells, widths, strict=True)]

    def replace_customer(self, customer_id: int, items: list[BriefItem]) -> None:
        """Show ``items``, which differ from the current ones only in ``customer_id``'s
        lines: those rows are removed and added, the rest stay as they are (a brief of
        thousands of lines is not rebuilt for one saved check-in).

        The rows are taken out and put in by hand, the others renumbered in one pass:
        DataTable's ``remove_row`` renumbers every row once per row removed and its
        ``ordered_rows`` looks every row up again after each change (at 100,000
        customers the brief has some 25,000 lines).
        """
        old = self._by_customer.get(customer_id, [])
        placed = [(n, item) for n, item in enumerate(items) if item.customer_id == customer_id]
        new = [item for _, item in placed]
        if (
            not self.items
            or not items
            or len(items) != len(self.items) - len(old) + len(new)
            or self._keys is None
            or len(self._keys) != self.row_count
        ):
            self.show(items)
            return
        keep = self.current_item
        keep_key = None if keep is None else RowKey(_row_key(keep))
        old_keys = [RowKey(_row_key(item)) for item in old]
        gone = sorted((self._row_locations.get(key) for key in old_keys), reverse=True)
        if None in gone or len(set(gone)) != len(gone):
            self.show(items)  # not the rows this panel holds: build them all
            return
        keys, ordered, offsets = self._keys, self._ordered_list, self._offsets
        if ordered is None or offsets is None:
            self.show(items)
            return
        for index in gone:
            del keys[index], ordered[index], offsets[index]
        for row_key in old_keys:
            for column_key in self._data.pop(row_key):
                self._updated_cells.discard(CellKey(row_key, column_key))
            del self.rows[row_key]
            del self._row_locations[row_key]
        self.items = items
        self.counted.subtract(tally(old))
        self.counted.update(tally(new))
        now = clock.now()
        widths = [column.width for column in self.ordered_columns]
        for index, item in placed:  # in order: each lands before those that follow it
            row_key = self._insert(item, widths, now)
            keys.insert(index, row_key)
            ordered.insert(index, self.rows[row_key])
            offsets.insert(index, (row_key, 0))
        if new:
            self._by_customer[customer_id] = new
        else:
            self._by_customer.pop(customer_id, None)
        # Rows before the first one taken out or put in keep their numbers.
        start = min([*gone, *(index for index, _ in placed)], default=len(keys))
        forward, reverse = self._row_locations._forward, self._row_locations._reverse
        for index in range(len(keys), len(keys) - len(new) + len(old)):
            reverse.pop(index, None)
        forward.update(zip(keys[start:], range(start, len(keys)), strict=True))
        reverse.update(zip(range(start, len(keys)), keys[start:], strict=True))
        self.cursor_coordinate = self.cursor_coordinate  # kept within the rows there are now
        self._update_count += 1
        self._require_update_dimensions = True
        self.check_idle()
        self.refresh()
        if keep is not None and keep.customer_id != customer_id:
            index = self._row_locations.get(keep_key)
            if index is not None:
                self.move_cursor(row=index, animate=False)
        self.post_message(self.Shown())

    @property
    def _y_offsets(self) -> list[tuple[RowKey, int]]:
        """(row, line within it) per line. DataTable builds this list afresh, a new pair
        per line, after every change: 25,000 new objects for the garbage collector to
        walk (tens of ms a pass) at 100,000 customers. Every row here is one line."""
        if self._offsets is not None and len(self._offsets) == self.row_count:
            return self._offsets
        return super()._y_offsets

    @property
    def ordered_rows(self) -> list[Row]:
        """The rows in order: kept up to date here when one customer's lines change, as
        DataTable would otherwise look each of them up again."""
        if self._ordered_list is not None and len(self._ordered_list) == self.row_count:
            return self._ordered_list
        return super().ordered_rows

    @property
    def current_item(self) -> BriefItem | None:
        if not self.items or not self.is_valid_row_index(self.cursor_row):
            return None
        return self.items[self.cursor_row]


def _row_key(item: BriefItem) -> str:
    """One line's identity: customer, reason and the issue, promise or follow-up (or, for
    the lines about a customer's people, which person: their place in the order)."""
    which = item.ref_id if item.ref_id is not None else item.order
    return f"{item.customer_id}:{item.reason}:{which}"


class TodayBox(Vertical):
    """The brief, its preview line and its collapsed summary; ``collapsed`` is what ``t``
    toggles. Sized from the screen's height: at most about a third of it."""

    DEFAULT_CSS = """
    TodayBox { width: 100%; height: auto; }
    TodayBox.-tall { margin-bottom: 1; }
    TodayBox > #today-preview { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    TodayBox > #today-summary { height: 1; padding: 0 1; display: none; }
    TodayBox.-collapsed > TodayPanel { display: none; }
    TodayBox.-collapsed > #today-preview { display: none; }
    TodayBox.-collapsed > #today-summary { display: block; }
    """

    collapsed = reactive(False)

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._screen_height = -1
        self._shown_summary: str | None = None
        self._shown_preview: Text | None = None
        self._counted_for: tuple[list[BriefItem] | None, int] = (None, -1)
        self._counted_line = ""

    def compose(self) -> ComposeResult:
        yield TodayPanel(id="today")
        yield Static("", id="today-preview", markup=False)
        yield Static("Today: loading…", id="today-summary", markup=False)

    @property
    def panel(self) -> TodayPanel:
        return self.query_one(TodayPanel)

    def on_mount(self) -> None:
        self.screen.screen_layout_refresh_signal.subscribe(self, self._screen_laid_out)
        self._fit()

    def on_unmount(self) -> None:
        self.screen.screen_layout_refresh_signal.unsubscribe(self)

    def _screen_laid_out(self, screen: Screen) -> None:
        if screen.size.height != self._screen_height:
            self._fit()

    def _fit(self) -> None:
        """Give the list what is left of a third of the height once the preview has its
        lines; set its height outright (an auto height once rendered it collapsed)."""
        height = self.screen.size.height or 24
        self._screen_height = height
        tall = height >= 36
        self.set_class(tall, "-tall")
        budget = height // 3 - PREVIEW_LINES - (1 if tall else 0)
        panel = self.panel
        rows = max(panel.row_count, 1) + 1  # and the header
        panel.styles.height = max(min(rows, budget), 3)

    def watch_collapsed(self, collapsed: bool) -> None:
        self.set_class(collapsed, "-collapsed")
        self._update_text()

    def on_resize(self) -> None:
        self._update_text()

    @on(TodayPanel.Shown)
    def _shown(self) -> None:
        self._fit()
        self._update_text()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._update_text()

    def _update_text(self) -> None:
        panel = self.panel
        width = max(self.size.width - 2, 20)
        items = panel.items if panel.loaded else None
        # Counted once per brief and width, not on every move of the cursor.
        counted_for = (items, width)
        if self._counted_for[0] is not items or self._counted_for[1] != width:
            self._counted_for, self._counted_line = (
                counted_for,
                summary_line(items, width, panel.counted if items is not None else None),
            )
        line = self._counted_line
        summary = self.query_one("#today-summary", Static)
        if line != self._shown_summary:
            self._shown_summary = line
            summary.update(line, layout=False)  # one line, whatever it says
        preview = self.query_one("#today-preview", Static)
        item = panel.current_item
        preview.display = item is not None and not self.collapsed
        if item is not None:
            text = preview_text(item, width)
            if text != self._shown_preview:  # unchanged: no new layout for it
                self._shown_preview = text
                preview.update(text)

    @property
    def summary(self) -> str:
        return str(self.query_one("#today-summary", Static).content)
