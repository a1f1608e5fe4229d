"""The footer: the keys that matter most first, and help, quit or back always in view.

Textual's footer lists every key in one row and cuts the row at the screen's
edge, so at 80 columns `? Help` and `q Quit` fell off the end and a key was cut
mid-word. This one keeps help, quit and Esc (back, cancel) on the right,
and fills the rest of the row, in the order the screen declares its keys,
with only the keys that fit whole. Every key is still in `?` and the palette.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PINNED_ACTIONS = ("help", "quit")  # and whatever Esc does on this screen


@dataclass(frozen=True)
class Shown:
    binding: Binding
    enabled: bool
    tooltip: str
    pinned: bool


class KeyFooter(Footer):
    """A one-row footer that never cuts a key and always shows help and the way out."""

    DEFAULT_CSS = """
    KeyFooter > #footer-pinned {
        dock: right;
        width: auto;
        height: 1;
        background: $footer-background;
    }
    KeyFooter > #footer-pinned FooterKey.-command-palette {
        dock: none;
        border-left: none;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, compact=True)
        self._laid_out_width = -1
        self._composed: tuple | None = None  # what the keys on show were built from
        self._planned: tuple[list[Shown], list[Shown], Shown | None] | None = None

    def _signature(self) -> tuple:
        """Everything :meth:`compose` reads: when it is unchanged, so are the keys."""
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if active is not None:
                palette = (active.binding, active.enabled, active.tooltip)
        return (
            self.size.width or self.app.size.width,
            palette,
            tuple(
                (k.binding, self.app.get_key_display(k.binding), k.enabled, k.tooltip, k.pinned)
                for k in self.keys()
            ),
        )

    def bindings_changed(self, screen: Screen) -> None:
        """Textual's footer builds its keys again on every change of bindings (a cursor
        move, a focus change, a saved check-in); this one only when they differ."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        # Under a dialog (which has a footer of its own) the keys wait: the screen's
        # return publishes its bindings again, and they are compared then.
        if self.is_attached and screen is self.screen and screen is screen.app.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        signature = self._signature()
        if self._composed == signature:
            return
        if signature[0] == self._laid_out_width and await self._update_keys():
            self._composed = signature
            return
        await self.recompose()

    def keys(self) -> list[Shown]:
        """The keys to show, one per action, in the order they were declared: the focused
        widget's first, then the screen's, then the app's."""
        found: dict[str, Shown] = {}
        escape_actions = set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if key == "escape" and binding.show:
                escape_actions.add(binding.action)
            if not binding.show or binding.action in found:
                continue
            found[binding.action] = Shown(binding, active.enabled, active.tooltip, False)
        return [
            Shown(
                shown.binding,
                shown.enabled,
                shown.tooltip,
                action in PINNED_ACTIONS or action in escape_actions,
            )
            for action, shown in found.items()
        ]

    def _width_of(self, shown: Shown) -> int:
        display = self.app.get_key_display(shown.binding)
        return cell_len(display) + 1 + cell_len(shown.binding.description) + 1

    def _footer_key(self, shown: Shown, classes: str = "") -> FooterKey:
        binding = shown.binding
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            disabled=not shown.enabled,
            tooltip=shown.tooltip or binding.tooltip or binding.description,
            classes=classes,
        )

    def _plan(self) -> tuple[list[Shown], list[Shown], Shown | None]:
        """The keys that fit, left to right; the pinned ones (Esc first); the palette's."""
        width = self.size.width or self.app.size.width
        keys = self.keys()
        pinned = [k for k in keys if k.pinned]
        # Esc first among the pinned keys: the way back is what an inner screen needs most.
        pinned.sort(key=lambda k: k.binding.action in PINNED_ACTIONS)
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if active is not None:
                palette = Shown(active.binding, active.enabled, active.tooltip, True)
        room = width - sum(self._width_of(k) for k in pinned)
        if palette is not None and room - self._width_of(palette) >= 30:
            room -= self._width_of(palette)
        else:
            palette = None
        free = []
        for shown in keys:
            if shown.pinned:
                continue
            needed = self._width_of(shown)
            if needed <= room:
                room -= needed
                free.append(shown)
        return free, pinned, palette

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._laid_out_width = self.size.width or self.app.size.width
        self._composed = self._signature()
        free, pinned, palette = self._planned = self._plan()
        for shown in free:
            yield self._footer_key(shown)
        with Horizontal(id="footer-pinned"):
            for shown in pinned:
                yield self._footer_key(shown)
            if palette is not None:
                yield self._footer_key(palette, classes="-command-palette")

    async def _update_keys(self) -> bool:
        """Add and remove the keys on the left that changed (the undo key after a save)
        instead of building every key again; False when more than those changed."""
        if self._planned is None:
            return False
        old_free, old_pinned, old_palette = self._planned
        free, pinned, palette = plan = self._plan()
        if (pinned, palette) != (old_pinned, old_palette):
            return False
        shown_now = [child for child in self.children if isinstance(child, FooterKey)]
        if len(shown_now) != len(old_free) or len(set(old_free)) != len(old_free):
            return False
        widget_of = dict(zip(old_free, shown_now, strict=True))
        staying = set(old_free) & set(free)
        if [k for k in old_free if k in staying] != [k for k in free if k in staying]:
            return False  # the order changed: build them again
        self._planned = plan
        gone = [widget_of[k] for k in old_free if k not in staying]
        if gone:
            await self.remove_children(gone)
        waiting: list[FooterKey] = []
        for shown in free:
            if shown in staying:
                if waiting:
                    await self.mount_all(waiting, before=widget_of[shown])
                    waiting = []
            else:
                waiting.append(self._footer_key(shown))
        if waiting:
            await self.mount_all(waiting, before=self.query_one("#footer-pinned"))
        return True

    def on_resize(self) -> None:
        if self.size.width != self._laid_out_width and self._bindings_ready:
            self.call_after_refresh(self.recompose)
