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

from tempcheck.domain.text import TERMINAL_UNSAFE, for_terminal

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
    return TERMINAL_UNSAFE.sub(lambda m: "".join(f"\\u{ord(c):04x}" for c in m.group()), text)


def _flat_records_json(value: object) -> str | None:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` for a list of flat records
    (dicts of strings, numbers, booleans and None), character for character; None for
    anything else. The standard encoder drops to pure Python when it indents, about
    ten times slower than this for ``tempcheck list --format json`` at 10,000 rows.
    """
    from json.encoder import encode_basestring  # lazy: keeps tempcheck log fast

    if not isinstance(value, list) or not value:
        return None
    keys: dict[str, str] = {}
    records = []
    for record in value:
        if type(record) is not dict:
            return None
        fields = []
        for name, item in record.items():
            if type(name) is not str:
                return None
            label = keys.get(name)
            if label is None:
                label = keys[name] = f"    {encode_basestring(name)}: "
            kind = type(item)
            if kind is str:
                fields.append(label + encode_basestring(item))
            elif item is None:
                fields.append(label + "null")
            elif kind is bool:
                fields.append(label + ("true" if item else "false"))
            elif kind is int:
                fields.append(label + int.__repr__(item))
            elif kind is float and item == item and item not in (_INF, -_INF):
                fields.append(label + float.__repr__(item))
            else:
                return None
        records.append("  {\n" + ",\n".join(fields) + "\n  }" if fields else "  {}")
    return "[\n" + ",\n".join(records) + "\n]"


_INF = float("inf")


def csv_text(fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with a header row (also when there are no rows), for reading and scripts."""
    from tempcheck.exchange.csvformat import write_rows  # lazy: keeps tempcheck log fast

    buffer = io.StringIO()
    write_rows(buffer, fields, rows)
    return buffer.getvalue()


def emit_json(value: object) -> None:
    click.echo(json_text(value))


def emit_records(records: Sequence[Mapping[str, object]], fmt: str, fields: Sequence[str]) -> None:
    """Print records as JSON (a list) or CSV (with its header row even when empty)."""
    if fmt == "json":
        emit_json(list(records))
        return
    click.echo(csv_text(fields, ([record[f] for f in fields] for record in records)), nl=False)
