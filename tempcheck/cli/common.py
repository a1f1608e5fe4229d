"""What every shell command shares: the --db option, opening the store, clean errors."""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from tempcheck.domain import clock
from tempcheck.domain.text import printable
from tempcheck.store import customers, open_db
from tempcheck.store.connection import StoreError, describe
from tempcheck.store.customers import AmbiguousCustomer, CustomerNotFound

F = TypeVar("F", bound=Callable[..., Any])

ARGV: list[str] = []  # the command line as typed, for "run: tempcheck …" hints
EXIT_ERROR = 1
EXIT_NOT_FOUND = 2


class Failure(click.ClickException):
    """One clear line on stderr and a non-zero exit; never a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        # Messages quote what people typed and stored names: never let them drive the terminal.
        click.echo(f"tempcheck: {printable(self.format_message(), single_line=True)}", err=True)


MAX_ROW_ID = 2**63 - 1  # SQLite's largest INTEGER


class RowId(click.ParamType):
    """The id of a stored row: a whole number SQLite can hold (1 to 2^63-1)."""

    name = "ID"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip()
            if not text.isascii() or not text.isdigit():
                self.fail(f"{value!r} is not an id (a whole number such as 7)", param, ctx)
            number = int(text) if len(text) <= 20 else MAX_ROW_ID + 1
        if not 1 <= number <= MAX_ROW_ID:
            self.fail(f"{value!r} is not an id (ids run from 1 to {MAX_ROW_ID})", param, ctx)
        return number


ROW_ID = RowId()


def not_empty(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Refuse an empty value, which would otherwise quietly mean "all" or "the default"."""
    if value is not None and not str(value).strip():
        raise click.BadParameter("must not be empty", ctx=ctx, param=param)
    return value


def not_utf8(args: list[str]) -> str | None:
    """The message for the first argument that is not UTF-8 text, or None.

    Python hands such bytes over as lone surrogates, which SQLite refuses with
    "surrogates not allowed"; say what is wrong and where instead.
    """
    for number, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:
            raw = arg.encode("utf-8", "surrogateescape")[exc.start : exc.start + 1]
            return (
                f"argument {number} is not UTF-8 text (byte 0x{raw.hex() or '??'} at"
                f" character {exc.start + 1}); nothing was done"
            )
    return None


def db_option(func: F) -> F:
    """``--db PATH`` on the group and on every subcommand."""
    return click.option(
        "--db",
        # Not readable=True: open_db says what is wrong in one line, click would print usage.
        type=click.Path(dir_okay=True, readable=False, path_type=str),
        default=None,
        callback=not_empty,  # "" must not fall back to the user's real database
        help="Database file (default: $TEMPCHECK_DB or the user data folder).",
    )(func)


def resolve_db_path(ctx: click.Context, db: str | None = None) -> Path:
    """The subcommand's --db, else the group's, else the environment or default."""
    if db:
        return Path(db).expanduser()
    root = ctx.find_root()
    if root.params.get("db"):
        return Path(root.params["db"]).expanduser()
    from tempcheck.store.paths import default_db_path  # lazy: keeps tempcheck log fast

    return default_db_path()


def open_store(ctx: click.Context, db: str | None = None) -> sqlite3.Connection:
    """Open the database for a command, turning any problem into a :class:`Failure`."""
    with fail_cleanly():
        return open_db(resolve_db_path(ctx, db))


@contextlib.contextmanager
def fail_cleanly() -> Iterator[None]:
    """Translate the errors a user can cause into one line and an exit code."""
    try:
        yield
    except click.ClickException:
        raise
    except StoreError as exc:
        # lazy: keeps tempcheck log fast
        from tempcheck.store.contacts import AmbiguousContact, ContactNotFound

        not_found = CustomerNotFound | AmbiguousCustomer | ContactNotFound | AmbiguousContact
        code = EXIT_NOT_FOUND if isinstance(exc, not_found) else 1
        raise Failure(str(exc), code) from None
    except sqlite3.Error as exc:
        raise Failure(str(describe(exc))) from None
    except ValueError as exc:  # DateParseError, TemperatureError, ConfigError
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise Failure(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from None


def command(name: str | None = None, **kwargs: Any) -> Callable[[F], click.Command]:
    """A click command with ``--db`` and the project's help settings."""

    def decorate(func: F) -> click.Command:
        return click.command(
            name, context_settings={"help_option_names": ["-h", "--help"]}, **kwargs
        )(db_option(func))

    return decorate


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def find_customer(
    conn: sqlite3.Connection, query: str, *, verb: str = "Use", can_create: bool = False
) -> Any:
    """The customer ``query`` names, by the one matching rule (exact, unique prefix, whole
    word, substring). A near miss is never acted on: on a terminal it may ask
    "<verb> <name>? [y/N]"; otherwise it exits 2 with "did you mean …?" and the command."""
    try:
        return customers.resolve(conn, query)
    except customers.AmbiguousCustomer as many:
        names = ", ".join(printable(n, single_line=True) for n in many.candidates[:8])
        more = f" and {len(many.candidates) - 8} more" if len(many.candidates) > 8 else ""
        raise Failure(
            f"{printable(query, single_line=True)!r} matches several customers: {names}{more}."
            " Type more of the name.",
            EXIT_NOT_FOUND,
        ) from None
    except customers.CustomerNotFound as missing:
        shown = printable(query, single_line=True)
        create = " Use --create to add it." if can_create else ""
        if not missing.suggestions:
            raise Failure(f"no customer matches {shown!r}.{create}", EXIT_NOT_FOUND) from None
        best = missing.suggestions[0]
        if _interactive() and click.confirm(
            f"No customer matches {shown!r}. {verb} {printable(best, single_line=True)}?",
            default=False,
        ):
            found = customers.by_key(conn, best)
            if found is not None:
                return found
        others = " or ".join(printable(n, single_line=True) for n in missing.suggestions)
        raise Failure(
            f"no customer matches {shown!r}. Did you mean {others}?{create} To use "
            f"{printable(best, single_line=True)}, run: {command_with(query, best)}",
            EXIT_NOT_FOUND,
        ) from None


def _interactive() -> bool:
    """A person at a terminal (stdin and stdout); scripts never get a prompt."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def command_with(query: str, name: str) -> str:
    """The command line just typed, with the customer ``query`` replaced by ``name``."""
    import shlex  # lazy: keeps tempcheck log fast

    args = list(ARGV)
    for index, arg in enumerate(args):
        if arg == query:
            args[index] = name
            break
        if arg.startswith("--") and "=" in arg and arg.split("=", 1)[1] == query:
            args[index] = f"{arg.split('=', 1)[0]}={name}"
            break
    else:
        ctx = click.get_current_context(silent=True)
        path = ctx.command_path.split()[1:] if ctx else []
        args = [*path, name]
    return "tempcheck " + shlex.join(args)


def future_date(text: str, option: str) -> date:
    """A typed date that is today or later, else a one-line error naming the option."""
    from tempcheck.domain.dates import parse_date  # lazy: keeps tempcheck log fast

    found = parse_date(text)
    try:
        return clock.not_past(found, f"{option} {text!r}")
    except ValueError as exc:
        raise Failure(str(exc)) from None
