"""Find the customer someone meant from what they typed.

One rule for every command that names a customer: the exact name (normalised for
case, spacing and Unicode), else a unique prefix, else a unique whole-word match,
else a unique substring. Anything looser (a typo, a close spelling) is only ever
suggested: it is never acted on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple


class Match(NamedTuple):
    """The outcome: one ``found`` name, or ``candidates`` to choose from (maybe none).

    ``ambiguous`` means several names match by the rule; otherwise ``candidates``
    are near misses, suggestions only.
    """

    found: str | None = None
    candidates: list[str] = []  # never changed in place
    ambiguous: bool = False


def key(name: str) -> str:
    """The form names are compared (and kept unique) by: Unicode-normalised (NFKC, so a
    decomposed "Zoë" equals a composed one), case-folded, white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _whole_word(wanted: str, name_key: str) -> bool:
    """``wanted`` sits in the name as whole words ("piper" in "pied piper")."""
    return re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", name_key) is not None


def _one_or_ambiguous(found: list[str]) -> Match | None:
    if len(found) == 1:
        return Match(found=found[0])
    if found:
        return Match(candidates=sorted(found, key=str.casefold), ambiguous=True)
    return None


def match(query: str, names: Sequence[str]) -> Match:
    """Match ``query`` against ``names``: exact, unique prefix, unique whole word, unique
    substring. Several matches at the first step that has any make it ambiguous; none
    gives the closest names as suggestions (never as a match)."""
    wanted = key(query)
    if not wanted:
        return Match()
    keyed = {key(name): name for name in names}
    if wanted in keyed:
        return Match(found=keyed[wanted])
    for test in (
        lambda k: k.startswith(wanted),
        lambda k: _whole_word(wanted, k),
        lambda k: wanted in k,
    ):
        outcome = _one_or_ambiguous([name for k, name in keyed.items() if test(k)])
        if outcome is not None:
            return outcome
    return Match(candidates=suggest(wanted, list(keyed), keyed))


def suggest(wanted: str, keys: list[str], keyed: dict[str, str]) -> list[str]:
    """Up to three close spellings, closest first: suggestions for "did you mean …?"."""
    import difflib  # lazy: keeps tempcheck log fast

    return [keyed[k] for k in difflib.get_close_matches(wanted, keys, n=3, cutoff=0.4)]
