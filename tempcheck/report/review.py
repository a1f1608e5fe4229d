"""The review pack: one file for an account review, as HTML (charts as inline SVG) or Markdown.

A review is gathered once into plain blocks (figures, charts, tables) holding
the user's text as stored; the two renderers escape on the way out, so no
customer name or note can become markup: HTML through :func:`html.escape`,
Markdown with its special characters backslash-escaped and ``<``/``>``/``&``
as entities. The HTML page loads nothing and runs nothing: no scripts, no
URLs in ``src``/``href``, styles inline, and a Content-Security-Policy that
forbids both anyway. It opens in any browser offline.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from tempcheck import __version__
from tempcheck.domain import clock, temperature
from tempcheck.domain.attention import issues_label, temperature_label
from tempcheck.domain.brief import (
    ORDER,
    SYMBOLS,
    BriefItem,
    last_words,
)
from tempcheck.domain.dates import day_month, format_short
from tempcheck.domain.records import Customer, TimelineItem
from tempcheck.domain.staleness import Staleness
from tempcheck.domain.text import printable
from tempcheck.report import charts
from tempcheck.report.charts import esc as h
from tempcheck.services.brief import brief
from tempcheck.services.portfolio import (
    cadence_per_week,
    chart_marks,
    portfolio,
    temperature_series,
    week_start,
    weekly_contacts,
    weeks_between,
)
from tempcheck.store import portfolio as queries
from tempcheck.store.concerns import calibration, list_concerns
from tempcheck.store.connection import StoreError
from tempcheck.store.customers import get_customer
from tempcheck.store.dashboard import dashboard_rows
from tempcheck.store.followups import open_followups
from tempcheck.store.issues import list_issues
from tempcheck.store.promises import list_promises, promise_record
from tempcheck.store.reminders import snoozed
from tempcheck.store.timeline import timeline
from tempcheck.store.trustbank import trust_balance

TIMELINE_LIMIT = 300


# --- what a review is made of -------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Label/value pairs: the summary."""

    items: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    """A table of text; ``empty`` is said instead when there are no rows."""

    heading: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    empty: str = "None."
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart: SVG for HTML, and the same numbers as a table (and maybe a text line) for
    Markdown and for readers who cannot see the picture."""

    heading: str
    svg: str
    data: Table
    text: str = ""


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    blocks: list[Figures | Table | Chart] = field(default_factory=list)


@dataclass(frozen=True)
class Review:
    title: str
    subject: str  # the customer's name, or "Portfolio"
    since: date
    until: date
    generated: datetime
    sections: list[Section]


# --- gathering ------------------------------------------------------------------------


def gather(
    conn: sqlite3.Connection,
    *,
    customer_id: int | None = None,
    since: date,
    now: datetime | None = None,
) -> Review:
    """Everything the review shows, for one customer or (``None``) the whole portfolio."""
    now = now or clock.now()
    today = clock.local(now).date()
    if since > today:
        raise StoreError(f"the review cannot start in the future ({since.isoformat()})")
    if customer_id is None:
        sections = _portfolio_sections(conn, since, now)
        subject = "Portfolio"
    else:
        customer = get_customer(conn, customer_id)
        sections = _customer_sections(conn, customer, since, now)
        subject = customer.name
    return Review(
        title=f"Review: {subject}",
        subject=subject,
        since=since,
        until=today,
        generated=now,
        sections=sections,
    )


def _portfolio_sections(conn: sqlite3.Connection, since: date, now: datetime) -> list[Section]:
    figures = portfolio(conn, since=since, now=now)
    items = brief(conn, now=now)
    state_labels = {state.value: state.label for state in Staleness}
    summary = Figures(
        [
            ("Active customers", str(figures.active_customers)),
            ("Check-ins in the period", str(figures.checkins)),
            ("Average temperature", _mean(figures.average_temperature)),
            ("Promises kept", _percent(figures.promises_kept_rate)),
            ("Promises kept on time or early", _percent(figures.promises_on_time_rate)),
            ("Issues closed by their due date", _percent(figures.issues_closed_before_due_rate)),
            *(
                (f"Customers {state_labels[state]}", str(count))
                for state, count in figures.by_staleness.items()
            ),
            ("Lines in today's brief", str(len(items))),
        ]
    )
    staleness_values = [(state_labels[s], float(n)) for s, n in figures.by_staleness.items()]
    temperature_values = [
        (temperature.label(value) if value is not None else "— no check-in", float(count))
        for value, count in sorted(
            figures.by_temperature.items(), key=lambda kv: -1 if kv[0] is None else -kv[0]
        )
    ]
    weekly_points = [
        (queries.start_of(monday), mean)
        for monday, mean in figures.weekly_average_temperature
        if mean is not None
    ]
    chart_blocks: list[Figures | Table | Chart] = [
        _bar_chart("Customers by staleness", staleness_values, ("State", "Customers")),
        _bar_chart(
            "Customers by last temperature", temperature_values, ("Temperature", "Customers")
        ),
        Chart(
            "Average temperature per week",
            charts.temperature_chart_svg(
                weekly_points,
                [],
                title="Average temperature per week",
                series="weekly average",
                start=queries.start_of(week_start(since)),
                end=now,
            ),
            Table(
                "Average temperature per week",
                ("Week of", "Average"),
                [
                    (_day(monday), _mean(mean))
                    for monday, mean in figures.weekly_average_temperature
                ],
            ),
        ),
        _bar_chart(
            "Most contacted",
            [(name, float(n)) for name, n in figures.most_contacted],
            ("Customer", "Check-ins"),
        ),
        _bar_chart(
            "Least contacted",
            [(name, float(n)) for name, n in figures.least_contacted],
            ("Customer", "Check-ins"),
        ),
    ]
    entries, total = queries.activity(conn, queries.start_of(since), now, limit=TIMELINE_LIMIT)
    timeline = Table(
        "Timeline",
        ("When", "Customer", "What", "Text"),
        [
            (
                _moment(at),
                name,
                kind + (f" {temperature.label(temp)}" if temp else ""),
                text,
            )
            for at, name, kind, text, temp in entries
        ],
        empty="Nothing happened in this period.",
        note=f"The newest {len(entries)} of {total} entries." if total > len(entries) else "",
    )
    return [
        Section("summary", "Summary", [summary]),
        Section("charts", "Charts", chart_blocks),
        Section("today", "Today", [_brief_table(items, now)]),
        Section("customers", "Customers", [_customers_table(conn, now)]),
        Section("open-items", "Open items", _open_items(conn, None, now)),
        Section("timeline", "Timeline", [timeline]),
    ]


def _customer_sections(
    conn: sqlite3.Connection, customer: Customer, since: date, now: datetime
) -> list[Section]:
    today = clock.local(now).date()
    cid = customer.id
    row = dashboard_rows(conn, now=now, customer_id=cid, include_inactive=True, with_trust=False)[0]
    series = temperature_series(conn, cid, since=since)
    series = [(at, value) for at, value in series if at <= now]
    marks = chart_marks(conn, cid, since=since, now=now)
    recalibrate, confirmed = calibration(conn, cid, now=now)
    snooze = snoozed(conn, today).get(cid)
    mean = sum(v for _, v in series) / len(series) if series else None
    summary = Figures(
        [
            ("Customer", customer.name),
            ("Engagement", f"{row.kind}, contact every {row.cadence_days} days"),
            ("Status", row.status),
            ("Contact person", row.contact or "—"),
            ("State", row.staleness.label),
            (
                "Last contact",
                f"{_moment(row.last_contact)} ({clock.ago(row.last_contact, now)})"
                if row.last_contact
                else "never",
            ),
            ("Last temperature", temperature_label(row)),
            ("Check-ins in the period", str(len(series))),
            ("Average temperature in the period", _mean(mean)),
            ("Open issues", f"{row.open_issues} ({row.at_risk} at risk)"),
            ("Promises", promise_record(conn, cid).summary),
            ("Trust balance", f"{trust_balance(conn, cid, today=today):+d}"),
            ("Priorities", _priorities(recalibrate, confirmed)),
            ("Reminder", f"snoozed until {_day(snooze)}" if snooze else "on"),
        ]
    )
    start = datetime.combine(since, datetime.min.time()).astimezone()
    weeks = len(weeks_between(since, today))
    per_week = weekly_contacts(conn, cid, weeks=weeks, now=now)
    expected = cadence_per_week(row.cadence_days)
    chart_blocks: list[Figures | Table | Chart] = [
        Chart(
            "Temperature over time",
            charts.temperature_chart_svg(series, marks, start=start, end=now),
            Table(
                "Temperature over time",
                ("When", "Temperature"),
                [(_moment(at), temperature.label(value)) for at, value in series],
                empty="No check-ins in this period.",
            ),
            text=temperature.sparkline([value for _, value in series]),
        ),
        Chart(
            "Contacts per week",
            charts.bar_chart_svg(
                [(day_month(monday, year=False), float(n)) for monday, n in per_week],
                title="Contacts per week",
                horizontal=False,
                reference=(f"cadence: {expected:.1f} a week", expected),
            ),
            Table(
                "Contacts per week",
                ("Week of", "Check-ins"),
                [(_day(monday), str(n)) for monday, n in per_week],
                note=f"The cadence asks for {expected:.1f} a week.",
            ),
        ),
    ]
    if marks:
        chart_blocks.append(
            Table(
                "Marked on the chart",
                ("When", "What", "Text"),
                [(_moment(at), kind, label) for at, kind, label in marks],
            )
        )
    entries = [item for item in _timeline_since(conn, cid, start) if item.at <= now]
    history = Table(
        "Timeline",
        ("When", "What", "Text", "Detail"),
        [
            (
                _moment(item.at),
                item.kind + (f" {temperature.label(item.temperature)}" if item.temperature else ""),
                item.text,
                item.detail,
            )
            for item in entries[:TIMELINE_LIMIT]
        ],
        empty="Nothing happened in this period.",
        note=(
            f"The newest {TIMELINE_LIMIT} of {len(entries)} entries."
            if len(entries) > TIMELINE_LIMIT
            else ""
        ),
    )
    return [
        Section("summary", "Summary", [summary]),
        Section("charts", "Charts", chart_blocks),
        Section("open-items", "Open items", _open_items(conn, cid, now)),
        Section("timeline", "Timeline", [history]),
    ]


def _priorities(recalibrate: bool, confirmed: datetime | None) -> str:
    if confirmed is None:
        return "never confirmed; may have shifted" if recalibrate else "none recorded"
    when = f"last confirmed {_day(clock.local(confirmed).date())}"
    return f"may have shifted ({when})" if recalibrate else when


def _timeline_since(conn: sqlite3.Connection, cid: int, start: datetime) -> list[TimelineItem]:
    """The customer's timeline back to ``start``, fetched a page at a time."""
    found: list[TimelineItem] = []
    before = None
    while len(found) <= TIMELINE_LIMIT:
        page = timeline(conn, cid, limit=100, before=before)
        if not page:
            break
        found += [item for item in page if item.at >= start]
        if page[-1].at < start:
            break
        before = page[-1].at
    return found


