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
