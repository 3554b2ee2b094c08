"""plaingrad.arguments: every option's number is read by one function, in the same words."""

import argparse

import pytest

from nn.data import MAX_SAMPLES
from plaingrad.arguments import (
    column_names,
    folder_name,
    fraction,
    layer_sizes,
    non_negative_float,
    number,
    positive_float,
    positive_int,
    sample_count,
)


@pytest.mark.parametrize("text, whole, value", [
    ("1.5", False, 1.5), (" -2e3 ", False, -2000.0), ("7", True, 7), ("-3", True, -3),
])
def test_number_reads_ints_and_finite_floats(text, whole, value):
    x = number(text, whole)
    assert x == value and type(x) is (int if whole else float)


@pytest.mark.parametrize("text, whole, message", [
    ("fast", False, "expected a number, got 'fast'"),
    ("2.5", True, "expected a whole number, got '2.5'"),
    ("inf", False, "must be a finite number, got 'inf'"),
    ("-Infinity", False, "must be a finite number, got '-Infinity'"),
    ("nan", False, "must be a finite number, got 'nan'"),
    ("1e999", False, "must be a finite number, got '1e999'"),
])
def test_number_says_what_is_wrong(text, whole, message):
    with pytest.raises(argparse.ArgumentTypeError, match=f"^{message}$"):
        number(text, whole)


@pytest.mark.parametrize("kind, text, message", [
    (positive_float, "0", "must be greater than 0, got 0"),
    (positive_float, "nan", "must be a finite number"),
    (non_negative_float, "-0.1", "must be 0 or more, got -0.1"),
    (non_negative_float, "inf", "must be a finite number"),
    (fraction, "1", "must be between 0 and 1 (exclusive), got 1"),
    (fraction, "0", "must be between 0 and 1"),
    (sample_count, "1", "at least 2 points"),
    (sample_count, str(MAX_SAMPLES + 1), f"at most {MAX_SAMPLES:,} points"),
    (layer_sizes, "16,x", "expected comma-separated layer sizes like 16,16, got '16,x'"),
    (layer_sizes, "16,inf", "expected comma-separated layer sizes"),
    (layer_sizes, "8,0", "layer sizes must be at least 1, got 0"),
    (column_names, "id,,x", "expected comma-separated column names"),
    (folder_name, "  ", "the output folder name is empty"),
])
def test_each_type_adds_its_range(kind, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=message.replace("(", r"\(")
                       .replace(")", r"\)")):
        kind(text)


def test_the_types_return_what_the_command_uses():
    assert positive_int("3") == 3 and sample_count("2") == 2 and fraction("0.25") == 0.25
    assert positive_float("1e-3") == 0.001 and non_negative_float("0") == 0.0
    assert layer_sizes("none") == [] and layer_sizes("") == [] and layer_sizes(" 4, 2") == [4, 2]
    assert column_names('"a,b", id') == ["a,b", "id"] and folder_name("out") == "out"


# Every number an option takes is read by the one rule, the seed and check's tolerances too
# (whose range gradcheck checks: tests/test_check.py).
@pytest.mark.parametrize("argv, message", [
    (["train", "--seed", "1_000"], "--seed"),
    (["train", "--seed", "١٢"], "--seed"),
    (["train", "--seed", "1.5"], "--seed"),
    (["check", "x*x", "x=1", "--eps", "1_0"], "--eps"),
    (["check", "x*x", "x=1", "--atol", "١"], "--atol"),
    (["check", "x*x", "x=1", "--rtol", "0x1"], "--rtol"),
])
def test_seed_and_tolerances_are_read_by_the_one_number_rule(argv, message, capsys):
    from plaingrad.cli import main
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_a_negative_seed_is_still_a_seed():
    from plaingrad.arguments import integer
    assert integer("-3") == -3 and integer("7") == 7