def _open_items(
    conn: sqlite3.Connection, customer_id: int | None, now: datetime
) -> list[Figures | Table | Chart]:
    today = clock.local(now).date()
    active = _active_ids(conn) if customer_id is None else {customer_id}
    issues = list_issues(conn, customer_id=customer_id, today=today)
    promises = list_promises(conn, customer_id=customer_id, today=today)
    followups = open_followups(conn, customer_id=customer_id, today=today)
    with_customer = customer_id is None

    def who(name: str) -> tuple[str, ...]:
        return (name,) if with_customer else ()

    customer_col = ("Customer",) if with_customer else ()
    concern_rows = []
    owners = (
        [customer_id]
        if customer_id is not None
        else [
            cid
            for (cid,) in conn.execute("SELECT DISTINCT customer_id FROM concerns")
            if cid in active
        ]
    )
    names = dict(conn.execute("SELECT id, name FROM customers").fetchall())
    for cid in owners:
        for concern in list_concerns(conn, cid):
            confirmed = (
                f"confirmed {_day(clock.local(concern.confirmed_at).date())}"
                if concern.confirmed_at
                else "assumed"
            )
            concern_rows.append(
                (*who(names[cid]), concern.kind, str(concern.rank), concern.text, confirmed)
            )
    return [
        Table(
            "Issues",
            (*customer_col, "Title", "Due", "Flags", "Opened"),
            [
                (
                    *who(i.customer_name),
                    i.title,
                    _due(i.due, today),
                    ", ".join(i.flags) or "—",
                    _day(clock.local(i.opened_at).date()),
                )
                for i in issues
                if i.customer_id in active
            ],
            empty="No open issues.",
        ),
        Table(
            "Promises",
            (*customer_col, "Promise", "Due", "State"),
            [
                (*who(p.customer_name), p.text, _due(p.due, today), p.state)
                for p in promises
                if p.customer_id in active
            ],
            empty="No open promises.",
        ),
        Table(
            "Follow-ups",
            (*customer_col, "Note", "Due"),
            [
                (*who(f.customer_name), f.note or "—", _due(f.due, today))
                for f in followups
                if f.customer_id in active
            ],
            empty="No open follow-ups.",
        ),
        Table(
            "Concerns and priorities",
            (*customer_col, "Kind", "Rank", "Text", "State"),
            concern_rows,
            empty="No concerns or priorities recorded.",
        ),
    ]


