"""nn.data: generators against their geometry, splitting, scaling, and every bad CSV."""

import math
import os
import random
import threading
from fractions import Fraction

import pytest

import nn.data
from nn import blobs, circles, load_csv, moons, standardize, train_test_split, xor
from nn.data import DATASETS, DIGIT_SHAPE, digits, spiral

# ----- generators -----


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_generators_are_deterministic_balanced_and_leave_global_random_alone(name):
    make = DATASETS[name]
    state = random.getstate()
    X, y = make(101, seed=3)
    assert random.getstate() == state
    assert make(101, seed=3) == (X, y)
    assert make(101, seed=4) != (X, y)
    assert len(X) == len(y) == 101
    assert all(len(row) == 2 and all(isinstance(v, float) for v in row) for row in X)
    k = 3 if name == "spiral" else 2
    counts = [y.count(c) for c in range(k)]
    assert set(y) == set(range(k)) and max(counts) - min(counts) <= 1
    assert y[:20] != sorted(y[:20])  # shuffled


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = moons(50, noise=0.0, seed=0)
    for (a, b), label in zip(X, y):
        if label == 0:  # upper moon: unit circle around (0, 0), b ≥ 0
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:           # lower moon: unit circle around (1, 0.5), b ≤ 0.5
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_circles_without_noise_have_radius_one_and_factor():
    X, y = circles(40, noise=0.0, factor=0.3, seed=0)
    for (a, b), label in zip(X, y):
        assert math.hypot(a, b) == pytest.approx(1.0 if label == 0 else 0.3)


def test_xor_labels_follow_the_signs():
    X, y = xor(40, noise=0.0, seed=0)
    assert all(abs(a) == 1.0 and abs(b) == 1.0 for a, b in X)
    assert all(label == (1 if a * b < 0 else 0) for (a, b), label in zip(X, y))


def test_blobs_are_centred_where_documented():
    X, y = blobs(2000, noise=0.5, seed=0)
    for label, centre in ((0, -1.0), (1, 1.0)):
        pts = [row for row, t in zip(X, y) if t == label]
        for j in (0, 1):
            assert sum(p[j] for p in pts) / len(pts) == pytest.approx(centre, abs=0.05)


@pytest.mark.parametrize("args, message", [
    ({"n_samples": 1}, "n_samples must be an int from 2 to 1,000,000"),
    ({"n_samples": 10.0}, "n_samples"), ({"n_samples": True}, "n_samples"),
    ({"n_samples": 10**12}, r"n_samples .* \(MAX_SAMPLES\), got 1000000000000"),
    ({"noise": -0.1}, "noise must be a finite number ≥ 0"), ({"noise": math.nan}, "noise"),
    ({"noise": 10**400}, "noise must be a finite number ≥ 0, got 1000000"),
])
def test_generator_arguments_are_checked(args, message):
    with pytest.raises(ValueError, match=message):
        moons(**{"n_samples": 10, **args})


@pytest.mark.parametrize("seed", ["zero", 1.5, [], random.Random])
def test_generator_seeds_are_those_of_mlp(seed):
    with pytest.raises(TypeError, match="seed must be an int, None or a random.Random"):
        moons(10, seed=seed)


def test_a_numpy_integer_seed_or_a_generator_works():
    np = pytest.importorskip("numpy")
    assert moons(10, seed=np.int64(3)) == moons(10, seed=3) == moons(10, seed=random.Random(3))


def test_a_numpy_noise_gives_python_floats():
    np = pytest.importorskip("numpy")
    X, _ = moons(10, noise=np.float32(0.1))
    assert all(type(v) is float for row in X for v in row)


# ----- train_test_split -----

