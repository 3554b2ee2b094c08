"""Costs: each takes predictions and targets and returns ONE Value, the mean over samples.

Predictions may be Values (to train through them) or plain numbers; a single
Value or number counts as a list of one. Targets are plain numbers.

>>> from autograd import Value
>>> z = [Value(0.0), Value(2.0)]
>>> J = bce_with_logits(z, [0, 1])
>>> J.backward()          # z[i].grad == (sigmoid(z[i]) - y[i]) / N
"""

import math
import numbers
from collections.abc import Mapping, Set

from autograd import Value, dot, total
from autograd.engine import is_finite_number

__all__ = ["BCE_EPS", "bce", "bce_with_logits", "mse", "hinge", "softmax", "cross_entropy",
           "LOSSES", "get_loss"]

#: ŷ is clamped into [BCE_EPS, 1 - BCE_EPS] by `bce`, so log never sees 0.
BCE_EPS = 1e-12


def _as_values(predictions, what):
    """Predictions as a list of Values (plain numbers become constants), else a TypeError
    naming the loss `what`."""
    if isinstance(predictions, (Value, numbers.Real)):
        return [predictions if isinstance(predictions, Value) else Value(predictions)]
    if isinstance(predictions, (str, bytes, Mapping, Set)) \
            or not hasattr(predictions, "__iter__"):
        raise TypeError(f"{what}: predictions must be a Value, a number or a list of them, "
                        f"got {type(predictions).__name__}")
    values = []
    for i, p in enumerate(predictions):
        try:
            values.append(p if isinstance(p, Value) else Value(p))
        except TypeError as error:  # e.g. a str or None among the predictions
            raise TypeError(f"{what}: prediction {i}: {error}") from None
    return values


def _targets(predictions, targets, what):
    """Predictions as Values and targets as finite floats, of equal non-zero length."""
    preds = _as_values(predictions, what)
    if isinstance(targets, numbers.Real):
        targets = [targets]
    if isinstance(targets, (str, bytes, Mapping, Set)) or not hasattr(targets, "__iter__"):
        raise TypeError(f"{what}: targets must be a number or a list of numbers, got "
                        f"{type(targets).__name__}")
    ys = []
    for i, y in enumerate(targets):
        if not is_finite_number(y):
            raise ValueError(f"{what}: target {i} must be a finite number, got {y!r}")
        ys.append(float(y))
    if len(preds) != len(ys):
        raise ValueError(f"{what}: {len(preds)} predictions but {len(ys)} targets")
    if not ys:
        raise ValueError(f"{what}: no samples (empty lists)")
    return preds, ys


def _check_probabilities(ys, what):
    for i, y in enumerate(ys):
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"{what}: target {i} is {y!r}; binary cross-entropy needs "
                             "targets in [0, 1]")


def bce(y_hat, y):
    """Binary cross-entropy on probabilities: J = −1/N Σ y·log ŷ + (1−y)·log(1−ŷ).

    ŷ is clamped into [BCE_EPS, 1 − BCE_EPS] (BCE_EPS = 1e-12), so a ŷ of exactly
    0 or 1 gives a large finite cost instead of log(0). Inside that range ŷ is
    used as it is, so dJ/dŷ = −(y/ŷ − (1−y)/(1−ŷ))/N exactly; outside it the
    clamped ŷ is a constant (gradient 0, as with `torch.clamp`). A ŷ outside
    [0, 1] (or NaN) is a ValueError, as in PyTorch. Prefer `bce_with_logits`
    on the logit Z, which never saturates.
    """
    preds, ys = _targets(y_hat, y, "bce")
    _check_probabilities(ys, "bce")
    terms = []
    for i, (p, t) in enumerate(zip(preds, ys)):
        if not BCE_EPS <= p.data <= 1.0 - BCE_EPS:
            if not 0.0 <= p.data <= 1.0:  # NaN too
                raise ValueError(f"bce: prediction {i} is {p.data!r}; bce needs "
                                 "probabilities ŷ in [0, 1] (use bce_with_logits on logits)")
            p = Value(min(max(p.data, BCE_EPS), 1.0 - BCE_EPS))
        # Terms with weight 0 are left out: fewer nodes, same value and gradient.
        if t > 0.0:
            terms.append(p.log() * t)
        if t < 1.0:
            terms.append((1.0 - p).log() * (1.0 - t))
    return total(terms) * (-1.0 / len(ys))


