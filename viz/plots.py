"""Training pictures with matplotlib: loss/accuracy curves, 2-D decision regions, the
confusion matrix of a classifier and a grid of misclassified images.

Each picture is written twice, as ``<path>.png`` and ``<path>.svg``, each
atomically (temp file in the same folder, then a rename). matplotlib is
imported only when a picture is drawn, and only through its Agg canvas, so
nothing here changes the user's pyplot backend or global state.

>>> import os, tempfile
>>> stem = os.path.join(tempfile.mkdtemp(), "curves")
>>> png, svg = training_curves({"loss": [0.7, 0.4, 0.2], "accuracy": [0.6, 0.8, 0.9]}, stem)
>>> os.path.basename(png), os.path.basename(svg)
('curves.png', 'curves.svg')
"""

import functools
import io
import math
import numbers
import os
import sys
from collections.abc import Mapping

from autograd import no_grad
from autograd.engine import is_finite_number
from autograd.files import atomic_write
from viz.text import shown

__all__ = ["training_curves", "decision_boundary", "confusion_matrix", "misclassified_images"]

#: The most grid points per axis of a decision boundary (predict runs on its square).
MAX_RESOLUTION = 1000
#: The most classes a picture tells apart by colour (and rows of a confusion matrix).
MAX_CLASSES = 100
#: The most images `misclassified_images` draws (the first ones, in order).
MAX_IMAGES = 64
# Runs of at most this many epochs draw a marker at every epoch.
_MARKED_EPOCHS = 30
# Class colours shared by the points and the regions: 0 blue, 1 orange, 2 green, ...
# (matplotlib's tab10, then tab20's lighter shades).
_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
           "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5")


def _colors(k):
    """k distinct colours: tab10 and tab20 up to 20 classes, then evenly spaced hues."""
    if k <= len(_COLORS):
        return list(_COLORS[:k])
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    return [to_hex(colormaps["hsv"](i / k)) for i in range(k)]


def _figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _save_both(fig, path):
    """Write `fig` as <stem>.png and <stem>.svg atomically; returns both paths."""
    stem, ext = os.path.splitext(os.fspath(path))
    if ext.lower() not in (".png", ".svg"):
        stem += ext
    if os.path.basename(stem) in ("", ".", ".."):  # "out/" would write the hidden out/.png
        raise ValueError(f"{os.fspath(path)!r} names a folder; give a file name, e.g. "
                         f"{os.path.join(os.fspath(path), 'curves')!r}")
    written = []
    for fmt in ("png", "svg"):
        picture = io.BytesIO()
        # No date in the metadata: the same run draws the same file.
        metadata = {"Date": None} if fmt == "svg" else {"Software": "plaingrad"}
        fig.savefig(picture, format=fmt, metadata=metadata)
        written.append(atomic_write(f"{stem}.{fmt}", picture.getvalue()))
    return written


@functools.lru_cache(maxsize=1)
def _glyphs():
    """The characters the pictures' font can draw (matplotlib's default, DejaVu Sans)."""
    from matplotlib import font_manager, ft2font

    path = font_manager.findfont(font_manager.FontProperties())
    return frozenset(map(chr, ft2font.FT2Font(path).get_charmap()))


def _plain(text):
    """`text` shown as written: every character visible and in the font (see viz.text),
    and $ as a dollar (matplotlib reads $...$ as mathematics)."""
    return shown(text, _glyphs().__contains__).replace("$", r"\$")


def _finite_series(history, key):
    values = history.get(key)
    values = [] if values is None else list(values)
    for i, v in enumerate(values):
        if not is_finite_number(v):
            raise ValueError(f"training_curves: {key}[{i}] is {v!r}, not a finite number")
    if values and not math.isfinite(max(values) - min(values)):
        raise ValueError(f"training_curves: {key} spans from {min(values):g} to "
                         f"{max(values):g}, more than a float can hold; nothing to plot")
    return [float(v) for v in values]


