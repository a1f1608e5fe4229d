"""The dashboard in a browser: textual-serve behind a token, on loopback unless asked otherwise.

textual-serve turns each browser tab into its own ``tempcheck --db PATH`` process
that talks to the page over a websocket. It has no notion of who is asking, and
the database holds confidential notes, so this module puts a guard in front of
every route (page, static files, websocket, downloads):

* a token, given once as ``?token=…`` and then carried by a cookie, so that the
  page's own follow-up requests and its websocket pass without it;
* on a loopback address, a ``Host`` check, so a web page on another site cannot
  reach the server through DNS rebinding (this matters most with ``--no-token``);
* an ``Origin`` check on the websocket, so another site cannot drive the app
  from a visitor's browser (cross-site websocket hijacking).

It also serves textual-serve's page without its Google Fonts link (no request
leaves the server, which also keeps a closed network from stalling the page)
and with websocket and asset URLs taken from the request, so the page works
whatever address a tablet used to reach it.

This module imports aiohttp and textual-serve; import it only when serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import re
import secrets
import shlex
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

log = logging.getLogger("tempcheck.serve")

TOKEN_PARAM = "token"
SHUTDOWN_GRACE_S = 2.0  # how long a tab's app may take to quit before it is killed
LOOPBACK_NAMES = {"localhost", "localhost.", "ip6-localhost"}
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


class ServeError(Exception):
    """A problem starting the server that the user can fix; the message is one line."""


# --- addresses, tokens, the command each tab runs ------------------------------------------


def is_loopback(host: str) -> bool:
    """True only for names and addresses that never leave this machine.

    Anything else (a hostname, ``0.0.0.0``, ``::``, a LAN address) may be reachable
    from other machines and gets the warning and the token requirement.
    """
    name = host.strip().lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """``0.0.0.0``, ``::`` or empty: every interface of the machine."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return host.strip() == ""


def new_token() -> str:
    """A fresh unguessable token for one run of the server."""
    return secrets.token_urlsafe(24)


def app_command(db_path: str | Path, python: str = sys.executable) -> str:
    """The shell command textual-serve runs for each tab: this Python, this database.

    textual-serve runs it through ``/bin/sh``, so every part is quoted; ``exec``
    makes the app the shell's own process, so stopping it stops the app.
    """
    parts = (python, "-m", "tempcheck", "--db", str(db_path))
    return "exec " + " ".join(shlex.quote(part) for part in parts)


def url_host(host: str) -> str:
    """``host`` as it goes in a URL: IPv6 addresses in brackets."""
    bare = host.strip("[]")
    try:
        if ipaddress.ip_address(bare).version == 6:
            return f"[{bare}]"
    except ValueError:
        pass
    return host


def page_url(host: str, port: int, token: str | None) -> str:
    """The URL to open, with the token when there is one."""
    query = f"?{TOKEN_PARAM}={quote(token, safe='')}" if token else ""
    return f"http://{url_host(host)}:{port}/{query}"


def lan_address() -> str | None:
    """This machine's address on its outgoing interface, for the URL a tablet should open.

    Connecting a UDP socket sends nothing; it only asks the kernel for a route.
    """
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 9))
        address = probe.getsockname()[0]
        if not ipaddress.ip_address(address).is_loopback:
            return address
    return None


def open_urls(host: str, port: int, token: str | None) -> list[str]:
    """Where to point a browser: the bound address, or for a wildcard, this machine's."""
    if not is_wildcard(host):
        return [page_url(host, port, token)]
    urls = [page_url("127.0.0.1", port, token)]
    if (address := lan_address()) is not None:
        urls.append(page_url(address, port, token))
    return urls


