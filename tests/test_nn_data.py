"""nn.data: generators against their geometry, splitting and scaling."""

import math
import random
from fractions import Fraction

import pytest

from nn import MLP, blobs, circles, moons, standardize, train_test_split, xor
from nn.data import DATASETS, DIGIT_SHAPE, check_foldable, digits, fold_scaling, spiral

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


def test_standardize_refuses_a_test_row_too_far_to_scale():
    X_train = [[1e-300], [2e-300], [3e-300]]
    with pytest.raises(ValueError, match=r"X_test row 0, column 1: 10000000000.0 is too far"):
        standardize(X_train, [[1e10]])


# ----- fold_scaling -----

def test_folding_the_scaling_into_layer_one_keeps_the_predictions():
    X, _ = blobs(20, seed=0)
    X = [[10 * a + 3, b / 5 - 1] for a, b in X]
    S, _, mean, std = standardize(X)
    model = MLP(2, [5, 1], activation="tanh", seed=0)
    before = model.predict(S)
    fold_scaling(model, mean, std)
    assert model.predict(X) == pytest.approx(before, rel=1e-12, abs=1e-12)


def test_folding_names_a_column_whose_weights_overflow():
    model = MLP(2, [1], seed=0)
    model.layers[0].neurons[0].w[1].data = 1e10  # 1e10 / 1e-300 overflows
    with pytest.raises(ValueError, match=r"column 'b': the values are too small: they vary by "
                                         r"1e-300 \(std\)"):
        fold_scaling(model, [0.0, 0.0], [1.0, 1e-300], ["column 'a'", "column 'b'"])


def test_folding_names_a_column_whose_bias_overflows():
    model = MLP(2, [1], seed=0)
    model.layers[0].neurons[0].w[0].data = 1e300  # a diverged weight: 1e300 · (1e10 / 1) = inf
    with pytest.raises(ValueError, match=r"column 'a': the trained weight 1e\+300 times "
                                         r"mean/std 1e\+10 overflows"):
        fold_scaling(model, [1e10, 0.0], [1.0, 1.0], ["column 'a'", "column 'b'"])


def test_check_foldable_refuses_a_std_whose_reciprocal_overflows():
    check_foldable([1.0, 1e-300])  # 1/1e-300 = 1e300: still a float
    with pytest.raises(ValueError, match=r"^feature 2: the values are too small: they vary by "
                                         r"1e-309 \(std\)"):
        check_foldable([1.0, 1e-309])  # 1/1e-309 is past the largest float
    with pytest.raises(ValueError, match=r"^column 'b': the values are too small"):
        check_foldable([1.0, 1e-309], ["column 'a'", "column 'b'"])


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