def training_curves(history, path, title="Training"):
    """Plot the cost J and the accuracy per epoch, side by side.

    `history` maps ``"loss"`` and ``"accuracy"`` (and optionally ``"test_loss"``
    and ``"test_accuracy"``) to per-epoch lists, as `nn.fit` returns. `path`
    is the file name with or without .png/.svg. Returns the paths written.
    """
    if not isinstance(history, Mapping):
        raise TypeError(f"training_curves: history must be a dict of per-epoch lists (as "
                        f"nn.fit returns), got {type(history).__name__}")
    loss = _finite_series(history, "loss")
    if not loss:
        raise ValueError("training_curves: the history has no 'loss' values to plot")
    from matplotlib.ticker import MaxNLocator

    fig = _figure(10, 4)
    ax_loss, ax_acc = fig.subplots(1, 2)
    # nn.fit's train cost is the mean over the epoch's batches, as the weights moved; the
    # test cost and both accuracies are measured after the epoch. The legend says which.
    names = {"loss": ("train (mean during the epoch)", "test (after the epoch)"),
             "accuracy": ("train (after the epoch)", "test (after the epoch)")}
    epochs = 1
    for ax, key, label in ((ax_loss, "loss", "cost J"), (ax_acc, "accuracy", "accuracy")):
        for prefix, name, style in (("", names[key][0], "-"), ("test_", names[key][1], "--")):
            values = _finite_series(history, prefix + key)
            if values:
                epochs = max(epochs, len(values))
                # Markers for short runs: a single epoch is a point, not an invisible line.
                ax.plot(range(1, len(values) + 1), values, style, label=name,
                        marker="o" if len(values) <= _MARKED_EPOCHS else None, markersize=4)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
    for ax in (ax_loss, ax_acc):
        # Whole epochs from 1 to the last, with room for the markers (one epoch: 0.5 to 1.5).
        margin = max(0.5, 0.03 * (epochs - 1))
        ax.set_xlim(1 - margin, epochs + margin)
        if ax.get_legend_handles_labels()[0]:  # a history may hold no accuracy
            ax.legend()
    ax_acc.set_ylim(-0.02, 1.02)
    ax_loss.set_title(f"{_plain(title)}: cost per epoch")
    ax_acc.set_title(f"{_plain(title)}: accuracy per epoch")
    fig.tight_layout()
    return _save_both(fig, path)


def _axis(values, resolution):
    """(low, high, grid): the values' range with a 10% margin, and `resolution` points over it.

    Finite even for values near ±1.8e308: the span is taken in halves, and the
    margin stops at the largest float.
    """
    if not all(is_finite_number(v) for v in values):
        raise ValueError("decision_boundary: the points must be finite numbers")
    values = [float(v) for v in values]
    lo, hi = min(values), max(values)
    span = hi - lo if math.isfinite(hi - lo) else 2 * (hi / 2 - lo / 2)  # inf past 1.8e308
    # A tenth of the span on each side (at least the smallest float: spans of a few
    # subnormals have a tenth of 0); one value gets a range around it.
    pad = max(0.1 * span, math.ulp(0.0)) if span > 0 else 0.1
    lo, hi = max(lo - pad, -sys.float_info.max), min(hi + pad, sys.float_info.max)
    # lo·(1 − t) + hi·t never leaves [lo, hi] by more than a rounding: no overflow.
    ts = [i / (resolution - 1) for i in range(resolution)]
    return lo, hi, [min(max(lo * (1 - t) + hi * t, lo), hi) for t in ts]


def _unit(lo, hi):
    """(scale, label): how to draw an axis, and what to add to its name.

    An ordinary axis is drawn as it is. matplotlib's ticks overflow for ranges reaching
    ±1e300, and it takes a range whose values are all below ~2e-287 for an empty one
    (it draws ±0.05 with every point at 0): such an axis is drawn in units of 10^k,
    named " (×1e±k)".
    """
    top = max(abs(lo), abs(hi))
    if 1e-200 <= top <= 1e300 or top == 0:
        return (lambda v: v), ""
    k = math.floor(math.log10(top))
    if k > 0:
        unit = 10.0 ** k
        return (lambda v: v / unit), f" (×1e+{k})"
    # 10^k is subnormal or 0 below 1e-308: multiply by 10^-k in two exact-enough steps.
    first, second = 10.0 ** 300, 10.0 ** (-k - 300)
    return (lambda v: v * first * second), f" (×1e{k})"