def bind_socket(host: str, port: int) -> socket.socket:
    """Take the port before printing anything, so a busy port is one clear line.

    ``port`` 0 lets the system choose a free port (the tests use that).
    """
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror:
        raise ServeError(f"cannot listen on {host!r}: unknown host") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            hint = f"; try --port {port + 1}" if 0 < port < 65535 else ""
            raise ServeError(f"port {port} is in use{hint}") from None
        if exc.errno == errno.EACCES:
            raise ServeError(f"not allowed to listen on port {port}; try --port 8000") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise ServeError(f"{host} is not an address of this machine") from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


# --- the page ------------------------------------------------------------------------------


def page_template() -> jinja2.Template:
    """textual-serve's own page, less the stylesheet it loads from Google Fonts.

    The xterm.js font falls back to Roboto Mono shipped in textual-serve's static
    folder (declared here), then to the browser's monospace font.
    """
    source = files("textual_serve").joinpath("templates/app_index.html").read_text("utf-8")
    source = re.sub(
        r"<link[^>]*fonts\.googleapis\.com[^>]*>",
        """<style>
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf");
      }
    </style>""",
        source,
        flags=re.DOTALL,
    )
    environment = jinja2.Environment(autoescape=True)
    return environment.from_string(source)


# --- the server ----------------------------------------------------------------------------


