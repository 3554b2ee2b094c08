"""Small data sets, splitting, scaling and CSV loading, in pure Python.

Every generator returns ``(X, y)``: X a list of [x1, x2] rows, y a list of class
labels (0/1, or 0 to k − 1 for `spiral`), shuffled, and the same `seed` always
gives the same data (a private `random.Random`; the global random state is never
touched). `digits()` reads the handwritten digits shipped inside the package.

>>> X, y = moons(200, noise=0.1, seed=0)
>>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)
>>> X_train, X_test, mean, std = standardize(X_train, X_test)
"""

import csv
import gzip
import importlib.resources
import itertools
import math
import numbers
import os
import random
import re
from collections.abc import Iterable

from autograd.engine import is_finite_number
from nn.module import make_rng

__all__ = ["moons", "circles", "xor", "blobs", "spiral", "digits", "DATASETS", "train_test_split",
           "standardize", "check_rows", "load_csv", "MAX_CSV_BYTES", "MAX_LINE_CHARS",
           "MAX_CSV_ROWS", "MAX_SAMPLES", "MAX_CLASSES", "DIGIT_SHAPE"]

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
#: The most points a generator (moons, circles, xor, blobs) makes: already hours of
#: training in pure Python.
MAX_SAMPLES = 1_000_000


