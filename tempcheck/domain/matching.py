"""Find the customer someone meant from what they typed: exact, prefix, then fuzzy."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Match:
    """The outcome: one ``found`` name, or ``candidates`` to choose from (maybe none)."""

    found: str | None = None
    candidates: list[str] = field(default_factory=list)
    ambiguous: bool = False


def key(name: str) -> str:
    """The form names are compared (and kept unique) by: Unicode-normalised (NFKC, so a
    decomposed "Zoë" equals a composed one), case-folded, white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def match(query: str, names: Sequence[str]) -> Match:
    """Match ``query`` against ``names`` case-insensitively.

    The exact name wins, else a unique prefix, else a unique close fuzzy match.
    Several prefixes or close matches make it ambiguous; none gives the closest
    names as suggestions.
    """
    wanted = key(query)
    if not wanted:
        return Match()
    keyed = {key(name): name for name in names}
    if wanted in keyed:
        return Match(found=keyed[wanted])
    prefixed = [name for k, name in keyed.items() if k.startswith(wanted)]
    if len(prefixed) == 1:
        return Match(found=prefixed[0])
    if prefixed:
        return Match(candidates=sorted(prefixed, key=str.casefold), ambiguous=True)
    import difflib

    close = difflib.get_close_matches(wanted, list(keyed), n=5, cutoff=0.75)
    if len(close) == 1:
        return Match(found=keyed[close[0]])
    if close:
        return Match(candidates=[keyed[k] for k in close], ambiguous=True)
    near = difflib.get_close_matches(wanted, list(keyed), n=3, cutoff=0.4)
    return Match(candidates=[keyed[k] for k in near])
