"""Every screen at 80x24 and above: the table's columns by width, the Today box's share of
the height, the footer's keys, forms that fit and keep the focused field in view."""

from __future__ import annotations

import html
import re

import pytest
from helpers import SMALL, settled
from textual.geometry import Region
from textual.widgets import Checkbox, Input

from tempcheck.store import sample as demo
from tempcheck.tui.app import TempcheckApp
from tempcheck.tui.screens.checkin_form import CheckInForm
from tempcheck.tui.screens.customer_detail import CustomerDetailScreen
from tempcheck.tui.screens.form_dialog import FormDialog
from tempcheck.tui.widgets.customer_table import COLUMNS, CustomerTable, plan_columns
from tempcheck.tui.widgets.fit_line import fit_parts, wrap_phrases
from tempcheck.tui.widgets.today_panel import TodayBox, TodayPanel, summary_line


@pytest.fixture
def sample_db(db_path, conn, tmp_path, monkeypatch):
    demo.write_sample(conn)
    monkeypatch.chdir(tmp_path)
    return db_path


def screen_lines(app: TempcheckApp) -> list[str]:
    """What is on the screen, line by line, rebuilt from Textual's own SVG export (which
    places each run of text at its column and leaves out runs of blanks)."""
    from rich.cells import cell_len

    svg = app.export_screenshot()
    runs: dict[int, list[tuple[int, str]]] = {}
    for x, length, line, body in re.findall(
        r'<text [^>]*?x="([\d.]+)"[^>]*?textLength="([\d.]+)"[^>]*?'
        r'clip-path="url\(#[^)]*-line-(\d+)\)">(.*?)</text>',
        svg,
    ):
        text = html.unescape(body).replace("\xa0", " ")
        column = round(float(x) / (float(length) / len(text)))
        runs.setdefault(int(line), []).append((column, text))
    lines = []
    for number in range(app.size.height):
        line = ""
        for column, text in sorted(runs.get(number, [])):
            line += " " * max(column - cell_len(line), 0) + text
        lines.append(line)
    return lines


def words_in(app: TempcheckApp, region: Region) -> str:
    """The text shown inside ``region`` of the screen, its lines joined by single spaces."""
    from rich.cells import cell_len

    lines = screen_lines(app)[region.y : region.bottom]
    cropped = []
    for line in lines:
        out, position = "", 0
        for character in line:
            if region.x <= position < region.right:
                out += character
            position += cell_len(character)
        cropped.append(out)
    text = re.sub("[▊▎▔▁▏▕]", " ", " ".join(cropped))  # the edges of bordered inputs
    return " ".join(text.split())


# --- the table's columns by width ------------------------------------------------------------


def _layout(width: int) -> list[tuple[str, int, str]]:
    return [(p.key, p.width, p.form.label) for p in plan_columns(width)]


def test_at_80_columns_the_six_that_matter_fit_without_scrolling():
    # 80 columns less the table's one-cell scrollbar
    assert _layout(79) == [
        ("name", 19, "Customer"),
        ("state", 12, "State"),
        ("last", 12, "Last contact"),
        ("temp", 14, "Temperature"),
        ("issues", 6, "Issues"),
        ("due", 10, "Next due"),
    ]
    assert sum(width + 1 for _key, width, _label in _layout(79)) <= 79


def test_wider_terminals_add_the_sparkline_trust_and_more_text():
    assert [key for key, _w, _l in _layout(99)] == [
        "name",
        "state",
        "last",
        "temp",
        "spark",
        "issues",
        "due",
        "trust",
    ]
    assert _layout(119) == [
        ("name", 23, "Customer"),
        ("state", 12, "State"),
        ("last", 12, "Last contact"),
        ("temp", 14, "Temperature"),
        ("spark", 8, "Recent"),
        ("issues", 20, "Open issues"),
        ("due", 17, "Next due"),
        ("trust", 5, "Trust"),
    ]


