"""Neurons, layers and multi-layer perceptrons built from `autograd.Value`s.

One neuron computes Z = W·a + b and then its activation: ŷ = g(Z) with g one of
`ACTIVATIONS`: relu, tanh, sigmoid, or any other function of the operation table
defined for every Z, or linear (g(Z) = Z). A layer is a list of neurons that see
the same inputs; an MLP is a list of layers, each feeding the next.

>>> model = MLP(2, [16, 16, 1], seed=0)   # ReLU hidden layers, linear output
>>> z = model([0.5, -1.0])                # one output neuron: a Value
>>> z.backward()                          # dz/dw for every weight, in .grad
"""

import itertools
import math
import numbers
import random
import reprlib
from collections.abc import Mapping, Set

from autograd import Value, dot
from autograd.ops import FUNCTIONS

__all__ = ["ACTIVATIONS", "INITS", "MAX_PARAMETERS", "Module", "Neuron", "Layer", "MLP",
           "count_parameters"]

#: "linear" (no function) and every function of the operation table that is defined for
#: every Z (log is not), the lecture's three first.
ACTIVATIONS = ("relu", "tanh", "sigmoid", *(
    p.name for p in FUNCTIONS if p.domain != "positive"
    and p.name not in ("relu", "tanh", "sigmoid")), "linear")
#: How weights start: "uniform" in [−1, 1] (micrograd's), or "fan_in" in [−1/√nin, 1/√nin]
#: (the bound of PyTorch's nn.Linear), which keeps Z = W·a + b small for many inputs.
INITS = ("uniform", "fan_in")

#: The largest MLP this pure-Python engine builds: a million weights take ~0.4 s per
#: sample for forward and backward and ~50 bytes per weight per sample of a batch.
MAX_PARAMETERS = 1_000_000


def _check_activation(name, what):
    if name not in ACTIVATIONS:
        valid = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"{what}: unknown activation {name!r}; choose one of {valid}")
    return name


def _check_init(init, what):
    if init not in INITS:
        raise ValueError(f"{what}: unknown init {init!r}; choose one of "
                         f"{', '.join(repr(i) for i in INITS)}")
    return init


def _check_count(n, what):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)  # (a NumPy integer too)


def make_rng(seed):
    """The generator a `seed` names: an int gives a private, reproducible one.

    None is Python's global generator (the `random` module), as in micrograd, so
    ``random.seed(1337)`` before ``MLP(2, [16, 16, 1])`` fixes the weights. A
    random.Random is used as it is (and advances); anything else is a TypeError.
    """
    if seed is None or seed is random:
        return random
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, None or a random.Random (None: the global "
                        f"random module), got {seed!r}")
    return random.Random(int(seed))


def _check_size(nin, nouts, what):
    """Refuse, before allocating anything, a network over MAX_PARAMETERS."""
    count = count_parameters(nin, nouts)
    if count > MAX_PARAMETERS:
        raise ValueError(f"{what} would have {count:,} parameters, more than "
                         f"MAX_PARAMETERS = {MAX_PARAMETERS:,} (a pure-Python engine "
                         "needs ~0.4 s per sample for a million)")


def count_parameters(nin, nouts):
    """How many weights and biases ``MLP(nin, nouts)`` has: Σ (inputs + 1) · neurons per layer.

    >>> count_parameters(2, [16, 16, 1])
    337
    """
    sizes = [nin, *nouts]
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))


def _check_inputs(x, nin, what):
    # A Value or a generator has no len(); a dict or a set has one, but its keys are no
    # inputs and a set has no order: say what is expected instead.
    if isinstance(x, (str, bytes, Value, Mapping, Set)) or not hasattr(x, "__len__"):
        raise TypeError(f"{what}: expected a list of {nin} inputs (numbers or Values), "
                        f"got {type(x).__name__}"
                        + (", whose order is arbitrary" if isinstance(x, Set) else ""))
    if len(x) != nin:
        raise ValueError(f"{what}: expected {nin} inputs, got {len(x)}")