def _active_ids(conn: sqlite3.Connection) -> set[int]:
    return {cid for (cid,) in conn.execute("SELECT id FROM customers WHERE status = 'active'")}


def _brief_table(items: Sequence[BriefItem], now: datetime) -> Table:
    return Table(
        "Today's brief",
        ("Why", "Customer", "What", "Last contact"),
        [
            (f"{item.symbol} {item.reason}", item.customer_name, item.detail, last_words(item, now))
            for item in items
        ],
        empty="Nothing due today and nobody cold.",
    )


def _customers_table(conn: sqlite3.Connection, now: datetime) -> Table:
    today = clock.local(now).date()
    rows = dashboard_rows(conn, now=now, with_trust=False)
    asleep = snoozed(conn, today)
    return Table(
        "Customers, who needs attention first",
        ("Customer", "State", "Last contact", "Temperature", "Trend", "Open issues", "Next due"),
        [
            (
                row.name,
                row.staleness.label
                + (
                    f" · snoozed until {_day(asleep[row.customer_id])}"
                    if row.customer_id in asleep
                    else ""
                ),
                clock.ago(row.last_contact, now),
                temperature_label(row),
                temperature.sparkline(row.recent),
                issues_label(row),
                f"{row.next_due_kind} {_due(row.next_due, today)}" if row.next_due else "—",
            )
            for row in rows
        ],
        empty="No active customers.",
    )