class TempcheckServer(Server):
    """textual-serve's Server with a guard on every route and tidy shutdown of each tab's app."""

    def __init__(self, command: str, *, host: str, port: int, token: str | None) -> None:
        super().__init__(command, host=host, port=port, title="tempcheck")
        self.token = token
        # Cookies are per host, not per port: name it after the port so two servers coexist.
        self.cookie_name = f"tempcheck_token_{port}"
        self.loopback = is_loopback(host)
        self.template = page_template()
        self.services: set[AppService] = set()
        self.stopping: dict[AppService, asyncio.Task[None]] = {}
        self.sockets: set[web.WebSocketResponse] = set()

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        return app

    # --- the guard --------------------------------------------------------------------------

    def token_from(self, request: web.Request) -> tuple[bool, bool]:
        """(valid token in the query, valid token in the cookie)."""
        assert self.token is not None
        expected = self.token.encode("utf-8")

        def same(value: str | None) -> bool:
            return value is not None and secrets.compare_digest(value.encode("utf-8"), expected)

        return same(request.query.get(TOKEN_PARAM)), same(request.cookies.get(self.cookie_name))

    def host_allowed(self, request: web.Request) -> bool:
        """On loopback, only loopback names in ``Host``: no DNS rebinding from a web page."""
        if not self.loopback:
            return True
        try:
            name = request.url.host or ""
        except ValueError:
            return False
        return is_loopback(name) or name == self.host.strip("[]").lower()

    @staticmethod
    def origin_allowed(request: web.Request) -> bool:
        """A browser sends ``Origin`` with a websocket; it must be this page's own."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser (tests, curl); the token still applies
        return urlsplit(origin).netloc.lower() == request.host.lower()

    @web.middleware
    async def guard(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        """Refuse (403) anything without the token, a foreign Host or a foreign Origin."""
        if not self.host_allowed(request):
            return forbidden("this server only answers to localhost and 127.0.0.1")
        if request.path == "/ws" and not self.origin_allowed(request):
            return forbidden("the page must come from this server")
        set_cookie = False
        if self.token is not None:
            in_query, in_cookie = self.token_from(request)
            if not (in_query or in_cookie):
                return forbidden(
                    "open the URL that `tempcheck serve` printed; it carries the token"
                )
            set_cookie = in_query and not in_cookie
        response = await handler(request)
        if not response.prepared:  # a finished websocket has sent its headers already
            response.headers.update(SECURITY_HEADERS)
            if set_cookie:
                response.set_cookie(
                    self.cookie_name, self.token, httponly=True, samesite="Strict", path="/"
                )
        return response

    # --- the page ---------------------------------------------------------------------------

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page, with URLs relative to however the browser reached us."""
        scheme = "wss" if request.secure else "ws"
        html = self.template.render(
            font_size=to_int(request.query.get("fontsize", "16"), 16),
            app_websocket_url=f"{scheme}://{request.host}/ws",
            config={"static": {"url": "/static/"}},
            application={"name": "tempcheck"},
        )
        response = web.Response(text=html, content_type="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response

    async def on_startup(self, app: web.Application) -> None:
        """Quiet: the command prints its own lines (textual-serve prints a logo)."""

    # --- each tab's app ---------------------------------------------------------------------

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """textual-serve's handler, keeping hold of each tab's app so shutdown can stop it."""
        websocket = web.WebSocketResponse(heartbeat=15)
        if not websocket.can_prepare(request).ok:  # a plain GET, not a websocket upgrade
            return web.Response(
                status=400,
                text="This address is the page's websocket; open the page's URL instead.\n",
                headers=SECURITY_HEADERS,
            )
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        service: AppService | None = None
        try:
            await websocket.prepare(request)
            self.sockets.add(websocket)
            service = AppService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self.services.add(service)
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:  # noqa: BLE001 - one tab's failure must not stop the server
            log.exception("a browser tab failed")
        finally:
            self.sockets.discard(websocket)
            if service is not None:
                await self.stop_app(service)
        return websocket

    async def stop_app(self, service: AppService) -> None:
        """Stop one tab's app once, however many callers ask, and even if a caller is cancelled.

        The websocket handler and the server's shutdown may both ask; both wait for
        the same stop, and the service leaves :attr:`services` only when its process is gone.
        """
        task = self.stopping.get(service)
        if task is None:
            task = self.stopping[service] = asyncio.ensure_future(stop_service(service))

            def forget(_: asyncio.Task[None]) -> None:
                self.services.discard(service)
                self.stopping.pop(service, None)

            task.add_done_callback(forget)
        await asyncio.shield(task)

    async def _process_messages(
        self, websocket: web.WebSocketResponse, service: AppService
    ) -> None:
        """Ignore what is not a well-formed message instead of failing the tab."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(
                    to_int(str(data.get("width")), 80), to_int(str(data.get("height")), 24)
                )
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def on_shutdown(self, app: web.Application) -> None:
        """Ask every tab's app to quit, kill the ones that don't, and close the sockets."""
        await asyncio.gather(
            *(self.stop_app(service) for service in list(self.services)), return_exceptions=True
        )
        for websocket in list(self.sockets):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")


async def stop_service(service: AppService) -> None:
    """Quit one tab's app: politely, then by force after a grace period."""
    process = service._process
    task = service._task
    service._task = None  # textual-serve's own stop() would wait without a limit
    if process is None or task is None:
        return
    with contextlib.suppress(Exception):
        await service.send_meta({"type": "quit"})
    if stdin := process.stdin:
        with contextlib.suppress(Exception):
            stdin.close()
    try:
        await asyncio.wait_for(process.wait(), SHUTDOWN_GRACE_S)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(task, SHUTDOWN_GRACE_S)


def to_int(value: str, default: int) -> int:
    """A positive integer from a query value, else ``default``."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if 0 < number < 10_000 else default


def forbidden(reason: str) -> web.Response:
    return web.Response(
        status=403, text=f"403 Forbidden: {reason}\n", headers=dict(SECURITY_HEADERS)
    )


# --- running -------------------------------------------------------------------------------


def run(
    sock: socket.socket,
    command: str,
    *,
    host: str,
    token: str | None,
    on_ready: Callable[[int], None],
) -> None:
    """Serve on ``sock`` until SIGINT or SIGTERM, then stop every tab's app and return."""
    port = sock.getsockname()[1]
    asyncio.run(_serve(sock, TempcheckServer(command, host=host, port=port, token=token), on_ready))


async def _serve(
    sock: socket.socket, server: TempcheckServer, on_ready: Callable[[int], None]
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(
        await server._make_app(),
        handle_signals=False,
        access_log=None,
        shutdown_timeout=SHUTDOWN_GRACE_S,
    )
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        on_ready(server.port)
        await stop.wait()
    finally:
        await runner.cleanup()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
