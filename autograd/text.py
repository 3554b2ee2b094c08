"""Numbers as users type them: one rule for every number plaingrad reads from text.

Command-line options, NAME=VALUE bindings, numbers in expressions and the cells of CSV
files all read a number the same way: an optional sign, the ASCII digits 0-9, an
optional decimal point and an optional exponent (``-1.5``, ``2e-3``, ``.5``), with
spaces around it allowed; ``inf`` and ``nan`` are read as the floats they name (the
callers refuse them where a finite number is needed). Python's `float` reads more,
and so would plaingrad without this rule: digit groups (``1_000``) and other
scripts' digits (Arabic-Indic ``١٢``) are refused here, so that a typo or a stray
character never becomes a number silently.
"""

import re

__all__ = ["read_number", "read_whole_number"]

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WORDS = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)
_WHOLE = re.compile(r"[+-]?[0-9]+")
#: Python's own limit on the digits of an int read from text (sys.get_int_max_str_digits).
MAX_DIGITS = 4300


def read_number(text):
    """`text` as a float by the rule above, else a ValueError saying why it is not one.

    >>> read_number(" -1.5e3 ")
    -1500.0
    >>> read_number("1_000")
    Traceback (most recent call last):
    ...
    ValueError: '1_000' is not a number: digit groups (1_000) are not read; write 1000
    """
    stripped = _checked(text)
    if _NUMBER.fullmatch(stripped) or _WORDS.fullmatch(stripped):
        return float(stripped)  # (a huge exponent is ±inf, as float() gives it)
    raise ValueError(f"{text!r} is not a number{_why(stripped)}")


def read_whole_number(text):
    """`text` as an int: a sign and ASCII digits only (no 1_000, no 1.0, no ١٢).

    >>> read_whole_number("12")
    12
    """
    stripped = _checked(text)
    if not _WHOLE.fullmatch(stripped):
        raise ValueError(f"{text!r} is not a whole number{_why(stripped)}")
    if len(stripped.lstrip("+-")) > MAX_DIGITS:
        raise ValueError(f"a whole number of {len(stripped.lstrip('+-')):,} digits is more "
                         f"than the {MAX_DIGITS:,} plaingrad reads")
    return int(stripped)


def _checked(text):
    if not isinstance(text, str):
        raise TypeError(f"expected the text of a number, got {type(text).__name__}")
    return text.strip()


def _why(text):
    if "_" in text:
        return ": digit groups (1_000) are not read; write 1000"
    if any(c.isdigit() and not "0" <= c <= "9" for c in text):
        return ": only the digits 0-9 are read"
    if not text:
        return ": it is empty"
    return ""


