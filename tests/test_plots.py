"""viz.plots: curves and decision boundaries are written as valid PNG and SVG, atomically."""

import html
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("matplotlib", reason="matplotlib is not installed")

from viz import plots  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_valid_pictures(paths):
    png, svg = paths
    assert png.endswith(".png") and svg.endswith(".svg")
    with open(png, "rb") as f:
        assert f.read(8) == PNG_MAGIC
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_training_curves(tmp_path):
    history = {"loss": [0.7, 0.5, 0.3], "accuracy": [0.5, 0.75, 0.9],
               "test_loss": [0.8, 0.6, 0.4], "test_accuracy": [0.5, 0.7, 0.85]}
    paths = plots.training_curves(history, tmp_path / "curves")
    assert paths == [str(tmp_path / "curves.png"), str(tmp_path / "curves.svg")]
    assert_valid_pictures(paths)
    assert sorted(os.listdir(tmp_path)) == ["curves.png", "curves.svg"]  # no temp files
    # Train-only history, and a path given with a suffix.
    paths = plots.training_curves({"loss": [1.0], "accuracy": [0.5]}, tmp_path / "c.png")
    assert paths == [str(tmp_path / "c.png"), str(tmp_path / "c.svg")]
    assert_valid_pictures(paths)


def test_training_curves_refuse_empty_or_non_finite_history(tmp_path):
    with pytest.raises(ValueError, match="no 'loss'"):
        plots.training_curves({"loss": [], "accuracy": []}, tmp_path / "c")
    with pytest.raises(ValueError, match=r"loss\[1\] is nan"):
        plots.training_curves({"loss": [1.0, math.nan], "accuracy": [0.5, 0.5]}, tmp_path / "c")
    with pytest.raises(ValueError, match=r"loss spans from -1e\+308 to 1e\+308"):
        plots.training_curves({"loss": [1e308, -1e308]}, tmp_path / "c")
    with pytest.raises(TypeError, match="history must be a dict of per-epoch lists"):
        plots.training_curves([0.5, 0.4], tmp_path / "c")
    for folder in (f"{tmp_path}{os.sep}", ".", ".."):
        with pytest.raises(ValueError, match="names a folder; give a file name"):
            plots.training_curves({"loss": [1.0]}, folder)
    assert os.listdir(tmp_path) == []


def test_training_curves_take_numpy_numbers_and_arrays(tmp_path):
    np = pytest.importorskip("numpy")
    paths = plots.training_curves({"loss": list(np.array([0.7, 0.5], dtype=np.float32)),
                                   "accuracy": np.array([0.5, 0.75])}, tmp_path / "c")
    assert_valid_pictures(paths)


def test_names_with_dollar_signs_are_shown_as_written(tmp_path):
    # matplotlib reads $...$ as mathematics: "$a_$" would fail to parse
    plots.training_curves({"loss": [1.0, 0.5]}, tmp_path / "c", title="$a_$ run")
    _, svg = plots.decision_boundary(lambda rows: [r[0] for r in rows], [[-1.0, 0.0], [1.0, 0.5]],
                                     [0, 1], tmp_path / "b", threshold=0.0, resolution=10,
                                     axis_labels=("$a_$", "b"), class_names=("$x$", "y"))
    assert "<!-- $a_$ -->" in open(svg).read()


def test_decision_boundary(tmp_path):
    X = [[-1.0, 0.0], [1.0, 0.5], [-0.5, -1.0], [0.75, 1.0]]
    y = [0, 1, 0, 1]
    seen = []

    def predict(rows):
        seen.extend(rows)
        return [row[0] for row in rows]  # class 1 right of x1 = 0

    paths = plots.decision_boundary(predict, X, y, tmp_path / "boundary", threshold=0.0,
                                    resolution=30)
    assert_valid_pictures(paths)
    assert len(seen) == 30 * 30 and all(len(row) == 2 for row in seen)
    # The grid covers the data with a margin.
    assert min(r[0] for r in seen) < -1.0 and max(r[0] for r in seen) > 1.0
    assert min(r[1] for r in seen) < -1.0 and max(r[1] for r in seen) > 1.0
    assert sorted(os.listdir(tmp_path)) == ["boundary.png", "boundary.svg"]


