"""``tempcheck serve``: the token guard, safe defaults, clean errors and stops, and a real browser.

The guard is tested against the real aiohttp application; the command as a real
process on a free loopback port; and the whole path (page, websocket, one app
process per tab, keyboard, database) in headless Chromium driven by Playwright.
Set TEMPCHECK_SAVE_SCREENSHOT=1 to refresh screenshots/browser-dashboard.png.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import missing

from tempcheck.store import open_db
from tempcheck.store import sample as demo

try:
    from tempcheck.web import server as serving
except ImportError:  # pragma: no cover - textual-serve is a runtime dependency
    missing("textual-serve is not installed (pip install -e '.[test]')")

REPO = Path(__file__).resolve().parent.parent
SCREENSHOT = REPO / "screenshots" / "browser-dashboard.png"
TOKEN = "s3cret-token"
URL_LINE = re.compile(r"^Open (http://\S+)$", re.MULTILINE)


@pytest.fixture
def sample_db(db_path: Path) -> Path:
    conn = open_db(db_path)
    demo.write_sample(conn)
    conn.close()
    return db_path


# --- small pure pieces -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.20", False),
        ("myhost.lan", False),
    ],
)
def test_only_loopback_counts_as_loopback(host: str, loopback: bool) -> None:
    assert serving.is_loopback(host) is loopback


def test_each_tab_runs_this_python_on_this_database_safely_quoted(tmp_path: Path) -> None:
    path = tmp_path / 'it\'s a "db" $(rm -rf ~) ; x.db'
    command = serving.app_command(path, python="/opt/my python/bin/python3")
    assert shlex.split(command) == [
        "exec",
        "/opt/my python/bin/python3",
        "-m",
        "tempcheck",
        "--db",
        str(path),
    ]
    assert serving.app_command(path).split()[1] == shlex.quote(sys.executable)


def test_urls_bracket_ipv6_and_quote_the_token() -> None:
    assert serving.page_url("::1", 8000, "a b") == "http://[::1]:8000/?token=a%20b"
    assert serving.page_url("127.0.0.1", 8000, None) == "http://127.0.0.1:8000/"
    assert serving.open_urls("0.0.0.0", 8000, "t")[0] == "http://127.0.0.1:8000/?token=t"


# --- the guard, against the real aiohttp application -----------------------------------------


async def guarded_client(command: str = "exec true", token: str | None = TOKEN):
    from aiohttp.test_utils import TestClient, TestServer

    server = serving.TempcheckServer(command, host="127.0.0.1", port=8000, token=token)
    client = TestClient(TestServer(await server._make_app(), host="127.0.0.1"))
    await client.start_server()
    return server, client


async def test_every_route_needs_the_token_then_the_cookie_carries_it() -> None:
    server, client = await guarded_client()
    try:
        for path in ("/", "/ws", "/static/js/textual.js", "/static/", "/download/x"):
            response = await client.get(path)
            assert response.status == 403, path
            assert "token" in await response.text()
        assert (await client.get("/?token=wrong")).status == 403
        assert (await client.get("/", headers={"Cookie": f"{server.cookie_name}=no"})).status == 403

        client.session.cookie_jar.clear()
        page = await client.get(f"/?token={TOKEN}")
        assert page.status == 200
        cookie = page.cookies[server.cookie_name]
        assert cookie.value == TOKEN
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        html = await page.text()
        assert f'data-session-websocket-url="ws://{page.url.host}:{page.url.port}/ws"' in html
        assert "googleapis" not in html  # no request leaves the server

        carried = {"Cookie": f"{server.cookie_name}={TOKEN}"}
        client.session.cookie_jar.clear()
        for path in ("/", "/static/js/textual.js", "/static/css/xterm.css"):
            assert (await client.get(path, headers=carried)).status == 200, path
        # The websocket passes the guard with the cookie alone (a 101 upgrade).
        websocket = await client.ws_connect("/ws", headers=carried)
        await websocket.close()
    finally:
        await client.close()


async def test_foreign_host_and_foreign_origin_are_refused() -> None:
    server, client = await guarded_client(token=None)  # --no-token: the checks that remain
    try:
        assert (await client.get("/")).status == 200
        rebinding = await client.get("/", headers={"Host": f"evil.example:{client.port}"})
        assert rebinding.status == 403
        hijack = await client.get(
            "/ws",
            headers={
                "Origin": "http://evil.example",
                "Connection": "Upgrade",
                "Upgrade": "websocket",
                "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            },
        )
        assert hijack.status == 403
        own = f"http://127.0.0.1:{client.port}"
        websocket = await client.ws_connect("/ws", headers={"Origin": own})
        await websocket.close()
    finally:
        await client.close()


async def test_each_websocket_gets_its_own_app_and_all_stop_with_the_server(
    sample_db: Path,
) -> None:
    """Two tabs, two tempcheck processes on one file; shutdown leaves none behind."""
    server, client = await guarded_client(serving.app_command(sample_db))
    carried = {"Cookie": f"{server.cookie_name}={TOKEN}"}
    try:
        tabs = [await client.ws_connect("/ws?width=120&height=40", headers=carried) for _ in "ab"]
        for tab in tabs:
            received = b""
            deadline = time.monotonic() + 15
            while b"customers" not in received and time.monotonic() < deadline:
                message = await tab.receive(timeout=15)
                if isinstance(message.data, bytes):
                    received += message.data
            assert b"customers" in received  # the dashboard's summary line
        processes = [service._process for service in server.services]
        assert len(processes) == 2 and len({p.pid for p in processes}) == 2
    finally:
        started = time.monotonic()
        await client.close()
    assert time.monotonic() - started < 2 * serving.SHUTDOWN_GRACE_S + 1
    assert all(p.returncode is not None for p in processes)
    assert not server.services


async def test_an_app_that_ignores_quit_is_killed_at_shutdown() -> None:
    server, client = await guarded_client("exec sleep 60")
    try:
        await client.ws_connect("/ws", headers={"Cookie": f"{server.cookie_name}={TOKEN}"})
        process = None
        for _ in range(500):
            if server.services and (process := next(iter(server.services))._process):
                break
            await asyncio.sleep(0.01)
        assert process is not None
    finally:
        started = time.monotonic()
        await client.close()
    assert time.monotonic() - started < serving.SHUTDOWN_GRACE_S + 2
    assert process.returncode is not None


# --- the command as a real process -----------------------------------------------------------


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    started_in: float

    @property
    def base(self) -> str:
        return self.url.split("?")[0]


def start_serve(*args: str) -> Served:
    """``tempcheck serve ARGS`` on a free port; returns once it printed the URL."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "tempcheck", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    for line in process.stdout:  # type: ignore[union-attr]
        lines.append(line)
        if match := URL_LINE.match(line.rstrip("\n")):
            return Served(process, match.group(1), time.perf_counter() - started)
        if len(lines) > 20:
            break
    stop(process)
    raise AssertionError(f"no URL printed: {lines!r} {process.stderr.read()!r}")  # type: ignore[union-attr]


