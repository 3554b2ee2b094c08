"""Reading a CSV file of features and a two-class target into ``(X, y)``, in pure Python.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "tumours.csv")
>>> with open(path, "w") as f:
...     print("id,radius,diagnosis", "7,17.99,M", "8,13.54,B", sep="\\n", file=f)
>>> load_csv(path, target="diagnosis", drop="id", return_classes=True)
([[17.99], [13.54]], [1, 0], ['B', 'M'])
"""

import csv
import itertools
import math
import os
import re
from collections.abc import Iterable

from autograd.text import read_number

__all__ = ["load_csv", "MAX_CSV_BYTES", "MAX_LINE_CHARS", "MAX_CSV_ROWS", "MAX_CLASSES"]

#: The largest CSV file `load_csv` reads: 50 MB is millions of rows, already hours of
#: training for a pure-Python engine, and a few hundred MB of Python floats in memory.
MAX_CSV_BYTES = 50_000_000
#: The longest line `load_csv` reads (100,000 features of ~10 characters each).
MAX_LINE_CHARS = 1_000_000
#: The most data rows load_csv reads: a pure-Python engine trains on far fewer.
MAX_CSV_ROWS = 1_000_000
#: The most classes a CSV target column may hold: more are likely a number to predict
#: (a regression target), not classes.
MAX_CLASSES = 100


def load_csv(path, target="label", return_names=False, return_classes=False, drop=()):
    """Read a CSV file with a header row into ``(X, y)``.

    Every column other than `target` and those named in `drop` (a name or a list of
    names: an ID column, say, which is not read at all) is a numeric feature. A
    column without a name whose cells are all empty, as a comma at the end of every
    line makes, is left out too; a value in it is a ValueError. The target column
    holds k ≥ 2 classes (at most MAX_CLASSES), which become y = 0 to k − 1:
    numbers in their order (0 and 1 stay 0 and 1; −1 → 0, 1 → 1; 3, 5, 7 →
    0, 1, 2); words in alphabetical order, ignoring case (``B`` → 0, ``M`` → 1;
    ``no`` → 0, ``Yes`` → 1; ``setosa``, ``versicolor``, ``virginica`` → 0,
    1, 2). Words are told apart exactly, so ``true`` and ``TRUE`` are two
    classes. A target that is a number but not a finite one (nan, inf, 1e400)
    is a ValueError naming its line, as is a file whose only class is a word
    (0 or 1 alone is kept) and a class beyond MAX_CLASSES. With `return_names`,
    the feature columns' names (in the order of X's columns) follow; with
    `return_classes`, the labels as written in the file, ``[class 0, class 1, ...]``.

    Blank lines (and lines of spaces only) are skipped. A quote never closed, a
    header of one column that holds semicolons or tabs (said so), anything else
    that is not a finite number (text, nan, inf, an empty cell), a row with too
    few or too many cells or bytes that are not UTF-8 is a ValueError naming the
    file, line and column; a folder is an IsADirectoryError. Files
    over MAX_CSV_BYTES (50 MB), lines over MAX_LINE_CHARS (1,000,000
    characters) and more than MAX_CSV_ROWS (1,000,000) data rows are refused
    without being read whole. A missing file is a FileNotFoundError.
    """
    path = os.fspath(path)
    if isinstance(target, str):
        target = target.strip()  # as the header's names are
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path}: a folder, not a CSV file; give the path of the file")
    if os.path.isfile(path) and os.path.getsize(path) > MAX_CSV_BYTES:
        raise ValueError(f"{path}: {os.path.getsize(path):,} bytes, more than the "
                         f"{MAX_CSV_BYTES:,} (MAX_CSV_BYTES) plaingrad reads")
    # surrogateescape: a byte that is not UTF-8 becomes a marker we can locate (line, column).
    try:
        f = open(path, newline="", encoding="utf-8-sig", errors="surrogateescape")
    except OSError as error:  # no permission, say: in words, not Python's "[Errno 13]"
        raise type(error)(f"{path}: cannot read it: {error.strerror}") from None
    with f:
        # strict: a quote never closed is an error, not a cell that takes the rest of the file
        reader = csv.reader(_checked_lines(f, path), strict=True)
        X, y, names, classes = _read_rows(reader, path, target, _column_names(drop))
    return (X, y) + ((names,) if return_names else ()) + ((classes,) if return_classes else ())


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of a bad byte