def test_decision_boundary_names_the_features_and_the_classes(tmp_path):
    X, y = [[-1.0, 0.0], [1.0, 0.5]], [0, 1]
    _, svg = plots.decision_boundary(lambda rows: [r[0] for r in rows], X, y, tmp_path / "b",
                                     threshold=0.0, resolution=10,
                                     axis_labels=("radius", "texture"),
                                     class_names=("B (class 0)", "M (class 1)"))
    text = open(svg).read()
    for name in ("radius", "texture", "B (class 0)", "M (class 1)"):
        assert f"<!-- {name} -->" in text, name  # matplotlib's SVG marks each text so


def test_decision_boundary_draws_every_point_with_minus_one_labels_too(tmp_path):
    # ±1 labels (hinge) are classes as in nn.accuracy: a label ≥ 0.5 is class 1.
    X = [[-1.0, 0.0], [1.0, 0.5], [-0.5, -1.0], [0.75, 1.0], [0.1, 0.2]]
    counts = []
    for y in ([0, 1, 0, 1, 1], [-1, 1, -1, 1, 1]):
        _, svg = plots.decision_boundary(lambda rows: [r[0] for r in rows], X, y,
                                         tmp_path / "b", threshold=0.0, resolution=10)
        counts.append(open(svg).read().count("<use "))
    assert counts[0] == counts[1] >= len(X)


@pytest.mark.parametrize("scale", [1e200, 5e307, sys.float_info.max])
def test_decision_boundary_of_points_near_the_largest_float(tmp_path, scale):
    X = [[-scale, -scale / 2], [scale, scale / 3], [scale / 4, -scale]]
    seen = []

    def predict(rows):
        seen.extend(rows)
        return [row[0] / scale for row in rows]

    assert_valid_pictures(plots.decision_boundary(predict, X, [0, 1, 0], tmp_path / "b",
                                                  threshold=0.0, resolution=20))
    assert all(math.isfinite(v) for row in seen for v in row)
    xs = sorted({row[0] for row in seen})
    assert len(xs) == 20 and xs[0] <= -scale and xs[-1] >= scale  # covers the points
    # A 10% margin where there is room for one (the largest float has none).
    margin = min(0.2 * scale, sys.float_info.max - scale)
    assert xs[-1] == pytest.approx(scale + margin, rel=1e-12)


def test_decision_boundary_refuses_bad_input(tmp_path):
    with pytest.raises(ValueError, match="2-D"):
        plots.decision_boundary(lambda rows: [0.0] * len(rows), [[1.0, 2.0, 3.0]], [1],
                                tmp_path / "b")
    with pytest.raises(ValueError, match="2 points but 1 labels"):
        plots.decision_boundary(lambda rows: [0.0] * len(rows), [[1.0, 2.0]] * 2, [1],
                                tmp_path / "b")
    with pytest.raises(ValueError, match="returned 1 numbers"):
        plots.decision_boundary(lambda rows: [0.0], [[1.0, 2.0]], [1], tmp_path / "b",
                                resolution=10)
    with pytest.raises(ValueError, match="non-finite"):
        plots.decision_boundary(lambda rows: [math.nan] * len(rows), [[1.0, 2.0]], [1],
                                tmp_path / "b", resolution=10)
    with pytest.raises(ValueError, match="points must be finite"):
        plots.decision_boundary(lambda rows: [0.0] * len(rows), [[1.0, math.inf]], [1],
                                tmp_path / "b", resolution=10)
    with pytest.raises(ValueError, match="labels must be finite numbers"):
        plots.decision_boundary(lambda rows: [0.0] * len(rows), [[1.0, 2.0]], ["1"],
                                tmp_path / "b", resolution=10)
    for names in ({"axis_labels": ("a",)}, {"class_names": "ab"}):
        with pytest.raises(ValueError, match="must be 2 names"):
            plots.decision_boundary(lambda rows: [0.0] * len(rows), [[1.0, 2.0]], [1],
                                    tmp_path / "b", resolution=10, **names)
    for resolution in (1, 0, 2.5, True, 10**4):
        with pytest.raises(ValueError, match="resolution must be an int from 2 to 1000"):
            plots.decision_boundary(lambda rows: [0.0] * len(rows), [[1.0, 2.0]], [1],
                                    tmp_path / "b", resolution=resolution)
    assert os.listdir(tmp_path) == []


