"""PyTorch in float64 as an independent oracle for values and gradients.

Random formulas (every op of the engine) are computed by plaingrad and, through
a small translator op by op, by torch.autograd; then an nn.MLP is compared with
the same network written directly in torch from the model's weights.
"""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value
from autograd.engine import topological_order
from autograd.strategies import expressions, points

torch = pytest.importorskip(
    "torch", reason="the PyTorch oracle needs torch: pip install torch (make test does)")

from nn import MLP  # noqa: E402  (after the skip, so a missing torch skips cleanly)

XYZ = ("x", "y", "z")
F64 = torch.float64

# The same mathematics written with torch's own functions (not plaingrad's
# formulas): softplus as logaddexp(x, 0), which, unlike torch's softplus, does
# not switch to the identity above x = 20.
UNARY = {
    "exp": torch.exp, "log": torch.log, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
    "relu": torch.relu, "neg": torch.neg, "sin": torch.sin, "cos": torch.cos,
    "softplus": lambda t: torch.logaddexp(t, torch.zeros((), dtype=F64)),
}
BINARY = {"+": torch.add, "-": torch.sub, "*": torch.mul, "/": torch.div, "pow": torch.pow}


def to_torch(formula, env):
    """Compute a strategies.Formula with torch tensors; env maps names to tensors."""
    op, args = formula.op, formula.args
    if op == "var":
        return env[args[0]]
    if op == "const":
        return torch.tensor(args[0], dtype=F64)
    if op == "**":
        return torch.pow(to_torch(args[0], env), args[1])
    if op in UNARY:
        return UNARY[op](to_torch(args[0], env))
    if op in BINARY:
        return BINARY[op](to_torch(args[0], env), to_torch(args[1], env))
    terms = torch.stack([to_torch(a, env) for a in args])
    if op == "total":
        return terms.sum()
    if op == "dot":
        n = len(args) // 2
        return torch.dot(terms[:n], terms[n:])
    raise AssertionError(f"no torch translation for {op!r}")


def assert_close(ours, theirs, what):
    # 1e-9 relative, with a floor for results that are (nearly) 0 after cancellation
    assert math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12), (what, ours, theirs)


@settings(max_examples=200)
@given(expressions(XYZ, max_depth=5), points(XYZ))
def test_formulas_match_torch(formula, point):
    leaves = [Value(x) for x in point.values()]
    out = formula(leaves)
    out.backward()

    tensors = {name: torch.tensor(x, dtype=F64, requires_grad=True)
               for name, x in point.items()}
    reference = to_torch(formula, tensors)
    if reference.requires_grad:
        grads = torch.autograd.grad(reference, list(tensors.values()), allow_unused=True)
    else:  # a formula of constants only
        grads = [None] * len(tensors)

    assert_close(out.data, reference.item(), "value")
    expected = [0.0 if g is None else g.item() for g in grads]
    for name, leaf, g in zip(XYZ, leaves, expected):
        assert_close(leaf.grad, g, f"d/d{name}")
    # ~40% of formulas are constants or flat at the point: checked above, but only
    # examples where torch finds a gradient count towards max_examples.
    assume(any(g != 0 for g in expected))


finite = st.floats(allow_nan=False, allow_infinity=False)


@given(finite, finite.filter(lambda b: b != 0), st.booleans())
def test_division_matches_torch_over_all_floats(a, b, number_divisor):
    # Subnormal and huge operands included: a / b is one float division, not a · b⁻¹.
    x, d = Value(a), Value(b)
    y = x / (b if number_divisor else d)
    y.backward()
    ta, tb = (torch.tensor(v, dtype=F64, requires_grad=True) for v in (a, b))
    (ta / tb).backward()
    assert y.data == (ta / tb).item()  # bit for bit: both are IEEE division
    assert x.grad == ta.grad.item()
    if not number_divisor:  # -a/b², overflowing or underflowing only where torch's does
        theirs = tb.grad.item()
        assert d.grad == theirs or math.isclose(d.grad, theirs, rel_tol=1e-12), (d.grad, theirs)