def stop(process: subprocess.Popen[str], signum: int = signal.SIGTERM) -> int:
    """Stop the server whatever happened: the signal, then kill after 10 s."""
    if process.poll() is None:
        process.send_signal(signum)
        try:
            return process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


@pytest.fixture
def served(sample_db: Path) -> Iterator[Served]:
    server = start_serve("--db", str(sample_db))
    try:
        yield server
    finally:
        stop(server.process)


def http_status(url: str, headers: dict[str, str] | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5):
            return 200
    except urllib.error.HTTPError as exc:
        return exc.code


def test_starts_fast_on_loopback_with_a_token_in_the_url(served: Served) -> None:
    assert served.url.startswith("http://127.0.0.1:")
    assert re.search(r"\?token=[\w-]{20,}$", served.url)
    assert served.started_in < 5  # measured ~0.4 s; the issue asks for under 2 s
    assert http_status(served.base) == 403
    assert http_status(served.url) == 200


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_stops_cleanly_on_ctrl_c_and_sigterm(sample_db: Path, signum: int) -> None:
    server = start_serve("--db", str(sample_db))
    assert stop(server.process, signum) in (0, 130)
    stderr = server.process.stderr.read()  # type: ignore[union-attr]
    assert "Traceback" not in stderr
    assert "stopped" in stderr


def test_given_token_is_the_one_required(sample_db: Path) -> None:
    server = start_serve("--db", str(sample_db), "--token", TOKEN)
    try:
        assert server.url.endswith(f"?token={TOKEN}")
        assert http_status(server.base) == 403
        assert http_status(server.base + "?token=nope") == 403
        assert http_status(server.url) == 200
    finally:
        stop(server.process)


