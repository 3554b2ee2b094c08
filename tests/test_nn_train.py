"""nn.train.fit: reaches the stated accuracy with fixed seeds, reports history, stops on NaN."""

import math
import random
import re

import pytest

import nn
from autograd import Value
from nn import MLP, SGD, Neuron, bce_with_logits, fit, moons, standardize, train_test_split, xor
from nn.losses import get_loss
from nn.optim import Optimizer
from nn.train import (
    DIVERGENCE_FACTOR,
    accuracy,
    class_accuracy,
    confusion_matrix,
    default_threshold,
)


def test_xor_reaches_full_training_accuracy():
    X, y = xor(80, seed=0)
    model = MLP(2, [8, 1], activation="tanh", seed=0)
    history = fit(model, X, y, epochs=15, lr=0.05, batch_size=16, seed=0)
    assert history["accuracy"][-1] == 1.0
    # The history matches an independent count on the trained model.
    predicted = [int(model(x).data > 0) for x in X]
    assert sum(p == t for p, t in zip(predicted, y)) == len(y)


def test_moons_reaches_97_percent_test_accuracy():
    X, y = moons(150, noise=0.1, seed=1)
    X_train, X_test, y_train, y_test = train_test_split(X, y, seed=1)
    X_train, X_test, _, _ = standardize(X_train, X_test)
    model = MLP(2, [8, 8, 1], seed=1)
    history = fit(model, X_train, y_train, epochs=25, lr=0.03, batch_size=16, seed=1,
                  validation_data=(X_test, y_test))
    assert history["test_accuracy"][-1] >= 0.97
    assert history["loss"][-1] < history["loss"][0] / 3
    assert set(history) == {"loss", "accuracy", "test_loss", "test_accuracy"}
    assert all(len(v) == 25 for v in history.values())
    # test_loss is the mean bce_with_logits cost on the held-out rows
    z = model.predict(X_test)
    expected = sum(math.log1p(math.exp(-abs(v))) + max(v, 0) - v * t
                   for v, t in zip(z, y_test)) / len(z)
    assert history["test_loss"][-1] == pytest.approx(expected, rel=1e-12)


def test_same_seed_same_history_and_callback_per_epoch():
    X, y = xor(40, seed=2)
    calls = []

    def callback(epoch, history):
        calls.append((epoch, len(history["loss"])))

    runs = [fit(MLP(2, [4, 1], seed=5), X, y, epochs=4, batch_size=8, seed=9,
                callback=callback) for _ in range(2)]
    assert runs[0] == runs[1]
    assert calls == [(1, 1), (2, 2), (3, 3), (4, 4)] * 2
    other = fit(MLP(2, [4, 1], seed=5), X, y, epochs=4, batch_size=8, seed=10)
    assert other != runs[0]  # another shuffling order


def test_one_epoch_of_full_batch_sgd_is_one_gradient_step():
    X, y = [[1.0, 2.0], [-1.0, 0.5]], [1, 0]
    model = MLP(2, [1], seed=0)
    w0 = [p.data for p in model.parameters()]
    twin = MLP(2, [1], seed=0)
    bce_with_logits([twin(x) for x in X], y).backward()
    grads = [p.grad for p in twin.parameters()]
    history = fit(model, X, y, optimizer="sgd", lr=0.5, epochs=1, batch_size=2)
    assert [p.data for p in model.parameters()] == pytest.approx(
        [w - 0.5 * g for w, g in zip(w0, grads)], rel=1e-15)
    assert history["loss"] == [pytest.approx(bce_with_logits(
        [Value(sum(a * b for a, b in zip(w0[:2], x)) + w0[2]) for x in X], y).data)]


def test_custom_loss_function_and_optimizer_object():
    X, y = xor(40, seed=0)
    model = MLP(2, [6, 1], activation="tanh", output_activation="tanh", seed=0)
    opt = SGD(model.parameters(), lr=0.05, momentum=0.9)

    def squared_hinge(score, target):
        return sum(((1 - s * (2 * t - 1)).relu() ** 2 for s, t in zip(score, target)),
                   Value(0.0)) / len(target)

    history = fit(model, X, y, loss=squared_hinge, optimizer=opt, epochs=20, batch_size=10)
    assert history["accuracy"][-1] == 1.0


