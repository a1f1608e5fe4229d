"""SVG charts: well-formed, scalable, escaped, and readable without colour."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from tempcheck.report.charts import bar_chart_svg, temperature_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script> & [bold] \x1b[2J"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def test_temperature_chart_structure():
    points = [(T0 + timedelta(days=7 * n), t) for n, t in enumerate([3, 4, 2, 5])]
    marks = [
        (T0 + timedelta(days=3), "issue opened", "Export broken"),
        (T0 + timedelta(days=10), "issue closed", "Export broken (patched)"),
        (T0 + timedelta(days=12), "promise", "promised: roadmap"),
    ]
    root = parse(temperature_chart_svg(points, marks, width=600, height=220))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 600 220"
    assert root.find(f"{SVG}title").text == "Temperature over time"
    assert "4 readings" in root.find(f"{SVG}desc").text
    assert len(root.findall(f".//{SVG}polyline")) == 1
    readings = [g for g in root.iter(f"{SVG}g") if g.get("class") == "reading"]
    assert len(readings) == 4
    assert "5 delighted" in texts(root) and "1 frustrated" in texts(root)
    assert {"check-in", "issue opened", "issue closed", "promise"} <= set(texts(root))


def test_marks_differ_in_shape_and_dash_not_only_colour():
    marks = [
        (T0, "issue opened", "a"),
        (T0 + timedelta(days=1), "issue closed", "b"),
        (T0 + timedelta(days=2), "promise", "c"),
    ]
    root = parse(temperature_chart_svg([(T0, 3)], marks))
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "mark"]
    shapes = []
    dashes = []
    for g in groups:
        marker = [e for e in g if e.tag != f"{SVG}title" and e.tag != f"{SVG}line"][0]
        points = marker.get("points")
        shapes.append((marker.tag, len(points.split()) if points else 0))
        dashes.append(g.find(f"{SVG}line").get("stroke-dasharray"))
    assert len(set(shapes)) == 3  # triangle (3 points), square (rect), diamond (4 points)
    assert len(set(dashes)) == 3
    assert [g.find(f"{SVG}title").text for g in groups] == [
        "issue opened: a",
        "issue closed: b",
        "promise: c",
    ]


def test_text_is_escaped():
    svg = temperature_chart_svg(
        [(T0, 2)], [(T0, "issue opened", HOSTILE)], title=f"Review of {HOSTILE}"
    )
    assert "<script" not in svg and "\x1b" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text.startswith("Review of <script>alert(1)</script> &")
    bar = bar_chart_svg([(HOSTILE, 3)], title=HOSTILE)
    assert "<script" not in bar and "\x1b" not in bar
    assert "[bold]" in "".join(texts(parse(bar)))


def test_empty_temperature_chart_says_so():
    root = parse(temperature_chart_svg([], []))
    assert "No check-ins in this period" in texts(root)
    period = parse(temperature_chart_svg([], [], start=T0, end=T0 + timedelta(days=30)))
    assert "No check-ins in this period" in texts(period)
    assert "1 Sep" in texts(period)


def test_a_fixed_period_drops_what_falls_outside():
    points = [(T0 - timedelta(days=5), 1), (T0 + timedelta(days=1), 4)]
    root = parse(temperature_chart_svg(points, [], start=T0, end=T0 + timedelta(days=10)))
    readings = [g for g in root.iter(f"{SVG}g") if g.get("class") == "reading"]
    assert len(readings) == 1


def test_bar_chart_writes_values_out():
    values = [("○ never", 2), ("❄ cold", 4.0), ("✓ fresh", 0), ("avg", 3.25)]
    root = parse(bar_chart_svg(values, title="Customers by staleness"))
    assert root.find(f"{SVG}title").text == "Customers by staleness"
    bars = [g for g in root.iter(f"{SVG}g") if g.get("class") == "bar"]
    assert len(bars) == 4
    words = texts(root)
    assert {"○ never", "2", "4", "0", "3.2"} <= set(words)
    widths = [float(g.find(f"{SVG}rect").get("width")) for g in bars]
    assert widths[1] == max(widths) and widths[2] == 0


def test_bar_chart_columns_with_a_reference_line():
    weeks = [(f"W{n}", float(n % 3)) for n in range(26)]
    root = parse(
        bar_chart_svg(
            weeks, title="Contacts per week", horizontal=False, reference=("cadence", 0.5)
        )
    )
    assert len([g for g in root.iter(f"{SVG}g") if g.get("class") == "bar"]) == 26
    references = [e for e in root.iter(f"{SVG}line") if e.get("class") == "reference"]
    assert references and references[0].get("stroke-dasharray")
    assert "cadence" in texts(root)
    assert sum(1 for word in texts(root) if word.startswith("W")) <= 9  # every few labelled


def test_tall_enough_for_many_bars_and_empty_data():
    root = parse(bar_chart_svg([(f"n{i}", i) for i in range(30)], title="many", height=100))
    assert int(root.get("viewBox").split()[3]) >= 30 * 16
    assert "No data" in texts(parse(bar_chart_svg([], title="none")))
