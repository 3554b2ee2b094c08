"""Optimizers: update the parameters from their gradients, W ← W − α·dW and friends.

Both follow PyTorch's update rules (`torch.optim.SGD`, `torch.optim.Adam` with
their defaults), so the same gradients give the same steps.

>>> from nn import MLP, SGD
>>> model = MLP(2, [1], seed=0)
>>> opt = SGD(model.parameters(), lr=0.1)
>>> model([1.0, 2.0]).backward()
>>> opt.step()            # w ← w − 0.1·dw
>>> opt.zero_grad()
"""

import math
from collections.abc import Mapping, Set

from autograd import Value
from autograd.engine import is_finite_number

__all__ = ["Optimizer", "SGD", "Adam", "OPTIMIZERS"]


def _number(x, what, low=None, high=None, low_open=False, high_open=False):
    """A finite float within [low, high] (or open ends), else a ValueError naming it."""
    if not is_finite_number(x):
        raise ValueError(f"{what} must be a finite number, got {x!r:.60}")
    x = float(x)
    too_low = low is not None and (x <= low if low_open else x < low)
    too_high = high is not None and (x >= high if high_open else x > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open or high is None else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{what} must be in {left}{lo}, {hi}{right}, got {x!r}")
    return x


class Optimizer:
    """Holds the parameters; `zero_grad()` resets their gradients."""

    def __init__(self, params, lr):
        what = type(self).__name__
        if hasattr(params, "parameters") and callable(params.parameters):
            raise TypeError(f"{what}: expected the model's parameters, got the "
                            f"{type(params).__name__} itself; write "
                            f"{what}(model.parameters(), lr=...)")
        if isinstance(params, (Value, str, bytes, Mapping)) or not hasattr(params, "__iter__"):
            raise TypeError(f"{what}: expected a list of Values (model.parameters()), got "
                            f"{type(params).__name__}")
        if isinstance(params, Set):
            raise TypeError(f"{what}: the parameters are a {type(params).__name__}, whose order "
                            "changes from run to run; give a list (model.parameters())")
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: the parameter list is empty")
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__}: parameter {i} is a "
                                f"{type(p).__name__}, not a Value")
        self.params = params
        self.lr = _number(lr, f"{type(self).__name__}: lr", low=0.0, low_open=True)

    def zero_grad(self):
        """Set every parameter's gradient to 0 before the next backward pass."""
        for p in self.params:
            p.grad = 0.0

    def step(self):
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and L2 weight decay.

    As in PyTorch (dampening 0, no Nesterov), per parameter W with gradient dW:
        g = dW + weight_decay·W
        v = g on the first step, then v = momentum·v + g    (only if momentum > 0)
        W ← W − α·v      (α = lr; v = g without momentum)
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum = _number(momentum, "SGD: momentum", low=0.0)
        self.weight_decay = _number(weight_decay, "SGD: weight_decay", low=0.0)
        self.velocity = None  # created by the first step, as PyTorch's momentum buffer

    def step(self):
        lr, momentum, decay = self.lr, self.momentum, self.weight_decay
        if momentum and self.velocity is None:
            self.velocity = [0.0] * len(self.params)
            first = True
        else:
            first = False
        for i, p in enumerate(self.params):
            g = p.grad + decay * p.data if decay else p.grad
            if momentum:
                g = g if first else momentum * self.velocity[i] + g
                self.velocity[i] = g
            p.data -= lr * g


def _lerp(a, b, w):
    """a + w·(b − a), written as PyTorch's lerp writes it, so Adam rounds as torch's does.

    For w ≥ 0.5 it is b − (1 − w)·(b − a): with w = 1 that is exactly b, where
    a + (b − a) can lose b (1 + (1e-17 − 1) is 0).
    """
    return a + w * (b - a) if w < 0.5 else b - (b - a) * (1.0 - w)


class Adam(Optimizer):
    """Adam with bias correction, as `torch.optim.Adam` (L2 `weight_decay`, default 0).

    Per parameter W with gradient g, at step t = 1, 2, ...:
        m = β1·m + (1 − β1)·g          v = β2·v + (1 − β2)·g²
        W ← W − (α / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_number(betas[0], "Adam: beta1", 0.0, 1.0, high_open=True),
                      _number(betas[1], "Adam: beta2", 0.0, 1.0, high_open=True))
        # eps > 0 keeps m / (√v + eps) defined when a parameter's gradients are all 0
        self.eps = _number(eps, "Adam: eps", low=0.0, low_open=True)
        self.weight_decay = _number(weight_decay, "Adam: weight_decay", low=0.0)
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self):
        self.t += 1
        beta1, beta2 = self.betas
        step_size = self.lr / (1.0 - beta1 ** self.t)
        correction2_sqrt = math.sqrt(1.0 - beta2 ** self.t)
        m, v, eps, decay = self.m, self.v, self.eps, self.weight_decay
        for i, p in enumerate(self.params):
            g = p.grad + decay * p.data if decay else p.grad
            m[i] = _lerp(m[i], g, 1.0 - beta1)
            v[i] = v[i] * beta2 + (1.0 - beta2) * g * g
            p.data -= step_size * m[i] / (math.sqrt(v[i]) / correction2_sqrt + eps)


OPTIMIZERS = {"adam": Adam, "sgd": SGD}
