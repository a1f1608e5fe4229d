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


def _safe_input_class() -> type:
    from textual.widgets import Input

    class SafeInput(Input):
        """An Input that shows control characters in its value as ``\ufffd``.

        Textual's Input draws its value as is, so a stored name holding ESC or a bidi
        override would reach the terminal when it is edited. The value itself is kept
        byte for byte; each control character is shown as one replacement character,
        so the cursor stays where it is.
        """

        @property
        def _value(self) -> Text:
            if self.password:
                return super()._value
            text = Text(
                printable(self.value, single_line=True), no_wrap=True, overflow="ignore", end=""
            )
            if self.highlighter is not None:
                text = self.highlighter(text)
            return text

    return SafeInput


SafeInput = _safe_input_class()