def test_split_sizes_order_and_pairs():
    X = [[float(i), -float(i)] for i in range(10)]
    y = list(range(10))
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=1)
    assert (len(X_train), len(X_test)) == (7, 3)  # ceil(0.25·10) = 3 test samples
    assert sorted(y_train + y_test) == y
    assert all(row[0] == t for row, t in zip(X_train + X_test, y_train + y_test))
    assert train_test_split(X, y, test_size=0.25, seed=1) == (X_train, X_test, y_train, y_test)
    assert train_test_split(X, y, test_size=0.25, seed=2) != (X_train, X_test, y_train, y_test)
    assert len(train_test_split(X, y, test_size=4)[1]) == 4


@pytest.mark.parametrize("test_size", [0.0, 1.0, 1.5, -0.2, 0, 10, math.nan, "0.2", True])
def test_split_rejects_bad_test_sizes(test_size):
    with pytest.raises(ValueError, match="test"):
        train_test_split([[0.0]] * 10, [0] * 10, test_size=test_size)


def test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="3 rows in X but 2 labels"):
        train_test_split([[0.0]] * 3, [0, 1])


# ----- standardize -----

def test_standardize_uses_training_statistics_only():
    X_train = [[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]]
    X_test = [[7.0, 12.0]]
    S_train, S_test, mean, std = standardize(X_train, X_test)
    assert mean == [3.0, 10.0]
    assert std == pytest.approx([math.sqrt(8.0 / 3.0), 1.0])  # constant column keeps std 1
    assert [row[0] for row in S_train] == pytest.approx([-1.224744871391589, 0.0,
                                                         1.224744871391589])
    assert S_test == [[pytest.approx(4.0 / math.sqrt(8.0 / 3.0)), 2.0]]
    assert standardize(X_train)[1] is None


@pytest.mark.parametrize("column", [
    [1e200, -1e200, 3e199, 5e200],
    [1e308, -1e308, 1.7e308, -1.7e308, 0.0],
    [1.7976931348623157e308] * 3 + [-1.7976931348623157e308],
    [1e-320, 2e-320, 4e-320],
    [5.0, 5.0 + 2 ** -49, 5.0],
])
def test_standardize_huge_and_tiny_values_against_exact_fractions(column):
    X = [[v, float(i)] for i, v in enumerate(column)]
    S, S_test, mean, std = standardize(X, [[column[0] / 2, 0.0]])
    exact = [Fraction(v) for v in column]
    m = sum(exact) / len(exact)
    top = max(map(abs, exact))
    std_exact = math.sqrt(sum(((v - m) / top) ** 2 for v in exact) / len(exact)) * float(top)
    # Subnormal results (the 1e-320 column) keep only the bits a subnormal float has.
    assert mean[0] == pytest.approx(float(m), rel=1e-13, abs=1e-323)
    assert std[0] == pytest.approx(std_exact, rel=1e-13, abs=1e-323)
    # A row x becomes (x − mean)/std with the mean and std returned.
    m, s = Fraction(mean[0]), Fraction(std[0])
    for row, v in zip(S, exact):
        assert row[0] == pytest.approx(float((v - m) / s), rel=1e-14, abs=1e-14)
    assert S_test[0][0] == pytest.approx(float((exact[0] / 2 - m) / s), rel=1e-14, abs=1e-14)
    assert all(math.isfinite(v) for row in S + S_test for v in row)


@pytest.mark.parametrize("value", [5.40283606970324e259, 0.7, -1e-320, 1.7976931348623157e308])
def test_standardize_a_constant_column_becomes_zero(value):
    # fsum/n of 20 equal values can round off the value itself; the mean must be it exactly
    S, S_test, mean, std = standardize([[value, float(i)] for i in range(20)], [[value, 0.0]])
    assert (mean[0], std[0]) == (value, 1.0)
    assert {row[0] for row in S + S_test} == {0.0}


