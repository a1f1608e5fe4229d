"""j/k/g/G on screens that are one scrolling page (help, portfolio), as they move everywhere."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import ScrollableContainer

SCROLL_BINDINGS = [
    Binding("j", "move('down')", "Down", show=False),
    Binding("k", "move('up')", "Up", show=False),
    Binding("g", "move('home')", "Top", show=False),
    Binding("G", "move('end')", "Bottom", show=False),
]


def scroll(box: ScrollableContainer, where: str) -> None:
    """Scroll ``box`` one step ``down``/``up``, or to its ``home``/``end``."""
    {
        "down": box.scroll_down,
        "up": box.scroll_up,
        "home": box.scroll_home,
        "end": box.scroll_end,
    }[where](animate=False)
