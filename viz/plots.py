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

import io
import math
import os
import sys

from autograd.files import atomic_write

__all__ = ["training_curves", "decision_boundary"]

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
    written = []
    for fmt in ("png", "svg"):
        picture = io.BytesIO()
        # No date in the metadata: the same run draws the same file.
        metadata = {"Date": None} if fmt == "svg" else {"Software": "plaingrad"}
        fig.savefig(picture, format=fmt, metadata=metadata)
        written.append(atomic_write(f"{stem}.{fmt}", picture.getvalue()))
    return written


def _finite_series(history, key):
    values = list(history.get(key) or [])
    for i, v in enumerate(values):
        if not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(f"training_curves: {key}[{i}] is {v!r}, not a finite number")
    return values


def training_curves(history, path, title="Training"):
    """Plot the cost J and the accuracy per epoch, side by side.

    `history` maps ``"loss"`` and ``"accuracy"`` (and optionally ``"test_loss"``
    and ``"test_accuracy"``) to per-epoch lists, as `nn.fit` returns. `path`
    is the file name with or without .png/.svg. Returns the paths written.
    """
    loss = _finite_series(history, "loss")
    if not loss:
        raise ValueError("training_curves: the history has no 'loss' values to plot")
    from matplotlib.ticker import MaxNLocator

    fig = _figure(10, 4)
    ax_loss, ax_acc = fig.subplots(1, 2)
    for ax, key, label in ((ax_loss, "loss", "cost J"), (ax_acc, "accuracy", "accuracy")):
        for prefix, name, style in (("", "train", "-"), ("test_", "test", "--")):
            values = _finite_series(history, prefix + key)
            if values:
                ax.plot(range(1, len(values) + 1), values, style, label=name)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
        ax.legend()
    ax_acc.set_ylim(-0.02, 1.02)
    ax_loss.set_title(f"{title}: cost per epoch")
    ax_acc.set_title(f"{title}: accuracy per epoch")
    fig.tight_layout()
    return _save_both(fig, path)


def _axis(values, resolution):
    """(low, high, grid): the values' range with a 10% margin, and `resolution` points over it.

    Finite even for values near ±1.8e308: the span is taken in halves, and the
    margin stops at the largest float.
    """
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
        raise ValueError("decision_boundary: the points must be finite numbers")
    lo, hi = min(values), max(values)
    pad = 0.2 * (hi / 2 - lo / 2) or 0.1
    lo, hi = max(lo - pad, -sys.float_info.max), min(hi + pad, sys.float_info.max)
    # lo·(1 − t) + hi·t never leaves [lo, hi] by more than a rounding: no overflow.
    ts = [i / (resolution - 1) for i in range(resolution)]
    return lo, hi, [min(max(lo * (1 - t) + hi * t, lo), hi) for t in ts]


def _unit(lo, hi):
    """(1, "") for an ordinary axis; (10^k, " (×1e+k)") for one reaching beyond ±1e300."""
    top = max(abs(lo), abs(hi))
    if top <= 1e300:
        return 1.0, ""
    k = math.floor(math.log10(top))
    return 10.0 ** k, f" (×1e+{k})"


def decision_boundary(predict, X, y, path, threshold=0.5, resolution=100,
                      title="Decision boundary"):
    """Shade the plane by predicted class and draw the labelled points on top.

    `predict(rows)` takes a list of [x1, x2] rows and returns one number per
    row; class 1 is where it exceeds `threshold`. X is a list of 2-D rows and y
    their 0/1 labels. Returns the paths written (<stem>.png, <stem>.svg).
    """
    if not X or len(X) != len(y):
        raise ValueError(f"decision_boundary: {len(X)} points but {len(y)} labels")
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

    # matplotlib's ticks overflow for ranges near ±1.8e308: draw such an axis in units of 10^k.
    (ux, x_unit), (uy, y_unit) = _unit(x_lo, x_hi), _unit(y_lo, y_hi)
    gx, gy = [v / ux for v in gx], [v / uy for v in gy]
    fig = _figure(6, 5)
    ax = fig.subplots()
    ax.contourf(gx, gy, grid, levels=[-0.5, 0.5, 1.5], cmap=ListedColormap(_COLORS),
                alpha=0.25)
    if min(scores) < threshold < max(scores):
        ax.contour(gx, gy, surface, levels=[threshold], colors="black", linewidths=1.0)
    for label, color in enumerate(_COLORS):
        pts = [row for row, t in zip(X, y) if t == label]
        ax.scatter([p[0] / ux for p in pts], [p[1] / uy for p in pts], s=14, c=color,
                   edgecolors="white", linewidths=0.4, label=f"class {label}")
    ax.set_xlim(x_lo / ux, x_hi / ux)
    ax.set_ylim(y_lo / uy, y_hi / uy)
    ax.set_xlabel("x1" + x_unit)
    ax.set_ylabel("x2" + y_unit)
    ax.set_title(title)
    ax.legend(loc="best")
    fig.tight_layout()
    return _save_both(fig, path)
