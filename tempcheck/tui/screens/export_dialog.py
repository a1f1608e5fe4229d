"""``e``: export CSV, a workbook (.xlsx) or iCalendar for an account review without leaving
the dashboard."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tempcheck.domain import clock
from tempcheck.domain.dates import DateParseError, format_short, parse_date
from tempcheck.domain.text import clip, printable
from tempcheck.exchange.export import (
    KINDS,
    check_options,
    default_filename,
    export_to_path,
    output_format,
)
from tempcheck.store import open_db
from tempcheck.tui.screens.form_dialog import FieldError, FormDialog, FormField


def _since(text: str) -> date:
    return parse_date(text, past=True)  # "3m" means three months back


def _date_hint(text: str) -> str:
    try:
        return format_short(_since(text))
    except DateParseError:
        return "…"


@dataclass(frozen=True)
class ExportJob:
    """What the dialog asked for; the dashboard runs it in a worker (1M rows take seconds)."""

    kind: str
    target: Path
    force: bool
    since: date | None
    until: date | None
    customer_id: int | None
    excel: bool
    matching: str | None = None
    fmt: str | None = None  # "xlsx" for a workbook; None: the kind's own (CSV or iCalendar)

    def run(self, db_path: Path) -> str:
        """Write the file on a connection of its own; returns e.g. ``263 check-ins``."""
        conn = open_db(db_path)
        try:
            written = export_to_path(
                conn,
                self.kind,
                self.target,
                force=self.force,
                since=self.since,
                until=self.until,
                customer_id=self.customer_id,
                matching=self.matching,
                excel=self.excel,
                fmt=self.fmt,
            )
        finally:
            conn.close()
        return KINDS[self.kind].count(written)


def _shown_folder(folder: Path) -> str:
    """The folder as people write it: ``~/reviews`` rather than ``/home/ana/reviews``."""
    try:
        inside = folder.resolve().relative_to(Path.home().resolve())
    except (ValueError, OSError, RuntimeError):
        return printable(str(folder), single_line=True)
    return printable("~" if inside == Path() else f"~/{inside}", single_line=True)


def export_dialog(
    conn: sqlite3.Connection,
    *,
    customer_id: int | None = None,
    customer_name: str | None = None,
    name_filter: str = "",
    folder: Path | None = None,
) -> FormDialog:
    """A dialog that checks the choices and returns an :class:`ExportJob` to run."""
    folder = folder or Path.cwd()
    kinds = [(clip(f"{name}: {kind.description}", 70), name) for name, kind in KINDS.items()]
    scopes = [("all customers", "all")]
    if name_filter.strip():
        shown = clip(printable(name_filter.strip(), single_line=True), 30)
        scopes.append((f"customers matching the filter {shown!r}", "matching"))
    if customer_id is not None and customer_name is not None:
        scopes.append((f"only {printable(customer_name, single_line=True)}", "one"))

    def save(values: dict[str, Any]) -> ExportJob:
        kind = KINDS[values["kind"]]
        workbook = values["excel"] == "xlsx" or kind.suffix == ".xlsx"
        workbook = workbook or (values["path"] or "").strip().lower().endswith(".xlsx")
        fmt = "xlsx" if workbook and kind.suffix != ".ics" else None
        name = values["path"] or default_filename(kind.name, fmt=fmt)
        target = Path(name).expanduser()
        if not target.is_absolute():
            target = folder / target
        since, until = values["since"], values["until"]
        job = ExportJob(
            kind=kind.name,
            target=target,
            force=values["existing"] == "replace",
            since=since,
            until=until,
            customer_id=customer_id if values["scope"] == "one" else None,
            matching=name_filter if values["scope"] == "matching" else None,
            excel=values["excel"] == "yes" and kind.suffix == ".csv" and fmt is None,
            fmt=fmt,
        )
        check_options(kind.name, since=since, until=until)
        output_format(kind.name, target, fmt)
        if target.exists() and not job.force:
            raise FieldError(
                "path", f"{target} already exists: change the file name, or choose to replace it"
            )
        if not target.parent.is_dir():
            raise FieldError("path", f"there is no folder {target.parent}")
        return job

    return FormDialog(
        "Export for a review",
        [
            FormField("kind", "What", choices=kinds),
            FormField("scope", "For", choices=scopes),
            FormField(
                "since",
                "Since",
                "3m, 2026-09-01 (dated kinds)",
                parse=_since,
                hint=_date_hint,
                short=True,
            ),
            FormField(
                "until", "Until", "today, 2026-11-30", parse=_since, hint=_date_hint, short=True
            ),
            FormField("path", "File", f"empty: tempcheck-<what>-{clock.today()}.csv or .xlsx"),
            FormField(
                "excel",
                "Format",
                choices=[
                    ("CSV", "no"),
                    ("CSV for spreadsheets (local dates, BOM, CRLF)", "yes"),
                    ("Workbook (.xlsx): typed cells, one sheet per kind", "xlsx"),
                ],
            ),
            FormField(
                "existing",
                "If the file exists",
                choices=[("stop, keep it", "stop"), ("replace it", "replace")],
            ),
        ],
        save,
        note=f"Files go to {_shown_folder(folder)} unless you give a full path; "
        "they are readable by you only.",
    )
