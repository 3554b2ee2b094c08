"""viz.plots: curves and decision boundaries are written as valid PNG and SVG, atomically."""

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
    for color in ("#1f77b4", "#ff7f0e", "#2ca02c"):  # the points of each class
        assert color in text
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
