"""``?``: every key the current screen answers to, with what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tempcheck.tui.screens.scrolling import SCROLL_BINDINGS, scroll

ABOUT = (
    "Rows are coloured by staleness: days since last contact against the customer's "
    "cadence. The State column says the same in words: ✓ fresh, ◔ due, ! overdue, "
    "❄ cold, ○ never; ⟳ means priorities may have shifted (recalibrate); "
    "☾ reminders snoozed. Open issues: "
    "⚠ at risk (due soon or overdue), ☎ call them first (no contact from us since it "
    "was opened). Temperatures: 1 frustrated · 2 uneasy · 3 neutral · 4 content · "
    "5 delighted. Next due: ⚑ a promise, ↻ a follow-up. In a narrow terminal the "
    "columns shorten: the state as its symbol, the last contact as 5d, 6w, 3mo, the "
    "temperature as its digit and trend. Ctrl+P opens the command palette with every "
    "action."
)


class HelpScreen(ModalScreen[None]):
    """The bindings of the screen underneath, then the app's."""

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close"),
        *SCROLL_BINDINGS,
    ]

    def action_move(self, where: str) -> None:
        """j/k/g/G scroll, as they move on every screen."""
        scroll(self.query_one(".help", VerticalScroll), where)

    def __init__(self, underneath: Screen) -> None:
        super().__init__()
        self.underneath = underneath

    @property
    def entries(self) -> list[tuple[str, str]]:
        """(key, what it does) for every described binding: tempcheck's own first, then
        moving around (cursor keys, focus, copy)."""
        found = [
            (
                self.app.get_key_display(active.binding),
                active.binding.tooltip or active.binding.description,
                not (active.binding.id or "").startswith("tempcheck."),
            )
            for active in self.underneath.active_bindings.values()
            if active.binding.description
        ]
        found.sort(key=lambda entry: entry[2])  # stable: keeps the order within each group
        return [(key, what) for key, what, _ in found]

    def compose(self) -> ComposeResult:
        table = Table(title="Keys", expand=True, show_edge=False)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Does")
        for key, description in self.entries:
            table.add_row(Text(key), Text(description))
        with VerticalScroll(classes="dialog help"):
            yield Static(table)
            yield Static(Text(ABOUT), classes="about")
            yield Static(Text("Esc closes this help."), classes="hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
