"""The review pack: structure, escaping, no external resources; and ``tempcheck report``."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from helpers import NOW, at

from tempcheck.report.review import md, render_html, render_markdown
from tempcheck.store import StoreError, checkins, customers, issues, promises
from tempcheck.store import sample as demo

SINCE = date(2026, 8, 26)
HOSTILE = "<script>alert(1)</script> [bold]x[/bold] \x1b[2J \x9b31m & \"quotes\" 'too'"


class Page(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's parser sees them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[str] = []
        self.stack: list[str] = []
        self.title = ""
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        self.data.append(data)
        if self.stack and self.stack[-1] == "title" and "head" in self.stack:
            self.title += data

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def text(self) -> str:
        return "".join(self.data)


def assert_self_contained(page: Page, raw: str) -> None:
    assert not page.named("script")
    for _, attrs in page.tags:
        for key in ("src", "href", "action", "xlink:href", "data", "poster"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("http", "//", "javascript")), (key, value)
    assert "url(" not in raw and "@import" not in raw
    assert not page.named("link") and not page.named("iframe") and not page.named("img")


@pytest.fixture
def hostile(conn: sqlite3.Connection) -> int:
    with at(NOW - timedelta(days=30)):
        cid = customers.add_customer(conn, f"Evil {HOSTILE}", cadence_days=14).id
        checkins.add_checkin(conn, cid, 2, note=HOSTILE, fell_short=HOSTILE)
        issues.open_issue(conn, cid, f"Issue {HOSTILE}", due=date(2026, 12, 20))
        promises.add_promise(conn, cid, f"Promise {HOSTILE}", date(2026, 12, 1))
    with at(NOW - timedelta(days=2)):
        checkins.add_checkin(conn, cid, 4, note="better now")
    return cid


@pytest.fixture
def sample(conn: sqlite3.Connection) -> sqlite3.Connection:
    demo.write_sample(conn, now=NOW)
    return conn


def test_portfolio_html_structure(sample, hostile):
    raw = render_html(sample, since=SINCE, now=NOW)
    page = Page(raw)
    assert raw.startswith("<!DOCTYPE html>")
    assert {"charset": "utf-8"} in page.named("meta")
    csp = [m for m in page.named("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]
    assert page.title == "Review: Portfolio"
    sections = [attrs["id"] for attrs in page.named("section")]
    assert sections == ["summary", "charts", "today", "customers", "open-items", "timeline"]
    assert len(page.named("svg")) == 5
    assert all(svg.get("viewbox") for svg in page.named("svg"))
    assert "Umbrella Health" in page.text and "Data export fails for large clinics" in page.text
    for heading in ("Issues", "Promises", "Follow-ups", "Concerns and priorities"):
        assert heading in page.text
    assert_self_contained(page, raw)


def test_hostile_text_is_escaped_in_html(sample, hostile):
    for raw in (
        render_html(sample, since=SINCE, now=NOW),
        render_html(sample, customer_id=hostile, since=SINCE, now=NOW),
    ):
        page = Page(raw)
        assert "<script" not in raw.lower()
        assert "\x1b" not in raw and "\x9b" not in raw
        assert "<script>alert(1)</script>" in page.text  # shown as text, not run
        assert "[bold]x[/bold]" in page.text
        assert "\N{REPLACEMENT CHARACTER}[2J" in page.text
        assert_self_contained(page, raw)


def test_customer_html_structure(sample, hostile):
    acme = customers.resolve(sample, "Acme Corp").id
    raw = render_html(sample, customer_id=acme, since=SINCE, now=NOW)
    page = Page(raw)
    assert page.title == "Review: Acme Corp"
    assert [a["id"] for a in page.named("section")] == [
        "summary",
        "charts",
        "open-items",
        "timeline",
    ]
    assert len(page.named("svg")) == 2
    assert page.named("polyline")  # the temperature line
    for words in ("Renew TLS certificates before expiry", "Send the capacity report"):
        assert words in page.text
    assert "Cut cloud spend by 15% this year" in page.text  # a priority
    assert "Trust balance" in page.text and "cadence: 0.5 a week" in page.text
    assert "Umbrella Health" not in page.text  # only this customer
    assert_self_contained(page, raw)


def test_the_period_limits_the_timeline(sample):
    acme = customers.resolve(sample, "Acme Corp").id
    short = Page(render_html(sample, customer_id=acme, since=date(2026, 11, 20), now=NOW))
    long = Page(render_html(sample, customer_id=acme, since=date(2026, 6, 1), now=NOW))
    assert short.text.count("checkin") < long.text.count("checkin")


def test_markdown_has_the_sections_and_escapes(sample, hostile):
    text = render_markdown(sample, since=SINCE, now=NOW)
    assert text.startswith("# Review: Portfolio\n")
    for heading in (
        "## Summary",
        "## Charts",
        "### Customers by staleness",
        "### Average temperature per week",
        "## Today",
        "## Customers",
        "## Open items",
        "### Issues",
        "### Promises",
        "### Follow-ups",
        "### Concerns and priorities",
        "## Timeline",
    ):
        assert f"\n{heading}\n" in text, heading
    assert "<script" not in text and "\x1b" not in text and "\x9b" not in text
    assert (
        "&lt;script&gt;alert\\(1\\)" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    )
    assert "\\[bold\\]" in text
    one = render_markdown(sample, customer_id=hostile, since=SINCE, now=NOW)
    assert one.startswith("# Review: Evil &lt;script&gt;")
    assert "### Temperature over time" in one and "Trend: " in one
    assert "| When | Temperature |" in one


def test_markdown_escaping_keeps_tables_intact():
    assert md("a | b") == "a \\| b"
    assert md("line\nbreak") == "line break"
    assert md("[link](http://x)") == "\\[link\\](http://x)"
    assert md("*bold* _it_ `code` # ~~s~~") == "\\*bold\\* \\_it\\_ \\`code\\` \\# \\~\\~s\\~\\~"


def test_a_future_period_is_refused(sample):
    with pytest.raises(StoreError, match="future"):
        render_html(sample, since=date(2026, 12, 1), now=NOW)


def test_an_empty_database_still_makes_a_page(conn):
    page = Page(render_html(conn, since=SINCE, now=NOW))
    assert page.title == "Review: Portfolio" and "No open issues." in page.text


# --- tempcheck report ------------------------------------------------------------------------


def test_report_command_writes_a_private_html_file(run_tc, sample, tmp_path, clock_at_noon):
    out = tmp_path / "review.html"
    result = run_tc("report", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote the review to {out.resolve()}\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    page = Page(out.read_text(encoding="utf-8"))
    assert page.title == "Review: Portfolio"


def test_report_command_for_one_customer_in_markdown(run_tc, sample, tmp_path, clock_at_noon):
    out = tmp_path / "acme.md"
    result = run_tc("report", "acme", "--since", "30d", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Review: Acme Corp\n")
    assert "25 Oct 2026 – 24 Nov 2026" in text
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_report_refuses_to_overwrite_without_force(run_tc, sample, tmp_path, clock_at_noon):
    out = tmp_path / "review.html"
    out.write_text("keep me")
    os.chmod(out, 0o644)
    refused = run_tc("report", "-o", str(out))
    assert refused.exit_code == 1
    assert "exists; use --force" in refused.output
    assert out.read_text() == "keep me"
    forced = run_tc("report", "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".review")] == []


def test_report_errors(run_tc, sample, tmp_path, clock_at_noon):
    bad_since = run_tc("report", "--since", "whenever", "-o", str(tmp_path / "a.html"))
    assert bad_since.exit_code == 1 and "cannot read" in bad_since.output
    future = run_tc("report", "--since", "2027-01-01", "-o", str(tmp_path / "a.html"))
    assert future.exit_code == 1 and "in the future" in future.output
    unknown = run_tc("report", "nobody-like-this", "-o", str(tmp_path / "a.html"))
    assert unknown.exit_code == 2 and "no customer matches" in unknown.output
    suffix = run_tc("report", "-o", str(tmp_path / "a.pdf"))
    assert suffix.exit_code == 1 and ".html or .md" in suffix.output
    missing = run_tc("report")
    assert missing.exit_code == 2
    assert not any(tmp_path.glob("a.*"))
