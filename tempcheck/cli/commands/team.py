"""``tempcheck team …`` and ``tempcheck sync``: one portfolio shared by a team.

The engine is Doltlite (the ``team`` extra); :mod:`tempcheck.engine` has
already loaded it before sqlite3 was imported. See docs/team.md.
"""

from __future__ import annotations

import ipaddress
import os
import sqlite3
import time
from pathlib import Path

import click

from tempcheck.cli.common import (
    EXIT_NOT_FOUND,
    Failure,
    command,
    fail_cleanly,
    open_store,
    resolve_db_path,
)
from tempcheck.domain import clock
from tempcheck.domain.dates import stamp
from tempcheck.domain.fileformat import INSTALL_HINT, engine_loaded, is_team_file
from tempcheck.domain.text import printable
from tempcheck.store import identity, open_db
from tempcheck.store import team as engine

EXIT_OFFLINE = 3
OFF_LOOPBACK_REFUSAL = (
    "off loopback the team remote needs TLS and member keys (--cert, --key, --auth-keys); "
    "or keep it on loopback and reach it through an SSH tunnel "
    "(ssh -L PORT:127.0.0.1:PORT server) or a reverse proxy with TLS (see docs/team.md, "
    "Security)"
)


def _require_engine() -> None:
    if not engine_loaded():
        try:
            import doltlite  # noqa: F401
        except ImportError:
            raise Failure(f"team mode needs the team extra: {INSTALL_HINT}") from None
        raise Failure(
            "team mode: the engine must load before anything else; run tempcheck from the shell"
        )


def _team_store(ctx: click.Context, db: str | None) -> tuple[Path, sqlite3.Connection]:
    _require_engine()
    path = resolve_db_path(ctx, db)
    if not path.exists():
        raise Failure(f"no database at {path}", EXIT_NOT_FOUND)
    if not is_team_file(path):
        raise Failure(
            f"{path} is a solo database; share it with 'tempcheck --db {path} team init URL'"
        )
    return path, open_store(ctx, db)


def _offline(exc: Exception) -> Failure:
    return Failure(str(exc), EXIT_OFFLINE)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.group("team", context_settings={"help_option_names": ["-h", "--help"]})
def team() -> None:
    """Share one portfolio with a team: serve a remote, init, clone, status, conflicts.

    Needs the team extra (pip install 'tempcheck[team]'). Solo databases are
    untouched until 'team init'. See docs/team.md.
    """


@team.command("serve", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Off loopback needs --cert, --key and --auth-keys.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--cert",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TLS certificate (PEM): members connect with https://.",
)
@click.option(
    "--key",
    "key_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The certificate's private key (PEM).",
)
@click.option(
    "--auth-keys",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of members' public keys (from 'tempcheck team key'); only they get in.",
)
@click.option(
    "--audience",
    default=None,
    metavar="HOST",
    help="The host name members put in the URL (default: --host).",
)
def serve(
    directory: Path,
    host: str,
    port: int,
    cert: Path | None,
    key_file: Path | None,
    auth_keys: Path | None,
    audience: str | None,
) -> None:
    """Serve the team remotes kept in DIRECTORY (each NAME.db is one team's portfolio).

    On loopback by default; members reach it at http://HOST:PORT/NAME.db. To
    reach it from other machines, give --cert, --key and --auth-keys: members
    then use https:// and must hold a key listed there. Ctrl+C stops it.
    """

    _require_engine()
    guarded = [cert, key_file, auth_keys]
    if any(guarded) and not all(guarded):
        raise click.UsageError("--cert, --key and --auth-keys go together")
    if not all(guarded) and not is_loopback(host):
        raise Failure(f"refusing to serve on {host}: {OFF_LOOPBACK_REFUSAL}", 2)
    if host == "localhost":
        host = "127.0.0.1"
    guard = None
    if cert and key_file and auth_keys:
        if audience is None:
            if host in ("0.0.0.0", ""):
                raise click.UsageError(
                    "say which host name members put in the URL: --audience HOST"
                )
            audience = host
        for path in (cert, key_file):
            if not path.is_file():
                raise Failure(f"no such file: {path}", EXIT_NOT_FOUND)
        if not auth_keys.is_dir() or not any(auth_keys.glob("*.jwk")):
            raise Failure(
                f"{auth_keys} holds no member keys yet; each member runs 'tempcheck team key' "
                "and gives you the .jwk file it writes",
                EXIT_NOT_FOUND,
            )
        guard = engine.Guard(cert.resolve(), key_file.resolve(), auth_keys.resolve(), audience)
    with fail_cleanly():
        if not directory.exists():
            directory.mkdir(mode=0o700, parents=True)
        if not os.access(directory, os.W_OK):
            raise Failure(f"cannot write to {directory}")
        server = engine.Server(directory.resolve(), host, port, guard)
    shown = audience or host
    click.echo(
        f"serving the team remotes in {directory} on {server.scheme}://{host}:{server.port}/"
    )
    if not is_loopback(host):
        click.echo(
            f"tempcheck: warning: {host} is reachable from other machines. Only members whose "
            f"keys are in {auth_keys} get in, over TLS; anyone who gets in can read and change "
            "the whole portfolio.",
            err=True,
        )
    click.echo(f"members use {server.scheme}://{shown}:{server.port}/NAME.db (Ctrl+C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        click.echo("stopped", err=True)


@team.command("key")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to write your public key file.",
)
def key(out: Path) -> None:
    """Your credential for a team remote that asks for one (made on first use).

    Writes your public key to OUT/<id>.jwk: give that file to whoever runs the
    remote, for its --auth-keys folder. The private half stays in
    ~/.doltlite/creds (or $DOLTLITE_CREDS_DIR).
    """
    _require_engine()
    with fail_cleanly():
        kid, public, created = engine.member_key(out)
    click.echo(
        f"{'made' if created else 'using'} your credential {kid} (private, in {engine.creds_dir()})"
    )
    click.echo(f"give {public} to whoever runs the team remote, for its --auth-keys folder")


