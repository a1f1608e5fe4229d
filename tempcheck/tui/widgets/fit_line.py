"""A one-line status that drops whole phrases rather than cutting one mid-word."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Static

SEPARATOR = " · "


def fit_parts(parts: list[str], width: int) -> str:
    """Join ``parts`` with `` · `` in ``width`` cells. The first and the last part stay
    (what it is, and how it is sorted); middle parts go from the end, marked ``…``."""
    line = SEPARATOR.join(parts)
    if cell_len(line) <= width or len(parts) < 3:
        return line
    first, middle, last = parts[0], parts[1:-1], parts[-1]
    for keep in range(len(middle) - 1, -1, -1):
        line = SEPARATOR.join([first, *middle[:keep], "…", last])
        if cell_len(line) <= width:
            return line
    return SEPARATOR.join([first, "…", last])


class FitLine(Static):
    """``update("a · b · c")`` shows as many whole phrases as the width allows."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("", id=id, markup=False)
        self._parts: list[str] = []
        self._shown = ""

    def update(self, content: object = "", *, layout: bool = True) -> None:  # type: ignore[override]
        self.show_parts(str(content).split(SEPARATOR) if content else [])

    def show_parts(self, parts: list[str]) -> None:
        """Show ``parts`` (each kept whole, even one holding `` · `` itself)."""
        self._parts = list(parts)
        self._render_parts()

    @property
    def full_text(self) -> str:
        return SEPARATOR.join(self._parts)

    def _render_parts(self) -> None:
        width = self.content_region.width or self.app.size.width
        line = fit_parts(self._parts, width) if self._parts else ""
        if line == self._shown:
            return
        self._shown = line
        # One line of a set height, the width of its container: what it says never
        # changes its size, so it needs no new layout of the screen (a save repaints
        # sooner without one).
        height = self.styles.height
        super().update(line, layout=height is None or not height.is_cells)

    def on_resize(self) -> None:
        self._render_parts()


def wrap_phrases(text: str, width: int, separator: str = "   ") -> str:
    """Break each line of ``text`` between phrases (joined by ``separator``) so that no
    phrase is split across lines unless it is longer than ``width`` by itself."""
    out: list[str] = []
    for line in text.split("\n"):
        current = ""
        for phrase in line.split(separator):
            candidate = f"{current}{separator}{phrase}" if current else phrase
            if current and cell_len(candidate) > width:
                out.append(current)
                current = phrase
            else:
                current = candidate
        out.append(current)
    return "\n".join(out)


class PhraseLines(Static):
    """Lines of phrases separated by three spaces (the detail screen's header and flags),
    wrapped between phrases, never inside one ("temperature: 2 / uneasy")."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("", id=id, markup=False)
        self._text = ""

    def update(self, content: object = "", *, layout: bool = True) -> None:  # type: ignore[override]
        self._text = str(content)
        self._render_text()

    @property
    def full_text(self) -> str:
        return self._text

    def _render_text(self) -> None:
        width = self.content_region.width or self.app.size.width - 2
        super().update(wrap_phrases(self._text, max(width, 20)))

    def on_resize(self) -> None:
        self._render_text()
