"""An unexpected error in the dashboard: a non-zero exit, and nothing typed is lost.

The error is real: another program renames a table while the dashboard is open
with a half-typed check-in, and the dashboard's next refresh fails on it.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import pytest
from helpers import TEMPCHECK

from tempcheck.store import open_db
from tempcheck.store.customers import add_customer
from tempcheck.tui.app import TempcheckApp


@pytest.fixture
def one_customer(db_path: Path) -> Path:
    conn = open_db(db_path)
    add_customer(conn, "Acme Corp")
    conn.close()
    return db_path


def pull_the_table(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.execute("ALTER TABLE checkins RENAME TO checkins_gone")
    raw.commit()
    raw.close()


async def test_typed_text_is_saved_when_the_app_stops_on_an_error(one_customer: Path) -> None:
    app = TempcheckApp(one_customer)
    with pytest.raises(sqlite3.OperationalError, match="no such table: checkins"):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("l")
            await pilot.pause()
            await pilot.press("4", *"they want the report on Mondays")
            await pilot.pause()
            pull_the_table(one_customer)
            for _ in range(50):  # the dashboard looks for changes every second
                await asyncio.sleep(0.1)
                if not app.is_running:
                    break
    assert app.return_code == 1
    assert app.rescued is not None and app.rescued.parent == one_customer.parent
    assert oct(app.rescued.stat().st_mode & 0o777) == "0o600"
    text = app.rescued.read_text()
    assert "[CheckInForm · temp]\n4\n" in text
    assert "[CheckInForm · note]\nthey want the report on Mondays\n" in text


def test_the_shell_exits_non_zero_and_says_where_the_text_went(one_customer: Path) -> None:
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the real dashboard on a real terminal
        env = dict(os.environ, TERM="xterm-256color")
        os.execve(str(TEMPCHECK), [str(TEMPCHECK), "--db", str(one_customer)], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = bytearray()

    def read_until(marker: bytes, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the child closed the terminal
                    return marker in seen
                if not chunk:
                    return marker in seen
                seen.extend(chunk)
                if marker in seen:
                    return True
        return False

    try:
        assert read_until(b"Acme Corp", 30), bytes(seen[-2000:])
        os.write(fd, b"l")
        assert read_until(b"Check-in", 10), bytes(seen[-2000:])
        os.write(fd, b"4")
        time.sleep(0.3)
        os.write(fd, b"call them monday")
        time.sleep(0.5)
        pull_the_table(one_customer)
        read_until(b".txt", 15)
        _, status = os.waitpid(pid, 0)
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 1
    output = bytes(seen).decode("utf-8", "replace")
    saved = sorted(one_customer.parent.glob("tempcheck-unsaved-*.txt"))
    assert len(saved) == 1
    assert (
        "tempcheck: the dashboard stopped on an unexpected error;"
        f" what you had typed is saved in {saved[0]}"
        in output.replace("\r\n", "\n").replace("\r", "")
    )
    assert "call them monday" in saved[0].read_text()
