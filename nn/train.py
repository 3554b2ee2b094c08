"""`fit`: the training loop — forward, cost J, backward, W ← W − α·dW, repeat.

>>> from nn import MLP, fit, moons
>>> X, y = moons(100, seed=0)
>>> model = MLP(2, [8, 8, 1], seed=0)
>>> history = fit(model, X, y, loss="bce_with_logits", optimizer="adam", lr=0.05, epochs=5)
>>> history["loss"][-1] < history["loss"][0]
True
"""

import math
import numbers
from typing import NamedTuple

from autograd import Value, no_grad
from autograd.engine import is_finite_number
from nn.data import check_rows
from nn.losses import get_loss
from nn.module import MLP, make_rng
from nn.optim import OPTIMIZERS, Optimizer

__all__ = ["fit", "accuracy", "class_accuracy", "confusion_matrix", "default_threshold",
           "neuron_on_sample", "NeuronSample", "DEFAULT_LR", "DIVERGENCE_FACTOR"]

# The output at which the predicted class switches from 0 to 1, per loss:
# a probability for bce/mse on 0/1 targets, a logit or a score for the others.
_THRESHOLDS = {"bce": 0.5, "mse": 0.5, "bce_with_logits": 0.0, "hinge": 0.0}
# The losses of one output per sample: a model with k outputs trains with cross_entropy.
_ONE_OUTPUT = tuple(_THRESHOLDS)
#: The learning rate α used when none is given, per optimizer name.
DEFAULT_LR = {"adam": 0.01, "sgd": 0.1}
#: Training stops as diverged when an epoch's mean cost J exceeds this multiple of
#: the untrained model's cost on the training set (or of 1, if that is larger).
DIVERGENCE_FACTOR = 1000.0


def default_threshold(model, loss):
    """Where the output of `model` trained with `loss` separates class 0 from class 1.

    0.5 for `bce` and `mse` (ŷ is a probability-like output), 0 for
    `bce_with_logits` (a logit) and `hinge` (a score). For a loss given as a
    function: 0.5 if the model's output activation is sigmoid, else 0.
    """
    name = loss if isinstance(loss, str) else getattr(loss, "__name__", None)
    if name in _THRESHOLDS:
        return _THRESHOLDS[name]
    return 0.5 if model.output_activation == "sigmoid" else 0.0


def _classes(outputs, threshold, what):
    """The predicted class of each output: a list of k scores gives its argmax (the first
    of equal ones); a number above `threshold` is 1, else 0; with no threshold, numbers
    must be class indices already (as a k-class model's `predict` gives them)."""
    classes = []
    for i, out in enumerate(outputs):
        if isinstance(out, Value):
            out = out.data
        if isinstance(out, (list, tuple)):
            scores = [v.data if isinstance(v, Value) else v for v in out]
            classes.append(max(range(len(scores)), key=scores.__getitem__))
        elif threshold is not None:
            classes.append(int(out > threshold))
        elif isinstance(out, numbers.Integral) and not isinstance(out, bool):
            classes.append(int(out))
        else:
            raise ValueError(f"{what}: output {i} is {out!r:.40}, a score, not a class; give "
                             "the threshold that separates class 0 from class 1")
    return classes


def _label(t, threshold):
    # With a threshold (one output), a target ≥ 0.5 is class 1: 0/1 and −1/+1 labels both work.
    return int(t >= 0.5) if threshold is not None and not isinstance(t, (list, tuple)) else t


def accuracy(outputs, y, threshold=None):
    """The fraction of samples whose predicted class is right.

    Each output is one of: a list of k scores (a k-class model's outputs; the
    class is the argmax), a number compared with `threshold` (a one-output
    model: class 1 above it; a target counts as class 1 when it is ≥ 0.5, so
    0/1 and −1/+1 labels both work), or, with no threshold, a class index (a
    k-class model's `predict`). Outputs may be numbers or Values.

    >>> accuracy([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0]], [1, 2])
    0.5
    >>> accuracy([0.7, -0.2], [1, 1], threshold=0.0)
    0.5
    """
    if len(y) == 0:
        raise ValueError("accuracy: no samples")
    predicted = _classes(outputs, threshold, "accuracy")
    if len(predicted) != len(y):
        raise ValueError(f"accuracy: {len(predicted)} outputs but {len(y)} targets")
    return sum(p == _label(t, threshold) for p, t in zip(predicted, y)) / len(y)


def class_accuracy(outputs, y, k, threshold=None):
    """Per class c (0 to k − 1): the fraction of the samples of class c predicted as c.

    None for a class without samples. `outputs` and `threshold` are as for `accuracy`.

    >>> class_accuracy([0, 1, 1, 2], [0, 1, 0, 2], 4)
    [0.5, 1.0, 1.0, None]
    """
    matrix = confusion_matrix(outputs, y, k, threshold)
    return [row[c] / sum(row) if sum(row) else None for c, row in enumerate(matrix)]