def test_drawing_never_imports_pyplot(tmp_path):
    # pyplot would pick a GUI backend and keep global figures; plots uses the Agg canvas only.
    stem = str(tmp_path / "c")
    code = ("import sys; from viz import plots; "
            f"plots.training_curves({{'loss': [1.0], 'accuracy': [0.5]}}, {stem!r}); "
            "print('matplotlib.pyplot' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
    assert_valid_pictures([str(tmp_path / "c.png"), str(tmp_path / "c.svg")])


# ----- k classes -----

def png_size(path):
    """(width, height) from the PNG's IHDR chunk."""
    with open(path, "rb") as f:
        header = f.read(24)
    assert header[:8] == PNG_MAGIC and header[12:16] == b"IHDR"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_decision_boundary_of_three_classes_shades_three_regions(tmp_path):
    X = [[-1.0, 0.0], [-0.8, 0.5], [0.0, 0.2], [0.1, -0.5], [0.9, 0.0], [1.0, 1.0]]
    y = [0, 0, 1, 1, 2, 2]

    def predict(rows):  # three vertical bands
        return [0 if x < -0.4 else 1 if x < 0.4 else 2 for x, _ in rows]

    png, svg = plots.decision_boundary(predict, X, y, tmp_path / "regions", threshold=None,
                                       resolution=30, class_names=["a", "b", "c"])
    assert_valid_pictures([png, svg])
    assert png_size(png) == (600, 500)
    text = open(svg).read()
    for color in ("#1f77b4", "#ff7f0e", "#2ca02c"):  # each class's region, shaded
        assert f'style="fill: {color}; fill-opacity: 0.25' in text
    with pytest.raises(ValueError, match=r"predict returned class 0 is 3, not a class from 0 "
                                         r"to 2"):
        plots.decision_boundary(lambda rows: [3] * len(rows), X, y, tmp_path / "r",
                                threshold=None, resolution=5, class_names=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"label 4 is 2, not a class from 0 to 1"):
        plots.decision_boundary(predict, X, y, tmp_path / "r", threshold=None, resolution=5,
                                class_names=["a", "b"])


def test_confusion_matrix_picture(tmp_path):
    matrix = [[50 if t == p else (t + p) % 3 for p in range(10)] for t in range(10)]
    png, svg = plots.confusion_matrix(matrix, tmp_path / "confusion",
                                      class_names=[f"digit {d}" for d in range(10)])
    assert_valid_pictures([png, svg])
    assert png_size(png) == (700, 600)  # (1.5 + 0.45·k + 1) × (1.5 + 0.45·k) inches at 100 dpi
    for bad, message in (([[1, 2]], "2 to 100, got 1 rows"), ([[1, 2], [3]], "row 1 does not"),
                         ([[1, -2], [3, 4]], "row 0 holds -2, not a count")):
        with pytest.raises(ValueError, match=message):
            plots.confusion_matrix(bad, tmp_path / "c")


@pytest.mark.parametrize("count, size", [(12, (1080, 360)), (3, (430, 210)), (0, (170, 210))])
def test_misclassified_images_grid(tmp_path, count, size):
    images = [[float((i + j) % 17) for j in range(64)] for i in range(count)]
    true, predicted = [i % 10 for i in range(count)], [(i + 3) % 10 for i in range(count)]
    png, svg = plots.misclassified_images(images, true, predicted, tmp_path / "wrong", (8, 8))
    assert_valid_pictures([png, svg])
    assert png_size(png) == size  # 8 images a row, 1.3 × 1.5 inches each, at 100 dpi
    with pytest.raises(ValueError, match="image 0 has 63 pixels, not 8×8"):
        plots.misclassified_images([[0.0] * 63], [1], [2], tmp_path / "w", (8, 8))


# ----- unusual text, short runs, extreme scales -----

ODD_NAMES = ["\x1bred", "nul\x00", "bell\x07 tab\t", "not a char \ufffe\uffff", "中文",
             "emoji 😀", "rtl \u202e", "a--b <&> \"q\"", "$x$", "two\nlines", "ünï σ −"]


def svg_comments(path):
    """The texts matplotlib's SVG writes as a comment before drawing each of them."""
    text = open(path, encoding="utf-8").read()
    ET.fromstring(text)  # well-formed XML
    # (matplotlib escapes <, & and > in them, and writes "--" as "- -")
    return [html.unescape(c.split("-->")[0]).strip() for c in text.split("<!--")[1:]]


@pytest.mark.parametrize("names", [ODD_NAMES[i:i + 4] for i in range(0, len(ODD_NAMES), 4)])
def test_any_text_comes_out_valid_and_drawable(tmp_path, names):
    import warnings

    from matplotlib import font_manager, ft2font

    title, feature, class0, class1 = (names * 2)[:4]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "Glyph 27 missing" would leak to stderr
        curves = plots.training_curves({"loss": [1.0, 0.5]}, tmp_path / "c", title=title)
        boundary = plots.decision_boundary(
            lambda rows: [r[0] for r in rows], [[-1.0, 0.0], [1.0, 0.5]], [0, 1],
            tmp_path / "b", threshold=0.0, resolution=10, title=title,
            axis_labels=(feature, "b"), class_names=(class0, class1))
    for paths in (curves, boundary):
        assert_valid_pictures(paths)
    font = ft2font.FT2Font(font_manager.findfont(font_manager.FontProperties()))
    comments = svg_comments(boundary[1])
    for name in names:
        shown = plots._plain(name)
        assert all(c == "\n" or c.isprintable() for c in shown)  # nothing hidden, nothing raw
        assert {ord(c) for c in shown if c != "\n"} <= set(font.get_charmap())
        for line in shown.replace("\\$", "$").split("\n"):
            assert any(line.strip().replace("--", "- -") in c for c in comments), line


def test_names_are_shown_character_for_character():
    assert plots._plain("\x1bred") == "\\x1bred"
    assert plots._plain("中文") == "\\u4e2d\\u6587"  # no glyph in DejaVu Sans
    assert plots._plain("ünï σ −") == "ünï σ −"
    assert plots._plain("$5 a\tb") == "\\$5 a b"


def capture_figures(monkeypatch):
    figures = []
    save = plots._save_both
    monkeypatch.setattr(plots, "_save_both", lambda fig, path: figures.append(fig) or
                        save(fig, path))
    return figures


@pytest.mark.parametrize("epochs", [1, 2, 3, 7, 30, 31, 250])
def test_any_run_length_draws_points_on_whole_epochs(tmp_path, monkeypatch, epochs):
    figures = capture_figures(monkeypatch)
    history = {key: [0.5 + 0.1 * math.sin(i) for i in range(epochs)]
               for key in ("loss", "accuracy", "test_loss", "test_accuracy")}
    assert_valid_pictures(plots.training_curves(history, tmp_path / "c"))
    for ax in figures[0].axes:
        lo, hi = ax.get_xlim()
        assert lo < 1 and hi > epochs and hi - lo <= (epochs - 1) * 1.1 + 1  # no empty room
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert ticks and all(t == int(t) for t in ticks), ticks
        for line in ax.get_lines():
            x, y = line.get_data()
            assert list(x) == list(range(1, epochs + 1))
            # A line of one point is invisible: short runs mark every epoch.
            assert (line.get_marker() not in (None, "None", "")) == (epochs <= 30)
    assert [ax.get_ylabel() for ax in figures[0].axes] == ["cost J", "accuracy"]
    legend = [t.get_text() for t in figures[0].axes[0].get_legend().get_texts()]
    assert legend == ["train (mean during the epoch)", "test (after the epoch)"]


def marker_positions(svg):
    """The (x, y) of every scattered point drawn in an SVG file, in the file's order."""
    svg_ns = "{http://www.w3.org/2000/svg}"
    return [(float(u.get("x")), float(u.get("y")))
            for g in ET.parse(svg).getroot().iter(f"{svg_ns}g")
            if g.get("id", "").startswith("PathCollection")  # the scattered points
            for u in g.iter(f"{svg_ns}use")]


@pytest.mark.parametrize("scale", [1e-300, 1e-310, 1e-250, 1e-200, 1e250, 1e300])
def test_extreme_scales_draw_the_same_picture_as_ordinary_ones(tmp_path, scale):
    # The points at scale s must sit where the same points at scale 1 sit, and the
    # regions must be shaded: matplotlib took values below ~2e-287 for an empty range.
    X = [[-1.0, 0.5], [1.0, -0.5], [0.5, 1.0], [-0.5, -1.0], [0.25, 0.0]]
    y = [0, 1, 1, 0, 1]
    pictures = {}
    for s in (1.0, scale):
        _, pictures[s] = plots.decision_boundary(
            lambda g, s=s: [r[0] / s for r in g], [[a * s for a in r] for r in X], y,
            tmp_path / f"b{s}", threshold=0.0, resolution=20)
    ours, ordinary = marker_positions(pictures[scale]), marker_positions(pictures[1.0])
    assert len(ours) == len(ordinary) >= len(X)  # (the legend draws two more)
    for (a, b), (c, d) in zip(ours, ordinary):  # (tick labels of other widths move the axes)
        assert a == pytest.approx(c, abs=2.0) and b == pytest.approx(d, abs=2.0)
    assert_regions_shaded(pictures[scale])


def assert_regions_shaded(svg):
    text = open(svg).read()
    assert 'style="fill: #1f77b4; fill-opacity: 0.25' in text  # class 0's region
    assert 'style="fill: #ff7f0e; fill-opacity: 0.25' in text  # class 1's region


def test_subnormal_features_draw_their_points_apart(tmp_path):
    X = [[k * 5e-324, -k * 5e-324] for k in (-3, -1, 2, 4)]
    _, svg = plots.decision_boundary(lambda g: [r[0] for r in g], X, [0, 0, 1, 1], tmp_path / "b",
                                     threshold=0.0, resolution=20)
    xs = [x for x, _ in marker_positions(svg)]
    xs = xs[:4]  # (then the legend's)
    assert xs == sorted(xs) and min(b - a for a, b in zip(xs, xs[1:])) > 20
    assert_regions_shaded(svg)


def test_decision_boundary_calls_predict_without_building_graphs(tmp_path):
    from autograd import Value, is_grad_enabled
    from nn import MLP

    model = MLP(2, [4, 1], seed=0)
    grids = []

    def predict(rows):  # written with Values, as a user might: no graph is built here
        outs = [model([Value(a) for a in row]) for row in rows]
        grids.append((is_grad_enabled(), any(out.parents for out in outs)))
        return [out.data for out in outs]

    X, y = [[-1.0, 0.0], [1.0, 0.5], [-0.5, -1.0]], [0, 1, 0]
    assert_valid_pictures(plots.decision_boundary(predict, X, y, tmp_path / "b", threshold=0.0,
                                                  resolution=10))
    assert grids == [(False, False)] and is_grad_enabled()
    assert predict([[0.5, 0.5]]) == model.predict([[0.5, 0.5]])  # the same numbers