def test_divergence_names_the_epoch_and_suggests_a_smaller_learning_rate():
    X, y = xor(40, seed=0)
    with pytest.raises(FloatingPointError,
                       match=r"epoch \d+\b.*smaller learning rate than 1e\+06"):
        fit(MLP(2, [4, 1], seed=0), X, y, loss="mse", optimizer="sgd", lr=1e6, epochs=10)


@pytest.mark.parametrize("loss, optimizer", [("bce_with_logits", "adam"), ("hinge", "sgd")])
def test_divergence_with_a_finite_cost_stops_at_the_documented_limit(loss, optimizer):
    X, y = xor(60, seed=0)
    with pytest.raises(FloatingPointError) as failure:
        fit(MLP(2, [16, 16, 1], seed=0), X, y, loss=loss, optimizer=optimizer, lr=1e9,
            epochs=30)
    found = re.fullmatch(r"fit: the cost J grew from (\S+) \(untrained\) to a mean of (\S+) "
                         r"over epoch (\d+); training diverged: try a smaller learning rate "
                         r"than 1e\+09", str(failure.value))
    assert found, str(failure.value)
    initial, cost = float(found[1]), float(found[2])
    assert math.isfinite(cost) and cost > DIVERGENCE_FACTOR * max(initial, 1.0)
    # J0 is the untrained model's cost on every row: recompute it independently.
    twin = MLP(2, [16, 16, 1], seed=0)
    expected = get_loss(loss)([twin(x) for x in X], y)
    assert initial == pytest.approx(expected.data, rel=1e-3)


def test_one_batch_of_outliers_is_not_divergence():
    # Regression with rare large targets: a batch holding an outlier costs far more
    # than the first batch did, but the run is steady (a tiny learning rate).
    rng = random.Random(0)
    X = [[rng.uniform(-1, 1)] for _ in range(256)]
    y = [200.0 if i % 50 == 0 else 0.0 for i in range(256)]
    history = fit(MLP(1, [8, 1], seed=0), X, y, loss="mse", optimizer="sgd", lr=1e-6,
                  epochs=5)
    assert len(history["loss"]) == 5
    assert max(history["loss"]) == pytest.approx(min(history["loss"]), rel=1e-2)


def test_a_large_but_steady_cost_is_not_divergence():
    # J scaled by 10^6: Adam's steps hardly change, and the run must not be stopped.
    X, y = xor(40, seed=0)

    def big_bce(outputs, targets):
        return bce_with_logits(outputs, targets) * 1e6

    plain = fit(MLP(2, [8, 1], activation="tanh", seed=0), X, y, lr=0.05, epochs=10,
                batch_size=8)
    scaled = fit(MLP(2, [8, 1], activation="tanh", seed=0), X, y, loss=big_bce, lr=0.05,
                 epochs=10, batch_size=8)
    assert scaled["loss"] == pytest.approx([1e6 * v for v in plain["loss"]], rel=1e-3)
    assert scaled["accuracy"][-1] == plain["accuracy"][-1] == 1.0


def test_a_cost_non_finite_before_any_update_does_not_blame_the_learning_rate():
    X, y = [[1e200, -1e200], [2e200, 1e200]], [0, 1]  # finite, but Z² overflows in mse
    with pytest.raises(FloatingPointError, match=r"J is inf before any update, so not because "
                                                 r"of the learning rate.*standardize"):
        fit(MLP(2, [4, 1], seed=0), X, y, loss="mse")


@pytest.mark.parametrize("X, y, match", [
    ([[0.0, math.nan], [1.0, 0.0]], [0, 1], r"training data row 0, column 2 is nan"),
    ([[0.0, 1.0], [math.inf, 0.0]], [0, 1], r"training data row 1, column 1 is inf"),
    ([[0.0, 1.0], [1.0, 0.0]], [0, math.nan], r"training data target 1 is nan"),
])
def test_non_finite_data_is_refused_before_training(X, y, match):
    with pytest.raises(ValueError, match=match):
        fit(MLP(2, [2, 1], seed=0), X, y)