def decision_boundary(predict, X, y, path, threshold=0.5, resolution=100,
                      title="Decision boundary", axis_labels=("x1", "x2"),
                      class_names=("class 0", "class 1")):
    """Shade the plane by predicted class and draw the labelled points on top.

    `predict(rows)` takes a list of [x1, x2] rows and returns one number per
    row; class 1 is where it exceeds `threshold`. X is a list of 2-D rows and y
    their labels (0/1, or −1/+1: a label ≥ 0.5 is class 1). With
    ``threshold=None``, `predict` returns a class from 0 to k − 1 per row (as a
    k-class `MLP.predict` does), y holds classes 0 to k − 1, and the plane shows
    k regions, k = len(class_names). `axis_labels` name the two features and
    `class_names` the classes in the legend. Returns the paths written
    (<stem>.png, <stem>.svg).
    """
    if len(X) == 0 or len(X) != len(y):
        raise ValueError(f"decision_boundary: {len(X)} points but {len(y)} labels")
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral) \
            or not 2 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"decision_boundary: resolution must be an int from 2 to "
                         f"{MAX_RESOLUTION} (points per axis), got {resolution!r}")
    resolution = int(resolution)
    k = 2 if threshold is not None else _class_count(class_names, "decision_boundary")
    for what, names, n in (("axis_labels", axis_labels, 2), ("class_names", class_names, k)):
        if isinstance(names, str) or len(names) != n:
            raise ValueError(f"decision_boundary: {what} must be {n} names, got {names!r}")
    if not all(is_finite_number(t) for t in y):
        raise ValueError("decision_boundary: the labels must be finite numbers")
    if threshold is None:
        classes = _class_indices(y, k, "decision_boundary: label")
    else:
        # A label ≥ 0.5 is class 1, as in nn.accuracy: 0/1 and −1/+1 labels both work.
        classes = [1 if t >= 0.5 else 0 for t in y]
    if any(len(row) != 2 for row in X):
        raise ValueError("decision_boundary: needs 2-D points (two features per row)")
    x_lo, x_hi, gx = _axis([row[0] for row in X], resolution)
    y_lo, y_hi, gy = _axis([row[1] for row in X], resolution)
    with no_grad():  # a predict written with Values builds no graph for the grid
        scores = list(predict([[a, b] for b in gy for a in gx]))
    if len(scores) != resolution * resolution:
        raise ValueError(f"decision_boundary: predict returned {len(scores)} numbers for "
                         f"{resolution * resolution} points")
    if not all(isinstance(s, (int, float)) and math.isfinite(s) for s in scores):
        raise ValueError("decision_boundary: predict returned a non-finite number")
    if threshold is None:
        scores = [float(c) for c in _class_indices(scores, k, "decision_boundary: predict "
                                                   "returned class")]
    surface = [scores[j * resolution:(j + 1) * resolution] for j in range(resolution)]
    if threshold is None:
        grid = surface
        # Each class's outline, one contour of "is class c" each: a contour of the class
        # numbers at 0.5, 1.5, ... would draw the border of classes 0 and 2 twice, apart.
        outlines = [[[1.0 if v == c else 0.0 for v in line] for line in surface]
                    for c in range(k) if c in scores and len(set(scores)) > 1]
    else:
        grid = [[1.0 if s > threshold else 0.0 for s in line] for line in surface]
        outlines = [surface] if min(scores) < threshold < max(scores) else []
    level = 0.5 if threshold is None else threshold

    from matplotlib.colors import ListedColormap

    # Axes beyond what matplotlib draws (near ±1.8e308, or all below 1e-200) in units of 10^k.
    (ux, x_unit), (uy, y_unit) = _unit(x_lo, x_hi), _unit(y_lo, y_hi)
    gx, gy = list(map(ux, gx)), list(map(uy, gy))
    fig = _figure(6, 5)
    ax = fig.subplots()
    colors = _colors(k)
    ax.contourf(gx, gy, grid, levels=[c - 0.5 for c in range(k + 1)],
                cmap=ListedColormap(colors), alpha=0.25)
    for outline in outlines:
        ax.contour(gx, gy, outline, levels=[level], colors="black", linewidths=1.0)
    for label, color in enumerate(colors):
        pts = [row for row, c in zip(X, classes) if c == label]
        ax.scatter([ux(p[0]) for p in pts], [uy(p[1]) for p in pts], s=14, c=color,
                   edgecolors="white", linewidths=0.4, label=_plain(class_names[label]))
    ax.set_xlim(ux(x_lo), ux(x_hi))
    ax.set_ylim(uy(y_lo), uy(y_hi))
    ax.set_xlabel(f"{_plain(axis_labels[0])}{x_unit}")
    ax.set_ylabel(f"{_plain(axis_labels[1])}{y_unit}")
    ax.set_title(_plain(title))
    ax.legend(loc="best", fontsize="small" if k > 4 else None, ncols=1 if k <= 10 else 2)
    fig.tight_layout()
    return _save_both(fig, path)


