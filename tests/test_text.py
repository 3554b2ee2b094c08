"""autograd.text: one rule for every number a user types (options, bindings, expressions, CSV)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd.text import read_number, read_whole_number


@given(st.floats(allow_nan=False))
def test_every_float_as_python_writes_it_reads_back(x):
    assert read_number(repr(x)) == x
    assert read_number(f" {x:e} ") == float(f"{x:e}")


@given(st.integers(-10**50, 10**50))
def test_every_int_reads_back(n):
    assert read_whole_number(str(n)) == n
    assert read_number(str(n)) == float(n)


@pytest.mark.parametrize("text, value", [("1", 1.0), ("-1.5", -1.5), (".5", 0.5), ("5.", 5.0),
                                         ("+2e-3", 0.002), ("1E3", 1000.0), (" 7 ", 7.0)])
def test_plain_numbers(text, value):
    assert read_number(text) == value


def test_inf_and_nan_are_read_as_floats_for_the_callers_to_refuse():
    assert read_number("inf") == math.inf and read_number("-Infinity") == -math.inf
    assert math.isnan(read_number("nan"))


@pytest.mark.parametrize("text, why", [
    ("1_000", "digit groups"), ("1_0", "digit groups"), ("١٢", "only the digits 0-9"),
    ("１２", "only the digits 0-9"), ("", "it is empty"), ("0x10", ""), ("1j", ""),
    ("1.2.3", ""), ("abc", ""), ("1e", ""), ("--1", "")])
def test_what_python_reads_and_plaingrad_does_not(text, why):
    with pytest.raises(ValueError, match=f"^{text!r} is not a number.*{why}"):
        read_number(text)


def test_whole_numbers():
    for text in ("1.0", "1e3", "1_000", "١٢"):
        with pytest.raises(ValueError, match="is not a whole number"):
            read_whole_number(text)
    with pytest.raises(ValueError, match="of 4,301 digits is more than the 4,300"):
        read_whole_number("1" * 4301)