def test_fit_needs_an_mlp():
    with pytest.raises(TypeError, match=r"fit: expected an nn\.MLP, got Neuron \(a single "
                                        r"neuron is MLP\(nin, \[1\]\)\)"):
        fit(Neuron(2, seed=0), [[0.0, 1.0]], [1])


@pytest.mark.parametrize("kwargs, match", [
    ({"y": [0]}, "2 rows but 1 targets"),
    ({"X": [], "y": []}, "empty"),
    ({"X": [[1.0], [2.0]]}, "row 0 has 1 columns, the model expects 2"),
    ({"epochs": -1}, "epochs"),
    ({"batch_size": 0}, "batch_size"),
    ({"optimizer": "rmsprop"}, "unknown optimizer 'rmsprop'"),
    ({"loss": "huber"}, "unknown loss 'huber'"),
    ({"validation_data": ([[1.0, 2.0]], [0, 1])}, "validation data has 1 rows but 2"),
    ({"validation_data": ([[1.0, 2.0]],)}, r"validation_data must be a pair \(X_test, y_test\)"),
    ({"validation_data": ([[1.0, 2.0]], [2])},
     "fit: the validation data: bce_with_logits: target 0 is 2.0"),
    ({"X": [[1.0, "2"], [0.0, 1.0]]}, r"training data row 0, column 2 is str '2'; values must"),
    ({"X": [[1.0, True], [0.0, 1.0]]}, "row 0, column 2 is bool True"),
    ({"X": [[1.0, 10**400], [0.0, 1.0]]}, "row 0, column 2 is 1000000"),
    ({"X": [1.0, 2.0]}, "training data row 0 is float 1.0, not a list of numbers"),
    ({"y": [0, None]}, "training data target 1 is None; targets must be finite numbers"),
    ({"threshold": math.nan}, "threshold must be a finite number"),
    ({"threshold": "a"}, "threshold must be a finite number"),
    ({"optimizer": ["adam"]}, r"unknown optimizer \['adam'\]"),
])
def test_bad_arguments(kwargs, match):
    args = {"X": [[0.0, 1.0], [1.0, 0.0]], "y": [0, 1], **kwargs}
    with pytest.raises(ValueError, match=match):
        fit(MLP(2, [2, 1], seed=0), args.pop("X"), args.pop("y"), **args)


def test_lr_with_an_optimizer_object_and_several_outputs_are_refused():
    model = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="give lr to the optimizer"):
        fit(model, [[0.0, 1.0]], [1], optimizer=SGD(model.parameters(), lr=0.1), lr=0.2)
    with pytest.raises(ValueError, match="2 outputs, one per class, but bce_with_logits"):
        fit(MLP(2, [2], seed=0), [[0.0, 1.0]], [1], loss="bce_with_logits")


def test_bad_callables_are_refused_before_training():
    model = MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match=r"callback must be a function\(epoch, history\)"):
        fit(model, [[0.0, 1.0]], [1], callback=5)
    with pytest.raises(TypeError, match="the loss returned float, not a Value"):
        fit(model, [[0.0, 1.0]], [1], loss=lambda predictions, targets: 0.5)


def test_a_loss_written_for_values_also_scores_the_validation_data():
    # sum() and .relu() work on the Values that training passes; the validation cost
    # gets Values too, not predict's floats.
    def squared_hinge(predictions, targets):
        return sum(((1 - p * (2 * t - 1)).relu() ** 2 for p, t in zip(predictions, targets)),
                   Value(0.0)) * (1 / len(targets))

    X, y = moons(40, seed=0)
    history = fit(MLP(2, [4, 1], seed=0), X, y, loss=squared_hinge, epochs=2,
                  validation_data=(X, y))
    assert len(history["test_loss"]) == 2 and history["test_loss"][-1] < history["test_loss"][0]


