"""Small data sets, splitting and scaling, in pure Python (CSV files: `nn.csv_file`).

Every generator returns ``(X, y)``: X a list of [x1, x2] rows, y a list of class
labels (0/1, or 0 to k − 1 for `spiral`), shuffled, and the same `seed` (an int)
always gives the same data from a private `random.Random`; seed=None draws from
the global `random` module, as everywhere in nn. `digits()` reads the handwritten
digits shipped inside the package.

>>> X, y = moons(200, noise=0.1, seed=0)
>>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)
>>> X_train, X_test, mean, std = standardize(X_train, X_test)

A model trained on the scaled rows takes raw ones once `fold_scaling(model, mean, std)`
has moved the scaling into its first layer.
"""

import gzip
import importlib.resources
import math
import numbers

from autograd.engine import is_finite_number
from nn.module import make_rng

__all__ = ["moons", "circles", "xor", "blobs", "spiral", "digits", "DATASETS", "DIGIT_SHAPE",
           "train_test_split", "standardize", "check_foldable", "fold_scaling", "check_rows",
           "MAX_SAMPLES"]

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
    make_rng(seed).shuffle(order)
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


def _too_small(column, std):
    return (f"{column}: the values are too small: they vary by {std:.3g} (std), too little "
            "for a model that takes the raw values; multiply the column by a large number")


def check_foldable(std, columns=None):
    """Refuse a column so narrow that W/std overflows: `fold_scaling` could not fold it.

    Call it before training, so that the error comes before the work. `columns` names
    the columns in the error (default: feature 1, feature 2, ...).
    """
    columns = columns or [f"feature {j}" for j in range(1, len(std) + 1)]
    for column, s in zip(columns, std):
        if not math.isfinite(1.0 / s):
            raise ValueError(_too_small(column, s))


def fold_scaling(model, mean, std, columns=None):
    """Make the first layer take raw features: x' = (x − mean)/std folded into W and b.

    Z = Σ w_j·(x_j − m_j)/s_j + b = Σ (w_j/s_j)·x_j + (b − Σ w_j·(m_j/s_j)).
    `mean` and `std` are those of `standardize`. A weight or bias that overflows is
    a ValueError naming its column (`columns`, default feature 1, feature 2, ...).

    >>> from nn import MLP
    >>> model = MLP(1, [1], seed=0)
    >>> before = model.predict([[0.5]])
    >>> fold_scaling(model, mean=[4.0], std=[2.0])     # the raw x is 4 + 2·0.5 = 5
    >>> model.predict([[5.0]]) == before
    True
    """
    columns = columns or [f"feature {j}" for j in range(1, len(std) + 1)]
    for neuron in model.layers[0].neurons:
        # mean/std first: w·mean alone overflows for values near 1.8e308 (mean/std never
        # does: a column's spread is at least about an ulp of its mean over √n).
        shifts = [w.data * (m / s) for w, m, s in zip(neuron.w, mean, std)]
        b = neuron.b.data - sum(shifts)
        if not math.isfinite(b):
            j = max(range(len(shifts)), key=lambda j: abs(shifts[j]))
            raise ValueError(f"{columns[j]}: the trained weight {neuron.w[j].data:.3g} times "
                             f"mean/std {mean[j] / std[j]:.3g} overflows the raw-value bias of "
                             "model.json; train with a smaller learning rate")
        for w, s, column in zip(neuron.w, std, columns):
            w.data /= s
            if not math.isfinite(w.data):
                raise ValueError(_too_small(column, s))
        neuron.b.data = b
