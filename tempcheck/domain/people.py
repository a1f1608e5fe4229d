"""The people at an account: their record, tags, and which one someone meant.

Pure rules, no SQLite: matching a typed name within one customer's contacts by
the safe rule (exact, unique prefix, unique substring; nothing looser), and
the shape of a tag.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tempcheck.domain.matching import key

MAX_CONTACT_NAME = 200
MAX_CONTACT_FIELD = 200
MAX_CONTACT_NOTES = 2000
MAX_TAG = 40
MAX_OWNER = 120


@dataclass(frozen=True)
class Contact:
    """A person at a customer; ``gone_at`` is set once they left (they are never deleted)."""

    id: int
    uid: str
    customer_id: int
    name: str
    role: str
    email: str
    phone: str
    notes: str
    is_primary: bool
    gone_at: datetime | None
    created_at: datetime

    @property
    def gone(self) -> bool:
        return self.gone_at is not None

    @property
    def label(self) -> str:
        """``Dana Ruiz (CFO)``: the name with the role, when there is one."""
        return f"{self.name} ({self.role})" if self.role else self.name


@dataclass(frozen=True)
class SafeMatch:
    """One ``found`` name, or ``candidates``: several (``ambiguous``) or suggestions."""

    found: str | None = None
    candidates: list[str] = field(default_factory=list)
    ambiguous: bool = False


def safe_match(query: str, names: Sequence[str]) -> SafeMatch:
    """Exact (normalised) name, else a unique prefix, else a unique substring.

    Never anything looser: a write acts only on what this returns as ``found``.
    Several matches at the first level that has any make it ambiguous.
    """
    wanted = key(query)
    if not wanted:
        return SafeMatch()
    keyed = {key(name): name for name in names}
    if wanted in keyed:
        return SafeMatch(found=keyed[wanted])
    for test in (str.startswith, _contains):
        hits = sorted((name for k, name in keyed.items() if test(k, wanted)), key=str.casefold)
        if len(hits) == 1:
            return SafeMatch(found=hits[0])
        if hits:
            return SafeMatch(candidates=hits, ambiguous=True)
    return SafeMatch()


def _contains(text: str, part: str) -> bool:
    return part in text


def clean_tag(raw: str) -> str:
    """A tag as stored: without a leading ``#``, NFKC, case-folded, spaces as ``-``.

    Raises ValueError with a sentence for an empty, too long or odd tag.
    """
    text = unicodedata.normalize("NFKC", raw).strip().lstrip("#").strip()
    tag = "-".join(text.casefold().split())
    if not tag:
        raise ValueError("a tag cannot be empty")
    if len(tag) > MAX_TAG:
        raise ValueError(f"a tag is at most {MAX_TAG} characters")
    if any(unicodedata.category(ch)[0] == "C" for ch in tag) or any(ch in tag for ch in ",#"):
        raise ValueError(f"a tag cannot contain commas, '#' or control characters: {raw!r}")
    return tag