def test_data_that_is_not_a_list_is_a_clear_type_error():
    with pytest.raises(TypeError, match="fit: the rows of the training data must be a list "
                                        r"\(or an array\), got generator"):
        fit(MLP(2, [1], seed=0), (row for row in [[0.0, 1.0]]), [1])


def test_numpy_epochs_and_an_optimizer_without_params_attribute():
    np = pytest.importorskip("numpy")

    class Plain(Optimizer):  # keeps its parameters under another name
        def __init__(self, weights):
            self.weights = weights

        def step(self):
            for w in self.weights:
                w.data -= 0.1 * w.grad

        def zero_grad(self):
            for w in self.weights:
                w.grad = 0.0

    model = MLP(2, [1], seed=0)
    history = fit(model, [[0.0, 1.0], [1.0, 0.0]], [1, 0], epochs=np.int64(3),
                  optimizer=Plain(model.parameters()))
    assert len(history["loss"]) == 3 and history["loss"][-1] < history["loss"][0]


def test_an_optimizer_of_another_model_is_refused():
    model, other = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    with pytest.raises(ValueError, match="the Adam holds none of the model's parameters"):
        fit(model, [[0.0, 1.0]], [1], optimizer=nn.Adam(other.parameters()))
    # Some of them is fine: the others stay frozen (here, all but the last layer).
    last = model.layers[-1].parameters()
    frozen = [p.data for p in model.layers[0].parameters()]
    fit(model, [[0.0, 1.0], [1.0, 0.0]], [1, 0], optimizer=SGD(last, lr=0.1), epochs=2)
    assert [p.data for p in model.layers[0].parameters()] == frozen


def test_numpy_arrays_are_data_like_lists():
    np = pytest.importorskip("numpy")
    X, y = moons(40, seed=0)
    histories = [fit(MLP(2, [4, 1], seed=0), X_, y_, epochs=2, validation_data=(X_, y_))
                 for X_, y_ in ((X, y), (np.array(X), np.array(y)))]
    assert histories[0] == histories[1]
    assert standardize(np.array(X))[2] == standardize(X)[2]


def test_accuracy_and_thresholds():
    assert accuracy([0.2, 0.7, -1.0], [0, 1, 1], 0.5) == pytest.approx(2 / 3)
    assert accuracy([1.5, -0.2], [1, -1], 0.0) == 1.0
    assert accuracy([Value(1.5), Value(-0.2)], [1, 1], 0.0) == 0.5  # Values count by .data
    with pytest.raises(ValueError, match="accuracy: no samples"):
        accuracy([], [], 0.5)
    model = MLP(2, [1], output_activation="sigmoid", seed=0)
    assert [default_threshold(model, name) for name in ("bce", "mse", "bce_with_logits",
                                                         "hinge")] == [0.5, 0.5, 0.0, 0.0]
    assert default_threshold(model, lambda a, b: a) == 0.5
    assert default_threshold(MLP(2, [1], seed=0), lambda a, b: a) == 0.0


# ----- k classes -----

def test_spiral_of_three_classes_is_learned_with_cross_entropy():
    X, y = nn.spiral(90, classes=3, noise=0.1, seed=0)
    model = MLP(2, [16, 3], seed=0)
    history = fit(model, X, y, loss="cross_entropy", lr=0.05, epochs=40, batch_size=16)
    assert history["accuracy"][-1] >= 0.9
    assert history["loss"][-1] < history["loss"][0] / 3
    assert accuracy(model.outputs(X), y) == accuracy(model.predict(X), y) == \
        history["accuracy"][-1]


def test_k_class_history_has_per_class_accuracy():
    X, y = nn.spiral(60, classes=3, seed=1)
    model = MLP(2, [8, 3], seed=1)
    history = fit(model, X[:45], y[:45], epochs=2, validation_data=(X[45:], y[45:]))  # default
    assert set(history) == {"loss", "accuracy", "class_accuracy", "test_loss", "test_accuracy",
                            "test_class_accuracy"}
    assert history["test_class_accuracy"][-1] == class_accuracy(model.predict(X[45:]), y[45:], 3)
    counts = [y[:45].count(c) for c in range(3)]
    right = sum(a * n for a, n in zip(history["class_accuracy"][-1], counts))
    assert right == pytest.approx(history["accuracy"][-1] * 45, abs=1e-9)