def test_standardize_names_a_non_finite_value():
    with pytest.raises(ValueError, match=r"standardize: X_train row 1, column 2 is inf; values "
                                         "must be finite"):
        standardize([[1.0, 2.0], [3.0, math.inf]])
    with pytest.raises(ValueError, match=r"X_test row 0, column 1 is nan"):
        standardize([[1.0], [2.0]], [[math.nan]])


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_noise_that_overflows_the_points_is_refused(name):
    with pytest.raises(ValueError, match=r"noise=1e\+308 is too large: some points overflow"):
        DATASETS[name](50, noise=1e308, seed=0)
    X, _ = DATASETS[name](50, noise=1e300, seed=0)  # huge but finite: allowed
    assert all(math.isfinite(v) for row in X for v in row)


# ----- load_csv -----

def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_csv_reads_features_and_target_in_any_column(tmp_path):
    path = write(tmp_path, "a,label,b\n1.5,0,2\n-3,1,4e-1\n\n0,1.0,  7 \n")
    assert load_csv(path) == ([[1.5, 2.0], [-3.0, 0.4], [0.0, 7.0]], [0, 1, 1])
    assert load_csv(str(path), target="label")[1] == [0, 1, 1]
    path = write(tmp_path, "\ufeffx,y,cls\n1,2,1\n", name="bom.csv")  # a BOM is ignored
    assert load_csv(path, target="cls") == ([[1.0, 2.0]], [1])
    path = write(tmp_path, " p ,cls,q\n1,0,2\n", name="names.csv")
    assert load_csv(path, target="cls", return_names=True) == ([[1.0, 2.0]], [0], ["p", "q"])


def test_load_csv_drops_columns_by_name(tmp_path):
    # The shape of the Wisconsin breast-cancer CSV: an ID first, word classes, and a comma
    # at the end of every line (an unnamed, empty last column).
    path = write(tmp_path, "id,diagnosis,radius,texture,\n"
                           "842302,M,17.99,10.38,\n"
                           "p-8510426,B,13.54,14.36,\n")
    X, y, names, classes = load_csv(path, target="diagnosis", drop=["id"],
                                    return_names=True, return_classes=True)
    assert (X, y, names, classes) == ([[17.99, 10.38], [13.54, 14.36]], [1, 0],
                                      ["radius", "texture"], ["B", "M"])
    assert load_csv(path, target="diagnosis", drop="id") == (X, y)  # one name as a str
    assert load_csv(path, target="diagnosis", drop=("id", "texture"))[0] == [[17.99], [13.54]]
    with pytest.raises(ValueError, match=r"line 3, column 1 \('id'\): 'p-8510426' is not"):
        load_csv(path, target="diagnosis")  # an ID column is read as a feature unless dropped


@pytest.mark.parametrize("text, drop, error, message", [
    ("id,a,label\n1,2,0\n", ["ID"], ValueError,
     r"line 1: no column 'ID' to drop; the columns are id, a, label"),
    ("id,a,label\n1,2,0\n", ["label"], ValueError,
     r"'label' is the target column; it cannot be dropped"),
    ("id,label\n1,0\n", ["id"], ValueError,
     r"only the target column 'label' and dropped or unnamed columns; no feature columns"),
    ("a,label,\n1,0,\n2,1,x\n", [], ValueError,
     r"line 3, column 3: 'x' in a column without a name; name it in the header"),
    ("a,label\n1,0\n", 5, TypeError, r"drop: expected a column name or a list of names"),
    ("a,label\n1,0\n", ["a", 1], TypeError, r"drop: column names are str, got int 1"),
    ("a,label\n1,0\n", b"a", TypeError, r"drop: expected a column name or a list of names, "
                                         r"got bytes"),
    ("a,label\n1,0\n", [" "], ValueError, r"drop: an empty column name ' '"),
    ("a,label\n1,0\n", "", ValueError, r"drop: an empty column name ''"),
])
def test_load_csv_refuses_a_bad_drop(tmp_path, text, drop, error, message):
    path = write(tmp_path, text)
    with pytest.raises(error, match=message):
        load_csv(path, drop=drop)


