"""The ``tempcheck`` shell command: the dashboard by default, and subcommands for scripts.

Subcommands live in :mod:`tempcheck.cli.commands` and are imported only when run,
so ``tempcheck log …`` never pays for Textual or for commands it does not use.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from typing import Any

import click

from tempcheck import __version__
from tempcheck.cli import engine
from tempcheck.domain.text import printable

# Before anything imports sqlite3: a team database runs on Doltlite's engine.
engine.prepare()

from tempcheck.cli import common, output  # noqa: E402
from tempcheck.cli.common import db_option, fail_cleanly, not_utf8, resolve_db_path  # noqa: E402
from tempcheck.store import open_db  # noqa: E402

# name -> "module:function" under tempcheck.cli.commands
COMMANDS: dict[str, str] = {
    "log": "capture:log",
    "list": "listing:list_customers",
    "show": "show:show",
    "add-customer": "customers:add_customer",
    "edit": "customers:edit",
    "pause": "customers:pause",
    "end": "customers:end",
    "reactivate": "customers:reactivate",
    "issue": "issues:issue",
    "promise": "promises:promise",
    "followups": "followups:followups",
    "concern": "concerns:concern",
    "today": "today:today",
    "spread": "today:spread",
    "snooze": "today:snooze",
    "export": "export:export",
    "import": "importing:import_",
    "backup": "backup:backup",
    "report": "report:report",
    "demo": "demo:demo",
    "config": "config:config",
    "serve": "serve:serve",
    "calendar": "calendar:calendar",
    "team": "team:team",
    "sync": "team:sync",
    "contact": "contacts:contact",
    "tag": "tags:tag",
    "untag": "tags:untag",
    "search": "search:search",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use, and whose errors are one line."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        argv = args[0] if args else kwargs.get("args")
        common.ARGV[:] = list(argv) if argv is not None else sys.argv[1:]
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        argv = args[0] if args and args[0] is not None else kwargs.get("args") or sys.argv[1:]
        if (problem := not_utf8(list(argv))) is not None:
            click.echo(f"tempcheck: {problem}", err=True)
            sys.exit(2)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "tempcheck"
            message = printable(exc.format_message(), single_line=True)
            click.echo(f"tempcheck: {message} (see '{where} --help')", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("tempcheck: aborted", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(f"tempcheck.cli.commands.{module_name}")
        return getattr(module, attr)


CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@db_option
@click.option(
    "--demo",
    "demo_mode",
    is_flag=True,
    help="Open the dashboard on a fresh demo database (your own data is not touched).",
)
@click.version_option(__version__, "-V", "--version", prog_name="tempcheck")
@click.pass_context
def main(ctx: click.Context, db: str | None, demo_mode: bool) -> None:
    """Take your customers' temperature.

    Without a command, opens the dashboard. The database is --db PATH, else
    $TEMPCHECK_DB, else tempcheck.db in your user data folder.
    """
    if ctx.invoked_subcommand is not None:
        output.install()  # every subcommand prints through the one safe writer
        return
    with fail_cleanly():
        if demo_mode:
            from tempcheck.store import paths  # lazy: keeps tempcheck log fast
            from tempcheck.store import sample as demo  # lazy: keeps tempcheck log fast

            path = paths.fresh_demo_path()
            conn = open_db(path)
            demo.write_sample(conn)
            conn.close()
        else:
            path = resolve_db_path(ctx)
            open_db(path).close()  # fail here, before the screen switches, on a bad file
    from tempcheck.tui.app import run  # lazy: Textual, only for the dashboard

    try:
        code = run(path)
    finally:
        if demo_mode:  # the demo is made afresh each time; leave nothing behind
            shutil.rmtree(path.parent, ignore_errors=True)
    if code:
        sys.exit(code)