@given(finite, finite.filter(lambda b: b != 0), st.floats(-1e6, 1e6).filter(lambda u: u != 0))
def test_division_gradients_match_torch_under_any_upstream_gradient(a, b, u):
    # The engine stores ∂(a/b)/∂a = 1/b and multiplies it by the upstream gradient u;
    # torch divides u by b: one rounding more here, so up to 2 ulp apart, and a 1/b that
    # overflows (|b| < 5.6e-309) is inf here (documented), not checked.
    assume(math.isfinite(1 / b))
    x, d = Value(a), Value(b)
    ((x / d) * u).backward()
    ta, tb = (torch.tensor(v, dtype=F64, requires_grad=True) for v in (a, b))
    (ta / tb * u).backward()
    theirs = ta.grad.item()
    assert x.grad == theirs or math.isclose(x.grad, theirs, rel_tol=5e-16), (x.grad, theirs)
    theirs = tb.grad.item()
    assert d.grad == theirs or math.isclose(d.grad, theirs, rel_tol=5e-16), (d.grad, theirs)


def test_translator_on_a_known_formula():
    # a closed form for the oracle itself: d/dx log(1 + e^(x·y)) = y·σ(x·y)
    x = torch.tensor(1.5, dtype=F64, requires_grad=True)
    y = torch.tensor(-2.0, dtype=F64)
    t = UNARY["softplus"](x * y)
    t.backward()
    assert math.isclose(x.grad.item(), -2.0 / (1 + math.exp(3.0)), rel_tol=1e-15)


def torch_forward(model, x):
    """model's network written in torch from its weights: a ← g(W·a + b), layer by layer."""
    activation = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
                  "linear": lambda z: z}
    params, a = [], x
    for layer in model.layers:
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=F64,
                         requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=F64, requires_grad=True)
        params.append((W, b))
        a = activation[layer.activation](W @ a + b)
    return a, params


