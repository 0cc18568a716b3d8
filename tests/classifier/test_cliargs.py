"""`classifier.cliargs`: flag text -> number, or a usage error that says what was expected."""

from __future__ import annotations

import argparse
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifier.cliargs import parse_size, probability, seconds, weight, whole_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [("512", 512), ("512M", 512 * 2**20), ("2G", 2 * 2**30), ("1.5GiB", int(1.5 * 2**30)), (" 4 kb ", 4096)],
)
def test_sizes(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "M", "-1G", "2X", "1e3"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="not a size"):
        parse_size(text)


@given(st.text(max_size=12) | st.floats(allow_nan=True, allow_infinity=True).map(repr))
def test_numbers_are_in_range_or_refused(text: str) -> None:
    for parse, low, high, closed_high in ((probability, 0.0, 1.0, True), (seconds, 0.0, math.inf, False), (weight, 0.0, math.inf, False)):
        try:
            value = parse(text)
        except argparse.ArgumentTypeError as error:
            assert repr(text) in str(error)
        else:
            assert low <= value <= high and (closed_high or value < high) and value == float(text)


@pytest.mark.parametrize("text", ["nan", "1.0001", "-0.1", "inf", "half"])
def test_a_probability_is_from_0_to_1(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="probability"):
        probability(text)


def test_whole_numbers_have_a_minimum() -> None:
    at_least_one = whole_number(1)
    assert at_least_one("3") == 3 and whole_number(0)("0") == 0
    for text in ("0", "-2", "1.5", "x", ""):
        with pytest.raises(argparse.ArgumentTypeError, match="at least 1"):
            at_least_one(text)


def test_argparse_reports_the_message_as_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="demo")
    parser.add_argument("--threshold", type=probability)
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["--threshold", "2"])
    assert exit_info.value.code == 2
    assert "not a probability from 0 to 1: '2'" in capsys.readouterr().err