def confusion_matrix(outputs, y, k, threshold=None):
    """A k × k table of counts: row t, column p counts the samples of class t predicted as p.

    `outputs` and `threshold` are as for `accuracy`; targets are class indices.

    >>> confusion_matrix([0, 1, 1], [0, 1, 0], 2)
    [[1, 1], [0, 1]]
    """
    predicted = _classes(outputs, threshold, "confusion_matrix")
    if len(predicted) != len(y):
        raise ValueError(f"confusion_matrix: {len(predicted)} outputs but {len(y)} targets")
    matrix = [[0] * k for _ in range(k)]
    for i, (p, t) in enumerate(zip(predicted, y)):
        t = _label(t, threshold)
        if isinstance(t, bool) or not isinstance(t, numbers.Integral) or not 0 <= t < k \
                or not 0 <= p < k:
            raise ValueError(f"confusion_matrix: sample {i}: class {t!r:.40} (predicted {p}) "
                             f"is not one of the {k} classes 0 to {k - 1}")
        matrix[int(t)][p] += 1
    return matrix


def _check_data(model, X, y, what):
    for name, data in (("rows", X), ("targets", y)):
        if not (hasattr(data, "__len__") and hasattr(data, "__getitem__")):
            raise TypeError(f"fit: the {name} of {what} must be a list (or an array), got "
                            f"{type(data).__name__}")
    if len(X) != len(y):
        raise ValueError(f"fit: {what} has {len(X)} rows but {len(y)} targets")
    if len(X) == 0:  # (not `not X`: a NumPy array has no truth value)
        raise ValueError(f"fit: {what} is empty")
    check_rows(X, model.nin, f"fit: {what}", "the model expects")
    for i, t in enumerate(y):
        if not is_finite_number(t):
            raise ValueError(f"fit: {what} target {i} is {t!r:.40}; targets must be finite "
                             "numbers")


def _optimizer(model, optimizer, lr):
    """The Optimizer `fit` steps with: the one given, or a new one by name with `lr`."""
    if isinstance(optimizer, Optimizer):
        if lr is not None:
            raise ValueError("fit: give lr to the optimizer you built, not to fit")
        # It may hold only some of them (the others stay frozen), but not none; an
        # Optimizer subclass that keeps them elsewhere than .params is taken on trust.
        held = {id(p) for p in getattr(optimizer, "params", None) or ()}
        if hasattr(optimizer, "params") and not any(id(p) in held for p in model.parameters()):
            raise ValueError(f"fit: the {type(optimizer).__name__} holds none of the model's "
                             "parameters, so training would change nothing; build it on "
                             "model.parameters()")
        return optimizer
    if isinstance(optimizer, str) and optimizer in OPTIMIZERS:
        return OPTIMIZERS[optimizer](model.parameters(),
                                     lr=DEFAULT_LR[optimizer] if lr is None else lr)
    raise ValueError(f"fit: unknown optimizer {optimizer!r}; choose one of "
                     f"{', '.join(OPTIMIZERS)} or pass an Optimizer")


@no_grad()  # only the number J: no graph
def _cost(loss_fn, model, X, y, what, outputs=None):
    """The cost J of `model` on all of (X, y), a float; a loss's complaint names `what`.

    The outputs (`model.outputs(X)` unless given) go to the loss as Values, as in
    training, so that a loss written for Values works here too.
    """
    outputs = model.outputs(X) if outputs is None else outputs
    try:
        J = loss_fn([[Value(v) for v in out] if isinstance(out, list) else Value(out)
                     for out in outputs], list(y))
    except ValueError as error:
        raise ValueError(f"fit: {what}: {error}") from None
    if not isinstance(J, Value):
        raise TypeError(f"fit: the loss returned {type(J).__name__}, not a Value (a cost "
                        "built from the predictions, so that backward() can reach them)")
    return J.data


def _diverged(opt, what):
    """The error for a diverged run, suggesting a learning rate below the current one."""
    # An Optimizer subclass may skip Optimizer.__init__ or hold a non-float lr.
    lr_now = getattr(opt, "lr", None)
    than = f" than {lr_now:g}" if isinstance(lr_now, float) else ""
    return FloatingPointError(f"fit: the cost J {what}; training diverged: "
                              f"try a smaller learning rate{than}")