@team.command("init")
@click.argument("url")
@click.option(
    "--db",
    type=click.Path(path_type=str),
    default=None,
    help="Database file (default: $TEMPCHECK_DB or the user data folder).",
)
@click.pass_context
def init(ctx: click.Context, url: str, db: str | None) -> None:
    """Turn this database into a team database and publish it at URL.

    The solo file is kept beside it as a backup. URL is http://HOST:PORT/NAME.db.
    """
    _require_engine()
    path = resolve_db_path(ctx, db)
    with fail_cleanly():
        try:
            backup, report = engine.init(path, url, identity.name_for_path(path))
        except engine.Offline as exc:
            raise _offline(exc) from None
    click.echo(f"{path} is now a team database; the solo file is kept as {backup}")
    if report is None:
        click.echo(f"not published yet: {url} cannot be reached; run 'tempcheck sync' later")
        raise SystemExit(EXIT_OFFLINE)
    click.echo(f"published to {url}")


@team.command("clone")
@click.argument("url")
@click.option(
    "--db",
    type=click.Path(path_type=str),
    default=None,
    help="Where your copy goes (default: $TEMPCHECK_DB or the user data folder).",
)
@click.pass_context
def clone(ctx: click.Context, url: str, db: str | None) -> None:
    """Make your own copy of the team portfolio published at URL."""
    _require_engine()
    path = resolve_db_path(ctx, db)
    with fail_cleanly():
        try:
            engine.clone(url, path)
        except engine.Offline as exc:
            raise _offline(exc) from None
        conn = open_db(path)
        customers = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
        conn.close()
    click.echo(f"cloned {url} into {path}: {customers} customer(s)")
    click.echo("set your name for the team with: tempcheck config user.name NAME")


@team.command("status")
@click.option(
    "--db",
    type=click.Path(path_type=str),
    default=None,
    help="Database file (default: $TEMPCHECK_DB or the user data folder).",
)
@click.pass_context
def status(ctx: click.Context, db: str | None) -> None:
    """Ahead/behind the team, the last sync, open conflicts."""
    _path, conn = _team_store(ctx, db)
    with fail_cleanly():
        st = engine.status(conn)
    last = "never"
    if st.last_sync:
        last = stamp(clock.from_stored(st.last_sync))
    click.echo(
        f"remote      {st.url}" + ("" if st.online else "  (offline: counts as of the last fetch)")
    )
    click.echo(f"member      {st.member}")
    click.echo(
        f"ahead       {st.ahead} commit(s) to push"
        + (f", plus {st.local_changes} unsynced change(s)" if st.local_changes else "")
    )
    click.echo(f"behind      {st.behind} commit(s) to pull")
    click.echo(f"last sync   {last}")
    click.echo(
        f"conflicts   {st.open_conflicts} open"
        + (" (tempcheck team conflicts)" if st.open_conflicts else "")
    )


