"""Command palette providers: jump to any customer by typing part of the name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tempcheck.domain.text import printable
from tempcheck.tui.screens.customer_detail import CustomerDetailScreen

MAX_DISCOVERY = 20


class CustomerCommands(Provider):
    """``Open <customer>`` for every customer, matched as the palette matches commands."""

    async def startup(self) -> None:
        conn = self.app.conn  # type: ignore[attr-defined]
        self._customers = conn.execute(
            "SELECT id, name FROM customers ORDER BY status != 'active', name_key"
        ).fetchall()

    def _open(self, customer_id: int) -> None:
        self.app.push_screen(CustomerDetailScreen(customer_id))

    async def discover(self) -> Hits:
        for customer_id, name in self._customers[:MAX_DISCOVERY]:
            shown = printable(name, single_line=True)
            yield DiscoveryHit(
                Content(f"Open {shown}"),
                partial(self._open, customer_id),
                text=f"Open {shown}",
                help="Go to the customer's detail",
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for customer_id, name in self._customers:
            shown = printable(name, single_line=True)
            score = matcher.match(shown)
            if score <= 0:
                continue
            _, offsets = matcher.fuzzy_search.match(query, shown)
            # Never Content.from_markup: a customer called "[/] Corp" is text, not markup.
            display = Content("Open ")
            name_part = Content(shown)
            for offset in offsets:
                if not shown[offset].isspace():
                    name_part = name_part.stylize(matcher.match_style, offset, offset + 1)
            yield Hit(
                score,
                display + name_part,
                partial(self._open, customer_id),
                text=f"Open {shown}",
                help="Go to the customer's detail",
            )