@pytest.mark.parametrize("text, target, message", [
    ("", "label", r"data\.csv: the file is empty"),
    ("\n\n", "label", r"data\.csv: the file is empty"),
    ("a,b\n1,2\n", "label", r"data\.csv, line 1: no target column 'label'; the columns are a, b"),
    ("a,label\n", "label", r"data\.csv: a header but no data rows"),
    ("label\n1\n", "label", r"line 1: only the target column"),
    ("a,a,label\n1,2,1\n", "label", r"line 1, column 2: the column name 'a' appears twice"),
    ("a,,label\n1,2,1\n", "label", r"line 2, column 2: '2' in a column without a name"),
    ("a,label\n1,0\nx,1\n", "label", r"line 3, column 1 \('a'\): 'x' is not a finite number"),
    ("a,label\nnan,0\n", "label", r"line 2, column 1 \('a'\): 'nan' is not a finite number"),
    ("a,label\n1,0\n-inf,1\n", "label", r"line 3, column 1 \('a'\): '-inf' is not a finite"),
    ("a,label\nInfinity,1\n", "label", r"line 2, column 1 \('a'\): 'Infinity' is not"),
    ("a,label\n1e999,1\n", "label", r"line 2, column 1 \('a'\): '1e999' is not"),
    ("a,b,label\n1,,0\n", "label", r"line 2, column 2 \('b'\): '' is not a finite number"),
    ("a,label\n1_000,0\n", "label", r"line 2, column 1 \('a'\): '1_000' is not"),
    ("a,b,label\n1,2,0\n1,2\n", "label", r"line 3: row too short: 2 cells, but the header has 3"),
    ("a,label\n1,0,5\n", "label", r"line 2: row too long: 3 cells, but the header has 2"),
    ("a,label\n1,2\n", "label", r"column 2 \('label'\): every target is '2'; a "
                                r"classifier needs at least two classes"),
    ("a,label\n1,yes\n2,yes\n", "label", r"every target is 'yes'"),
    ("a,label\n" + "".join(f"{i},{i}.5\n" for i in range(101)), "label",
     r"column 2 \('label'\), line 102: '100.5' is class 101, more than the 100 "
     r"\(MAX_CLASSES\) a classifier here takes; is this column a number to predict"),
    ("a,label\n1,0\n2, \n", "label", r"line 3, column 2 \('label'\): the target is empty"),
    ("a,label\n1,1\n2,nan\n", "label", r"column 2 \('label'\), line 3: the target 'nan' is "
                                      r"not a finite number"),
    ("a,label\n1,0\n2,1e400\n", "label", r"line 3: the target '1e400' is not a finite"),
    ("a,label\n1,-inf\n2,0\n", "label", r"line 2: the target '-inf' is not a finite"),
    ("a,label\n1,1_0\n2,0\n", "label", r"line 2: the target '1_0' is not a finite"),
    ("a,y\n1,0\n", "label", r"no target column 'label'; the columns are a, y"),
])
def test_every_bad_csv_names_file_line_and_column(tmp_path, text, target, message):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as failure:
        load_csv(path, target=target)
    assert str(path) in str(failure.value)


