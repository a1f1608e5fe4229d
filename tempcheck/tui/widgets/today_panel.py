"""The morning brief at the top of the dashboard: what to do first, one line each,
with the last note so nobody has to open the detail to remember what was said."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

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
        self.add_columns("Today", "Customer", "Why", "Last said")
        self.add_row(Text("Loading today's brief…"), Text(""), Text(""), Text(""))

    def show(self, items: list[BriefItem]) -> None:
        self.items = items
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
        for index, item in enumerate(items):
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
                key=str(index),
            )

    @property
    def current_item(self) -> BriefItem | None:
        if not self.items or not self.is_valid_row_index(self.cursor_row):
            return None
        return self.items[self.cursor_row]