def _checked_lines(file, path):
    """The file's lines, refusing bytes that are not UTF-8, overlong lines and huge streams."""
    total = 0
    for number in itertools.count(1):
        line = file.readline(MAX_LINE_CHARS + 1)  # never more than one line's limit at once
        if not line:
            return
        if len(line) > MAX_LINE_CHARS:
            raise ValueError(f"{path}, line {number}: longer than {MAX_LINE_CHARS:,} characters "
                             "(MAX_LINE_CHARS); is this a CSV file?")
        bad = _NOT_UTF8.search(line)
        if bad:
            byte = ord(bad.group()) - 0xDC00
            raise ValueError(f"{path}, line {number}, column {bad.start() + 1}: byte "
                             f"0x{byte:02x} is not UTF-8 text; save the file as UTF-8")
        total += len(line)
        if total > MAX_CSV_BYTES:  # a pipe or device has no size to check beforehand
            raise ValueError(f"{path}: more than {MAX_CSV_BYTES:,} characters "
                             "(MAX_CSV_BYTES), more than plaingrad reads")
        yield line


def _column_names(drop):
    """`drop` as a set of column names: one name, or a list of them."""
    if isinstance(drop, (bytes, bytearray)) or not isinstance(drop, (str, Iterable)):
        raise TypeError(f"drop: expected a column name or a list of names, "
                        f"got {type(drop).__name__}")
    names = [drop] if isinstance(drop, str) else list(drop)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"drop: column names are str, got {type(name).__name__} {name!r}")
        if not name.strip():
            raise ValueError(f"drop: an empty column name {name!r}")
    return {name.strip() for name in names}


def _blank(row):
    """A blank line, or one of spaces only: skipped, as the documentation says."""
    return not row or len(row) == 1 and not row[0].strip()


def _quoting_error(error, path, line, reader):
    """csv's error about quotes, in plaingrad's words, naming where the row began."""
    text = str(error)
    if "unexpected end of data" in text or "newline inside string" in text:
        return ValueError(f"{path}, line {line}: a quote (\") opened in this row is never closed, "
                          "so the cell would take in the rest of the file; close it, or "
                          "double a quote meant inside a cell (\"\")")
    if "expected after" in text:
        return ValueError(f"{path}, line {reader.line_num}: text follows the closing quote of a "
                          "quoted cell; quote the whole cell and double the quotes inside it "
                          "(\"say \"\"hi\"\"\")")
    return ValueError(f"{path}, line {line}: {text}")


