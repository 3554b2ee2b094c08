"""A way out: the same MLP as a PyTorch module, with the same weights.

>>> from nn import MLP
>>> model = MLP(2, [16, 16, 1], seed=0)
>>> net = model.to_torch()            # needs PyTorch: `pip install torch`
>>> net                               # doctest: +SKIP
Sequential(
  (0): Linear(in_features=2, out_features=16, bias=True)
  (1): ReLU()
  (2): Linear(in_features=16, out_features=16, bias=True)
  (3): ReLU()
  (4): Linear(in_features=16, out_features=1, bias=True)
)

The torch network computes in float64, as plaingrad does, so its outputs and
gradients equal plaingrad's up to rounding (the sums run in another order).
Weights are copied: training one network does not change the other.
"""

from autograd.ops import FUNCTIONS

__all__ = ["to_torch"]


def _import_torch():
    try:
        import torch
    except ImportError:
        raise ImportError("MLP.to_torch needs PyTorch: pip install torch (in a clone of "
                          "plaingrad, `make test` installs it)") from None
    return torch


def _torch_module(torch, path):
    """The torch module of a primitive's `torch` name: torch.nn.Tanh, or a function wrapped."""
    found = torch
    for part in path.split(".")[1:]:
        found = getattr(found, part)
    if isinstance(found, type) and issubclass(found, torch.nn.Module):
        return found
    name = path.rsplit(".", 1)[-1]

    class Elementwise(torch.nn.Module):
        def forward(self, x):
            return found(x)

        def extra_repr(self):
            return name

    return Elementwise


def to_torch(mlp):
    """An equivalent `torch.nn.Sequential` (Linear + activation per layer, float64).

    Neuron j of a layer becomes row j of the Linear's weight matrix W (so
    Z = W·a + b as in the lecture); a "linear" layer gets no activation module.
    """
    torch = _import_torch()
    activations = {p.name: _torch_module(torch, p.torch) for p in FUNCTIONS}
    activations["linear"] = None
    modules = []
    for i, layer in enumerate(mlp.layers, 1):
        kinds = {layer.activation, *(neuron.activation for neuron in layer.neurons)}
        if len(kinds) != 1 or layer.activation not in activations:
            raise ValueError(f"to_torch: layer {i} has activation(s) {sorted(kinds)}; "
                             f"torch layers need one of {', '.join(activations)}")
        nin = len(layer.neurons[0].w)
        if any(len(neuron.w) != nin for neuron in layer.neurons):
            raise ValueError(f"to_torch: the neurons of layer {i} differ in size")
        linear = torch.nn.Linear(nin, len(layer.neurons), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in neuron.w]
                                              for neuron in layer.neurons], dtype=torch.float64))
            linear.bias.copy_(torch.tensor([neuron.b.data for neuron in layer.neurons],
                                           dtype=torch.float64))
        modules.append(linear)
        if activations[layer.activation] is not None:
            modules.append(activations[layer.activation]())
    return torch.nn.Sequential(*modules)