def _class_count(class_names, what):
    if isinstance(class_names, str) or not hasattr(class_names, "__len__"):
        raise ValueError(f"{what}: class_names must be a list of names, got {class_names!r}")
    if not 2 <= len(class_names) <= MAX_CLASSES:
        raise ValueError(f"{what}: {len(class_names)} class names; give 2 to {MAX_CLASSES}")
    return len(class_names)


def _class_indices(values, k, what):
    """Values that must be the classes 0 to k − 1, as ints."""
    out = []
    for i, c in enumerate(values):
        if isinstance(c, bool) or not isinstance(c, numbers.Real) or c != int(c) \
                or not 0 <= c < k:
            raise ValueError(f"{what} {i} is {c!r:.40}, not a class from 0 to {k - 1}")
        out.append(int(c))
    return out


def confusion_matrix(matrix, path, class_names=None, title="Confusion matrix"):
    """Draw a k × k table of counts: row t, column p counts the samples of class t
    predicted as p (as `nn.train.confusion_matrix` gives it). The diagonal holds the
    right answers; each row is shaded by its share of that class's samples, so a
    weak class shows up whatever its size. `class_names` label the rows and columns
    (default 0 to k − 1). Returns the paths written (<stem>.png, <stem>.svg).

    >>> import os, tempfile
    >>> stem = os.path.join(tempfile.mkdtemp(), "confusion")
    >>> [os.path.basename(p) for p in confusion_matrix([[5, 1], [0, 4]], stem)]
    ['confusion.png', 'confusion.svg']
    """
    k = len(matrix) if hasattr(matrix, "__len__") else 0
    if not 2 <= k <= MAX_CLASSES:
        raise ValueError(f"confusion_matrix: expected a k × k table of counts with k from 2 "
                         f"to {MAX_CLASSES}, got {k} rows")
    for t, row in enumerate(matrix):
        if not hasattr(row, "__len__") or len(row) != k:
            raise ValueError(f"confusion_matrix: row {t} does not hold {k} counts")
        for count in row:
            if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 0:
                raise ValueError(f"confusion_matrix: row {t} holds {count!r:.40}, not a count")
    names = [str(c) for c in range(k)] if class_names is None else list(class_names)
    if len(names) != k:
        raise ValueError(f"confusion_matrix: {len(names)} class names for {k} classes")
    shares = [[c / sum(row) if sum(row) else 0.0 for c in row] for row in matrix]
    size = min(max(4.0, 1.5 + 0.45 * k), 40.0)
    fig = _figure(size + 1.0, size)
    ax = fig.subplots()
    image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the true class")
    if k <= 30:  # the counts, written in the cells while they fit
        for t, row in enumerate(matrix):
            for p, count in enumerate(row):
                ax.text(p, t, str(count), ha="center", va="center", fontsize="small",
                        color="white" if shares[t][p] > 0.5 else "black")
    ticks = list(range(k))
    ax.set_xticks(ticks, [_plain(n) for n in names], rotation=45 if k > 10 else 0)
    ax.set_yticks(ticks, [_plain(n) for n in names])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    right = sum(matrix[c][c] for c in range(k))
    count = sum(map(sum, matrix))
    accuracy = f": {right} of {count} right ({right / count:.1%})" if count else ""
    ax.set_title(f"{_plain(title)}{accuracy}")
    fig.tight_layout()
    return _save_both(fig, path)