def _read_rows(reader, path, target, drop):
    try:
        header = []
        while header is not None and _blank(header):  # blank lines before the header
            start = reader.line_num + 1
            header = next(reader, None)
    except csv.Error as error:
        raise _quoting_error(error, path, start, reader) from None
    if header is None:
        raise ValueError(f"{path}: the file is empty; expected a header row "
                         f"naming the columns, with a {target!r} column")
    header = [name.strip() for name in header]
    where = f"{path}, line {reader.line_num}"
    seen = set()
    for j, name in enumerate(header, 1):
        if name in seen and name:
            raise ValueError(f"{where}, column {j}: the column name {name!r} appears twice")
        seen.add(name)
    columns = ", ".join(repr(name) if "," in name else name for name in header if name)
    if target not in header or not target:
        hint = ""
        if len(header) == 1:
            separator = next((s for s in ";\t|" if s in header[0]), None)
            if separator is not None:
                hint = (f"; the header is one column, so the file seems separated by "
                        f"{ {';': 'semicolons', chr(9): 'tabs', '|': 'bars'}[separator] }, "
                        "but plaingrad reads comma-separated files (save it as CSV with commas)")
        raise ValueError(f"{where}: no target column {target!r}; the columns are "
                         f"{columns} (choose one with --target / target=){hint}")
    missing = sorted(drop - set(header))
    if missing:
        raise ValueError(f"{where}: no column {missing[0]!r} to drop; the columns are {columns}")
    if target in drop:
        raise ValueError(f"{where}: {target!r} is the target column; it cannot be dropped")
    t = header.index(target)
    unnamed = {j for j, name in enumerate(header) if not name}  # must stay empty (see above)
    features = [j for j, name in enumerate(header)
                if j != t and j not in unnamed and name not in drop]
    if not features:
        raise ValueError(f"{where}: only the target column {target!r}"
                         f"{' and dropped or unnamed columns' if len(header) > 1 else ''}; "
                         "no feature columns")

    X, labels = [], []  # labels: (the target cell, its line)
    while True:
        line = reader.line_num + 1  # where the next row starts (a quoted cell may span lines)
        try:
            row = next(reader, None)
        except csv.Error as error:
            raise _quoting_error(error, path, line, reader) from None
        if row is None:
            break
        if _blank(row):
            continue
        if len(row) != len(header):
            size = "short" if len(row) < len(header) else "long"
            spans = ""
            if reader.line_num > line:  # a quoted cell took in line breaks
                spans = (f"; a quoted cell runs from line {line} to line {reader.line_num}: "
                         f"is a quote (\") on line {line} not closed?")
            raise ValueError(f"{path}, line {line}: row too {size}: {len(row)} cells, "
                             f"but the header has {len(header)} columns{spans}")
        for j in unnamed:
            if row[j].strip():
                raise ValueError(f"{path}, line {line}, column {j + 1}: {row[j]!r} in a column "
                                 "without a name; name it in the header")
        values = []
        for j in features:
            name, cell = header[j], row[j]
            try:
                v = read_number(cell)  # the one rule for typed numbers: no 1_000, no ١٢
                reason = "" if math.isfinite(v) else " finite"
            except ValueError as error:
                v, reason = math.nan, str(error).partition(" is not a number")[2]
            if not math.isfinite(v):
                raise ValueError(f"{path}, line {line}, column {j + 1} ({name!r}): "
                                 f"{cell!r} is not a finite number{reason}")
            values.append(v)
        if not row[t].strip():
            raise ValueError(f"{path}, line {line}, column {t + 1} ({target!r}): the target "
                             "is empty")
        X.append(values)
        labels.append((row[t].strip(), line))
        if len(X) > MAX_CSV_ROWS:
            raise ValueError(f"{path}, line {line}: more than {MAX_CSV_ROWS:,} data rows "
                             "(MAX_CSV_ROWS), more than plaingrad trains on in reasonable time")
    if not X:
        raise ValueError(f"{path}: a header but no data rows")
    y, classes = _classes(labels, f"{path}, column {t + 1} ({target!r})")
    return X, y, [header[j] for j in features], classes


def _classes(labels, where):
    """y as 0 to k − 1 from the target cells, and the k classes as written (see load_csv)."""
    def number(text):
        try:
            return float(text)
        except ValueError:
            return None  # a word

    for text, line in labels:  # nan, inf, 1e400, 1_0, ١٢: numbers, but not ones to classify by
        v = number(text)
        if v is None:
            continue
        try:
            read_number(text)  # the one rule for typed numbers: Python's float reads more
            reason = ""
        except ValueError as error:
            reason = str(error).partition(" is not a number")[2]
        if not math.isfinite(v) or reason:
            raise ValueError(f"{where}, line {line}: the target {text!r} is not a finite "
                             f"number{reason}")
    numeric = all(number(text) is not None for text, _ in labels)
    key = number if numeric else str
    first = {}  # each class's key → (its text, the line it first appears on)
    for text, line in labels:
        first.setdefault(key(text), (text, line))
    if len(first) > MAX_CLASSES:
        text, line = list(first.values())[MAX_CLASSES]
        raise ValueError(f"{where}, line {line}: {text!r} is class {MAX_CLASSES + 1}, more than "
                         f"the {MAX_CLASSES} (MAX_CLASSES) a classifier here takes; is this "
                         "column a number to predict rather than a class?")
    # Numbers in their order; words alphabetically, ignoring case (no → 0, Yes → 1).
    keys = sorted(first, key=(lambda k: k) if numeric else (lambda k: (k.casefold(), k)))
    if numeric and set(keys) <= {0.0, 1.0}:
        keys = [0.0, 1.0]  # 0 and 1 are the classes themselves, even if one is missing
    elif len(keys) == 1:
        raise ValueError(f"{where}: every target is {first[keys[0]][0]!r}; a classifier "
                         "needs at least two classes")
    index = {k: i for i, k in enumerate(keys)}
    y = [index[key(text)] for text, _ in labels]
    classes = [first[k][0] if k in first else format(k, "g") for k in keys]
    return y, classes