def test_narrow_terminals_keep_the_six_columns_in_compact_forms():
    assert _layout(50) == [
        ("name", 14, "Customer"),
        ("state", 5, "State"),
        ("last", 5, "Last"),
        ("temp", 4, "Temp"),
        ("issues", 6, "Issues"),
        ("due", 10, "Next due"),
    ]


@pytest.mark.parametrize("width", range(20, 200))
def test_headers_are_never_cut_and_the_layout_fills_the_width(width):
    placed = plan_columns(width)
    assert {"name", "state", "last", "temp", "issues", "due"} <= {p.key for p in placed}
    for p in placed:
        assert len(p.form.label) <= p.width, (width, p.key)
    total = sum(p.width + 1 for p in placed)
    assert total <= width or width < 50
    for column in COLUMNS:
        for form in column.forms:
            assert len(form.label) <= form.width


# --- the dashboard at 80x24 ------------------------------------------------------------------


async def test_at_80x24_the_table_shows_ten_customers_and_every_key_column(sample_db, conn):
    from tempcheck.store.dashboard import dashboard_rows

    app = TempcheckApp(sample_db)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        table = app.screen.query_one(CustomerTable)
        assert table.size.height - 1 >= 10  # rows below the header
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no sideways
        lines = screen_lines(app)
        header = next(line for line in lines if line.lstrip().startswith("Customer"))
        for label in ("Customer", "State", "Last contact", "Temperature", "Issues", "Next due"):
            assert label in header
        names = [row.name for row in dashboard_rows(conn)]
        shown = [name for name in names if any(line.lstrip().startswith(name) for line in lines)]
        assert shown[:10] == names[:10]
        assert (
            "Umbrella Health     ❄ cold ⟳     6 weeks ago  2 uneasy ↓     1 ⚠1☎  ◷ in 50d"
            in lines[lines.index(header) + 1]
        )