def test_k_class_fit_takes_one_gradient_step_like_the_cost_says():
    X, y = [[0.5, -1.0], [2.0, 0.5], [-1.0, 1.0]], [2, 0, 1]
    model = MLP(2, [3], seed=0)
    twin = MLP(2, [3], seed=0)
    J = nn.cross_entropy([twin(x) for x in X], y)
    J.backward()
    fit(model, X, y, loss="cross_entropy", optimizer="sgd", lr=0.5, epochs=1, batch_size=3)
    for p, q in zip(model.parameters(), twin.parameters()):
        assert p.data == pytest.approx(q.data - 0.5 * q.grad, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("model, y, kwargs, match", [
    (MLP(2, [3], seed=0), [0, 1.0], {}, r"fit: the training data: cross_entropy: sample 1: "
                                        r"the target float 1.0 \(a float class\)"),
    (MLP(2, [3], seed=0), [0, 3], {}, r"sample 1: class 3 is out of range; 3 classes"),
    (MLP(2, [3], seed=0), [0, 1], {"threshold": 0.5}, r"threshold applies to one-output"),
    (MLP(2, [1], seed=0), [0, 1], {"loss": "cross_entropy"},
     r"cross_entropy needs one output per class"),
    (MLP(2, [3], seed=0), [0, 1], {"loss": "hinge"}, r"3 outputs, one per class, but hinge"),
])
def test_k_class_mistakes_are_named(model, y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit(model, [[0.0, 1.0], [1.0, 0.0]], y, epochs=1, **kwargs)


def test_accuracy_confusion_matrix_and_class_accuracy_for_k_classes():
    outputs = [[0.1, 2.0, -1.0], [3.0, 0.0, 0.0], [0.0, 0.0, 5.0], [1.0, 1.0, 0.0]]
    y = [1, 2, 2, 0]
    assert accuracy(outputs, y) == 0.75  # [1, 1] ties: the first, class 0
    assert confusion_matrix(outputs, y, 3) == [[1, 0, 0], [0, 1, 0], [1, 0, 1]]
    assert class_accuracy(outputs, y, 4) == [1.0, 1.0, 0.5, None]
    assert confusion_matrix([0.7, -0.1, 0.2], [1, 1, 0], 2, threshold=0.0) == [[0, 1], [1, 1]]
    with pytest.raises(ValueError, match="output 0 is 0.7, a score, not a class; give the "
                                         "threshold"):
        accuracy([0.7], [1])
    with pytest.raises(ValueError, match="sample 0: class 5 .* not one of the 3 classes"):
        confusion_matrix([1], [5], 3)


def test_digits_reach_95_percent_on_a_held_out_fifth():
    # The full run (plaingrad train --dataset digits) is a benchmark workload; two epochs
    # of the same model already pass 95% on this seeded split.
    X, y = nn.digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)
    S_train, S_test, _, _ = standardize(X_train, X_test)
    model = MLP(64, [32, 10], seed=0, init="fan_in")
    history = fit(model, S_train, y_train, loss="cross_entropy", lr=0.01, epochs=2,
                  validation_data=(S_test, y_test))
    assert len(y_test) == 360 and sorted(set(y_test)) == list(range(10))
    assert accuracy(model.predict(S_test), y_test) == history["test_accuracy"][-1] >= 0.95


@pytest.mark.parametrize("loss, activation", [("bce_with_logits", "relu"), ("bce", "tanh"),
                                              ("mse", "linear")])
def test_neuron_on_sample_gives_the_gradients_of_that_samples_cost(loss, activation):
    from nn.train import neuron_on_sample

    model = MLP(2, [3, 1], activation=activation, seed=1,
                output_activation="sigmoid" if loss == "bce" else "linear")
    neuron = model.layers[0].neurons[0]
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = 0.5, -0.25, 0.1
    X, y = [[-4.0, 1.0], [-1.0, -2.0], [2.0, 0.5]], [1, 0, 1]  # Z: -2.15, 0.1, 1.025
    a, index, input_grads = neuron_on_sample(model, X, y, loss)
    assert index == 1  # the first row with Z > 0
    z = 0.5 * X[1][0] - 0.25 * X[1][1] + 0.1
    g = {"relu": max(z, 0.0), "tanh": math.tanh(z), "linear": z}[activation]
    assert a.data == pytest.approx(g, rel=1e-15)
    assert sorted(leaf.label for leaf in _leaves(a) if leaf.label.startswith("x")) == ["x1", "x2"]

    def cost():  # J on that sample alone, from the data only
        return get_loss(loss)([model(X[1])], [y[1]]).data

    for p in [*neuron.w, neuron.b]:  # against central differences of J
        h, saved = 1e-6, p.data
        p.data = saved + h
        up = cost()
        p.data = saved - h
        down = cost()
        p.data = saved
        assert p.grad == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-9)
    # The drawn inputs get this neuron's share of ∂J/∂x, w·∂J/∂Z, so the drawing adds up;
    # input_grads is the whole ∂J/∂x, through all the layer's neurons (central differences).
    own = {leaf.label: leaf for leaf in _leaves(a) if leaf.label in ("x1", "x2")}
    dz = (a.parents[0] if activation != "linear" else a).grad
    for j, w in enumerate(neuron.w):
        assert own[f"x{j + 1}"].grad == pytest.approx(w.data * dz, rel=1e-12, abs=1e-15)
        h, row = 1e-6, list(X[1])
        row[j] += h
        up = get_loss(loss)([model(row)], [y[1]]).data
        row[j] -= 2 * h
        down = get_loss(loss)([model(row)], [y[1]]).data
        assert input_grads[j] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-9)
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_neuron_on_sample_names_the_inputs():
    from nn.train import neuron_on_sample

    model = MLP(2, [3, 1], seed=0)
    a, _, _ = neuron_on_sample(model, [[1.0, 2.0]], [1], names=["radius", "texture"])
    assert sorted(leaf.label for leaf in _leaves(a) if not leaf.label.startswith("w")
                  and "." not in leaf.label) == ["radius", "texture"]
    with pytest.raises(ValueError, match="a name for each of the 2 inputs, got 1"):
        neuron_on_sample(model, [[1.0, 2.0]], [1], names=["radius"])


