"""Issue 15: every stored value reads back, every failure is one clear line.

Each test here failed before its fix; expected values are written out by hand.
"""

from __future__ import annotations

import pytest

from tempcheck.domain.text import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\u202eRTL Ltd", "\ufffdRTL Ltd"),
        ("a\u202ab\u202bc\u202cd\u202de", "a\ufffdb\ufffdc\ufffdd\ufffde"),
        ("iso\u2066late\u2067d\u2068x\u2069", "iso\ufffdlate\ufffdd\ufffdx\ufffd"),
        ("mark\u200e\u200f\u061c", "mark\ufffd\ufffd\ufffd"),
        ("Zero\u200bWidth", "Zero\u200bWidth"),  # invisible but harmless: kept
        ("Café 🎉 [/]", "Café 🎉 [/]"),
    ],
)
def test_printable_neutralises_bidi_controls(raw: str, shown: str) -> None:
    assert printable(raw) == shown