def _bar_chart(heading: str, values: list[tuple[str, float]], header: tuple[str, str]) -> Chart:
    return Chart(
        heading,
        charts.bar_chart_svg(values, title=heading),
        Table(heading, header, [(label, f"{value:g}") for label, value in values]),
    )


# --- formatting ---------------------------------------------------------------------


def _day(day: date | None) -> str:
    return day_month(day, year=True) if day else "—"


def _moment(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    local = clock.local(moment)
    return f"{_day(local.date())} {local:%H:%M}"


def _due(day: date | None, today: date) -> str:
    return f"{_day(day)} ({clock.until(day, today)})" if day else "—"


def _mean(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "—"


def _percent(value: float | None) -> str:
    return f"{round(value * 100)}%" if value is not None else "— (none in the period)"


# --- HTML -------------------------------------------------------------------------------

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  color: #222; background: #fff; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { border-bottom: 2px solid #222; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { margin-top: 1.4rem; }
.meta, .note { color: #555; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .25rem .5rem;
  border-bottom: 1px solid #ddd; }
th { border-bottom: 2px solid #999; }
dl.figures { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.5rem; }
dl.figures dt { font-weight: 600; }
dl.figures dd { margin: 0; }
figure { margin: 1rem 0 1.5rem; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
details { margin-top: .3rem; }
@media print { body { margin: 0; max-width: none; } details { display: none; } }
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_html(
    conn: sqlite3.Connection,
    *,
    customer_id: int | None = None,
    since: date,
    now: datetime | None = None,
) -> str:
    """The review as one self-contained HTML page."""
    return review_html(gather(conn, customer_id=customer_id, since=since, now=now))


def review_html(review: Review) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="tempcheck">',
        f"<title>{h(review.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{h(review.title)}</h1>",
        f'<p class="meta">{h(_period(review))}</p>',
        "</header>",
        "<main>",
    ]
    for section in review.sections:
        out.append(f'<section id="{h(section.id)}">')
        out.append(f"<h2>{h(section.heading)}</h2>")
        for block in section.blocks:
            out.append(_html_block(block))
        out.append("</section>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def _period(review: Review) -> str:
    return (
        f"{_day(review.since)} – {_day(review.until)} · generated {_moment(review.generated)}"
        f" by tempcheck {__version__}"
    )


def _html_block(block: Figures | Table | Chart) -> str:
    if isinstance(block, Figures):
        rows = "".join(f"<dt>{h(label)}</dt><dd>{h(value)}</dd>" for label, value in block.items)
        return f'<dl class="figures">{rows}</dl>'
    if isinstance(block, Chart):
        return (
            f"<figure>\n{block.svg}\n<figcaption>{h(block.heading)}</figcaption>"
            f"<details><summary>The numbers</summary>{_html_table(block.data, heading=False)}"
            "</details></figure>"
        )
    return _html_table(block)


def _html_table(table: Table, *, heading: bool = True) -> str:
    parts = [f"<h3>{h(table.heading)}</h3>"] if heading else []
    if not table.rows:
        parts.append(f'<p class="note">{h(table.empty)}</p>')
        return "".join(parts)
    head = "".join(f'<th scope="col">{h(cell)}</th>' for cell in table.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{h(cell)}</td>" for cell in row) + "</tr>" for row in table.rows
    )
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    if table.note:
        parts.append(f'<p class="note">{h(table.note)}</p>')
    return "".join(parts)


# --- Markdown ---------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def md(text: object) -> str:
    """User text for Markdown: one line, control characters made visible, markup characters
    backslash-escaped and ``& < >`` as entities, so it can never become a link, tag or table."""
    cleaned = printable(str(text), single_line=True)
    cleaned = cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", cleaned)


def render_markdown(
    conn: sqlite3.Connection,
    *,
    customer_id: int | None = None,
    since: date,
    now: datetime | None = None,
) -> str:
    """The review as Markdown for pasting into documents: charts become tables."""
    return review_markdown(gather(conn, customer_id=customer_id, since=since, now=now))


def review_markdown(review: Review) -> str:
    out = [f"# {md(review.title)}", "", f"_{md(_period(review))}_", ""]
    for section in review.sections:
        out += [f"## {md(section.heading)}", ""]
        for block in section.blocks:
            out += _md_block(block)
    return "\n".join(out).rstrip() + "\n"


def _md_block(block: Figures | Table | Chart) -> list[str]:
    if isinstance(block, Figures):
        return _md_table(Table("", ("Figure", "Value"), list(block.items)), heading=False)
    if isinstance(block, Chart):
        lines = [f"### {md(block.heading)}", ""]
        if block.text:
            lines += [f"Trend: {md(block.text)}", ""]
        return lines + _md_table(block.data, heading=False)
    return _md_table(block)


def _md_table(table: Table, *, heading: bool = True) -> list[str]:
    lines = [f"### {md(table.heading)}", ""] if heading else []
    if not table.rows:
        return lines + [md(table.empty), ""]
    lines.append("| " + " | ".join(md(cell) for cell in table.header) + " |")
    lines.append("|" + "|".join(" --- " for _ in table.header) + "|")
    lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in table.rows]
    lines.append("")
    if table.note:
        lines += [f"_{md(table.note)}_", ""]
    return lines


def brief_markdown(items: Sequence[BriefItem], now: datetime) -> str:
    """The morning brief as Markdown: one heading per reason, one bullet per line."""
    today = clock.local(now).date()
    out = [f"# Today, {format_short(today, year=True)}", ""]
    if not items:
        return "\n".join(out + ["Nothing due today and nobody cold.", ""])
    for reason in ORDER:
        group = [item for item in items if item.reason == reason]
        if not group:
            continue
        out += [f"## {SYMBOLS[reason]} {md(reason.capitalize())}", ""]
        for item in group:
            out.append(
                f"- **{md(item.customer_name)}**: {md(item.detail)} · {md(last_words(item, now))}"
            )
        out.append("")
    return "\n".join(out)
