"""Costs: each takes predictions and targets and returns ONE Value, the mean over samples.

Predictions may be Values (to train through them) or plain numbers; a single
Value or number counts as a list of one. Targets are plain numbers.

>>> from autograd import Value
>>> z = [Value(0.0), Value(2.0)]
>>> J = bce_with_logits(z, [0, 1])
>>> J.backward()          # z[i].grad == (sigmoid(z[i]) - y[i]) / N
"""

import numbers

from autograd import Value, dot, total
from autograd.engine import is_finite_number

__all__ = ["BCE_EPS", "bce", "bce_with_logits", "mse", "hinge", "LOSSES", "get_loss"]

#: ŷ is clamped into [BCE_EPS, 1 - BCE_EPS] by `bce`, so log never sees 0.
BCE_EPS = 1e-12


def _as_values(predictions, what):
    """Predictions as a list of Values (plain numbers become constants), else a TypeError
    naming the loss `what`."""
    if isinstance(predictions, (Value, numbers.Real)):
        return [predictions if isinstance(predictions, Value) else Value(predictions)]
    if isinstance(predictions, (str, bytes)) or not hasattr(predictions, "__iter__"):
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


LOSSES = {"bce_with_logits": bce_with_logits, "bce": bce, "mse": mse, "hinge": hinge}


def get_loss(loss):
    """A loss function from its name (see LOSSES) or the function itself."""
    if callable(loss):
        return loss
    if loss in LOSSES:
        return LOSSES[loss]
    raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
