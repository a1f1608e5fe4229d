"""The review report rendered by a real headless browser: it opens offline, asks the
network for nothing, and shows its charts. Keeps a picture in screenshots/ on request."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import NINE_THIRTY as PINNED

from tempcheck.report.review import render_html
from tempcheck.store import sample as demo
from tempcheck.store.customers import resolve

SCREENSHOT = Path(__file__).resolve().parent.parent / "screenshots" / "report.png"


@pytest.mark.slow
@pytest.mark.parametrize("who", ["portfolio", "Acme Corp"])
def test_report_renders_offline_in_chromium(chromium, conn, tmp_path, who):
    demo.write_sample(conn, now=PINNED)
    customer_id = None if who == "portfolio" else resolve(conn, who).id
    page_file = tmp_path / "review.html"
    page_file.write_text(
        render_html(
            conn, customer_id=customer_id, since=(PINNED - timedelta(days=90)).date(), now=PINNED
        ),
        encoding="utf-8",
    )
    page = chromium.new_page(viewport={"width": 1100, "height": 1400})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    assert all(url.startswith(("file:", "data:", "about:")) for url in requested), requested
    assert page.locator("svg").count() >= 1
    text = page.inner_text("body")
    assert "Acme Corp" in text
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
    if who == "Acme Corp" and os.environ.get("TEMPCHECK_SAVE_SCREENSHOT"):
        SCREENSHOT.write_bytes(shot.read_bytes())
