"""Charts as SVG text for the review pack: no dependency, no script, nothing fetched.

Each chart is a self-contained ``<svg>`` with a ``viewBox`` (it scales to its
container), a ``<title>`` and ``<desc>`` for screen readers, and every piece
of text passed through :func:`html.escape` (after control characters are
made visible). Series and marks differ in shape and dash pattern as well as
colour, so a chart reads in black and white and for colour-blind readers.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from tempcheck.domain import clock, temperature
from tempcheck.domain.dates import day_month
from tempcheck.domain.text import printable

FONT = "font-family='system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif'"
INK = "#222"
GRID = "#ccc"
LINE = "#1f5f99"
BAR = "#4a78a8"


# How each kind of mark is drawn: shape, colour, dash pattern of its vertical rule.
MARK_STYLES: dict[str, tuple[str, str, str]] = {
    "issue opened": ("triangle", "#b22222", "4 2"),
    "issue closed": ("square", "#2e7d32", "1 2"),
    "promise": ("diamond", "#7b4fa0", "6 3 1 3"),
}


def esc(text: object) -> str:
    """Text safe inside SVG/HTML elements and quoted attributes, on one line."""
    return html.escape(printable(str(text), single_line=True), quote=True)


def _num(value: float) -> str:
    """``3`` for whole numbers, else one decimal."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _open(width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'"
        f" width='100%' role='img' aria-label='{esc(title)}' {FONT} font-size='11'>",
        f"<title>{esc(title)}</title>",
        f"<desc>{esc(desc)}</desc>",
        f"<rect x='0' y='0' width='{width}' height='{height}' fill='#fff'/>",
    ]


def _shape(kind: str, x: float, y: float, size: float, colour: str) -> str:
    """A marker: circle, triangle, square or diamond centred on (x, y)."""
    s = size
    if kind == "triangle":
        points = f"{x:.1f},{y - s:.1f} {x + s:.1f},{y + s:.1f} {x - s:.1f},{y + s:.1f}"
        return f"<polygon points='{points}' fill='{colour}'/>"
    if kind == "square":
        return (
            f"<rect x='{x - s:.1f}' y='{y - s:.1f}' width='{2 * s:.1f}' height='{2 * s:.1f}'"
            f" fill='{colour}'/>"
        )
    if kind == "diamond":
        points = f"{x:.1f},{y - s:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s:.1f} {x - s:.1f},{y:.1f}"
        return f"<polygon points='{points}' fill='{colour}'/>"
    return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{s:.1f}' fill='{colour}'/>"


def _day_label(moment: datetime) -> str:
    return day_month(clock.local(moment).date(), year=False)


