"""Training pictures with matplotlib: the loss/accuracy curves and a 2-D decision boundary.

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

from autograd.engine import is_finite_number
from autograd.files import atomic_write
from viz.text import shown

__all__ = ["training_curves", "decision_boundary"]

#: The most grid points per axis of a decision boundary (predict runs on its square).
MAX_RESOLUTION = 1000
# Runs of at most this many epochs draw a marker at every epoch.
_MARKED_EPOCHS = 30
# Class colours shared by the points and the regions: 0 blue, 1 orange.
_COLORS = ("#1f77b4", "#ff7f0e")


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
    their labels (0/1, or −1/+1: a label ≥ 0.5 is class 1). `axis_labels` name
    the two features and `class_names` the classes in the legend. Returns the
    paths written (<stem>.png, <stem>.svg).
    """
    if len(X) == 0 or len(X) != len(y):
        raise ValueError(f"decision_boundary: {len(X)} points but {len(y)} labels")
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral) \
            or not 2 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"decision_boundary: resolution must be an int from 2 to "
                         f"{MAX_RESOLUTION} (points per axis), got {resolution!r}")
    resolution = int(resolution)
    for what, names in (("axis_labels", axis_labels), ("class_names", class_names)):
        if isinstance(names, str) or len(names) != 2:
            raise ValueError(f"decision_boundary: {what} must be two names, got {names!r}")
    if not all(is_finite_number(t) for t in y):
        raise ValueError("decision_boundary: the labels must be finite numbers")
    # A label ≥ 0.5 is class 1, as in nn.accuracy: 0/1 and −1/+1 labels both work.
    classes = [1 if t >= 0.5 else 0 for t in y]
    if any(len(row) != 2 for row in X):
        raise ValueError("decision_boundary: needs 2-D points (two features per row)")
    x_lo, x_hi, gx = _axis([row[0] for row in X], resolution)
    y_lo, y_hi, gy = _axis([row[1] for row in X], resolution)
    scores = list(predict([[a, b] for b in gy for a in gx]))
    if len(scores) != resolution * resolution:
        raise ValueError(f"decision_boundary: predict returned {len(scores)} numbers for "
                         f"{resolution * resolution} points")
    if not all(isinstance(s, (int, float)) and math.isfinite(s) for s in scores):
        raise ValueError("decision_boundary: predict returned a non-finite number")
    surface = [scores[j * resolution:(j + 1) * resolution] for j in range(resolution)]
    grid = [[1.0 if s > threshold else 0.0 for s in line] for line in surface]

    from matplotlib.colors import ListedColormap

    # Axes beyond what matplotlib draws (near ±1.8e308, or all below 1e-200) in units of 10^k.
    (ux, x_unit), (uy, y_unit) = _unit(x_lo, x_hi), _unit(y_lo, y_hi)
    gx, gy = list(map(ux, gx)), list(map(uy, gy))
    fig = _figure(6, 5)
    ax = fig.subplots()
    ax.contourf(gx, gy, grid, levels=[-0.5, 0.5, 1.5], cmap=ListedColormap(_COLORS),
                alpha=0.25)
    if min(scores) < threshold < max(scores):
        ax.contour(gx, gy, surface, levels=[threshold], colors="black", linewidths=1.0)
    for label, color in enumerate(_COLORS):
        pts = [row for row, c in zip(X, classes) if c == label]
        ax.scatter([ux(p[0]) for p in pts], [uy(p[1]) for p in pts], s=14, c=color,
                   edgecolors="white", linewidths=0.4, label=_plain(class_names[label]))
    ax.set_xlim(ux(x_lo), ux(x_hi))
    ax.set_ylim(uy(y_lo), uy(y_hi))
    ax.set_xlabel(f"{_plain(axis_labels[0])}{x_unit}")
    ax.set_ylabel(f"{_plain(axis_labels[1])}{y_unit}")
    ax.set_title(_plain(title))
    ax.legend(loc="best")
    fig.tight_layout()
    return _save_both(fig, path)