def misclassified_images(images, true, predicted, path, shape, class_names=None,
                         title="Misclassified", max_images=MAX_IMAGES):
    """A grid of images, each titled with its true and predicted class ("3 → 8").

    `images` are rows of pixels (a row of `shape` = (height, width) values, row by
    row, as `nn.data.digits` gives them; larger values darker), `true` and
    `predicted` their classes. All the images given are drawn, up to `max_images`;
    pass the misclassified ones. With none, the picture says so. Returns the paths
    written (<stem>.png, <stem>.svg).
    """
    if not (isinstance(shape, tuple) and len(shape) == 2 and all(
            isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape)):
        raise ValueError(f"misclassified_images: shape must be (height, width), got {shape!r}")
    if not (len(images) == len(true) == len(predicted)):
        raise ValueError(f"misclassified_images: {len(images)} images, {len(true)} true and "
                         f"{len(predicted)} predicted classes")
    if isinstance(max_images, bool) or not isinstance(max_images, int) or max_images < 1:
        raise ValueError(f"misclassified_images: max_images must be a positive int, got "
                         f"{max_images!r}")
    height, width = shape
    shown = min(len(images), max_images)
    for i in range(shown):
        if len(images[i]) != height * width:
            raise ValueError(f"misclassified_images: image {i} has {len(images[i])} pixels, "
                             f"not {height}×{width}")
        if not all(is_finite_number(v) for v in images[i]):
            raise ValueError(f"misclassified_images: image {i} holds a value that is not a "
                             "finite number")

    def name(c):
        return _plain(class_names[c] if class_names is not None else c)

    columns = min(max(shown, 1), 8)
    rows = max(1, -(-shown // columns))
    fig = _figure(1.3 * columns + 0.4, 1.5 * rows + 0.6)
    ax = fig.subplots()
    ax.axis("off")
    if shown == 0:
        ax.text(0.5, 0.5, "no misclassified images", ha="center", va="center")
    else:
        # One mosaic, one imshow: a subplot per image takes seconds to draw for 64 of them.
        # Each tile has a blank band above it for its label and a blank pixel beside it.
        band, gap = max(3, height // 2), max(1, width // 8)
        tile_h, tile_w = band + height, width + gap
        mosaic = [[math.nan] * (columns * tile_w) for _ in range(rows * tile_h)]
        for i in range(shown):
            top, left = (i // columns) * tile_h + band, (i % columns) * tile_w
            for r in range(height):
                mosaic[top + r][left:left + width] = [float(v) for v in
                                                      images[i][r * width:(r + 1) * width]]
            ax.text(left + (width - 1) / 2, top - 1.0, f"{name(true[i])} → {name(predicted[i])}",
                    ha="center", va="bottom", fontsize="small", color="#d62728")
        from matplotlib import colormaps

        cmap = colormaps["gray_r"].with_extremes(bad="white")  # NaN: the blank bands
        ax.imshow(mosaic, cmap=cmap, interpolation="nearest")
    more = f" (the first {shown} of {len(images)})" if shown < len(images) else ""
    fig.suptitle(f"{_plain(title)}: true → predicted{more}")
    fig.tight_layout()
    return _save_both(fig, path)
