"""Finding the customer someone meant: exact beats prefix, a unique prefix, a unique close
fuzzy match, ambiguity with candidates, case-insensitive, unicode names."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tempcheck.domain.matching import Match, key, match

NAMES = [
    "Acme",
    "Acme Corp",
    "Globex Logistics",
    "Initech",
    "Initrode",
    "Straße & Söhne",
    "Ärzte Köln",
    "東京 Trading",
    "Zoë Café",
    "Hooli",
    "Hoolie Partners",
]


def test_exact_beats_prefix() -> None:
    assert match("acme", NAMES) == Match(found="Acme")
    assert match("Acme Corp", NAMES) == Match(found="Acme Corp")


def test_a_unique_prefix() -> None:
    assert match("glo", NAMES).found == "Globex Logistics"
    assert match("acme c", NAMES).found == "Acme Corp"


def test_several_prefixes_are_ambiguous_and_listed_sorted() -> None:
    result = match("init", NAMES)
    assert result.found is None and result.ambiguous
    assert result.candidates == ["Initech", "Initrode"]
    assert match("ac", NAMES).candidates == ["Acme", "Acme Corp"]


def test_exact_wins_even_when_it_is_also_a_prefix_of_others() -> None:
    assert match("HOOLI", NAMES).found == "Hooli"


def test_a_close_spelling_is_only_suggested_never_found() -> None:
    assert match("Globx Logistics", NAMES) == Match(candidates=["Globex Logistics"])
    assert match("inittech", NAMES).found is None
    assert match("inittech", NAMES).candidates[0] == "Initech"
    result = match("Acme Corq", ["Acme Corp", "Acme Cort"])
    assert result.found is None and not result.ambiguous
    assert set(result.candidates) == {"Acme Corp", "Acme Cort"}


def test_a_unique_whole_word_then_a_unique_substring() -> None:
    names = ["Pied Piper", "Gripper Labs", "Oscorp Labs", "Acme Corp", "Zorg Industries"]
    assert match("piper", names).found == "Pied Piper"  # the whole word, not inside Gripper
    assert match("corp", names).found == "Acme Corp"  # the whole word, not inside Oscorp
    assert match("scor", names).found == "Oscorp Labs"  # a substring
    assert match("ipp", names).found == "Gripper Labs"
    assert match("labs", names) == Match(candidates=["Gripper Labs", "Oscorp Labs"], ambiguous=True)
    assert match("Stark Industries", names).found is None
    assert match("Oscorp Industries", names).found is None


def test_nothing_close_gives_suggestions_but_no_match() -> None:
    result = match("Initeck Holdings", NAMES)
    assert result.found is None and not result.ambiguous
    assert "Initech" in result.candidates
    nothing = match("qqqqqqqq", NAMES)
    assert nothing == Match(found=None, candidates=[], ambiguous=False)


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_an_empty_query_matches_nobody(query: str) -> None:
    assert match(query, NAMES) == Match()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ACME CORP", "Acme Corp"),
        ("acme   corp", "Acme Corp"),
        ("  acme corp  ", "Acme Corp"),
        ("STRASSE", "Straße & Söhne"),  # casefold: ß == ss
        ("straße & söhne", "Straße & Söhne"),
        ("ÄRZTE", "Ärzte Köln"),
        ("東京", "東京 Trading"),
        ("zoë", "Zoë Café"),
        ("ZOË CAFÉ", "Zoë Café"),
    ],
)
def test_case_insensitive_and_unicode(query: str, found: str) -> None:
    assert match(query, NAMES).found == found


def test_key_is_casefolded_with_single_spaces() -> None:
    assert key("  Straße\tGmbH  ") == "strasse gmbh"
    assert key("ÄRZTE") == key("ärzte")


def test_canonically_equivalent_spellings_match() -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë Café")
    assert decomposed != "Zoë Café"
    assert match(decomposed, NAMES).found == "Zoë Café"


@given(st.lists(st.text(min_size=1, max_size=12).filter(str.strip), min_size=1, max_size=8))
def test_property_every_name_finds_itself_in_any_case(names: list[str]) -> None:
    unique = list({key(n): n for n in names}.values())
    for name in unique:
        assert match(name, unique).found == name
        if key(name.upper()) == key(name):  # some letters change under upper()
            assert match(name.upper(), unique).found == name


@given(st.text(max_size=20), st.lists(st.text(max_size=12), max_size=8))
def test_property_never_raises_and_found_is_a_real_name(query: str, names: list[str]) -> None:
    result = match(query, names)
    assert result.found is None or result.found in names
    assert all(candidate in names for candidate in result.candidates)
    assert not (result.found and result.ambiguous)
