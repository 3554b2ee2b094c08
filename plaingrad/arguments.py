"""The argparse types of the `plaingrad` command: each reads one option's text or says why not.

Every number goes through `number`, so that each option refuses the same things in the
same words (text that is not a number, inf, nan); the types add only their range.

>>> positive_int(" 42 "), fraction("0.2"), layer_sizes("16,8"), column_names('id,"a,b"')
(42, 0.2, [16, 8], ['id', 'a,b'])
"""

import argparse
import csv
import math

from autograd.text import read_number, read_whole_number
from nn.data import MAX_SAMPLES
from nn.module import MAX_PARAMETERS


def number(text, whole=False, finite=True):
    """`text` as an int (`whole`) or a finite float, or a usage error saying which it is not.

    With finite=False, inf and nan pass, for options whose range the library checks itself.

    Read by the one rule for typed numbers (`autograd.text`): no 1_000, no ١٢.
    """
    try:
        x = read_whole_number(text) if whole else read_number(text)
    except ValueError as error:
        reason = str(error).partition(": ")[2]
        raise argparse.ArgumentTypeError(
            f"expected a {'whole number' if whole else 'number'}, got {text!r}"
            + (f" ({reason})" if reason else "")) from None
    if finite and not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return x


def any_number(text):
    """A number by the one rule, inf and nan included: gradcheck checks its own tolerances."""
    return number(text, finite=False)


def integer(text):
    """A whole number, of any sign (a seed)."""
    return number(text, whole=True)


def positive_int(text):
    """A whole number ≥ 1."""
    n = number(text, whole=True)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def sample_count(text):
    """How many points to generate: 2 (one to train on, one to test) to MAX_SAMPLES."""
    n = positive_int(text)
    if n < 2:
        raise argparse.ArgumentTypeError(f"at least 2 points (some to train on, some to "
                                         f"test), got {n}")
    if n > MAX_SAMPLES:
        raise argparse.ArgumentTypeError(f"at most {MAX_SAMPLES:,} points, got {n:,}")
    return n


def positive_float(text):
    """A finite number > 0."""
    x = number(text)
    if x <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return x


def non_negative_float(text):
    """A finite number ≥ 0."""
    x = number(text)
    if x < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return x


def fraction(text):
    """A number strictly between 0 and 1."""
    x = number(text)
    if not 0 < x < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), got {text}")
    return x


def layer_sizes(text):
    """'16,16' → [16, 16]; '' or 'none' → [] (no hidden layer: logistic regression)."""
    if text.strip().lower() in ("", "none"):
        return []
    sizes = []
    for part in text.split(","):
        try:
            n = number(part, whole=True)
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated layer sizes like 16,16, got {text!r}") from None
        if n < 1:
            raise argparse.ArgumentTypeError(f"layer sizes must be at least 1, got {n}")
        if n > MAX_PARAMETERS:
            raise argparse.ArgumentTypeError(
                f"a layer of {n:,} neurons has more than the {MAX_PARAMETERS:,} parameters "
                "a model may have")
        sizes.append(n)
    return sizes


def column_names(text):
    """Column names, comma-separated and quoted as in a CSV header ("a,b",id)."""
    try:
        names = [name.strip() for name in next(csv.reader([text]), [])]
    except csv.Error:
        names = []
    if not names or not all(names):
        raise argparse.ArgumentTypeError(f"expected comma-separated column names, got {text!r}")
    return names


def folder_name(text):
    """A folder's name: anything but empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the output folder name is empty")
    return text
