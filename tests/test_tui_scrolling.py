"""j/k/g/G scroll the one-page screens (help, portfolio) at 80x24, and never write."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll

from tempcheck.tui.app import TempcheckApp


@pytest.mark.parametrize(("key", "selector"), [("question_mark", ".help"), ("v", "#portfolio")])
async def test_vim_keys_scroll_a_one_page_screen(sample_db, row_counts, key, selector) -> None:
    before = row_counts(sample_db)
    app = TempcheckApp(sample_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        box = app.screen.query_one(selector, VerticalScroll)
        assert box.max_scroll_y > 2  # taller than the terminal: there is somewhere to go
        await pilot.press("G")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y
        await pilot.press("k")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y - 1
        await pilot.press("g")
        await pilot.pause()
        assert box.scroll_y == 0
        await pilot.press("j", "j")
        await pilot.pause()
        assert box.scroll_y == 2
    assert row_counts(sample_db) == before