@pytest.mark.parametrize("labels, y, classes", [
    (["0", "1", "1.0", "0"], [0, 1, 1, 0], ["0", "1"]),        # 0 and 1 as they are
    (["1", "1"], [1, 1], ["0", "1"]),                           # one of them alone is kept
    (["-1", "1", "-1"], [0, 1, 0], ["-1", "1"]),                # two numbers: in their order
    (["2", "10", "2"], [0, 1, 0], ["2", "10"]),                 # (numerically, not as text)
    (["M", "B", " M "], [1, 0, 1], ["B", "M"]),                 # two words: alphabetically
    (["yes", "no"], [1, 0], ["no", "yes"]),
    (["True", "False"], [1, 0], ["False", "True"]),
    (["no", "Yes", "no"], [0, 1, 0], ["no", "Yes"]),           # ignoring case: no, Yes
    (["TRUE", "true"], [0, 1], ["TRUE", "true"]),             # but two spellings, two classes
    (["1", "x"], [0, 1], ["1", "x"]),                           # a number and a word: as text
    (["0", "1", "2", "1"], [0, 1, 2, 1], ["0", "1", "2"]),      # k numbers: in their order
    (["7", "3", "5", "3.0"], [2, 0, 1, 0], ["3", "5", "7"]),
    (["virginica", "setosa", "Versicolor", "setosa"], [2, 0, 1, 0],
     ["setosa", "Versicolor", "virginica"]),                    # k words: alphabetically
    (["B", "M", "m"], [0, 1, 2], ["B", "M", "m"]),             # M before m, told apart
])
def test_two_classes_of_any_spelling_become_0_and_1(tmp_path, labels, y, classes):
    path = write(tmp_path, "a,label\n" + "".join(f"{i},{t}\n" for i, t in enumerate(labels)))
    X, y_read, names, classes_read = load_csv(path, return_names=True, return_classes=True)
    assert (X, y_read, names, classes_read) == ([[float(i)] for i in range(len(labels))], y,
                                                ["a"], classes)


def test_load_csv_missing_file_and_binary_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.csv: no such file"):
        load_csv(tmp_path / "nope.csv")
    path = tmp_path / "binary.csv"
    path.write_bytes(b"a,label\n\xff\xfe,1\n")
    with pytest.raises(ValueError, match=r"binary\.csv, line 2, column 1: byte 0xff is not "
                                         r"UTF-8 text"):
        load_csv(path)


def test_bad_utf8_deep_in_the_file_names_its_line_and_column(tmp_path):
    # Far past the text decoder's first 8 KiB chunk (at byte 18,013); the column counts
    # characters: the UTF-8 é (2 bytes) is one, then a Latin-1 é (byte 0xe9).
    path = tmp_path / "latin1.csv"
    path.write_bytes("é,label\n".encode() + b"0.5,1\n" * 3000 + b"1\xc3\xa9,\xe9\n")
    with pytest.raises(ValueError, match=r"latin1\.csv, line 3002, column 4: byte 0xe9 is not "
                                         r"UTF-8 text; save the file as UTF-8"):
        load_csv(path)
    path.write_bytes(b"a,label\r1,0\r\xe9,1\r")  # old Mac line ends count as lines too
    with pytest.raises(ValueError, match=r"line 3, column 1: byte 0xe9"):
        load_csv(path)


def test_overlong_lines_and_files_are_refused_before_being_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(nn.data, "MAX_LINE_CHARS", 100)
    monkeypatch.setattr(nn.data, "MAX_CSV_BYTES", 1000)
    path = write(tmp_path, "a,label\n" + "1" * 5000)  # no newline at all
    with pytest.raises(ValueError, match=r"data\.csv: 5,008 bytes, more than the 1,000"):
        load_csv(path)
    monkeypatch.setattr(nn.data, "MAX_CSV_BYTES", 10_000)
    with pytest.raises(ValueError, match=r"data\.csv, line 2: longer than 100 characters"):
        load_csv(path)
    path = write(tmp_path, "a,label\n" + "1,0\n" * 99 + "1" * 101 + ",0\n")
    with pytest.raises(ValueError, match=r"line 101: longer than 100 characters"):
        load_csv(path)
    assert len(load_csv(write(tmp_path, "a,label\n" + "1" * 97 + ",0\n"))[0]) == 1  # 100 chars


def test_endless_streams_are_refused(tmp_path, monkeypatch):
    if os.path.exists("/dev/zero"):  # no newline, no size: only a bounded read can stop
        with pytest.raises(ValueError, match=r"/dev/zero, line 1: longer than 1,000,000 char"):
            load_csv("/dev/zero")
    if not hasattr(os, "mkfifo"):
        return
    # A pipe has no size to check first: the characters read are counted instead.
    monkeypatch.setattr(nn.data, "MAX_CSV_BYTES", 1000)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "w") as f:
            try:
                f.write("a,label\n" + "0.5,1\n" * 1000)
            except BrokenPipeError:  # the reader stopped early, as it should
                pass

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        with pytest.raises(ValueError, match=r"pipe\.csv: more than 1,000 characters"):
            load_csv(fifo)
    finally:
        writer.join()


