"""A program written for micrograd gives the same numbers with `from autograd import Value`."""

import random

import pytest

micrograd_engine = pytest.importorskip(
    "micrograd.engine", reason="micrograd (dev extra) is not installed"
)


def sanity_program(Value):
    # micrograd's own test_sanity_check and test_more_ops, unchanged.
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return [x.data, x.grad, y.data, a.grad, b.grad, g.data]


def training_program(Value):
    # A tiny micrograd-style neuron trained by hand for a few steps.
    rng = random.Random(0)
    w = [Value(rng.uniform(-1, 1)) for _ in range(3)]
    b = Value(0)
    data = [([rng.uniform(-1, 1) for _ in range(3)], rng.choice([-1, 1])) for _ in range(8)]
    trace = []
    for _ in range(5):
        losses = []
        for xs, y in data:
            act = sum((wi * xi for wi, xi in zip(w, xs)), b).relu()
            losses.append((1 + -y * act).relu())
        loss = sum(losses) * (1.0 / len(losses))
        for p in w + [b]:
            p.grad = 0
        loss.backward()
        for p in w + [b]:
            p.data -= 0.1 * p.grad
        trace.append(loss.data)
    return trace + [p.data for p in w + [b]] + [p.grad for p in w + [b]]


@pytest.mark.parametrize("program", [sanity_program, training_program])
def test_same_numbers_as_micrograd(program):
    from autograd import Value

    ours = program(Value)
    theirs = program(micrograd_engine.Value)
    assert ours == pytest.approx(theirs, rel=1e-13, abs=1e-15)


def test_micrograd_names_for_op_and_parents():
    # micrograd's _op and _prev, which its draw_dot and tutorials read. The one
    # difference: a plain number is folded into the op, so it is not in _prev.
    from autograd import Value

    a, b = Value(2.0), Value(3.0)
    for ours, theirs in [(a * b, micrograd_engine.Value(2.0) * micrograd_engine.Value(3.0)),
                         (a ** 2, micrograd_engine.Value(2.0) ** 2),
                         ((a + b).relu(), (micrograd_engine.Value(2.0) + 3.0).relu())]:
        assert ours._op == theirs._op
    assert (a * b)._prev == {a, b} and (a ** 2)._prev == {a} and (a + 1)._prev == {a}


# ----- the lecture's by-hand backpropagation, with micrograd's constructor -----

def test_the_lecture_walks_backward_by_hand():
    # micrograd's "spelled-out intro": Value(data, (children), 'op', label=...), then
    # o.grad = 1 and each node's _backward(), root first.
    import math

    from autograd import Value
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    o.grad = 1.0
    for node in (o, n, x1w1x2w2, x1w1, x2w2):
        node._backward()
    assert math.isclose(n.grad, 1 - o.data ** 2)          # 0.5 in the lecture
    assert math.isclose(x1.grad, w1.data * 0.5, rel_tol=1e-9)  # -1.5
    assert math.isclose(w1.grad, x1.data * 0.5, rel_tol=1e-9)  # 1.0
    assert math.isclose(x2.grad, w2.data * 0.5, rel_tol=1e-9) and w2.grad == 0.0
    # ... and backward() does the same walk in one call
    for v in (x1, x2, w1, w2, b):
        v.grad = 0.0
    o.backward()
    assert math.isclose(x1.grad, -1.5, rel_tol=1e-9) and math.isclose(w1.grad, 1.0, rel_tol=1e-9)


def test_micrograds_constructor_arguments_are_accepted():
    from autograd import Value
    a = Value(2.0, (), "", label="a")
    assert a.label == "a" and a.parents == () and a.op == ""
    assert Value(3.0, label="b").label == "b"


def add_tanh_yourself(Value):
    # The lecture's exercise: an op written micrograd's way, its _backward a closure.
    import math

    def tanh(self):
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward
        return out

    x, w = Value(0.8), Value(-1.7)
    y = tanh(x * w + 1.0) * x
    y.backward()
    return [y.data, x.grad, w.grad]


def test_an_op_written_micrograds_way_works():
    from autograd import Value
    ours = add_tanh_yourself(Value)
    theirs = add_tanh_yourself(micrograd_engine.Value)
    assert ours == pytest.approx(theirs, rel=1e-12)
    x, w = Value(0.8), Value(-1.7)  # and it equals plaingrad's own tanh
    y = (x * w + 1.0).tanh() * x
    y.backward()
    assert ours == pytest.approx([y.data, x.grad, w.grad], rel=1e-12)


def test_assigning_a_chain_rule_to_a_plaingrad_node_says_how_to_add_an_op():
    from autograd import Value
    out = Value(1.0) * 2
    with pytest.raises(AttributeError, match="autograd/ops.py"):
        out._backward = lambda: None


def test_a_micrograd_node_refuses_a_child_that_is_not_a_value():
    from autograd import Value
    with pytest.raises(TypeError, match="child is a float"):
        Value(1.0, (2.0,), "+")


def test_a_micrograd_node_is_drawn_and_explain_says_why_it_cannot_show_it():
    from autograd import Value, explain
    from viz import to_dot
    x = Value(0.5, label="x")
    out = Value(x.data * 2, (x,), "double", label="y")
    out._backward = lambda: None
    assert "double" in to_dot(out)
    with pytest.raises(TypeError, match="made micrograd's way.*autograd/ops.py"):
        explain(out)
