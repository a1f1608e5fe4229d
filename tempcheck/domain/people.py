"""The people at an account: their record, tags, and which one someone meant.

Pure rules, no SQLite: matching a typed name within one customer's contacts by
the customers' safe rule (nothing looser than a unique part of the name), and
the shape of a tag.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tempcheck.domain.matching import match

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
    """The customers' rule (:func:`tempcheck.domain.matching.match`) applied to people:
    exact, unique prefix, unique whole word, unique part; nothing looser is ever found.

    Several matches at the first step that has any make it ambiguous.
    """
    result = match(query, names)
    if result.ambiguous:
        return SafeMatch(candidates=result.candidates, ambiguous=True)
    return SafeMatch(found=result.found)


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