@settings(max_examples=30)
@given(st.sampled_from(["relu", "tanh", "sigmoid"]),
       st.sampled_from(["linear", "sigmoid", "tanh"]),
       st.sampled_from([[1], [4, 1], [5, 3], [8, 8, 2]]),
       st.integers(0, 2**16),
       st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_mlp_forward_and_backward_match_torch(activation, output_activation, nouts, seed, x):
    model = MLP(3, nouts, activation=activation, output_activation=output_activation, seed=seed)
    inputs = [Value(v) for v in x]
    out = model(inputs)
    outs = out if isinstance(out, list) else [out]
    # a loss that weighs each output differently, so every output's gradient matters
    loss = sum((k + 1) * o for k, o in enumerate(outs))
    loss.backward()

    # what the arguments ask for, not read back from the model
    assert [layer.activation for layer in model.layers] == \
        [activation] * (len(nouts) - 1) + [output_activation]
    assert [len(layer.neurons) for layer in model.layers] == nouts

    x_t = torch.tensor(x, dtype=F64, requires_grad=True)
    out_t, params = torch_forward(model, x_t)
    assert len(outs) == len(out_t) == nouts[-1]  # zip below must not cut one short
    loss_t = (out_t * torch.arange(1, len(outs) + 1, dtype=F64)).sum()
    loss_t.backward()

    for o, o_t in zip(outs, out_t.tolist()):
        assert_close(o.data, o_t, "output")
    for layer, (W, b) in zip(model.layers, params):
        for j, neuron in enumerate(layer.neurons):
            assert_close(neuron.b.grad, b.grad[j].item(), "dJ/db")
            for i, w in enumerate(neuron.w):
                assert_close(w.grad, W.grad[j, i].item(), "dJ/dW")
    for v, g in zip(inputs, x_t.grad.tolist()):
        assert_close(v.grad, g, "dJ/dx")


# ----- second derivatives: autograd.gradients(create_graph=True) against torch -----

@settings(max_examples=100)
@given(expressions(XYZ, max_depth=4), points(XYZ))
def test_hessians_of_formulas_match_torch(formula, point):
    from autograd import hessian

    # torch's a ** b passes ∂/∂a = 0 where b == 0 (a `where` on the exponent, pytorch
    # PR #8945), which cuts ∂²/∂a∂b = a^(b-1) there: a Value exponent of exactly 0 is
    # left to tests/test_functional.py's closed forms.
    nodes = topological_order(formula(list(point.values())))
    assume(not any(node.op == "**" and node.b is not None and node.b.data == 0
                   for node in nodes))
    # Where tanh or σ nears ±1, the Value rules 1 - tanh² and σ(1 - σ) are accurate in
    # absolute terms only (autograd.functional's docstring), as are torch's, which round
    # differently: there the floor is absolute, 1e-9 of the largest entry.
    saturated = any(node.op == "tanh" and abs(node.a.data) > 5 or
                    node.op in ("sigmoid", "softplus") and node.a.data > 10 for node in nodes)
    ours = hessian(lambda *v: formula(list(v)))(*point.values())
    inputs = tuple(torch.tensor(x, dtype=F64) for x in point.values())
    theirs = torch.autograd.functional.hessian(
        lambda *t: to_torch(formula, dict(zip(XYZ, t))), inputs)
    scale = max(1.0, *(abs(h.item()) for row in theirs for h in row))
    for i in range(3):
        for j in range(3):
            # 1e-9 relative, with a floor relative to the largest entry for entries
            # that cancel to (nearly) 0
            assert math.isclose(ours[i][j], theirs[i][j].item(), rel_tol=1e-9,
                                abs_tol=(1e-9 if saturated else 1e-12) * scale), \
                (i, j, ours, theirs)
    assume(any(h.item() != 0 for row in theirs for h in row))


@pytest.mark.parametrize("loss", ["bce", "bce_with_logits"])
def test_hessian_of_an_mlps_cost_with_respect_to_its_weights_matches_torch(loss):
    from autograd import gradients
    from nn.losses import get_loss

    output = "sigmoid" if loss == "bce" else "linear"
    model = MLP(2, [3, 1], activation="tanh", output_activation=output, seed=3)
    X = [[0.5, -1.0], [-0.3, 0.8], [1.2, 0.1], [-1.5, -0.4]]
    y = [1.0, 0.0, 1.0, 0.0]
    params = model.parameters()
    J = get_loss(loss)([model(row) for row in X], y)
    first = gradients(J, params, create_graph=True)
    ours = [gradients(g, params) for g in first]

    # The same network and cost written in torch, from a flat vector of the weights in
    # the order of model.parameters() (each neuron's w1..wn, then its b).
    def cost(theta):
        k, a = 0, torch.tensor(X, dtype=F64).T  # (inputs, samples)
        for layer in model.layers:
            rows, biases = [], []
            for neuron in layer.neurons:
                n = len(neuron.w)
                rows.append(theta[k:k + n])
                biases.append(theta[k + n])
                k += n + 1
            z = torch.stack(rows) @ a + torch.stack(biases)[:, None]
            a = torch.tanh(z) if layer.activation == "tanh" else (
                torch.sigmoid(z) if layer.activation == "sigmoid" else z)
        out, t = a[0], torch.tensor(y, dtype=F64)
        if loss == "bce":
            return -(t * torch.log(out) + (1 - t) * torch.log(1 - out)).mean()
        return torch.nn.functional.binary_cross_entropy_with_logits(out, t)

    theta = torch.tensor([p.data for p in params], dtype=F64)
    assert math.isclose(J.data, cost(theta).item(), rel_tol=1e-12)
    theirs = torch.autograd.functional.hessian(cost, theta)
    assert len(ours) == theirs.shape[0] == 13
    for i in range(13):
        for j in range(13):
            assert math.isclose(ours[i][j], theirs[i, j].item(), rel_tol=1e-9, abs_tol=1e-14), \
                (params[i].label, params[j].label, ours[i][j], theirs[i, j].item())
