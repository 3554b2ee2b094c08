"""nn.torch_bridge.to_torch / MLP.to_torch: the same network, same numbers, in PyTorch."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import Value
from nn import MLP
from nn.torch_bridge import to_torch

torch = pytest.importorskip(
    "torch", reason="MLP.to_torch needs torch: pip install torch")


def assert_equal(ours, theirs, what):
    # Same float64 numbers summed in another order: equal to 1e-12.
    assert abs(ours - theirs) <= 1e-12 * max(1.0, abs(ours), abs(theirs)), (what, ours, theirs)


def test_structure_weights_and_dtype():
    model = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=1)
    net = model.to_torch()
    assert isinstance(net, torch.nn.Sequential)
    assert [type(m) for m in net] == [torch.nn.Linear, torch.nn.Tanh,
                                      torch.nn.Linear, torch.nn.Sigmoid]
    for linear, layer in zip([net[0], net[2]], model.layers):
        assert linear.weight.dtype == torch.float64
        assert linear.weight.tolist() == [[w.data for w in n.w] for n in layer.neurons]
        assert linear.bias.tolist() == [n.b.data for n in layer.neurons]


def test_linear_layers_get_no_activation_module():
    net = to_torch(MLP(2, [3, 1], activation="relu", seed=0))
    assert [type(m) for m in net] == [torch.nn.Linear, torch.nn.ReLU, torch.nn.Linear]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
@pytest.mark.parametrize("output_activation", ["linear", "sigmoid", "tanh"])
@pytest.mark.parametrize("nouts", [[1], [5, 1], [6, 6, 3]])
def test_outputs_and_gradients_are_equal(activation, output_activation, nouts):
    model = MLP(3, nouts, activation=activation, output_activation=output_activation, seed=7)
    net = model.to_torch()
    for row in ([0.5, -1.0, 2.0], [-1.5, 0.25, 0.75]):
        model.zero_grad()
        net.zero_grad()
        inputs = [Value(v) for v in row]
        out = model(inputs)
        outs = out if isinstance(out, list) else [out]
        loss = sum((k + 1) * o * o for k, o in enumerate(outs))  # J = Σ (k+1)·ŷ_k²
        loss.backward()

        x = torch.tensor(row, dtype=torch.float64, requires_grad=True)
        out_t = net(x)
        loss_t = (torch.arange(1, len(outs) + 1, dtype=torch.float64) * out_t ** 2).sum()
        loss_t.backward()

        for o, o_t in zip(outs, out_t.tolist()):
            assert_equal(o.data, o_t, "output")
        for v, g in zip(inputs, x.grad.tolist()):
            assert_equal(v.grad, g, "dJ/dx")
        linears = [m for m in net if isinstance(m, torch.nn.Linear)]
        for linear, layer in zip(linears, model.layers):
            for j, neuron in enumerate(layer.neurons):
                assert_equal(neuron.b.grad, linear.bias.grad[j].item(), "dJ/db")
                for i, w in enumerate(neuron.w):
                    assert_equal(w.grad, linear.weight.grad[j, i].item(), "dJ/dW")


def test_weights_are_copied_not_shared():
    model = MLP(2, [2, 1], seed=3)
    net = model.to_torch()
    before = model.layers[0].neurons[0].w[0].data
    with torch.no_grad():
        net[0].weight.add_(1.0)
    assert model.layers[0].neurons[0].w[0].data == before
    model.layers[0].neurons[0].w[0].data += 5.0
    assert net[0].weight[0, 0].item() == before + 1.0


def test_a_layer_with_mixed_activations_is_refused():
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    model.layers[0].neurons[1].activation = "relu"  # hand-edited: not one torch module
    with pytest.raises(ValueError, match=r"layer 1 has activation\(s\) \['relu', 'tanh'\]"):
        to_torch(model)


def test_without_torch_the_error_says_what_to_install():
    code = ("import sys; sys.modules['torch'] = None\n"  # makes `import torch` fail
            "from nn import MLP\n"
            "try:\n"
            "    MLP(2, [1], seed=0).to_torch()\n"
            "except ImportError as e:\n"
            "    print(e)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).parents[1])
    assert "MLP.to_torch needs PyTorch: pip install torch" in result.stdout


def test_a_k_class_model_exports_its_logits_cost_and_gradients():
    from nn import cross_entropy

    model = MLP(4, [6, 5], seed=2)
    X = [[0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, 1.0], [-2.0, 0.0, 0.5, -1.0]]
    y = [4, 0, 2]
    J = cross_entropy([model(x) for x in X], y)
    J.backward()
    net = model.to_torch()
    logits = net(torch.tensor(X, dtype=torch.float64))
    assert logits.argmax(dim=1).tolist() == model.predict(X)
    for row, out in zip(logits.tolist(), model.outputs(X)):
        for a, b in zip(out, row):
            assert_equal(a, b, "logit")
    L = torch.nn.functional.cross_entropy(logits, torch.tensor(y))
    L.backward()
    assert_equal(J.data, L.item(), "cost")
    for linear, layer in zip([net[0], net[2]], model.layers):
        for n, grads in zip(layer.neurons, linear.weight.grad.tolist()):
            for w, g in zip(n.w, grads):
                assert_equal(w.grad, g, "dJ/dw")


def test_without_torch_the_docstring_example_skips_saying_why():
    # The module's example needs torch: a checkout without it skips it (conftest.py).
    code = ("import sys; sys.modules['torch'] = None\n"  # makes `import torch` fail
            "import pytest\n"
            "sys.exit(pytest.main(['-q', '-rs', '-p', 'no:cacheprovider', "
            "'nn/torch_bridge.py']))\n")
    # Not as CI: there a missing oracle is an error (conftest.py), and here torch is missing.
    env = {name: value for name, value in os.environ.items() if name != "CI"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).parents[1], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "nn.torch_bridge's examples need torch, which is not installed" in result.stdout
