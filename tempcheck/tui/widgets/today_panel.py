"""The morning brief at the top of the dashboard: what to do first, one line each,
with the last note so nobody has to open the detail to remember what was said."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from tempcheck.domain import clock
from tempcheck.domain.brief import BriefItem
from tempcheck.domain.text import clip, printable

SHORT_REASONS = {
    "never contacted": "never contacted",
    "unhappy, not contacted since": "unhappy",
    "recalibrate priorities": "recalibrate",
}


class TodayPanel(DataTable):
    """Brief items; the dashboard opens or logs for the highlighted item's customer."""

    DEFAULT_CSS = """
    TodayPanel { height: auto; max-height: 11; margin: 0 0 1 0; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.items: list[BriefItem] = []
        self.loaded = False  # the brief has been shown once (not just "Loading…")
        self.add_columns("Today", "Customer", "Why", "Last said")
        self.add_row(Text("Loading today's brief…"), Text(""), Text(""), Text(""))

    def show(self, items: list[BriefItem]) -> None:
        self.items = items
        self.loaded = True
        self.clear()
        now = clock.now()
        if not items:
            self.add_row(
                Text("✓ nothing due"),
                Text(""),
                Text("No calls, promises or follow-ups due, nobody cold."),
                Text(""),
            )
            return
        for item in items:
            self._add(item, now)

    def _add(self, item: BriefItem, now: datetime) -> None:
        said = ""
        if item.last_contact is not None:
            note = clip(printable(item.last_note, single_line=True), 24)
            said = (
                f'"{note}" ({clock.ago(item.last_contact, now)})'
                if note
                else clock.ago(item.last_contact, now)
            )
        self.add_row(
            Text(f"{item.symbol} {SHORT_REASONS.get(item.reason, item.reason)}"),
            Text(clip(printable(item.customer_name, single_line=True), 22)),
            Text(clip(printable(item.detail, single_line=True), 52)),
            Text(said),
            key=_row_key(item),
        )

    def replace_customer(self, customer_id: int, items: list[BriefItem]) -> None:
        """Show ``items``, which differ from the current ones only in ``customer_id``'s
        lines: those rows are removed and added, the rest stay as they are (a brief
        of thousands of lines is not rebuilt for one saved check-in)."""
        old = [i for i in self.items if i.customer_id == customer_id]
        new = [i for i in items if i.customer_id == customer_id]
        if not self.items or not items or len(items) != len(self.items) - len(old) + len(new):
            self.show(items)
            return
        keep = self.current_item
        self.items = items
        for item in old:
            self.remove_row(_row_key(item))
        now = clock.now()
        for item in new:
            self._add(item, now)
        # Rows are drawn in the order of their locations; put the new ones in their place.
        self._row_locations = TwoWayDict(
            {RowKey(_row_key(item)): index for index, item in enumerate(items)}
        )
        self._update_count += 1
        self.refresh()
        if keep is not None and keep.customer_id != customer_id:
            self.move_cursor(row=items.index(keep), animate=False)

    @property
    def current_item(self) -> BriefItem | None:
        if not self.items or not self.is_valid_row_index(self.cursor_row):
            return None
        return self.items[self.cursor_row]


def _row_key(item: BriefItem) -> str:
    """One line's identity: customer, reason and the issue, promise or follow-up."""
    return f"{item.customer_id}:{item.reason}:{item.ref_id}"
