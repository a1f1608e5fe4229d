"""Reading a temperature as people type it: a digit 1-5 or a word, and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tempcheck.domain import temperature
from tempcheck.domain.temperature import WORDS, TemperatureError, parse_temperature

EXPECTED_WORDS = {1: "frustrated", 2: "uneasy", 3: "neutral", 4: "content", 5: "delighted"}


def test_the_scale() -> None:
    assert WORDS == EXPECTED_WORDS


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_digits_and_words_map_to_the_same_value(value: int) -> None:
    word = EXPECTED_WORDS[value]
    assert parse_temperature(str(value)) == value
    assert parse_temperature(value) == value
    assert parse_temperature(f"  {value}\n") == value
    assert parse_temperature(word) == value
    assert parse_temperature(word.upper()) == value
    assert parse_temperature(word.title()) == value
    assert parse_temperature(f" {word} ") == value
    assert parse_temperature(word[:3]) == value  # an unambiguous start of the word


@pytest.mark.parametrize(
    "text",
    ["0", "6", "9", "-1", "10", "15", "x", "", " ", "fr", "de", "1.0", "4.", "٤", "４", "²", "3 4"],
)
def test_everything_else_is_refused_with_the_choices(text: str) -> None:
    with pytest.raises(TemperatureError) as refused:
        parse_temperature(text)
    message = str(refused.value)
    assert "1-5" in message and "content" in message


def test_labels_and_lowness() -> None:
    assert temperature.label(4) == "4 content"
    assert temperature.label(None) == "—"
    assert temperature.word(1) == "frustrated" and temperature.word(None) == ""
    assert [temperature.is_low(v) for v in (None, 1, 2, 3, 4, 5)] == [
        False,
        True,
        True,
        False,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("history", "arrow"),
    [([], ""), ([3], ""), ([2, 4], "↑"), ([4, 2], "↓"), ([3, 3], "→"), ([1, 5, 3], "→")],
)
def test_trend(history: list[int], arrow: str) -> None:
    assert temperature.trend(history) == arrow


def test_sparkline_has_one_block_per_reading() -> None:
    assert temperature.sparkline([1, 2, 3, 4, 5]) == "▁▂▄▆█"


@given(st.one_of(st.text(), st.integers(), st.text(alphabet="0123456789 \t\n-+.")))
@example("\x00")
@example("5\x00")
@example("content" * 1000)
def test_property_a_temperature_or_a_temperature_error(text) -> None:
    try:
        value = parse_temperature(text)
    except TemperatureError:
        return
    assert value in EXPECTED_WORDS
    raw = str(text).strip().lower()
    assert raw == str(value) or EXPECTED_WORDS[value].startswith(raw)


@given(st.integers(1, 5), st.sampled_from([str.upper, str.lower, str.title, str.swapcase]))
def test_property_every_word_and_digit_round_trips(value: int, case) -> None:
    assert parse_temperature(case(EXPECTED_WORDS[value])) == value
    assert parse_temperature(temperature.label(value).split()[0]) == value
