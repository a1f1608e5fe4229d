"""What every shell command shares: the --db option, opening the store, clean errors."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

EXIT_ERROR = 1
EXIT_NOT_FOUND = 2


class Failure(click.ClickException):
    """One clear line on stderr and a non-zero exit; never a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        from tempcheck.domain.text import printable

        # Messages quote what people typed and stored names: never let them drive the terminal.
        click.echo(f"tempcheck: {printable(self.format_message(), single_line=True)}", err=True)


def db_option(func: F) -> F:
    """``--db PATH`` on the group and on every subcommand."""
    return click.option(
        "--db",
        # Not readable=True: open_db says what is wrong in one line, click would print usage.
        type=click.Path(dir_okay=True, readable=False, path_type=str),
        default=None,
        help="Database file (default: $TEMPCHECK_DB or the user data folder).",
    )(func)


def resolve_db_path(ctx: click.Context, db: str | None = None) -> Path:
    """The subcommand's --db, else the group's, else the environment or default."""
    if db:
        return Path(db).expanduser()
    root = ctx.find_root()
    if root.params.get("db"):
        return Path(root.params["db"]).expanduser()
    from tempcheck.store.paths import default_db_path

    return default_db_path()


def open_store(ctx: click.Context, db: str | None = None) -> sqlite3.Connection:
    """Open the database for a command, turning any problem into a :class:`Failure`."""
    from tempcheck.store import open_db

    with fail_cleanly():
        return open_db(resolve_db_path(ctx, db))


@contextlib.contextmanager
def fail_cleanly() -> Iterator[None]:
    """Translate the errors a user can cause into one line and an exit code."""
    from tempcheck.store.connection import StoreError, describe

    try:
        yield
    except click.ClickException:
        raise
    except StoreError as exc:
        from tempcheck.store.contacts import AmbiguousContact, ContactNotFound
        from tempcheck.store.customers import AmbiguousCustomer, CustomerNotFound

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