def temperature_chart_svg(
    points: Sequence[tuple[datetime, float]],
    marks: Sequence[tuple[datetime, str, str]],
    *,
    width: int = 640,
    height: int = 200,
    title: str = "Temperature over time",
    series: str = "check-in",
    start: datetime | None = None,
    end: datetime | None = None,
) -> str:
    """Temperature (1-5) over time as a line with a dot per reading, plus event marks.

    ``marks`` are ``(when, kind, label)`` with kind ``issue opened``,
    ``issue closed`` or ``promise``: a dashed rule with a triangle, square or
    diamond on top, the label as its tooltip. Values may be fractional
    (weekly averages; say so with ``series``). ``start``/``end`` fix the time
    axis to a period; by default it spans the points and marks.
    """
    left, right, top, bottom = 84, 16, 30, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    times = [at for at, _ in points] + [at for at, _, _ in marks]
    if times or (start is not None and end is not None):
        start = start if start is not None else min(times)
        end = end if end is not None else max(times)
        if end - start < timedelta(days=1):
            start, end = start - timedelta(hours=12), end + timedelta(hours=12)
        points = [(at, value) for at, value in points if start <= at <= end]
        marks = [mark for mark in marks if start <= mark[0] <= end]
    readings = len(points)
    if points:
        desc = (
            f"{readings} reading{'s' if readings != 1 else ''} from {_day_label(points[0][0])}"
            f" to {_day_label(points[-1][0])}; latest {_num(points[-1][1])}"
        )
    else:
        desc = "No temperature readings in this period"
    if marks:
        desc += f"; {len(marks)} event{'s' if len(marks) != 1 else ''} marked"
    out = _open(width, height, title, desc)
    out.append(f"<text x='{left}' y='12' fill='{INK}' font-weight='bold'>{esc(title)}</text>")
    _legend(out, width - right, 12, series, {kind for _, kind, _ in marks})
    for value in range(1, 6):
        y = top + plot_h - (value - 1) / 4 * plot_h
        out.append(
            f"<line x1='{left}' y1='{y:.1f}' x2='{left + plot_w}' y2='{y:.1f}' stroke='{GRID}'"
            " stroke-width='1'/>"
        )
        out.append(
            f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end' fill='{INK}'>"
            f"{esc(temperature.label(value))}</text>"
        )
    if not points:
        out.append(
            f"<text x='{left + plot_w / 2:.1f}' y='{top + plot_h / 2 - 8:.1f}'"
            f" text-anchor='middle' fill='{INK}'>No check-ins in this period</text>"
        )
    if start is None or end is None:
        out.append("</svg>")
        return "\n".join(out)
    span = (end - start).total_seconds()

    def x_of(moment: datetime) -> float:
        return left + (moment - start).total_seconds() / span * plot_w

    def y_of(value: float) -> float:
        return top + plot_h - (min(max(value, 1), 5) - 1) / 4 * plot_h

    ticks = 5
    for index in range(ticks):
        moment = start + (end - start) * index / (ticks - 1)
        anchor = "start" if index == 0 else "end" if index == ticks - 1 else "middle"
        out.append(
            f"<text x='{x_of(moment):.1f}' y='{height - 6}' text-anchor='{anchor}'"
            f" fill='{INK}'>{esc(_day_label(moment))}</text>"
        )
    for when, kind, label in marks:
        shape, colour, dash = MARK_STYLES.get(kind, ("circle", INK, "2 2"))
        x = x_of(when)
        out.append(f"<g class='mark'><title>{esc(f'{kind}: {label}')}</title>")
        out.append(
            f"<line x1='{x:.1f}' y1='{top}' x2='{x:.1f}' y2='{top + plot_h}' stroke='{colour}'"
            f" stroke-width='1' stroke-dasharray='{dash}'/>"
        )
        out.append(_shape(shape, x, top - 6, 4, colour))
        out.append("</g>")
    if points:
        path = " ".join(f"{x_of(at):.1f},{y_of(value):.1f}" for at, value in points)
        out.append(
            f"<polyline points='{path}' fill='none' stroke='{LINE}' stroke-width='2'"
            " stroke-linejoin='round'/>"
        )
        for at, value in points:
            out.append(
                f"<g class='reading'><title>{esc(_day_label(at))}: {esc(_num(value))}</title>"
                f"{_shape('circle', x_of(at), y_of(value), 3, LINE)}</g>"
            )
    out.append("</svg>")
    return "\n".join(out)


def _legend(out: list[str], right_edge: float, y: float, series: str, kinds: set[str]) -> None:
    """Shapes with their words, right-aligned on the title line (marks only if present)."""
    entries = [("circle", LINE, series)] + [
        (shape, colour, kind) for kind, (shape, colour, _) in MARK_STYLES.items() if kind in kinds
    ]
    x = right_edge
    for shape, colour, word in reversed(entries):
        x -= 7 * len(word)
        out.append(f"<text x='{x:.1f}' y='{y + 4}' fill='{INK}'>{esc(word)}</text>")
        out.append(_shape(shape, x - 8, y, 4, colour))
        x -= 22