def _check_loss(model, loss):
    """The loss function, refusing one that does not fit the model's number of outputs."""
    k = model.nouts[-1]
    if loss is None:
        loss = "bce_with_logits" if k == 1 else "cross_entropy"
    loss_fn = get_loss(loss)
    name = loss if isinstance(loss, str) else getattr(loss, "__name__", None)
    if k > 1 and name in _ONE_OUTPUT:
        raise ValueError(f"fit: the model has {k} outputs, one per class, but {name} takes "
                         "one output per sample; use loss='cross_entropy' with class indices "
                         "0 to k − 1 as targets (or a model with one output)")
    if k == 1 and name == "cross_entropy":
        raise ValueError("fit: cross_entropy needs one output per class, but the model has one "
                         "output; build it as MLP(nin, [..., k]) for k classes (or use "
                         "bce_with_logits for two)")
    return loss, loss_fn


def fit(model, X, y, loss=None, optimizer="adam", lr=None, epochs=100,
        batch_size=32, seed=0, callback=None, validation_data=None, threshold=None):
    """Train `model` on rows X with targets y; returns the history.

    - `loss`: a name (``"bce_with_logits"``, ``"bce"``, ``"mse"``, ``"hinge"``
      for a one-output model, ``"cross_entropy"`` for a model with one output
      per class, whose targets are class indices 0 to k − 1) or a
      function(predictions, targets) → Value. The default is bce_with_logits
      for one output, cross_entropy for more.
    - `optimizer`: an Optimizer built on ``model.parameters()``, or a name
      (``"adam"``, ``"sgd"``) built here with `lr` (default 0.01 for Adam,
      0.1 for SGD).
    - Each epoch shuffles the rows with ``random.Random(seed)`` (seed=None: the
      global `random` module) and takes one optimizer step per mini-batch of
      `batch_size` rows (the cost J is the mean over the batch).
    - `validation_data`: optional ``(X_test, y_test)``, evaluated every epoch.
    - `callback(epoch, history)`: called after every epoch (epoch counts from 1).
    - `threshold`: for one output, the output above which the class is 1 (see
      `default_threshold`); a k-class model predicts the argmax.

    The history is a dict of per-epoch lists: ``loss`` (mean training cost over
    the epoch's batches), ``accuracy`` (on the training rows after the epoch),
    and, with validation data, ``test_loss`` and ``test_accuracy``. A k-class
    model's history also has ``class_accuracy`` (and ``test_class_accuracy``):
    per epoch, a list of k accuracies, one per class (see `class_accuracy`).

    Divergence stops training with a FloatingPointError naming the epoch: a
    batch whose cost J is NaN or infinite, or an epoch whose mean cost exceeds
    DIVERGENCE_FACTOR (1000) × max(J0, 1), where J0 is the untrained model's
    cost on the whole training set. (Whole epochs against the whole set, so
    that one batch of outliers is not taken for divergence.) A smaller learning
    rate usually cures it; a cost that is not finite before the first update
    means the inputs are too large for the model (standardize them).
    """
    if not isinstance(model, MLP):
        raise TypeError(f"fit: expected an nn.MLP, got {type(model).__name__} (a single "
                        "neuron is MLP(nin, [1]))")
    loss, loss_fn = _check_loss(model, loss)
    k = model.nouts[-1]
    _check_data(model, X, y, "the training data")
    if validation_data is not None:
        if isinstance(validation_data, (str, bytes)) or len(validation_data) != 2:
            raise ValueError("fit: validation_data must be a pair (X_test, y_test)")
        X_test, y_test = validation_data
        _check_data(model, X_test, y_test, "the validation data")
    for name, value, low in (("epochs", epochs, 0), ("batch_size", batch_size, 1)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"fit: {name} must be an int ≥ {low}, got {value!r}")
    epochs, batch_size = int(epochs), int(batch_size)
    opt = _optimizer(model, optimizer, lr)
    if k > 1:
        if threshold is not None:
            raise ValueError(f"fit: threshold applies to one-output models; this one has {k} "
                             "outputs and predicts the class with the largest")
    elif threshold is None:
        threshold = default_threshold(model, loss)
    if k == 1 and not is_finite_number(threshold):
        raise ValueError(f"fit: threshold must be a finite number, got {threshold!r}")
    if callback is not None and not callable(callback):
        raise TypeError(f"fit: callback must be a function(epoch, history), got "
                        f"{type(callback).__name__}")

    rng = make_rng(seed)
    order = list(range(len(X)))
    history = {"loss": [], "accuracy": []}
    if k > 1:
        history["class_accuracy"] = []
    if validation_data is not None:
        history.update(test_loss=[], test_accuracy=[])
        if k > 1:
            history["test_class_accuracy"] = []

    # J0: the untrained model on every row (predict's floats, as Values for any loss);
    # the validation data's cost too, so that a target the loss refuses is found now.
    initial = _cost(loss_fn, model, X, y, "the training data")
    if validation_data is not None:
        _cost(loss_fn, model, X_test, y_test, "the validation data")
    if not math.isfinite(initial):
        raise FloatingPointError(
            f"fit: the cost J is {initial} before any update, so not because of the "
            "learning rate: the inputs may be too large for the model (standardize "
            "them with nn.standardize) or the loss undefined")
    limit = DIVERGENCE_FACTOR * max(initial, 1.0)
    for epoch in range(1, epochs + 1):
        rng.shuffle(order)
        epoch_cost = 0.0
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            J = loss_fn([model(X[i]) for i in batch], [y[i] for i in batch])
            if not math.isfinite(J.data):
                raise _diverged(opt, f"became {J.data} at epoch {epoch} "
                                     f"(batch {start // batch_size + 1})")
            opt.zero_grad()
            J.backward()
            opt.step()
            epoch_cost += J.data * len(batch)
        mean_cost = epoch_cost / len(order)
        if not mean_cost <= limit:  # also catches an overflowing sum
            raise _diverged(opt, f"grew from {initial:.4g} (untrained) to a mean of "
                                 f"{mean_cost:.4g} over epoch {epoch}")
        history["loss"].append(mean_cost)
        outputs = model.outputs(X)
        history["accuracy"].append(accuracy(outputs, y, threshold))
        if k > 1:
            history["class_accuracy"].append(class_accuracy(outputs, y, k))
        if validation_data is not None:
            outputs = model.outputs(X_test)
            history["test_loss"].append(
                _cost(loss_fn, model, X_test, y_test, "the validation data", outputs))
            history["test_accuracy"].append(accuracy(outputs, y_test, threshold))
            if k > 1:
                history["test_class_accuracy"].append(class_accuracy(outputs, y_test, k))
        if callback is not None:
            callback(epoch, history)
    return history


