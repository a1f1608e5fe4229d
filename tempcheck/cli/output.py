"""Everything the shell prints goes through one writer.

Stored text is printed byte for byte where it is data (``export -o``, or
``export`` into a pipe), and never raw on a terminal otherwise: every
subcommand's standard output and error are wrapped in :class:`SafeStream`,
which turns the characters of :data:`tempcheck.domain.text.TERMINAL_UNSAFE`
(C0 controls but tab and newline, ESC, DEL, C1 such as U+009B, and the bidi
controls) into ``\ufffd``. JSON escapes them instead (``\\u202e``), so it still
decodes to the stored text exactly; CSV listings are for reading and lose them.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

import click

from tempcheck.domain.text import TERMINAL_UNSAFE, for_terminal, may_be_unsafe

FORMATS = click.Choice(["table", "csv", "json"])  # for listings


class SafeStream(io.TextIOBase):
    """A text stream that writes :func:`for_terminal` of everything through to ``raw``.

    ``buffer`` is the raw stream's own, for the one writer of exact data
    (``export`` into a pipe), which checks :meth:`isatty` first.
    """

    def __init__(self, raw: IO[str]) -> None:
        super().__init__()
        self._raw = raw

    def write(self, text: str) -> int:
        self._raw.write(for_terminal(text))
        return len(text)

    def flush(self) -> None:
        self._raw.flush()

    def isatty(self) -> bool:
        return self._raw.isatty()

    def fileno(self) -> int:
        return self._raw.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._raw, "encoding", "utf-8")

    @property
    def buffer(self) -> Any:
        return getattr(self._raw, "buffer", None)


def install() -> None:
    """Route this process's standard output and error through :class:`SafeStream`."""
    if not isinstance(sys.stdout, SafeStream):
        sys.stdout = SafeStream(sys.stdout)
    if not isinstance(sys.stderr, SafeStream):
        sys.stderr = SafeStream(sys.stderr)


def json_text(value: object) -> str:
    """JSON with the exact text, readable UTF-8, and no unsafe character left raw.

    ``json.dumps`` escapes C0 controls but not DEL, C1 or the bidi controls;
    those become ``\\u`` escapes too, so the JSON decodes to the stored text.
    """
    import json  # lazy: keeps tempcheck log fast

    text = _flat_records_json(value)
    if text is None:
        text = json.dumps(value, ensure_ascii=False, indent=2)
    if not may_be_unsafe(text):  # one fast search; the replacing pass only when needed
        return text
    return TERMINAL_UNSAFE.sub(lambda m: "".join(f"\\u{ord(c):04x}" for c in m.group()), text)


_SCALARS = frozenset({str, int, float, bool, type(None)})
_ITEM = ",\n    "  # between two fields of a record, as indent=2 writes it


def _flat_records_json(value: object) -> str | None:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` for a list of flat records
    (non-empty dicts with text keys, of strings, numbers, booleans and None), character
    for character; None for anything else.

    The standard encoder drops to pure Python when it indents, several times slower
    than its C encoder; this runs the C encoder with the indented field separator and
    then only fixes the ten thousand record boundaries (a raw line break is never
    inside a JSON string, so ``},\\n    {`` is always one).
    """
    import json  # lazy: keeps tempcheck log fast

    if type(value) is not list or not value:
        return None
    if not all(type(record) is dict and record for record in value):
        return None
    records: list[dict[object, object]] = value
    if {type(name) for name in {name for record in records for name in record}} != {str}:
        return None
    if not {type(item) for record in records for item in record.values()} <= _SCALARS:
        return None
    compact = json.dumps(records, ensure_ascii=False, separators=(_ITEM, ": "))
    body = compact[2:-2].replace("}" + _ITEM + "{", "\n  },\n  {\n    ")
    return "[\n  {\n    " + body + "\n  }\n]"


def csv_text(fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with a header row (also when there are no rows), for reading and scripts."""
    from tempcheck.exchange.csvformat import write_rows  # lazy: keeps tempcheck log fast

    buffer = io.StringIO()
    write_rows(buffer, fields, rows)
    return buffer.getvalue()


def emit_json(value: object) -> None:
    _print_clean(json_text(value) + "\n")


def _print_clean(text: str) -> None:
    """Print text :func:`json_text` made, in one write to the stream under :class:`SafeStream`.

    It holds no character of :data:`TERMINAL_UNSAFE` (each is a ``\\u`` escape), so
    the writer's pass, and ``click.echo``'s search for ANSI codes, would find nothing
    in the megabytes of a long listing.
    """
    out = sys.stdout
    raw = out._raw if isinstance(out, SafeStream) else out
    raw.write(text)
    raw.flush()


def emit_records(records: Sequence[Mapping[str, object]], fmt: str, fields: Sequence[str]) -> None:
    """Print records as JSON (a list) or CSV (with its header row even when empty)."""
    if fmt == "json":
        emit_json(list(records))
        return
    click.echo(csv_text(fields, ([record[f] for f in fields] for record in records)), nl=False)
