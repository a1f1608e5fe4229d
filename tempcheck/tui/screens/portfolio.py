"""``v``: the whole book at a glance — staleness and temperature counts, the temperature
trend over 90 days, most and least contacted customers, promise and issue records."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static
from textual_plotext import PlotextPlot

from tempcheck.domain import temperature
from tempcheck.domain.dates import day_month
from tempcheck.domain.staleness import Staleness
from tempcheck.domain.text import printable
from tempcheck.services.portfolio import Portfolio, portfolio
from tempcheck.store import open_db
from tempcheck.tui.screens.scrolling import SCROLL_BINDINGS, scroll
from tempcheck.tui.widgets.key_footer import KeyFooter


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def figures_table(figures: Portfolio) -> Table:
    """The counts and rates as a plain table (text, never markup)."""
    table = Table(title="Now and over the period", show_edge=False, expand=True)
    table.add_column("Figure")
    table.add_column("Value", justify="right")
    table.add_row("Active customers", str(figures.active_customers))
    for state in Staleness:
        table.add_row(Text(state.label), str(figures.by_staleness.get(state.value, 0)))
    for value in (1, 2, 3, 4, 5, None):
        label = temperature.label(value) if value else "no check-in yet"
        table.add_row(f"last temperature {label}", str(figures.by_temperature.get(value, 0)))
    table.add_row("Check-ins in the period", str(figures.checkins))
    average = figures.average_temperature
    table.add_row("Average temperature", "—" if average is None else f"{average:.2f}")
    table.add_row("Promises kept", _rate(figures.promises_kept_rate))
    table.add_row("Promises kept on time or early", _rate(figures.promises_on_time_rate))
    table.add_row("Issues closed by their due date", _rate(figures.issues_closed_before_due_rate))
    return table


def contacted_table(title: str, rows: list[tuple[str, int]]) -> Table:
    table = Table(title=title, show_edge=False, expand=True)
    table.add_column("Customer")
    table.add_column("Check-ins", justify="right")
    for name, count in rows:
        table.add_row(Text(printable(name, single_line=True)), str(count))
    if not rows:
        table.add_row("—", "")
    return table


class PortfolioScreen(Screen[None]):
    """Figures load in a worker: at 10,000 customers they take about a second."""

    BINDINGS = [
        Binding("escape,v", "back", "Back", id="tempcheck.portfolio.back"),
        *SCROLL_BINDINGS,
    ]

    def action_move(self, where: str) -> None:
        """j/k/g/G scroll, as they move on every screen."""
        scroll(self.query_one("#portfolio", VerticalScroll), where)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="portfolio"):
            yield Static("Working out the figures…", id="portfolio-status", markup=False)
            with Horizontal(id="portfolio-top"):
                yield Static(id="portfolio-figures")
                yield PlotextPlot(id="portfolio-trend")
            with Horizontal(id="portfolio-bottom"):
                yield Static(id="most-contacted")
                yield Static(id="least-contacted")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Portfolio, last 90 days"
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        conn = open_db(self.app.db_path)
        try:
            figures = portfolio(conn)
        finally:
            conn.close()
        self.app.call_from_thread(self.show, figures)

    def show(self, figures: Portfolio) -> None:
        self.figures = figures
        status = self.query_one("#portfolio-status", Static)
        status.update(f"{figures.since} to {figures.until}")
        self.query_one("#portfolio-figures", Static).update(figures_table(figures))
        self.query_one("#most-contacted", Static).update(
            contacted_table("Most contacted", figures.most_contacted)
        )
        self.query_one("#least-contacted", Static).update(
            contacted_table("Least contacted", figures.least_contacted)
        )
        plot = self.query_one("#portfolio-trend", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Average temperature per week")
        weeks = [(week, value) for week, value in figures.weekly_average_temperature if value]
        if weeks:
            positions = list(range(len(weeks)))
            plt.plot(positions, [value for _, value in weeks], marker="braille")
            step = max(len(weeks) // 4, 1)
            labels = [day_month(week, year=False) for week, _ in weeks]
            plt.xticks(positions[::step], labels[::step])
            plt.ylim(1, 5)
        plot.refresh()

    def action_back(self) -> None:
        self.app.pop_screen()