class NeuronSample(NamedTuple):
    """What `neuron_on_sample` returns."""
    a: Value              # the neuron's output, the root of its own graph
    index: int            # the sample's row
    input_grads: list     # ∂J/∂x_j through the whole layer, one per input


def neuron_on_sample(model, X, y, loss="bce_with_logits", names=None):
    """layer1.neuron1 on one sample, after backward() of the cost J on that sample alone.

    Returns ``(a, index, input_grads)``: `a` is the neuron's output a = g(Z), Z = W·x + b
    (a is Z for a linear neuron), a Value whose graph holds the neuron's W and b and the
    sample's features as leaves labelled `names` (default x1, x2, ...); `index` is the
    sample's row in X, the first on which the neuron is active (Z > 0), so that its
    gradients are not all zero (row 0 if it is active on none).

    The inputs feed every neuron of the layer, so ∂J/∂x_j is a sum over them. The
    leaves in `a`'s graph are this neuron's own: their gradients are its share,
    w_j·∂J/∂Z, so that the numbers of its drawing add up (the product along a path is
    the gradient at its end). `input_grads` holds the whole ∂J/∂x_j, all neurons'.
    The model's parameters keep the gradients of this J: call ``model.zero_grad()``
    when done with the graph.

    >>> from nn import MLP
    >>> model = MLP(2, [3, 1], seed=0)
    >>> a, index, input_grads = neuron_on_sample(model, [[-5.0, 0.0], [0.5, 1.0]], [0, 1])
    >>> a.data == model.layers[0].neurons[0]([0.5, 1.0]).data
    True
    """
    first = model.layers[0]
    neuron = first.neurons[0]
    index = next((i for i, row in enumerate(X)
                  if sum(w.data * v for w, v in zip(neuron.w, row)) + neuron.b.data > 0), 0)
    row = X[index]
    names = [f"x{j}" for j in range(1, len(row) + 1)] if names is None else list(names)
    if len(names) != len(row):
        raise ValueError(f"neuron_on_sample: expected a name for each of the {len(row)} inputs, "
                         f"got {len(names)}")
    own = [Value(v, label=name) for v, name in zip(row, names)]  # the drawn neuron's inputs
    rest = [Value(v) for v in row]                               # the other neurons'
    model.zero_grad()
    a = neuron(own)
    outputs = [a] + [n(rest) for n in first.neurons[1:]]
    for layer in model.layers[1:]:
        outputs = layer.forward(outputs)
    # One sample: a list of one Value, or of k logits (one sample of cross_entropy).
    get_loss(loss)([outputs] if len(outputs) > 1 else outputs, [y[index]]).backward()
    return NeuronSample(a, index, [p.grad + q.grad for p, q in zip(own, rest)])
