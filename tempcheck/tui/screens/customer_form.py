"""Add a customer, or edit one's name, engagement, cadence and contact."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from tempcheck.domain.cadence import parse_cadence
from tempcheck.domain.dates import DateParseError, format_short, parse_date
from tempcheck.domain.people import clean_tag
from tempcheck.domain.records import KINDS, Customer
from tempcheck.store import StoreError, accounts, settings, write
from tempcheck.store.accounts import tags_of
from tempcheck.store.customers import add_customer, edit
from tempcheck.tui.literal import SafeInput
from tempcheck.tui.widgets.field import Field


class CustomerForm(ModalScreen[int | None]):
    """Returns the customer's id when saved."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, customer: Customer | None = None) -> None:
        super().__init__()
        self.customer = customer

    def compose(self) -> ComposeResult:
        c = self.customer
        default_cadence = (
            c.cadence_days if c else settings.get_int(self.app.conn, "cadence.default")
        )
        with VerticalScroll(classes="dialog form"):
            yield Label("Edit customer" if c else "Add customer", classes="title")
            yield Field("Name", SafeInput(c.name if c else "", id="name"), id="name-field")
            yield Field(
                "Contact cadence",
                Input(f"{default_cadence}d", id="cadence", classes="short"),
                hint="how often they should hear from us: 7d, 2w, 1m",
                id="cadence-field",
            )
            yield Field(
                "Engagement",
                Select(
                    [(k, k) for k in KINDS],
                    value=c.kind if c else "relationship",
                    allow_blank=False,
                    id="kind",
                ),
                id="kind-field",
            )
            yield Field(
                "Contact person",
                SafeInput(c.contact if c else "", id="contact"),
                id="contact-field",
            )
            tags = ""
            if c:
                tags = " ".join(f"#{t}" for t in tags_of(self.app.conn, c.id))
            yield Field(
                "Owner (optional)",
                Input(c.owner if c else "", id="owner", placeholder="the consultant responsible"),
                id="owner-field",
            )
            yield Field(
                "Renewal or contract end (optional)",
                Input(
                    c.renewal_on.isoformat() if c and c.renewal_on else "",
                    id="renewal",
                    placeholder="2027-03-31, +3m",
                    classes="short",
                ),
                hint="",
                id="renewal-field",
            )
            yield Field(
                "Tags (optional)",
                Input(tags, id="tags", placeholder="#fintech #tier-1 #emea"),
                id="tags-field",
            )
            if c:
                yield Field(
                    "Calibration interval",
                    Input(
                        f"{c.calibration_days}d" if c.calibration_days else "",
                        id="calibration",
                        placeholder="default from settings",
                        classes="short",
                    ),
                    hint="confirm priorities at least this often",
                    id="calibration-field",
                )
            yield Label("Enter saves · Esc cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Changed, "#renewal")
    def _renewal_typed(self, event: Input.Changed) -> None:
        field = self.query_one("#renewal-field", Field)
        try:
            field.set_hint(format_short(parse_date(event.value)) if event.value.strip() else "")
        except DateParseError:
            field.set_hint("…")

    @on(Input.Submitted)
    def action_save(self) -> None:
        name_field = self.query_one("#name-field", Field)
        cadence_field = self.query_one("#cadence-field", Field)
        name = self.query_one("#name", Input).value
        ok = True
        if not name.strip():
            name_field.set_error("a name is required")
            ok = False
        try:
            cadence = parse_cadence(self.query_one("#cadence", Input).value)
            cadence_field.set_error(None)
        except ValueError as exc:
            cadence_field.set_error(str(exc))
            ok = False
        calibration = None
        if self.customer and self.query_one("#calibration", Input).value.strip():
            field = self.query_one("#calibration-field", Field)
            try:
                calibration = parse_cadence(
                    self.query_one("#calibration", Input).value, "the calibration interval"
                )
                field.set_error(None)
            except ValueError as exc:
                field.set_error(str(exc))
                ok = False
        renewal_field = self.query_one("#renewal-field", Field)
        renewal_text = self.query_one("#renewal", Input).value.strip()
        renewal = None
        if renewal_text:
            try:
                renewal = parse_date(renewal_text)
                renewal_field.set_error(None)
            except DateParseError as exc:
                renewal_field.set_error(str(exc))
                ok = False
        tags_field = self.query_one("#tags-field", Field)

        try:
            tags = [clean_tag(t) for t in self.query_one("#tags", Input).value.split()]
            tags_field.set_error(None)
        except ValueError as exc:
            tags_field.set_error(str(exc))
            ok = False
        if not ok:
            return
        kind = str(self.query_one("#kind", Select).value)
        contact = self.query_one("#contact", Input).value

        try:
            with write(self.app.conn):  # every field, or none
                saved = self._save_profile(name, cadence, kind, contact, calibration)
                accounts.set_owner(self.app.conn, saved.id, self.query_one("#owner", Input).value)
                accounts.set_renewal(self.app.conn, saved.id, renewal)
                accounts.set_tags(self.app.conn, saved.id, tags)
        except StoreError as exc:
            name_field.set_error(str(exc))
            return
        self.dismiss(saved.id)

    def _save_profile(
        self, name: str, cadence: int, kind: str, contact: str, calibration: int | None
    ) -> Customer:
        if self.customer is None:
            return add_customer(
                self.app.conn, name, cadence_days=cadence, kind=kind, contact=contact
            )
        return edit(
            self.app.conn,
            self.customer.id,
            name=name,
            cadence_days=cadence,
            kind=kind,
            contact=contact,
            calibration_days=calibration,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