def test_token_from_the_environment_keeps_it_out_of_ps(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEMPCHECK_SERVE_TOKEN", TOKEN)
    server = start_serve("--db", str(sample_db))
    try:
        assert server.url.endswith(f"?token={TOKEN}")
        assert http_status(server.url) == 200
    finally:
        stop(server.process)


def test_no_token_on_loopback_still_refuses_other_host_names(sample_db: Path) -> None:
    server = start_serve("--db", str(sample_db), "--no-token")
    try:
        assert "token" not in server.url
        assert http_status(server.base) == 200
        port = server.base.rsplit(":", 1)[1].strip("/")
        assert http_status(server.base, {"Host": f"attacker.example:{port}"}) == 403
    finally:
        stop(server.process)


def test_non_loopback_host_warns_and_still_requires_a_token(sample_db: Path) -> None:
    server = start_serve("--db", str(sample_db), "--host", "0.0.0.0")
    try:
        assert "?token=" in server.url
        assert http_status(server.base) == 403
        assert http_status(server.url) == 200
    finally:
        stop(server.process)
    warning = server.process.stderr.read()  # type: ignore[union-attr]
    assert "warning" in warning and "confidential" in warning and "no login" in warning
    assert "token" in warning


def test_loopback_gives_no_warning(served: Served) -> None:
    stop(served.process)
    assert "warning" not in served.process.stderr.read()  # type: ignore[union-attr]


def test_no_token_is_refused_off_loopback(run_tc) -> None:
    result = run_tc("serve", "--host", "0.0.0.0", "--port", "0", "--no-token")
    assert result.exit_code != 0
    assert result.stderr.startswith("tempcheck: --no-token is only allowed on a loopback")
    assert "Open http" not in result.stdout


def test_token_and_no_token_together_are_refused(run_tc) -> None:
    result = run_tc("serve", "--port", "0", "--token", "x", "--no-token")
    assert result.exit_code != 0
    assert "either --token or --no-token" in result.stderr


def test_port_in_use_is_one_clear_line(run_tc) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_tc("serve", "--port", str(port))
    assert result.exit_code != 0
    assert result.stderr == f"tempcheck: port {port} is in use; try --port {port + 1}\n"
    assert result.stdout == ""


@pytest.mark.parametrize("kind", ["directory", "not sqlite"])
def test_bad_database_fails_like_other_commands_before_serving(
    run_tc, tmp_path: Path, kind: str
) -> None:
    bad = tmp_path / "bad"
    if kind == "directory":
        bad.mkdir()
    else:
        bad.write_text("this is not a database\n" * 100)
    served = run_tc("serve", "--port", "0", db=bad)
    listed = run_tc("list", db=bad)
    assert served.exit_code == listed.exit_code != 0
    assert served.stderr == listed.stderr
    assert served.stderr.startswith("tempcheck: ") and served.stderr.count("\n") == 1
    assert served.stdout == ""


def ws_url(served: Served, query: str = "") -> str:
    return served.base.replace("http://", "ws://").rstrip("/") + "/ws" + query


async def upgrade_status(url: str, headers: dict[str, str] | None = None) -> int:
    """The HTTP status a real websocket upgrade gets (101 when it is accepted)."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        try:
            websocket = await session.ws_connect(url, headers=headers or {})
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status
        await websocket.close()
        return 101


def test_a_websocket_upgrade_without_the_right_token_is_refused(served: Served) -> None:
    token = served.url.split("?token=")[1]
    assert asyncio.run(upgrade_status(ws_url(served))) == 403
    assert asyncio.run(upgrade_status(ws_url(served, "?token=wrong-token-wrong"))) == 403
    assert asyncio.run(upgrade_status(ws_url(served), {"Cookie": "tempcheck_token_1=x"})) == 403
    # The same upgrade with the token is let through (so the refusals above are the token's).
    assert asyncio.run(upgrade_status(ws_url(served, f"?token={token}"))) == 101


def test_a_plain_get_on_the_websocket_route_is_answered(served: Served) -> None:
    token = served.url.split("?token=")[1]
    request = urllib.request.Request(ws_url(served, f"?token={token}").replace("ws://", "http://"))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 400
    assert refused.value.read().decode() == (
        "This address is the page's websocket; open the page's URL instead.\n"
    )
    stop(served.process)
    stderr = served.process.stderr.read()  # type: ignore[union-attr]
    assert "Traceback" not in stderr and "Error" not in stderr


@pytest.mark.parametrize("token", ["x", "short-token-15c"])
def test_a_weak_token_is_refused_off_loopback(run_tc, token: str) -> None:
    result = run_tc("serve", "--host", "0.0.0.0", "--port", "0", "--token", token)
    assert result.exit_code == 1
    assert result.stderr == (
        "tempcheck: a token off loopback must be at least 16 characters (0.0.0.0 is reachable"
        " from other machines); leave --token out to get a strong random one\n"
    )
    assert result.stdout == ""


def test_token_from_a_file_stays_out_of_ps(sample_db: Path, tmp_path: Path) -> None:
    secret = "from-a-file-0123456789"
    token_file = tmp_path / "token"
    token_file.write_text(secret + "\n")
    server = start_serve("--db", str(sample_db), "--token-file", str(token_file))
    try:
        assert server.url.endswith(f"?token={secret}")
        assert http_status(server.url) == 200
        assert http_status(server.base + "?token=nope") == 403
        command_line = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
        assert secret.encode() not in command_line
    finally:
        stop(server.process)


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "is empty; put the token on its first line"), (None, "cannot read the token file")],
)
def test_a_bad_token_file_is_one_clear_line(run_tc, tmp_path: Path, content, message) -> None:
    token_file = tmp_path / "token"
    if content is not None:
        token_file.write_text(content)
    result = run_tc("serve", "--port", "0", "--token-file", str(token_file))
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.count("\n") == 1


# --- end to end in a real browser ------------------------------------------------------------

# Records what the server sends to the terminal, as text: xterm.js paints a canvas,
# so the page itself has no text to wait for.
RECORD_TERMINAL = r"""
(() => {
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  window.__terminalText = "";
  window.WebSocket = function (url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string") {
        window.__terminalText += decoder.decode(new Uint8Array(event.data), {stream: true});
      }
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();
"""


def terminal_text(page) -> str:
    return page.evaluate("window.__terminalText")


def wait_for_text(page, text: str, since: int = 0) -> None:
    """Until the terminal has been sent ``text`` (after the first ``since`` characters)."""
    page.wait_for_function(
        "([text, since]) => window.__terminalText.indexOf(text, since) >= 0", arg=[text, since]
    )


def wait_for_pattern(page, pattern: str, since: int = 0) -> None:
    """Until the terminal's text after ``since``, colours removed, matches ``pattern`` (JS)."""
    page.wait_for_function(
        """([pattern, since]) => new RegExp(pattern).test(
            window.__terminalText.slice(since).replace(/\\x1b\\[[0-9;]*m/g, ""))""",
        arg=[pattern, since],
    )


@pytest.mark.slow
def test_browser_logs_a_check_in_with_the_keyboard(
    sample_db: Path, served: Served, chromium
) -> None:
    """Headless Chromium: dashboard in two tabs, `l` 4 note Enter, the row is in the file."""
    note = "Liked the browser view on the tablet"

    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    context.add_init_script(RECORD_TERMINAL)

    refused = context.new_page().goto(served.base)
    assert refused is not None and refused.status == 403

    tabs = [context.new_page() for _ in range(2)]
    for tab in tabs:
        tab.goto(served.url, wait_until="domcontentloaded")
    for tab in tabs:  # several tabs at once, each its own app
        wait_for_text(tab, "Umbrella Health")
    page = tabs[0]

    page.bring_to_front()
    page.locator("textarea.xterm-helper-textarea").focus()
    page.keyboard.press("l")
    wait_for_text(page, "Enter saves")  # the form's last line: all of it is painted
    text = terminal_text(page)
    customer = re.search(r"Check-in · ([^\x1b\r\n]+?)\s*(?:\x1b|$)", text).group(1)
    page.keyboard.press("4")
    # The digit moves focus to the note as the field's hint becomes "4 content";
    # keys sent before that would land in the temperature field ("4L…"). Wait for
    # the hint on its own: not the first hint ("… · 4 content · …"), not a table
    # cell behind the form ("4 content →").
    wait_for_pattern(page, "(?<!· )4 content {2}", since=len(text))
    page.keyboard.type(note)
    page.keyboard.press("Enter")
    try:
        wait_for_text(page, "Check-in saved")
    except Exception:
        page.screenshot(path=str(sample_db.parent / "failure.png"))
        print("screen at failure:", sample_db.parent / "failure.png")
        print(repr(terminal_text(page)[len(text) :][-3000:]))
        raise

    row = None
    deadline = time.monotonic() + 10
    while row is None and time.monotonic() < deadline:
        with sqlite3.connect(sample_db) as conn:
            row = conn.execute(
                "SELECT customers.name, checkins.temperature FROM checkins "
                "JOIN customers ON customers.id = checkins.customer_id "
                "WHERE checkins.note = ?",
                (note,),
            ).fetchone()
        if row is None:
            time.sleep(0.1)
    assert row == (customer, 4)

    if os.environ.get("TEMPCHECK_SAVE_SCREENSHOT"):
        page.wait_for_timeout(600)  # the page fades the terminal in
        page.screenshot(path=str(SCREENSHOT))