def test_neuron_on_sample_takes_the_first_row_when_the_neuron_is_never_active():
    from nn.train import neuron_on_sample

    model = MLP(1, [1], seed=0)
    neuron = model.layers[0].neurons[0]
    neuron.w[0].data, neuron.b.data = 1.0, -10.0
    a, index, _ = neuron_on_sample(model, [[1.0], [2.0]], [0, 1])
    assert index == 0 and a.data == -9.0


def _leaves(root):
    seen, stack, leaves = set(), [root], []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if not node.parents:
            leaves.append(node)
        stack.extend(node.parents)
    return leaves


def test_the_costs_on_whole_data_sets_build_no_graph_and_training_does():
    from autograd import is_grad_enabled

    calls = []

    def recording_bce(predictions, targets):
        calls.append((len(predictions), is_grad_enabled()))
        J = bce_with_logits(predictions, targets)
        calls[-1] += (bool(J.parents),)
        return J

    X, y = moons(24, seed=0)
    X_test, y_test = moons(10, seed=1)
    fit(MLP(2, [4, 1], seed=0), X, y, loss=recording_bce, epochs=1, batch_size=8,
        validation_data=(X_test, y_test))
    # J0 on the training set and on the validation set, 3 batches, then the validation cost
    assert calls == [(24, False, False), (10, False, False),
                     (8, True, True), (8, True, True), (8, True, True), (10, False, False)]
    assert is_grad_enabled()
