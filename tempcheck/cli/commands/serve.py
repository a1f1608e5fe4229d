"""``tempcheck serve``: the full dashboard in a browser, one app process per tab.

For a tablet on the desk or a colleague's laptop. Loopback and a token by
default, because the database holds confidential notes and the page has no
login of its own; see docs/serve.md. aiohttp and textual-serve are imported
only when the command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tempcheck.cli.common import Failure, command, fail_cleanly, resolve_db_path
from tempcheck.store import open_db

NON_LOOPBACK_WARNING = (
    "tempcheck: warning: {host} is reachable from other machines. The database holds "
    "confidential notes and the page has no login: the token in the URL is the only "
    "thing keeping others out, and plain HTTP does not hide it on the network. Share "
    "the URL only with people who may read and change this data, on a network you trust."
)


MIN_TOKEN = 16  # characters; the generated token has 32


def read_token_file(name: str) -> str:
    """The token on the first line of ``name`` (surrounding whitespace dropped)."""
    try:
        with Path(name).expanduser().open(encoding="utf-8") as handle:
            first = handle.readline(4096)
    except OSError as exc:
        raise Failure(f"cannot read the token file {name}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise Failure(f"the token file {name} is not UTF-8 text") from None
    token = first.strip()
    if not token:
        raise Failure(f"the token file {name} is empty; put the token on its first line")
    return token


@command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback reaches other machines (see the warning).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--token",
    default=None,
    metavar="TOKEN",
    envvar="TEMPCHECK_SERVE_TOKEN",
    show_envvar=True,
    help="Secret the URL must carry (default: a new random one each run).",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Read the token from this file (first line), so it never shows in ps.",
)
@click.option(
    "--no-token",
    is_flag=True,
    help="No token: anyone who can reach the port gets in (loopback only).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    db: str | None,
    host: str,
    port: int,
    token: str | None,
    token_file: str | None,
    no_token: bool,
) -> None:
    """Serve the dashboard to a browser (every screen and key), one app per tab.

    Each browser tab runs its own tempcheck on the same database file. Prints
    the URL to open; Ctrl+C stops the server and every tab's app.
    """
    if token_file is not None:
        if ctx.get_parameter_source("token") is click.core.ParameterSource.COMMANDLINE:
            raise Failure("use either --token or --token-file, not both")
        token = read_token_file(token_file)
    try:
        _serve(ctx, db, host, port, token, no_token)
    except KeyboardInterrupt:  # Ctrl+C before the server took over the signal
        raise SystemExit(130) from None


def _serve(
    ctx: click.Context, db: str | None, host: str, port: int, token: str | None, no_token: bool
) -> None:

    if no_token and ctx.get_parameter_source("token") is click.core.ParameterSource.ENVIRONMENT:
        token = None  # an explicit --no-token beats $TEMPCHECK_SERVE_TOKEN
    if token is not None and no_token:
        raise Failure("use either --token or --no-token, not both")
    if token is not None and (not token or token != token.strip()):
        raise Failure("--token must not be empty or start or end with spaces")

    path = resolve_db_path(ctx, db).resolve()
    with fail_cleanly():
        open_db(path).close()  # a bad file fails here, in one line, before anything listens

    try:
        from tempcheck.web import server as serving
    except ImportError as exc:
        raise Failure(
            f"serve needs the textual-serve package ({exc}); pip install textual-serve"
        ) from None

    loopback = serving.is_loopback(host)
    if token is not None and not loopback and len(token) < MIN_TOKEN:
        raise Failure(
            f"a token off loopback must be at least {MIN_TOKEN} characters ({host} is reachable"
            " from other machines); leave --token out to get a strong random one"
        )
    if no_token and not loopback:
        raise Failure(
            f"--no-token is only allowed on a loopback address; {host} is reachable from "
            "other machines, so it needs a token"
        )
    if not loopback:
        click.echo(NON_LOOPBACK_WARNING.format(host=host), err=True)
    if not no_token and token is None:
        token = serving.new_token()
    if no_token:
        token = None

    try:
        sock = serving.bind_socket(host, port)
    except serving.ServeError as exc:
        raise Failure(str(exc)) from None

    def ready(actual_port: int) -> None:
        click.echo(f"tempcheck: serving {path} (each browser tab runs its own tempcheck)")
        for url in serving.open_urls(host, actual_port, token):
            click.echo(f"Open {url}")
        click.echo("Press Ctrl+C to stop.")
        sys.stdout.flush()

    serving.run(sock, serving.app_command(path), host=host, token=token, on_ready=ready)
    click.echo("tempcheck: stopped.", err=True)