class Module:
    """Anything with parameters: gives `parameters()` and `zero_grad()`."""

    def named_parameters(self):
        """A dict name → Value, in a stable order."""
        return {}

    def parameters(self):
        """The trainable Values, in the order of `named_parameters()`."""
        return list(self.named_parameters().values())

    def zero_grad(self):
        """Reset every parameter's gradient to 0 (gradients accumulate in leaves)."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """Z = W·a + b followed by an activation.

    Weights start uniform in [−1, 1] as in micrograd, the bias at 0, drawn in
    micrograd's order (this neuron's weights, w1 first; the bias draws nothing). (Measured
    on two moons with Adam: this reached 97% test accuracy in fewer epochs
    than ±1/√nin or He initialisation, for 16- and 48-wide layers.) With
    ``init="fan_in"`` they start in [−1/√nin, 1/√nin] instead (PyTorch's bound),
    which many inputs need: 64 pixels of ±1 weights give Z of about ±5.

    `name` prefixes the labels: ``Neuron(2, name="layer1.neuron1")`` has
    ``layer1.neuron1.w1``, ``layer1.neuron1.w2`` and ``layer1.neuron1.b``
    (numbered from 1).

    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> y = n([1.0, 2.0])   # tanh(w1·1 + w2·2 + b)
    """

    def __init__(self, nin, activation="relu", seed=None, name="", init="uniform"):
        nin = _check_count(nin, "Neuron: nin")
        _check_size(nin, [1], f"Neuron({nin})")
        self.activation = _check_activation(activation, "Neuron")
        bound = 1.0 if _check_init(init, "Neuron") == "uniform" else 1.0 / math.sqrt(nin)
        rng = make_rng(seed)
        prefix = f"{name}." if name else ""
        self.w = [Value(rng.uniform(-bound, bound), label=f"{prefix}w{i}")
                  for i in range(1, nin + 1)]
        self.b = Value(0.0, label=f"{prefix}b")

    def __call__(self, x):
        _check_inputs(x, len(self.w), "Neuron")
        return self._forward(x)

    def _forward(self, x):
        """__call__ without checking `x` (Layer and MLP check it once for all neurons)."""
        z = dot(self.w, x) + self.b  # dot lifts plain floats to constants itself
        if self.activation == "linear":
            return z
        return getattr(z, self.activation)()

    def named_parameters(self):
        params = {f"w{i}": w for i, w in enumerate(self.w, 1)}
        params["b"] = self.b
        return params

    def __repr__(self):
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer(Module):
    """`nout` neurons that see the same `nin` inputs.

    Calling a layer returns a list of Values, or a single Value when it has one
    neuron (as in micrograd). Labels are ``neuron3.w2`` (numbered from 1),
    prefixed by `name`.
    """

    def __init__(self, nin, nout, activation="relu", seed=None, name="", init="uniform"):
        nin = _check_count(nin, "Layer: nin")
        nout = _check_count(nout, "Layer: nout")
        _check_size(nin, [nout], f"Layer({nin}, {nout})")
        self.activation = _check_activation(activation, "Layer")
        rng = make_rng(seed)
        prefix = f"{name}." if name else ""
        self.neurons = [Neuron(nin, activation, rng, f"{prefix}neuron{j}", init)
                        for j in range(1, nout + 1)]

    def __call__(self, x):
        out = self.forward(x)
        return out[0] if len(out) == 1 else out

    def forward(self, x):
        """The outputs as a list, whatever their number."""
        _check_inputs(x, len(self.neurons[0].w), "Layer")
        return self._forward(x)

    def _forward(self, x):
        """forward without checking `x` (MLP checks its input once, at the first layer)."""
        # Plain numbers become constant leaves once, shared by all the neurons.
        x = [v if isinstance(v, Value) else Value(v) for v in x]
        return [n._forward(x) for n in self.neurons]

    def named_parameters(self):
        return {f"neuron{j}.{name}": p
                for j, n in enumerate(self.neurons, 1)
                for name, p in n.named_parameters().items()}

    def __repr__(self):
        return f"Layer({len(self.neurons[0].w)}, {len(self.neurons)}, " \
               f"activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: `nin` inputs, then one layer per entry of `nouts`.

    Hidden layers use `activation`, the last layer `output_activation`; the
    default (ReLU hidden layers, linear output) is micrograd's MLP. Calling the
    model returns a Value when the last layer has one neuron, else a list.
    Parameters are labelled ``layer1.neuron3.w2`` / ``layer1.neuron3.b``,
    numbered from 1. The same `seed` (an int) gives the same weights; None
    draws from Python's global `random` module in micrograd's order (layer by
    layer, neuron by neuron, each neuron's weights uniform(−1, 1) and then its
    bias 0), so ``random.seed(1337); MLP(2, [16, 16, 1])`` has micrograd's weights.
    `init` is how the weights start (see `Neuron`): "uniform" in [−1, 1], or
    "fan_in" in [−1/√nin, 1/√nin] for layers of many inputs.

    A classifier of k classes has k linear outputs, its logits (train it with
    `nn.cross_entropy`); `predict` gives the class, the index of the largest,
    and `classes` may name the classes (`nn.save` keeps the names).

    >>> model = MLP(2, [16, 16, 1], seed=0)
    >>> len(model.parameters())   # (2+1)·16 + (16+1)·16 + (16+1)·1
    337
    """

    def __init__(self, nin, nouts, activation="relu", output_activation="linear", seed=None,
                 init="uniform"):
        nin = _check_count(nin, "MLP: nin")
        if isinstance(nouts, (str, bytes, Mapping, Set)) or not hasattr(nouts, "__iter__"):
            raise ValueError(f"MLP: nouts must be a list of layer sizes, got {nouts!r:.60}")
        # Every layer has at least 2 parameters, so more layers than this are too many
        # (and an endless iterable is not read forever).
        nouts = list(itertools.islice(nouts, MAX_PARAMETERS // 2 + 1))
        if not nouts:
            raise ValueError("MLP: nouts is empty; give at least one layer size, e.g. [1]")
        if len(nouts) > MAX_PARAMETERS // 2:
            raise ValueError(f"MLP: more than {MAX_PARAMETERS // 2:,} layers would have more "
                             f"than MAX_PARAMETERS = {MAX_PARAMETERS:,} parameters")
        nouts = [_check_count(n, "MLP: every layer size in nouts") for n in nouts]
        shown = reprlib.repr(nouts)  # a long list is shortened in the message
        _check_size(nin, nouts, f"MLP({nin}, {shown})")
        self.nin = nin
        self.nouts = nouts
        #: The classes' names, class 0 first, if you give them (`nn.save` keeps them).
        self.classes = None
        self.activation = _check_activation(activation, "MLP")
        self.output_activation = _check_activation(output_activation, "MLP output")
        init = _check_init(init, "MLP")
        rng = make_rng(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1],
                             output_activation if i == last else activation,
                             rng, f"layer{i + 1}", init)
                       for i in range(len(nouts))]

    def __call__(self, x):
        _check_inputs(x, self.nin, "MLP")
        for layer in self.layers:
            x = layer._forward(x)  # each layer's output fits the next: no need to check again
        return x[0] if len(x) == 1 else x

    def outputs(self, rows):
        """The outputs for many input rows on plain floats, without building graphs.

        Returns one float per row when the last layer has one neuron, else one
        list per row (the k logits of a classifier); the numbers equal
        ``model(row).data`` exactly.
        """
        return self._outputs(rows, "MLP.outputs")

    def predict(self, rows):
        """The prediction for each row: the class of a k-output classifier, else the output.

        With k > 1 outputs, the class is the index of the largest output (argmax;
        the first of equal ones), an int from 0 to k − 1. With one output, the
        output itself (a float, as `outputs` gives it), to compare with the
        threshold of the loss it was trained with (see `nn.train.default_threshold`).

        >>> MLP(2, [3], seed=0).predict([[0.5, -1.0], [2.0, 1.0]])   # 3 classes
        [1, 0]
        """
        out = self._outputs(rows, "MLP.predict")
        if self.nouts[-1] == 1:
            return out
        return [max(range(len(z)), key=z.__getitem__) for z in out]

    def _outputs(self, rows, what):
        # Read the weights once; then each neuron is Z = W·a + b and g(Z) on floats,
        # summed in the same order as `dot`, so the results agree to the last bit.
        layers = [([[w.data for w in n.w] for n in layer.neurons],
                   [n.b.data for n in layer.neurons], layer.activation)
                  for layer in self.layers]
        if isinstance(rows, (str, bytes, Value, Mapping, Set)) or not hasattr(rows, "__iter__"):
            raise TypeError(f"{what}: expected a list of rows, got {type(rows).__name__}")
        out = []
        for i, row in enumerate(rows):
            _check_inputs(row, self.nin, f"{what}: row {i}")
            try:
                x = [_input(v) for v in row]
            except (TypeError, ValueError) as error:
                raise type(error)(f"{what}: row {i}: {error}") from None
            for weights, biases, activation in layers:
                x = [sum(map(float.__mul__, w, x)) + b for w, b in zip(weights, biases)]
                if activation != "linear":
                    x = list(map(_ACTIVATE[activation], x))
            out.append(x[0] if len(x) == 1 else x)
        return out

    def named_parameters(self):
        return {f"layer{i}.{name}": p
                for i, layer in enumerate(self.layers, 1)
                for name, p in layer.named_parameters().items()}

    def to_torch(self):
        """The same network as a `torch.nn.Module` (needs PyTorch)."""
        from nn.torch_bridge import to_torch
        return to_torch(self)

    def __repr__(self):
        return (f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
                f"output_activation={self.output_activation!r})")


def _input(v):
    """An input number as a float, refused as model() refuses it (a bool, a str, ...)."""
    if type(v) is float:
        return v
    return v.data if isinstance(v, Value) else Value(v).data  # the engine's checks


# The activations on floats, for `MLP.predict`: the engine's own forward functions.
_ACTIVATE = {p.name: p.forward for p in FUNCTIONS}
