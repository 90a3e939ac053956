"""Reading typed numbers: thousands separators, ambiguous decimal commas, empty answers."""

from __future__ import annotations

import pytest

from dltui.quiz import NumberError, format_number, parse_number


@pytest.mark.parametrize("text,answer,tolerance,value", [
    ("1,000", None, None, 1000.0),  # a comma before exactly three digits groups thousands
    ("2,500", 2.5, 0.1, 2500.0),  # ... even where the answer is 2.5: the rule does not guess
    ("12,345.5", None, None, 12345.5),
    ("1,000,000", None, None, 1e6),
    ("-1,000", None, None, -1000.0),
    ("2,5", 2.5, 0.01, 2.5),  # a decimal comma is read as such when the answer is near 2.5 ...
    ("0,25", 0.25, 0.001, 0.25),
    ("1,00", 1.0, 0.01, 1.0),  # near 1, far from the grouped reading 1000
    ("0,2500", None, None, 0.25),  # four digits after the comma cannot be a thousands group
    ("2,5%", 0.025, 0.001, 0.025),
    ("1/4", None, None, 0.25),
    ("25 %", None, None, 0.25),
    ("1 000", None, None, 1000.0),
])
def test_parse_number_table(text, answer, tolerance, value):
    assert parse_number(text, answer, tolerance) == pytest.approx(value)


@pytest.mark.parametrize("text,answer,tolerance", [
    ("2,5", None, None),  # no answer to compare with: ambiguous
    ("2,5", 7.0, 0.1),  # near neither 2.5 nor 2500
    ("2,5", 2500.0, 10.0),  # near 2500: the learner may have meant two thousand five hundred
])
def test_ambiguous_commas_are_refused_with_a_message(text, answer, tolerance):
    with pytest.raises(NumberError, match="ambiguous"):
        parse_number(text, answer, tolerance)


def test_empty_answer_says_type_an_answer_first():
    for text in ("", "   "):
        with pytest.raises(NumberError) as err:
            parse_number(text)
        assert str(err.value) == "Type an answer first."


@pytest.mark.parametrize("text", ["abc", "1,2,3", "1.000,5", "1/0", "inf", "nan"])
def test_not_numbers_are_refused(text):
    with pytest.raises(NumberError):
        parse_number(text)


def test_parsed_value_is_echoed_plainly():
    assert format_number(parse_number("1,000")) == "1000"
    assert format_number(0.25) == "0.25"
    assert format_number(2500000.0) == "2500000"