async def test_the_filter_leaves_the_table_its_whole_width(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        await pilot.press("slash", *"glob")
        await pilot.pause()
        table = app.screen.query_one(CustomerTable)
        assert table.region.width == 80
        assert [p.form.label for p in table.placed][:4] == [
            "Customer",
            "State",
            "Last contact",
            "Temperature",
        ]


async def test_the_name_column_stays_when_the_table_scrolls_sideways(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=(40, 24)) as pilot:
        await settled(pilot)
        table = app.screen.query_one(CustomerTable)
        assert table.virtual_size.width > table.scrollable_content_region.width
        first = table.render_line(1).text
        table.scroll_to(x=8, animate=False)
        await pilot.pause()
        moved = table.render_line(1).text
        name_width = plan_columns(table.scrollable_content_region.width)[0].width + 1
        assert moved[:name_width] == first[:name_width]  # the name, in place
        assert first[:name_width].strip() == "Umbrella He…"  # narrow: an ellipsis
        assert moved[name_width:] != first[name_width:]  # the rest moved


async def test_summary_says_one_customer_and_keeps_whole_phrases(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        summary = str(app.screen.query_one("#summary").render())
        assert summary == (
            "▶ Umbrella Health · 25 customers · ○2 never · ❄4 cold · … · by attention"
        )
        await pilot.press("slash", *"acme")
        await pilot.pause()
        assert str(app.screen.query_one("#summary").render()).startswith(
            "▶ Acme Corp · 1 customer · ✓1 fresh"
        )


def test_fit_parts_drops_whole_phrases_and_keeps_the_last():
    parts = ["25 customers", "○2 never", "❄4 cold", "by attention"]
    assert fit_parts(parts, 100) == "25 customers · ○2 never · ❄4 cold · by attention"
    assert fit_parts(parts, 42) == "25 customers · ○2 never · … · by attention"
    assert fit_parts(parts, 41) == "25 customers · … · by attention"
    assert fit_parts(parts, 10) == "25 customers · … · by attention"


def test_wrap_phrases_breaks_between_phrases_only():
    text = "State: ❄ cold   last contact: 6 weeks ago   temperature: 2 uneasy"
    assert wrap_phrases(text, 45) == (
        "State: ❄ cold   last contact: 6 weeks ago\ntemperature: 2 uneasy"
    )


# --- the Today box ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (200, 60)])
async def test_today_takes_at_most_a_third_of_the_height(sample_db, size):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=size) as pilot:
        await settled(pilot)
        box = app.screen.query_one(TodayBox)
        assert box.outer_size.height <= size[1] // 3
        assert box.panel.items  # the brief is there, scrollable
        assert box.panel.size.height >= 3


async def test_the_highlighted_brief_line_is_readable_in_full(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        panel = app.screen.query_one(TodayPanel)
        panel.focus()
        await pilot.press("down")
        await pilot.pause()
        item = panel.current_item
        assert item.customer_name == "Oceanic Airlines"
        text = " ".join(line.strip() for line in screen_lines(app))
        assert (
            "☎ Oceanic Airlines: Booking sync drops records, due " in text  # the whole "why"...
        )
        assert item.detail in text
        assert (  # ...and the whole of what they last said
            'last: "Escalated the outage to their CIO; very unhappy with our response time"' in text
        )


async def test_t_collapses_today_to_a_one_line_summary(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=(200, 40)) as pilot:
        await settled(pilot)
        box = app.screen.query_one(TodayBox)
        before = box.outer_size.height
        await pilot.press("t")
        await pilot.pause()
        assert box.collapsed and not box.panel.display
        assert box.outer_size.height == 1 < before
        assert box.summary == (
            "Today: ☎ 3 to call · ⚑ 2 promises due · ↻ 2 follow-ups due · ◷ 4 renewals coming"
            " · ❄ 4 gone cold · ○ 2 never contacted · ☹ 2 unhappy · ◌ 1 key person quiet"
            " · ⚖ 1 to recalibrate · t shows all"
        )
        assert box.summary in "\n".join(screen_lines(app))
        await pilot.press("t")
        await settled(pilot)
        assert not box.collapsed and box.panel.display
        assert app.screen.query_one(CustomerTable).has_focus  # the focus stays where it was


def test_the_summary_line_keeps_whole_phrases():
    from datetime import UTC, datetime

    from tempcheck.domain.brief import BriefItem

    def item(reason: str) -> BriefItem:
        return BriefItem(1, "Acme", reason, "why", "", datetime(2026, 1, 1, tzinfo=UTC))

    items = [item("call first")] * 3 + [item("promise due")] + [item("gone cold")] * 4
    assert summary_line(items, 200) == (
        "Today: ☎ 3 to call · ⚑ 1 promise due · ❄ 4 gone cold · t shows all"
    )
    assert summary_line(items, 54) == "Today: ☎ 3 to call · ⚑ 1 promise due · … · t shows all"
    assert summary_line(items, 53) == "Today: ☎ 3 to call · … · t shows all"
    assert summary_line([], 80) == "Today: ✓ nothing due · t shows the brief"


# --- the footer ------------------------------------------------------------------------------


async def test_the_footer_keeps_help_quit_and_back_in_view_at_80_columns(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        footer = screen_lines(app)[23]
        assert footer.startswith("⏎ Open l Log / Filter a Add")
        assert "? Help q Quit" in footer
        assert "Sno" not in footer  # no key cut mid-word: it is whole or absent
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, CustomerDetailScreen)
        footer = screen_lines(app)[23]
        assert footer.startswith("l Log i Issue")
        assert "esc Back ? Help q Quit" in footer


# --- forms at 80x24 --------------------------------------------------------------------------


def _inside(inner: Region, outer: Region) -> bool:
    return outer.contains_region(inner)


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (80, 16)])
async def test_the_fell_short_answer_can_be_typed_in_view_and_is_saved(sample_db, conn, size):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=size) as pilot:
        await settled(pilot)
        await pilot.press("l", "2", *"report late again", "tab")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CheckInForm)
        short = form.query_one("#short", Input)
        assert short.has_focus
        await pilot.press(*"nobody warned them", "ctrl+o")
        await pilot.pause()
        dialog = form.query_one(".dialog").content_region
        assert _inside(short.region, dialog) and short.content_region.height == 1
        box = form.query_one("#open-issue", Checkbox)
        assert box.value and _inside(box.region, dialog) and box.content_region.height == 1
        text = words_in(app, dialog)
        assert "Where did we fall short? nobody warned them" in text
        assert "Open an issue from this answer (ctrl+o)" in text
        await pilot.press("enter")
        await settled(pilot)
        assert not isinstance(app.screen, CheckInForm)
    row = conn.execute(
        "SELECT c.name, k.temperature, k.note, k.fell_short FROM checkins k"
        " JOIN customers c ON c.id = k.customer_id ORDER BY k.id DESC LIMIT 1"
    ).fetchone()
    assert tuple(row) == ("Umbrella Health", 2, "report late again", "nobody warned them")
    title = conn.execute("SELECT title FROM issues ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert title == "nobody warned them"


async def test_the_export_error_is_on_screen_at_80x24(sample_db, tmp_path):
    (tmp_path / "keep.csv").write_text("precious\n")
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        dialog.query_one("#path", Input).value = "keep.csv"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert app.screen is dialog
        text = words_in(app, dialog.query_one(".dialog").content_region)
        assert "keep.csv already exists: change the file name, or choose to replace it" in text
        assert dialog.query_one("#path", Input).has_focus
    assert (tmp_path / "keep.csv").read_text() == "precious\n"


@pytest.mark.parametrize(
    "keys",
    [
        ("l",),  # the check-in form
        ("i",),  # open an issue
        ("p",),  # make a promise
        ("e",),  # export
        ("a",),  # add a customer
        ("z",),  # snooze reminders
    ],
    ids=["checkin", "issue", "promise", "export", "customer", "snooze"],
)
async def test_every_form_fits_80x24_and_tab_keeps_the_focused_field_in_view(sample_db, keys):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        form = app.screen
        dialog = form.query_one(".dialog")
        screen = Region(0, 0, *SMALL)
        assert _inside(dialog.region, screen)
        seen = set()
        for _ in range(12):
            focused = app.focused
            if focused is None or focused in seen:
                break
            seen.add(focused)
            await pilot.pause()
            assert _inside(focused.region, dialog.region), focused
            await pilot.press("tab")
            await pilot.pause()
        assert len(seen) >= 2


async def test_help_and_confirmations_fit_80x24(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        screen = Region(0, 0, *SMALL)
        assert _inside(app.screen.query_one(".dialog").region, screen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("slash", *"nobody like this", "enter")
        await pilot.pause()
        question = app.screen.query_one(".question")
        assert _inside(app.screen.query_one(".dialog").region, screen)
        text = words_in(app, app.screen.query_one(".dialog").content_region)
        assert "Nobody is called 'nobody like this'. Add them and log a check-in?" in text
        assert question.region.height >= 1


async def test_the_detail_screen_at_80x24_shows_the_issues_and_says_issue_once(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        await pilot.press("enter")  # Umbrella Health: one issue at risk
        await settled(pilot)
        assert isinstance(app.screen, CustomerDetailScreen)
        text = "\n".join(screen_lines(app))
        assert "⚠ 1 issue at risk" in text and "issue(s)" not in text
        assert "Open issues (i open · c close)" in text
        assert "Data export fails for large clinics" in text
        header = app.screen.query_one("#detail-header")
        for line in str(header.render()).split("\n"):
            assert len(line) <= 78
        assert "temperature: 2 uneasy" in str(header.render())  # never split mid-phrase


async def test_the_portfolio_fits_80_columns(sample_db):
    app = TempcheckApp(sample_db)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        await pilot.press("v")
        await settled(pilot)
        trend = app.screen.query_one("#portfolio-trend")
        assert trend.size.width >= 70  # stacked under the figures, not squeezed beside
        assert "esc Back ? Help q Quit" in screen_lines(app)[23]


def test_the_target_name_stays_whole_even_with_the_separator_in_it():
    parts = ["▶ Smith · Jones LLP", "25 customers", "❄4 cold", "by attention"]
    assert fit_parts(parts, 40) == "▶ Smith · Jones LLP · … · by attention"