def test_load_csv_multiline_quoted_cell_reports_the_right_line(tmp_path):
    path = write(tmp_path, 'a,label\n1,0\n"2\n3",1\n4,x\n')
    with pytest.raises(ValueError, match=r"line 3, column 1 \('a'\): '2\\n3' is not"):
        load_csv(path)
    path = write(tmp_path, 'a,label\n"1\n",0\n4,1\n5,nan\n')
    with pytest.raises(ValueError, match=r"column 2 \('label'\), line 5: the target 'nan'"):
        load_csv(path)


def test_wide_header_is_read_in_linear_time(tmp_path):
    # 100,000 columns: a quadratic duplicate-name check would take about a minute.
    names = [f"c{i}" for i in range(100_000)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(names + ["label"]) + "\n" + ",".join(["1"] * 100_000 + ["0"]) + "\n")
    X, y = load_csv(path)
    assert len(X[0]) == 100_000 and y == [0]


def test_too_many_rows_is_refused_by_line(tmp_path, monkeypatch):
    monkeypatch.setattr(nn.data, "MAX_CSV_ROWS", 3)
    path = tmp_path / "long.csv"
    path.write_text("a,label\n" + "1,0\n" * 10)
    with pytest.raises(ValueError, match=r"line 5: more than 3 data rows \(MAX_CSV_ROWS\)"):
        load_csv(path)


def test_standardize_refuses_a_test_row_too_far_to_scale():
    X_train = [[1e-300], [2e-300], [3e-300]]
    with pytest.raises(ValueError, match=r"X_test row 0, column 1: 10000000000.0 is too far"):
        standardize(X_train, [[1e10]])


# ----- spiral and digits -----

@pytest.mark.parametrize("k", [2, 3, 5])
def test_spiral_without_noise_puts_each_class_on_its_own_arm(k):
    X, y = spiral(60 * k, classes=k, noise=0.0, seed=1)
    assert sorted(set(y)) == list(range(k)) and all(y.count(c) == 60 for c in range(k))
    for (a, b), c in zip(X, y):
        r = math.hypot(a, b)
        assert r <= 1.0 + 1e-12
        if r > 0:  # angle c·2π/k + 4r, measured from the x2 axis (x1 = r·sin t)
            t = c * 2 * math.pi / k + 4 * r
            assert (a, b) == pytest.approx((r * math.sin(t), r * math.cos(t)), abs=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    ({"classes": 1}, "classes must be an int ≥ 2, got 1"),
    ({"classes": 2.0}, "classes must be an int ≥ 2, got 2.0"),
    ({"classes": 5, "n_samples": 4}, "n_samples must be an int from 5"),
    ({"noise": -1.0}, "noise must be a finite number ≥ 0"),
])
def test_spiral_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        spiral(**kwargs)


def test_digits_are_the_1797_images_of_the_uci_set():
    X, y = digits()
    assert len(X) == len(y) == 1797 and DIGIT_SHAPE == (8, 8)
    assert all(len(row) == 64 and all(v in range(17) for v in row) for row in X)
    assert [y.count(d) for d in range(10)] == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # The first image is a 0 (scikit-learn's load_digits().images[0], row 3: 0 3 15 2 0 11 8 0)
    assert y[0] == 0 and X[0][16:24] == [0, 3, 15, 2, 0, 11, 8, 0]
    assert digits() == (X, y)  # a fresh copy each time, the same numbers


def test_digits_ship_with_their_source_and_licence():
    import importlib.resources

    readme = (importlib.resources.files("nn") / "datasets" / "README.md").read_text("utf-8")
    assert "CC BY 4.0" in readme and "Optical Recognition of Handwritten Digits" in readme