def bce_with_logits(z, y):
    """Binary cross-entropy on logits: J = 1/N Σ softplus(Z) − Z·y, with ŷ = sigmoid(Z).

    Equal to `bce(sigmoid(z), y)` but stable for every z: softplus(z) =
    log(1 + e^z) never overflows, and its derivative is sigmoid(z), so
    dJ/dz = (sigmoid(z) − y)/N holds everywhere, z = 0 included.

    Each term is computed as (1 − y)·softplus(Z) + y·softplus(−Z), the same
    number (softplus(Z) − Z = softplus(−Z)) without subtracting two large ones:
    a confident right answer (Z = 40, y = 1) costs 4.2e-18, not 0.
    """
    preds, ys = _targets(z, y, "bce_with_logits")
    _check_probabilities(ys, "bce_with_logits")
    terms, weights = [], []
    for zi, t in zip(preds, ys):
        # Terms with weight 0 are left out: fewer nodes, same value and gradient.
        if t < 1.0:
            terms.append(zi.softplus())
            weights.append(1.0 - t)
        if t > 0.0:
            terms.append((-zi).softplus())
            weights.append(t)
    return dot(terms, weights) * (1.0 / len(ys))


def mse(y_hat, y):
    """Mean squared error: J = 1/N Σ (ŷ − y)²."""
    preds, ys = _targets(y_hat, y, "mse")
    return total([(p - t) ** 2 for p, t in zip(preds, ys)]) * (1.0 / len(ys))


def hinge(score, y):
    """Max-margin loss of micrograd's demo: J = 1/N Σ relu(1 − y·score).

    Labels are −1 or +1; 0 is read as −1, so 0/1 labels work too. The class is
    the sign of the score.
    """
    preds, ys = _targets(score, y, "hinge")
    signs = []
    for i, t in enumerate(ys):
        if t not in (-1.0, 0.0, 1.0):
            raise ValueError(f"hinge: target {i} is {t!r}; labels must be -1/+1 (or 0/1)")
        signs.append(1.0 if t == 1.0 else -1.0)
    return total([(1.0 - p * s).relu() for p, s in zip(preds, signs)]) * (1.0 / len(ys))


# ----- k classes: softmax and the cross-entropy -----

def _logit_rows(logits, what):
    """(rows, batched): the logits as lists of Values, one list per sample, all of length k.

    One sample's list of Values (or numbers) is a batch of one.
    """
    if isinstance(logits, (str, bytes, Value, numbers.Real)) or not hasattr(logits, "__iter__"):
        raise TypeError(f"{what}: logits must be one sample's list of k Values or a list of "
                        f"such lists, got {type(logits).__name__}")
    logits = list(logits)
    if not logits:
        raise ValueError(f"{what}: no samples (an empty list of logits)")
    batched = not isinstance(logits[0], (Value, numbers.Real))
    rows = logits if batched else [logits]
    k = None
    out = []
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes, Value, numbers.Real)) or not hasattr(row, "__iter__"):
            raise TypeError(f"{what}: sample {i}: expected a list of k logits, got "
                            f"{type(row).__name__}")
        row = _as_values(row, f"{what}: sample {i}")
        if k is None:
            k = len(row)
            if k < 2:
                raise ValueError(f"{what}: sample {i} has {k} logit(s); give one per class, "
                                 "at least 2 (a model with one output per class)")
        elif len(row) != k:
            raise ValueError(f"{what}: sample {i} has {len(row)} logits, sample 0 has {k}")
        for j, z in enumerate(row):
            if not math.isfinite(z.data):
                raise ValueError(f"{what}: sample {i}, logit {j} is {z.data!r}; logits must be "
                                 "finite (a diverged model? try a smaller learning rate)")
        out.append(row)
    return out, batched


def _shifted(row):
    """The logits minus their max, d_j = z_j − m, their exponentials e^(d_j), and Σ e^(d_j).

    Every d_j ≤ 0, so no e^(d_j) overflows, and the sum, which holds e^0 = 1, is ≥ 1.
    m is built from the logits with + and relu (max(a, b) = a + relu(b − a)), not read
    off their numbers, so the cost is made of Value operations alone and a traced,
    compiled program stays as stable as the eager one on any logits. Since
    log Σ e^(z_j) = m + log Σ e^(z_j − m) for any m, the gradient that reaches m adds
    up to zero (to rounding): the derivatives are those of the cross-entropy itself.
    """
    halves = [z * 0.5 for z in row]  # in halves, b − a cannot overflow (1e308 − −1e308)
    m = halves[0]
    for z in halves[1:]:
        m = m + (z - m).relu()
    minus_m = m * -2.0
    d = [z + minus_m for z in row]
    e = [dj.exp() for dj in d]
    return d, e, total(e)