def bar_chart_svg(
    values: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 640,
    height: int = 200,
    horizontal: bool = True,
    reference: tuple[str, float] | None = None,
) -> str:
    """Labelled bars with their values written out (so colour carries nothing).

    Horizontal bars suit names and states; ``horizontal=False`` draws columns
    for a time series (weeks), labelling every few. ``reference`` draws a
    dashed rule at a value with its label, e.g. the contacts the cadence
    asks for. ``height`` grows when the bars would not fit.
    """
    count = len(values)
    largest = max([v for _, v in values] + [reference[1] if reference else 0, 0])
    scale_top = largest if largest > 0 else 1
    desc = "; ".join(f"{label}: {_num(value)}" for label, value in values) or "No data"
    if reference:
        desc += f"; {reference[0]}: {_num(reference[1])}"
    if horizontal:
        top, bottom, left, right = 26, 8, 150, 48
        height = max(height, top + bottom + 16 * max(count, 1))
    else:
        top, bottom, left, right = 26, 22, 36, 16
    out = _open(width, height, title, desc)
    out.append(f"<text x='0' y='14' fill='{INK}' font-weight='bold'>{esc(title)}</text>")
    plot_w, plot_h = width - left - right, height - top - bottom
    if not values:
        out.append(
            f"<text x='{width / 2:.1f}' y='{top + plot_h / 2:.1f}' text-anchor='middle'"
            f" fill='{INK}'>No data</text></svg>"
        )
        return "\n".join(out)
    if horizontal:
        step = plot_h / count
        bar = max(step * 0.7, 1)
        for index, (label, value) in enumerate(values):
            y = top + index * step + (step - bar) / 2
            length = max(value, 0) / scale_top * plot_w
            out.append(f"<g class='bar'><title>{esc(label)}: {esc(_num(value))}</title>")
            out.append(
                f"<text x='{left - 6}' y='{y + bar / 2 + 4:.1f}' text-anchor='end'"
                f" fill='{INK}'>{esc(_clip(label, 24))}</text>"
            )
            out.append(
                f"<rect x='{left}' y='{y:.1f}' width='{length:.1f}' height='{bar:.1f}'"
                f" fill='{BAR}'/>"
            )
            out.append(
                f"<text x='{left + length + 4:.1f}' y='{y + bar / 2 + 4:.1f}'"
                f" fill='{INK}'>{esc(_num(value))}</text>"
            )
            out.append("</g>")
        if reference:
            x = left + reference[1] / scale_top * plot_w
            out.append(_rule(x, top, x, top + plot_h))
            out.append(
                f"<text x='{x:.1f}' y='{top - 4}' text-anchor='middle' fill='{INK}'>"
                f"{esc(reference[0])}</text>"
            )
    else:
        step = plot_w / count
        bar = max(step * 0.7, 1)
        every = max(1, math.ceil(count / 8))
        out.append(
            f"<line x1='{left}' y1='{top + plot_h}' x2='{left + plot_w}' y2='{top + plot_h}'"
            f" stroke='{GRID}'/>"
        )
        for value, y in ((scale_top, top), (0, top + plot_h)):
            out.append(
                f"<text x='{left - 4}' y='{y + 4}' text-anchor='end' fill='{INK}'>"
                f"{esc(_num(value))}</text>"
            )
        for index, (label, value) in enumerate(values):
            x = left + index * step + (step - bar) / 2
            length = max(value, 0) / scale_top * plot_h
            out.append(f"<g class='bar'><title>{esc(label)}: {esc(_num(value))}</title>")
            out.append(
                f"<rect x='{x:.1f}' y='{top + plot_h - length:.1f}' width='{bar:.1f}'"
                f" height='{length:.1f}' fill='{BAR}'/>"
            )
            if index % every == 0:
                out.append(
                    f"<text x='{x + bar / 2:.1f}' y='{height - 6}' text-anchor='middle'"
                    f" fill='{INK}'>{esc(_clip(label, 10))}</text>"
                )
            out.append("</g>")
        if reference:
            y = top + plot_h - reference[1] / scale_top * plot_h
            out.append(_rule(left, y, left + plot_w, y))
            # The rule's key sits on the title line, clear of the bars.
            key_x = left + plot_w - 7 * len(reference[0])
            out.append(_rule(key_x - 30, 10, key_x - 6, 10))
            out.append(
                f"<text x='{left + plot_w}' y='14' text-anchor='end' fill='{INK}'>"
                f"{esc(reference[0])}</text>"
            )
    out.append("</svg>")
    return "\n".join(out)


def _rule(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f"<line class='reference' x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}'"
        f" stroke='{INK}' stroke-width='1.5' stroke-dasharray='5 3'/>"
    )


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
