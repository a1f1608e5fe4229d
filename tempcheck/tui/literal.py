"""Stored text as a widget shows it: literally, never as markup, never driving the terminal.

Select, OptionList and friends parse a ``str`` prompt as markup, so a customer
called ``Broken [/] markup`` raised MarkupError when a drop-down opened and
``[URGENT] outage`` lost its brackets. A :class:`rich.text.Text` is shown as is.
"""

from __future__ import annotations

from rich.text import Text

from tempcheck.domain.text import printable


def literal(text: str | Text) -> Text:
    """``text`` as one line of plain :class:`Text`, control characters made visible."""
    if isinstance(text, Text):
        return text
    return Text(printable(text, single_line=True), no_wrap=True, overflow="ellipsis")