def _class_targets(targets, n, k, batched, what):
    """Per sample, a class index (int) or k class probabilities (numbers or Values)."""
    if not batched:
        if isinstance(targets, (list, tuple)):
            raise ValueError(f"{what}: one sample's logits (a list of {k}) take one class index "
                             f"as target, got a list of {len(targets)}; for a batch, give a "
                             "list of logit lists (a model with one output per class)")
        targets = [targets]
    elif isinstance(targets, (str, bytes)) or not hasattr(targets, "__len__"):
        raise ValueError(f"{what}: targets must be a list of class indices, one per sample, "
                         f"got {type(targets).__name__}")
    if len(targets) != n:
        raise ValueError(f"{what}: {n} samples of logits but {len(targets)} targets")
    out = []
    for i, t in enumerate(targets):
        if isinstance(t, numbers.Integral) and not isinstance(t, bool):
            if not 0 <= t < k:
                raise ValueError(f"{what}: sample {i}: class {t} is out of range; "
                                 f"{k} classes are numbered 0 to {k - 1}")
            out.append(int(t))
        elif isinstance(t, (list, tuple)):
            out.append(_probabilities(t, i, k, what))
        else:
            shown = f"{type(t).__name__} {t!r:.40}"
            hint = " (a float class)" if isinstance(t, float) else ""
            raise ValueError(f"{what}: sample {i}: the target {shown}{hint} is not a class; "
                             f"a target is an int from 0 to {k - 1} (or a list of {k} "
                             "class probabilities)")
    return out


def _probabilities(t, i, k, what):
    if len(t) != k:
        raise ValueError(f"{what}: sample {i}: {len(t)} class probabilities for {k} classes")
    for j, p in enumerate(t):
        v = p.data if isinstance(p, Value) else p
        if not (is_finite_number(v) and 0.0 <= v <= 1.0):
            raise ValueError(f"{what}: sample {i}: the probability of class {j} is {v!r:.40}; "
                             "class probabilities are numbers in [0, 1]")
    return list(t)


def softmax(logits):
    """The class probabilities p_j = e^(z_j) / Σ_i e^(z_i), stable for any finite logits.

    `logits` is one sample's list of k Values (numbers count as constants), giving a
    list of k Values, or a list of such lists, giving one list per sample.

    >>> [round(p.data, 4) for p in softmax([Value(1.0), Value(2.0), Value(3.0)])]
    [0.09, 0.2447, 0.6652]
    """
    rows, batched = _logit_rows(logits, "softmax")
    out = []
    for row in rows:
        _, e, e_sum = _shifted(row)
        out.append([ej / e_sum for ej in e])  # e^(z_j − m) / Σ e^(z_i − m): ≤ 1 over ≥ 1
    return out if batched else out[0]


def cross_entropy(logits, targets):
    """The cross-entropy of k classes: J = −1/N Σ log p_c, with p = softmax(z), c the target.

    `logits` is one sample's list of k Values (its target one class index) or a
    batch, a list of such lists (with a list of class indices). Each term is
    log Σ_j e^(z_j) − z_c, computed as log Σ_j e^(z_j − m) − (z_c − m) with m the
    largest logit, so ±1e4 gives finite costs and gradients (dJ/dz_j = (p_j − [j = c])/N)
    as in PyTorch. A batch's target may also be a list of k class probabilities
    (numbers or Values), as PyTorch accepts: J_i = −Σ_j t_j·log p_j.

    With two classes it is `bce_with_logits` on the logit difference z_1 − z_0.
    A target that is not an int class in range (a float such as 1.0, a bool, 10 of
    10 classes) is a ValueError naming the sample.

    >>> z = [Value(2.0), Value(0.5), Value(-1.0)]
    >>> J = cross_entropy(z, 0)           # one sample of 3 classes, class 0
    >>> round(J.data, 6)                  # −log p_0
    0.241311
    >>> J.backward()                      # z[j].grad == p_j − [j = 0]
    """
    rows, batched = _logit_rows(logits, "cross_entropy")
    ts = _class_targets(targets, len(rows), len(rows[0]), batched, "cross_entropy")
    terms = []
    for row, t in zip(rows, ts):
        d, _, e_sum = _shifted(row)
        log_sum = e_sum.log()
        if isinstance(t, int):
            terms.append(log_sum - d[t])  # −log p_c = log Σ e^(d_j) − d_c, both ≥ 0
        else:  # Σ_j t_j·(log Σ e^(d_i) − d_j)
            terms.append(log_sum * total(t) - dot(t, d))
    return total(terms) * (1.0 / len(terms))


LOSSES = {"bce_with_logits": bce_with_logits, "bce": bce, "mse": mse, "hinge": hinge,
          "cross_entropy": cross_entropy}


def get_loss(loss):
    """A loss function from its name (see LOSSES) or the function itself."""
    if callable(loss):
        return loss
    if loss in LOSSES:
        return LOSSES[loss]
    raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
