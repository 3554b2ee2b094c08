"""Every op's gradient against a central finite difference, over its whole valid domain."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, dot, total


def central_difference(f, x, h=1e-6):
    """(f(x+h) - f(x-h)) / 2h on plain floats: error O(h²), independent of the engine."""
    h = h * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2 * h)


def check(op, x):
    v = Value(x)
    op(v).backward()
    numeric = central_difference(lambda t: op(Value(t)).data, x)
    assert v.grad == pytest.approx(numeric, rel=1e-5, abs=1e-6), (x, v.grad, numeric)


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


# Domains keep clear of kinks (relu at 0), poles (1/x, log at 0) and overflow.
ANYWHERE = floats(-20, 20)
POSITIVE = floats(1e-2, 50)
AWAY_FROM_ZERO = floats(-50, 50).filter(lambda x: abs(x) > 1e-2)


@given(ANYWHERE, floats(-10, 10))
def test_add_mul_sub(x, c):
    check(lambda v: v + c, x)
    check(lambda v: c + v, x)
    check(lambda v: v * c, x)
    check(lambda v: c * v, x)
    check(lambda v: v - c, x)
    check(lambda v: c - v, x)
    check(lambda v: -v, x)
    check(lambda v: v * v, x)


@given(AWAY_FROM_ZERO, floats(-10, 10))
def test_division(x, c):
    check(lambda v: c / v, x)
    check(lambda v: v / x, x)


@given(AWAY_FROM_ZERO, st.integers(-4, 5))
def test_integer_powers_anywhere(x, p):
    check(lambda v: v**p, x)


@given(POSITIVE, floats(-3, 3))
def test_real_powers_of_positive_base(x, p):
    check(lambda v: v**p, x)


@given(floats(-30, 30))
def test_exp(x):
    check(lambda v: v.exp(), x)


@given(POSITIVE)
def test_log(x):
    check(lambda v: v.log(), x)


@given(ANYWHERE)
def test_tanh_sigmoid_softplus(x):
    check(lambda v: v.tanh(), x)
    check(lambda v: v.sigmoid(), x)
    check(lambda v: v.softplus(), x)


@given(AWAY_FROM_ZERO)
def test_relu(x):
    check(lambda v: v.relu(), x)


@given(floats(0.1, 10), floats(-3, 3))
def test_value_powers(base, exponent):
    check(lambda v: v ** Value(exponent), base)
    check(lambda v: Value(base) ** v, exponent)
    check(lambda v: base**v, exponent)


@given(st.lists(floats(-5, 5), min_size=1, max_size=8), st.data())
def test_n_ary_sum_and_dot(xs, data):
    ws = data.draw(st.lists(floats(-5, 5), min_size=len(xs), max_size=len(xs)))
    for i in range(len(xs)):
        def f(v, i=i):
            inputs = [v if j == i else x for j, x in enumerate(xs)]
            return (dot(ws, inputs) + total(inputs)).tanh()
        check(f, xs[i])


@given(floats(-3, 3), floats(-3, 3))
def test_composite_matches_closed_form_two_variables(a, b):
    # f(a, b) = sigmoid(a·b) · exp(b) - a²: partials by hand.
    x, y = Value(a), Value(b)
    f = (x * y).sigmoid() * y.exp() - x**2
    f.backward()
    s = 1 / (1 + math.exp(-a * b))
    ds = s * (1 - s)
    assert x.grad == pytest.approx(ds * b * math.exp(b) - 2 * a, rel=1e-9, abs=1e-12)
    assert y.grad == pytest.approx(ds * a * math.exp(b) + s * math.exp(b), rel=1e-9, abs=1e-12)


# A number operand is folded into its op (one node, no leaf for the number). The
# numbers must be exactly those of the same number given as a Value leaf.
FOLDED_AND_LEAF = {
    "x + c": lambda x, c: x + c,
    "c + x": lambda x, c: c + x,
    "x - c": lambda x, c: x - c,
    "c - x": lambda x, c: c - x,
    "x * c": lambda x, c: x * c,
    "c * x": lambda x, c: c * x,
    "x / c": lambda x, c: x / c,
    "c / x": lambda x, c: c / x,
    "c ** x": lambda x, c: c ** x,
    "tanh(x * c + c) / c": lambda x, c: (x * c + c).tanh() / c,
}


def leaves(root):
    found, stack = set(), [root]
    while stack:
        node = stack.pop()
        if not node.parents:
            found.add(node)
        stack.extend(node.parents)
    return found


@pytest.mark.parametrize("name", FOLDED_AND_LEAF)
@given(x=floats(-50, 50).filter(lambda x: x != 0),
       c=st.floats(1e-300, 1e300).flatmap(lambda m: st.sampled_from([m, -m])))
def test_a_folded_number_gives_the_numbers_of_a_constant_leaf(name, x, c):
    f = FOLDED_AND_LEAF[name]
    if name.startswith("c **"):
        c = abs(c)  # a Value exponent needs a positive base
    folded_x, leaf_x, leaf_c = Value(x), Value(x), Value(c)
    folded, leaf = f(folded_x, c), f(leaf_x, leaf_c)
    if name in ("c / x", "c ** x"):  # the forms whose number becomes a leaf (on the left)
        assert {v.data for v in leaves(folded) - {folded_x}} == {c}
    else:
        assert leaves(folded) == {folded_x}
    assert leaves(leaf) == {leaf_x, leaf_c}
    assert math.isnan(folded.data) == math.isnan(leaf.data)
    if not math.isnan(leaf.data):
        assert folded.data == leaf.data  # bit for bit
        folded.backward()
        leaf.backward()
        assert folded_x.grad == leaf_x.grad or math.isnan(folded_x.grad) and math.isnan(leaf_x.grad)