def _check_samples(n_samples, noise, least=2):
    """Refuse a bad size or noise; returns the noise as a float."""
    if (isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral)
            or not least <= n_samples <= MAX_SAMPLES):
        raise ValueError(f"n_samples must be an int from {least} to {MAX_SAMPLES:,} "
                         f"(MAX_SAMPLES), got {n_samples!r}")
    if not (is_finite_number(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number ≥ 0, got {noise!r:.40}")
    return float(noise)  # (a NumPy number too: the points stay Python floats)


def _finish(points, labels, noise, rng):
    """Add Gaussian noise (std `noise`) to every coordinate, then shuffle."""
    X = [[x1 + rng.gauss(0.0, noise), x2 + rng.gauss(0.0, noise)] for x1, x2 in points]
    if not all(math.isfinite(v) for row in X for v in row):
        raise ValueError(f"noise={noise!r} is too large: some points overflow to ±inf")
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [labels[i] for i in order]


def _linspace(start, stop, n):
    if n == 1:
        return [start]
    return [start + (stop - start) * i / (n - 1) for i in range(n)]


def moons(n_samples=300, noise=0.1, seed=0):
    """Two interleaving half circles (scikit-learn's `make_moons`): upper 0, lower 1."""
    noise = _check_samples(n_samples, noise)
    rng = make_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    points = [(math.cos(t), math.sin(t)) for t in _linspace(0.0, math.pi, n_upper)]
    points += [(1.0 - math.cos(t), 0.5 - math.sin(t)) for t in _linspace(0.0, math.pi, n_lower)]
    return _finish(points, [0] * n_upper + [1] * n_lower, noise, rng)


def circles(n_samples=300, noise=0.1, factor=0.5, seed=0):
    """A circle of radius 1 (label 0) around one of radius `factor` (label 1)."""
    noise = _check_samples(n_samples, noise)
    if not (isinstance(factor, numbers.Real) and 0 < factor < 1):
        raise ValueError(f"factor must be between 0 and 1, got {factor!r}")
    rng = make_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer

    def ring(n, r):
        return [(r * math.cos(2 * math.pi * i / n), r * math.sin(2 * math.pi * i / n))
                for i in range(n)]

    points = ring(n_outer, 1.0) + ring(n_inner, factor)
    return _finish(points, [0] * n_outer + [1] * n_inner, noise, rng)


def xor(n_samples=300, noise=0.25, seed=0):
    """Four clusters at (±1, ±1): label 1 where the signs differ (x1·x2 < 0), else 0."""
    noise = _check_samples(n_samples, noise, least=4)
    rng = make_rng(seed)
    corners = [(1.0, 1.0), (-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0)]
    points = [corners[i % 4] for i in range(n_samples)]
    labels = [0 if x1 * x2 > 0 else 1 for x1, x2 in points]
    return _finish(points, labels, noise, rng)


def blobs(n_samples=300, noise=0.6, seed=0):
    """Two Gaussian blobs, centred at (−1, −1) (label 0) and (1, 1) (label 1), std `noise`."""
    noise = _check_samples(n_samples, noise)
    rng = make_rng(seed)
    n0 = n_samples // 2
    points = [(-1.0, -1.0)] * n0 + [(1.0, 1.0)] * (n_samples - n0)
    return _finish(points, [0] * n0 + [1] * (n_samples - n0), noise, rng)


def spiral(n_samples=300, classes=3, noise=0.2, seed=0):
    """The classic k-armed spiral (CS231n's): arm c holds the points of class c.

    Arm c starts at the centre at angle c·2π/k and turns 4 radians while its radius
    grows from 0 to 1; `noise` is the standard deviation of each point's angle, in
    radians. The `n_samples` points are shared out as evenly as the arms allow.

    >>> X, y = spiral(300, classes=3, seed=0)
    >>> sorted(set(y)), y.count(0)
    ([0, 1, 2], 100)
    """
    if isinstance(classes, bool) or not isinstance(classes, numbers.Integral) or classes < 2:
        raise ValueError(f"spiral: classes must be an int ≥ 2, got {classes!r}")
    noise = _check_samples(n_samples, noise, least=int(classes))
    rng = make_rng(seed)
    k = int(classes)
    points, labels = [], []
    for c in range(k):
        n = n_samples // k + (c < n_samples % k)
        for r in _linspace(0.0, 1.0, n):
            t = c * 2 * math.pi / k + 4.0 * r + rng.gauss(0.0, noise)
            if not math.isfinite(t):
                raise ValueError(f"noise={noise!r} is too large: some points overflow to ±inf "
                                 "(the noise is an angle, in radians)")
            points.append([r * math.sin(t), r * math.cos(t)])
            labels.append(c)
    order = list(range(len(points)))
    rng.shuffle(order)
    return [points[i] for i in order], [labels[i] for i in order]


DATASETS = {"moons": moons, "circles": circles, "xor": xor, "blobs": blobs, "spiral": spiral}

#: The shape of one image of `digits()`: 8 rows of 8 pixels, each 0 (white) to 16 (black).
DIGIT_SHAPE = (8, 8)


def digits():
    """The 8×8 handwritten digits: ``(X, y)``, 1,797 images of 64 pixels and their digits.

    Each row of X is an image, its 8 rows of 8 pixels one after the other, each
    pixel an integer from 0 to 16 (as a float); y holds the digits 0 to 9, in the
    file's order (not shuffled: split them with `train_test_split`). The data is
    the UCI "Optical Recognition of Handwritten Digits" set (E. Alpaydin and
    C. Kaynak, 1998) as scikit-learn ships it, read from the package itself
    (nn/datasets/digits.csv.gz; source and licence, CC BY 4.0, in the README there).

    >>> X, y = digits()
    >>> len(X), len(X[0]), sorted(set(y)) == list(range(10))
    (1797, 64, True)
    """
    data = importlib.resources.files("nn") / "datasets" / "digits.csv.gz"
    X, y = [], []
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="ascii") as f:
        for line in f:
            *pixels, digit = line.split(",")
            X.append([float(v) for v in pixels])
            y.append(int(digit))
    return X, y


def train_test_split(X, y, test_size=0.2, seed=0):
    """Shuffle and split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    `test_size` is a fraction in (0, 1) (the test count is rounded up, as in
    scikit-learn) or a whole number of test samples.
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f"train_test_split: {n} rows in X but {len(y)} labels in y")
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise ValueError(f"train_test_split: test_size must be a number, got {test_size!r}")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif 0.0 < test_size < 1.0:
        n_test = math.ceil(test_size * n)
    else:
        raise ValueError(f"train_test_split: test_size {test_size!r} must be a fraction "
                         "in (0, 1) or a whole number of samples")
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: {n} samples cannot give {n_test} test samples "
                         "and at least one training sample")
    order = list(range(n))
    random.Random(seed).shuffle(order)
    test, train = order[:n_test], order[n_test:]
    return ([X[i] for i in train], [X[i] for i in test],
            [y[i] for i in train], [y[i] for i in test])


def check_rows(rows, ncols, where, expected="expected"):
    """Every row holds `ncols` finite numbers, else a ValueError naming `where`, row and column.

    >>> check_rows([[1.0, float("nan")]], 2, "fit: the training data")
    Traceback (most recent call last):
    ...
    ValueError: fit: the training data row 0, column 2 is nan; values must be finite numbers
    """
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__"):
            raise ValueError(f"{where} row {i} is {type(row).__name__} {row!r:.40}, not a "
                             "list of numbers")
        if len(row) != ncols:
            raise ValueError(f"{where} row {i} has {len(row)} columns, {expected} {ncols}")
        for j, v in enumerate(row):
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise ValueError(f"{where} row {i}, column {j + 1} is {type(v).__name__} "
                                 f"{v!r:.40}; values must be finite numbers")
            if not is_finite_number(v):
                raise ValueError(f"{where} row {i}, column {j + 1} is {v!r:.40}; "
                                 "values must be finite numbers")


def standardize(X_train, X_test=None, columns=None):
    """Scale each column to mean 0 and standard deviation 1, using the training rows only.

    Returns ``(X_train_scaled, X_test_scaled, mean, std)``: `mean` and `std`
    are per-column lists (std with 1/N, as scikit-learn's StandardScaler; a
    constant column keeps std 1 so it is not divided by 0). X_test_scaled is
    None when no X_test is given. A row x becomes (x − mean) / std.

    Any finite values work, up to ±1.7e308: each column is first divided by its
    largest magnitude, so no sum or square overflows. A non-finite value is a
    ValueError naming its row and column; `columns`, if given, names the columns
    in the error of a test value too far from the training rows to scale (the
    rows are a shuffled split, so their numbers would mean little to a user).
    """
    if len(X_train) == 0:  # (not `not X_train`: a NumPy array has no truth value)
        raise ValueError("standardize: X_train is empty")
    n, d = len(X_train), len(X_train[0])
    check_rows(X_train, d, "standardize: X_train", "the first training row's")
    check_rows([] if X_test is None else X_test, d, "standardize: X_test",
               "the first training row's")
    if columns is not None and len(columns) != d:
        raise ValueError(f"standardize: {len(columns)} column names for {d} columns")
    mean, std = [], []
    for j in range(d):
        column = [row[j] for row in X_train]
        # In units of a power of two ≥ every |value| (exact), no term exceeds 1: nothing
        # overflows. The variance is the corrected two-pass one (the mean's rounding cancels).
        e = math.frexp(max(map(abs, column)))[1]
        units = [math.ldexp(v, -e) for v in column]
        # fsum/n rounds twice and can miss a constant column's value: keep m in [min, max]
        m = min(max(math.fsum(units) / n, min(units)), max(units))
        deviations = [u - m for u in units]
        var = (math.fsum(t * t for t in deviations) - math.fsum(deviations) ** 2 / n) / n
        s = math.ldexp(math.sqrt(max(var, 0.0)), e)
        mean.append(math.ldexp(m, e))
        std.append(s if s > 0 else 1.0)

    def scale(rows, what):
        # (x − mean)/std; halved first where x − mean alone would overflow (x near ±1.7e308).
        scaled = [[(v - m) / s if math.isfinite(v - m) else (v / 2 - m / 2) / s * 2
                   for v, m, s in zip(row, mean, std, strict=True)] for row in rows]
        for i, row in enumerate(scaled):
            for j, z in enumerate(row):
                if not math.isfinite(z):  # only a test row can be this far from the training rows
                    where = (f"{columns[j]}: the test value" if columns else
                             f"standardize: {what} row {i}, column {j + 1}:")
                    raise ValueError(
                        f"{where} {rows[i][j]!r} is too far "
                        f"from the training rows (mean {mean[j]:g}, std {std[j]:g}) to scale; "
                        "the column barely varies in the training rows")
        return scaled

    X_test_scaled = None if X_test is None else scale(X_test, "X_test")
    return scale(X_train, "X_train"), X_test_scaled, mean, std


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

    Blank lines are skipped; anything else that is not a finite number (text,
    nan, inf, an empty cell), a row with too few or too many cells or bytes
    that are not UTF-8 is a ValueError naming the file, line and column. Files
    over MAX_CSV_BYTES (50 MB), lines over MAX_LINE_CHARS (1,000,000
    characters) and more than MAX_CSV_ROWS (1,000,000) data rows are refused
    without being read whole. A missing file is a FileNotFoundError.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    if os.path.isfile(path) and os.path.getsize(path) > MAX_CSV_BYTES:
        raise ValueError(f"{path}: {os.path.getsize(path):,} bytes, more than the "
                         f"{MAX_CSV_BYTES:,} (MAX_CSV_BYTES) plaingrad reads")
    # surrogateescape: a byte that is not UTF-8 becomes a marker we can locate (line, column).
    with open(path, newline="", encoding="utf-8-sig", errors="surrogateescape") as f:
        X, y, names, classes = _read_rows(csv.reader(_checked_lines(f, path)), path, target,
                                          _column_names(drop))
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


def _read_rows(reader, path, target, drop):
    try:
        header = next(reader, None)
        while header == []:  # blank lines before the header
            header = next(reader, None)
    except csv.Error as error:
        raise ValueError(f"{path}, line {reader.line_num}: {error}") from None
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
        raise ValueError(f"{where}: no target column {target!r}; the columns are "
                         f"{columns} (choose one with --target / target=)")
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
            raise ValueError(f"{path}, line {line}: {error}") from None
        if row is None:
            break
        if not row:
            continue
        if len(row) != len(header):
            size = "short" if len(row) < len(header) else "long"
            raise ValueError(f"{path}, line {line}: row too {size}: {len(row)} cells, "
                             f"but the header has {len(header)} columns")
        for j in unnamed:
            if row[j].strip():
                raise ValueError(f"{path}, line {line}, column {j + 1}: {row[j]!r} in a column "
                                 "without a name; name it in the header")
        values = []
        for j in features:
            name, cell = header[j], row[j]
            try:
                v = float(cell) if "_" not in cell else math.nan  # no 1_000 digit groups
            except ValueError:
                v = math.nan
            if not math.isfinite(v):
                raise ValueError(f"{path}, line {line}, column {j + 1} ({name!r}): "
                                 f"{cell!r} is not a finite number")
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

    for text, line in labels:  # nan, inf, 1e400, 1_0: numbers, but not ones to classify by
        v = number(text)
        if v is not None and (not math.isfinite(v) or "_" in text):
            raise ValueError(f"{where}, line {line}: the target {text!r} is not a finite number")
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