@team.command("conflicts")
@click.option("--all", "show_all", is_flag=True, help="Include resolved conflicts.")
@click.option(
    "--db",
    type=click.Path(path_type=str),
    default=None,
    help="Database file (default: $TEMPCHECK_DB or the user data folder).",
)
@click.pass_context
def conflicts(ctx: click.Context, show_all: bool, db: str | None) -> None:
    """Fields both sides edited: the value kept (theirs) and the one set aside (ours)."""
    _path, conn = _team_store(ctx, db)
    with fail_cleanly():
        found = engine.conflicts(conn, open_only=not show_all)
        if not found:
            click.echo("no open conflicts" if not show_all else "no conflicts")
            return
        for c in found:
            state = f"resolved: {c.resolution}" if c.resolved_at else "open"
            what = printable(engine.describe_row(conn, c), single_line=True)
            click.echo(
                f"{c.id:>4}  {what}, {_label(c.column)}: theirs (kept) {_show(c.kept, c.column)}"
                f" · ours (set aside by {printable(c.synced_by, single_line=True)})"
                f" {_show(c.set_aside, c.column)}  [{state}]"
            )


_LABELS = {"is_primary": "primary"}


def _label(column: str) -> str:
    return _LABELS.get(column, column)


def _show(value: object, column: str = "") -> str:
    if column == "is_primary":
        return "yes" if value == 1 else "no"
    if value in (None, ""):
        return "(empty)"
    return '"' + printable(str(value), single_line=True) + '"'


@team.command("resolve")
@click.argument("conflict_id", type=click.IntRange(1, 2**62))
@click.option("--ours", "side", flag_value="ours", help="Restore the value set aside.")
@click.option("--theirs", "side", flag_value="theirs", help="Keep the value kept by the rule.")
@click.option(
    "--db",
    type=click.Path(path_type=str),
    default=None,
    help="Database file (default: $TEMPCHECK_DB or the user data folder).",
)
@click.pass_context
def resolve(ctx: click.Context, conflict_id: int, side: str | None, db: str | None) -> None:
    """Settle conflict ID: --ours restores the value set aside, --theirs keeps the other."""
    if side is None:
        raise click.UsageError("say which value stays: --ours or --theirs")
    _path, conn = _team_store(ctx, db)
    with fail_cleanly():
        c = engine.resolve(conn, conflict_id, side)
    value = c.set_aside if side == "ours" else c.kept
    click.echo(
        f"conflict {c.id} resolved: {_label(c.column)} = {_show(value, c.column)} ({side}); "
        "it reaches the team with your next sync"
    )


@team.command("export")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--db",
    type=click.Path(path_type=str),
    default=None,
    help="Database file (default: $TEMPCHECK_DB or the user data folder).",
)
@click.pass_context
def export(ctx: click.Context, dest: Path, db: str | None) -> None:
    """Write everything to DEST as a plain (solo) SQLite tempcheck database."""
    _path, conn = _team_store(ctx, db)
    with fail_cleanly():
        counts = engine.export(conn, dest)
    total = sum(counts.values())
    click.echo(
        f"wrote {dest}: a plain SQLite tempcheck database, {total} row(s) in {len(counts)} table(s)"
    )


@command("sync")
@click.pass_context
def sync(ctx: click.Context, db: str | None) -> None:
    """Share your work with the team: commit, pull and merge, push.

    Offline it says so in one line and exits 3; everything keeps working locally.
    """
    path, conn = _team_store(ctx, db)
    with fail_cleanly():
        try:
            report = engine.sync(conn, identity.name_for_path(path))
        except engine.Offline as exc:
            raise _offline(exc) from None
    click.echo(summary_line(report))


def summary_line(report: object) -> str:
    """One line about a sync, for the shell and the dashboard."""
    parts = []
    committed = getattr(report, "committed", None)
    if committed:
        parts.append(f"committed {committed.split(': ', 1)[-1]}")
    parts.append(
        "pulled the team's changes"
        if getattr(report, "pulled", False)
        else "nothing new from the team"
    )
    parts.append("pushed" if getattr(report, "pushed", False) else "nothing to push")
    conflicts = getattr(report, "conflicts", [])
    if conflicts:
        parts.append(
            f"{len(conflicts)} field(s) edited on both sides set aside (tempcheck team conflicts)"
        )
    return f"synced in {getattr(report, 'seconds', 0.0):.2f} s: " + "; ".join(parts)
