"""The detail screen's charts: temperature over time with what happened, and contacts
per week against the cadence. Drawn by plotext (through textual-plotext)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from textual_plotext import PlotextPlot

from tempcheck.domain import clock
from tempcheck.domain.dates import day_month, iso_day

_DATE_FORM = "Y-m-d"
# Marks differ in shape, not only in colour, so the chart reads without colour.
MARKERS = {"issue opened": "x", "issue closed": "o", "promise": "+"}


class TemperatureChart(PlotextPlot):
    """Temperature 1-5 over time; issues opened (x) and closed (o), promises (+)."""

    def show(
        self, points: list[tuple[datetime, int]], marks: list[tuple[datetime, str, str]]
    ) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.date_form(_DATE_FORM)
        plt.title("Temperature (1 frustrated … 5 delighted)")
        plt.ylim(0.5, 5.5)
        plt.yticks([1, 2, 3, 4, 5])
        if points:
            plt.plot(
                [iso_day(at) for at, _ in points],
                [t for _, t in points],
                marker="braille",
                label="temperature",
            )
        for kind, marker in MARKERS.items():
            chosen = [(at, label) for at, k, label in marks if k == kind]
            if chosen:
                plt.scatter(
                    [iso_day(at) for at, _ in chosen],
                    [5.3] * len(chosen),
                    marker=marker,
                    label=f"{marker} {kind}",
                )
        days = {clock.local(at).date() for at, _ in points} | {
            clock.local(at).date() for at, _, _ in marks
        }
        if len(days) == 1:  # one day alone would stretch the axis over a century either side
            (day,) = days
            low, high = day - timedelta(days=3), day + timedelta(days=3)
            plt.xlim(plt.string_to_time(low.isoformat()), plt.string_to_time(high.isoformat()))
        if not points and not marks:
            plt.title("Temperature: no check-ins yet")
        self.refresh()


def spaced_ticks(count: int, width: int, label_width: int = 6) -> list[int]:
    """Positions (0..count-1) for at most as many labels as fit ``width`` cells with room
    between them: plotext drops labels that collide, and which one it drops varies from
    run to run."""
    if count <= 0:
        return []
    fits = max((width - 8) // (label_width + 4), 2)
    step = max(-(-count // fits), 1)
    return list(range(0, count, step))


class ContactChart(PlotextPlot):
    """Check-ins per week, with the cadence's expectation as a line."""

    _shown: tuple[list[tuple[date, int]], float] | None = None

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    def show(self, weekly: list[tuple[date, int]], per_week: float) -> None:
        self._shown = (weekly, per_week)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(f"Contacts per week (cadence asks {per_week:.2g})")
        if weekly:
            positions = list(range(len(weekly)))
            plt.bar(positions, [count for _, count in weekly], marker="█", label="check-ins")
            plt.plot(positions, [per_week] * len(weekly), marker="-", label="cadence")
            ticks = spaced_ticks(len(weekly), self.size.width or 60)
            plt.xticks(ticks, [day_month(weekly[i][0], year=False) for i in ticks])
        self.refresh()
