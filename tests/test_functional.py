"""gradients, grad, hessian, no_grad and detach, against closed forms.

Every primitive's second and third derivatives are checked over its domain against
the textbook formulas; tanh to the sixth order against its polynomial in tanh. The
oracles in PyTorch (random formulas, an MLP's cost) are in tests/test_oracle_torch.py.
"""

import gc
import math
import sys
import threading
import tracemalloc
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import SumValue, Value, dot, explain, grad, gradients, hessian, total
from autograd.functional import is_grad_enabled, no_grad
from autograd.ops import PRIMITIVES, sigmoid
from autograd.strategies import expressions, points

XY = ("x", "y")
ULP = 2.0 ** -52  # the spacing of floats at 1


def close(ours, truth, rel=1e-12, abs_=1e-300):
    return math.isclose(ours, truth, rel_tol=rel, abs_tol=abs_)


def derivatives(f, x, order):
    """[f(x), f'(x), ..., f^(order)(x)] by `gradients` with create_graph, from one leaf."""
    leaf = Value(x)
    out = [f(leaf)]
    for _ in range(order):
        (d,) = gradients(out[-1], [leaf], create_graph=True)
        out.append(d)
    return [v.data for v in out]


def sech2(x):
    """1 - tanh(x)², computed without cancellation: 4e/(1 + e)², e = e^(-2|x|)."""
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / (1.0 + e) ** 2


def sigmoid_slope(x):
    """σ'(x) = σ(x)·σ(-x), without cancellation."""
    return sigmoid(x) * sigmoid(-x)


# ----- second and third derivatives of each function, over its domain -----

# name: (domain of x, [f'', f''']) in closed form, written with stable helpers.
FUNCTION_TRUTHS = {
    "exp": (st.floats(-700, 700), [math.exp, math.exp]),
    "log": (st.floats(1e-100, 1e100), [lambda x: -1 / x ** 2, lambda x: 2 / x ** 3]),
    "tanh": (st.floats(-40, 40), [
        lambda x: -2 * math.tanh(x) * sech2(x),
        lambda x: -2 * sech2(x) * (1 - 3 * math.tanh(x) ** 2)]),
    "sigmoid": (st.floats(-40, 40), [
        lambda x: sigmoid_slope(x) * (sigmoid(-x) - sigmoid(x)),
        lambda x: sigmoid_slope(x) * (1 - 6 * sigmoid_slope(x))]),
    "relu": (st.floats(-1e6, 1e6).filter(lambda x: x != 0), [lambda x: 0.0, lambda x: 0.0]),
    "softplus": (st.floats(-40, 40), [
        sigmoid_slope, lambda x: sigmoid_slope(x) * (sigmoid(-x) - sigmoid(x))]),
    "sin": (st.floats(-1e4, 1e4), [lambda x: -math.sin(x), lambda x: -math.cos(x)]),
    "cos": (st.floats(-1e4, 1e4), [lambda x: -math.cos(x), lambda x: math.sin(x)]),
}
# tanh, σ and softplus: accurate in absolute terms at higher orders (see the docstring of
# autograd.functional); the others relatively.
ABSOLUTE = {"tanh", "sigmoid", "softplus"}


def test_every_function_of_the_table_has_truths_here():
    assert set(FUNCTION_TRUTHS) == {p.name for p in PRIMITIVES if p.arity == 1}


@pytest.mark.parametrize("name", sorted(FUNCTION_TRUTHS))
def test_second_and_third_derivatives_of_each_function(name):
    domain, truths = FUNCTION_TRUTHS[name]

    @settings(max_examples=100)
    @given(domain)
    def check(x):
        values = derivatives(lambda v: getattr(v, name)(), x, 3)
        for order, truth in zip((2, 3), truths):
            if name in ABSOLUTE:
                # to ~ULP times the size of the polynomial in tanh or σ (16 for tanh‴)
                assert abs(values[order] - truth(x)) <= 16 * ULP, (order, x, values, truth(x))
            else:
                assert close(values[order], truth(x), rel=1e-12), (order, x, values, truth(x))

    check()


@settings(max_examples=100)
@given(st.floats(-50, 50), st.floats(-50, 50))
def test_sum_and_product_second_and_third_derivatives(a, b):
    for op, second in (("+", [[0, 0], [0, 0]]), ("*", [[0, 1], [1, 0]])):
        f = (lambda x, y: x + y) if op == "+" else (lambda x, y: x * y)
        assert hessian(f)(a, b) == second
        x, y = Value(a), Value(b)
        for g in gradients(f(x, y), [x, y], create_graph=True):
            for h in gradients(g, [x, y], create_graph=True):
                assert gradients(h, [x, y]) == [0.0, 0.0]  # every third derivative
    # a number folded into the node: x + 3, x * 3
    assert grad(grad(lambda x: x * 3.0))(a) == 0.0 and grad(lambda x: x * 3.0)(a) == 3.0
    assert grad(grad(lambda x: 3.0 - x))(a) == 0.0


nonzero = st.one_of(st.floats(0.01, 100), st.floats(-100, -0.01))


@settings(max_examples=100)
@given(st.floats(-100, 100), nonzero)
def test_quotient_second_and_third_derivatives(a, b):
    # a/b: ∂²/∂a² = 0, ∂²/∂a∂b = -1/b², ∂²/∂b² = 2a/b³; ∂³/∂b³ = -6a/b⁴, ∂³/∂a∂b² = 2/b³
    H = hessian(lambda x, y: x / y)(a, b)
    assert H[0][0] == 0.0
    assert close(H[0][1], -1 / b ** 2) and close(H[1][0], -1 / b ** 2)
    assert close(H[1][1], 2 * a / b ** 3, abs_=1e-12)
    x, y = Value(a), Value(b)
    (dy,) = gradients(x / y, [y], create_graph=True)
    (dyy,) = gradients(dy, [y], create_graph=True)
    dyyx, dyyy = gradients(dyy, [x, y])
    assert close(dyyx, 2 / b ** 3) and close(dyyy, -6 * a / b ** 4, abs_=1e-12)
    # a number on either side: x / 4 is one node with constant 4; 4 / x has a leaf 4
    assert grad(grad(lambda v: v / 4.0))(b) == 0.0
    assert close(grad(grad(lambda v: 4.0 / v))(b), 8 / b ** 3)
    assert close(grad(grad(grad(lambda v: 4.0 / v)))(b), -24 / b ** 4)


@settings(max_examples=100)
@given(st.sampled_from([2.0, 3.0, 1.0, 0.0, -1.0, -2.0, 0.5, -0.5, 1.5, 2.5]),
       st.floats(0.05, 20), st.booleans())
def test_power_with_a_number_exponent(p, a, negative):
    if negative and p.is_integer():
        a = -a  # an integer power is defined for a negative base
    f = lambda x: x ** p  # noqa: E731
    values = derivatives(f, a, 3)
    second, third = p * (p - 1) * a ** (p - 2), p * (p - 1) * (p - 2) * a ** (p - 3)
    for order, truth in ((2, second), (3, third)):
        assert close(values[order], truth, rel=1e-12, abs_=1e-300), (order, p, a, values)


@settings(max_examples=100)
@given(st.floats(0.05, 20), st.floats(-3, 3))
def test_power_with_a_value_exponent(a, b):
    # a^b: ∂²/∂a² = b(b-1)a^(b-2), ∂²/∂a∂b = a^(b-1)(1 + b·log a), ∂²/∂b² = a^b·log²a
    H = hessian(lambda x, y: x ** y)(a, b)
    la = math.log(a)
    assert close(H[0][0], b * (b - 1) * a ** (b - 2), rel=1e-11, abs_=1e-12)
    assert close(H[0][1], a ** (b - 1) * (1 + b * la), rel=1e-11, abs_=1e-12)
    assert close(H[1][0], H[0][1], rel=1e-11, abs_=1e-12)
    assert close(H[1][1], a ** b * la ** 2, rel=1e-11, abs_=1e-12)
    # ∂³/∂b³ = a^b·log³a; and 2 ** x, whose base is a leaf: d³/dx³ = 2^x·log³2
    x, y = Value(a), Value(b)
    (d1,) = gradients(x ** y, [y], create_graph=True)
    (d2,) = gradients(d1, [y], create_graph=True)
    assert close(gradients(d2, [y])[0], a ** b * la ** 3, rel=1e-11, abs_=1e-12)
    assert close(derivatives(lambda v: 2.0 ** v, b, 3)[3], 2 ** b * math.log(2) ** 3)


@settings(max_examples=50)
@given(st.floats(-5, 5), st.floats(-5, 5))
def test_sum_nodes_second_derivatives(a, b):
    # dot([x, y], [y, x]) = 2xy; total([x·x, x·y, 3]) = x² + xy + 3
    assert hessian(lambda x, y: dot([x, y], [y, x]))(a, b) == [[0.0, 2.0], [2.0, 0.0]]
    assert hessian(lambda x, y: total([x * x, x * y, 3.0]))(a, b) == [[2.0, 1.0], [1.0, 0.0]]
    assert isinstance(dot([Value(a)], [Value(b)]), SumValue)


# ----- tanh to the sixth order -----

# The derivatives of tanh as polynomials in t = tanh(x) (from d/dx t = 1 - t²).
TANH_DERIVATIVES = [
    [1, 0, -1],                            # 1 - t²
    [0, -2, 0, 2],                         # -2t + 2t³
    [-2, 0, 8, 0, -6],
    [0, 16, 0, -40, 0, 24],
    [16, 0, -136, 0, 240, 0, -120],
    [0, -272, 0, 1232, 0, -1680, 0, 720],
]


def polynomial(coefficients, t):
    return sum(c * t ** k for k, c in enumerate(coefficients))


def test_grad_six_times_on_tanh_is_the_polynomial_in_tanh():
    f = lambda x: x.tanh()  # noqa: E731
    derivative = f
    for order, coefficients in enumerate(TANH_DERIVATIVES, 1):
        derivative = grad(derivative)
        scale = sum(abs(c) for c in coefficients)
        for x in (-3.0, -1.0, -0.3, 0.0, 0.2, 0.7, 1.5, 4.0, 25.0):
            ours, truth = derivative(x), polynomial(coefficients, math.tanh(x))
            # absolutely accurate, to the rounding of the polynomial's terms
            assert abs(ours - truth) <= 4e-16 * scale, (order, x, ours, truth)
            if abs(x) < 2 and abs(truth) > 0.1:
                assert close(ours, truth, rel=1e-12), (order, x, ours, truth)


# ----- the precision the docs state -----

def test_first_derivatives_as_floats_keep_their_digits_in_the_tails():
    for x in (25.0, -30.0, 300.0):
        (slope,) = gradients(Value(x).tanh(), [Value(x)])  # a leaf y does not depend on
        assert slope == 0.0
        leaf = Value(x)
        assert close(gradients(leaf.tanh(), [leaf])[0], sech2(x), rel=1e-14)
        assert close(grad(lambda v: v.tanh())(x), sech2(x), rel=1e-14)
        assert close(grad(lambda v: v.sigmoid())(x), sigmoid_slope(x), rel=1e-14)
    assert grad(lambda v: v.tanh())(25.0) > 0  # 7.7e-22, not 0


def test_derivatives_as_values_are_absolutely_accurate_and_zero_far_in_the_tails():
    # The Value rules 1 - t² and σ(1 - σ) round to 0 where the truth is below 1e-16.
    for x in (19.5, 25.0, -25.0):
        d = derivatives(lambda v: v.tanh(), x, 2)
        assert d[1] == 0.0 and d[2] == 0.0 and 0 < sech2(x) < 1e-16
    for x in (37.5, 50.0):
        assert derivatives(lambda v: v.sigmoid(), x, 1)[1] == 0.0 < sigmoid_slope(x)
        assert derivatives(lambda v: v.softplus(), x, 2)[2] == 0.0
    # ... and in σ's left tail they keep their digits: σ(1 - σ) has no cancellation there
    assert close(derivatives(lambda v: v.sigmoid(), -50.0, 1)[1], sigmoid_slope(-50.0), rel=1e-14)

    @settings(max_examples=200)
    @given(st.floats(-60, 60))
    def check(x):
        t = derivatives(lambda v: v.tanh(), x, 1)[1]
        s = derivatives(lambda v: v.sigmoid(), x, 1)[1]
        assert abs(t - sech2(x)) <= 2 * ULP and abs(s - sigmoid_slope(x)) <= 2 * ULP

    check()


# ----- gradients -----

@settings(max_examples=50)
@given(expressions(XY), points(XY))
def test_gradients_are_backwards_numbers_and_touch_no_grad(formula, point):
    leaves = [Value(v) for v in point.values()]
    y = formula(leaves)
    nodes = [y, *_graph(y)]
    sentinel = {node: float(i) + 0.5 for i, node in enumerate(nodes)}
    for node in nodes:
        node.grad = sentinel[node]
    floats = gradients(y, leaves)
    values = gradients(y, leaves, create_graph=True)
    assert all(node.grad == sentinel[node] for node in nodes)  # nothing read or written
    for node in nodes:
        node.grad = 0.0
    y.backward()
    assert floats == [leaf.grad for leaf in leaves]  # exactly backward()'s numbers
    for v, leaf in zip(values, leaves):
        assert isinstance(v, Value) and v not in nodes
        assert close(v.data, leaf.grad, rel=1e-9, abs_=1e-12)


def _graph(y):
    seen, stack = [], [y]
    while stack:
        for parent in stack.pop().parents:
            if parent not in seen:
                seen.append(parent)
                stack.append(parent)
    return seen


def test_gradients_with_respect_to_interior_nodes_and_unused_values():
    x, w = Value(0.5), Value(-2.0)
    z = w * x
    y = z.tanh() + z
    unused = Value(7.0)
    dz, dx, du, dy = gradients(y, [z, x, unused, y])
    assert close(dz, sech2(-1.0) + 1) and close(dx, -2 * (sech2(-1.0) + 1))
    assert du == 0.0 and dy == 1.0
    zero, one = gradients(y, [unused, y], create_graph=True)
    assert zero.data == 0.0 and not zero.parents and one.data == 1.0
    assert gradients(x, [x, w]) == [1.0, 0.0]  # y a leaf
    assert gradients(y, []) == []


def test_a_derivative_is_never_a_node_of_the_graph_itself():
    x, w = Value(3.0, label="x"), Value(2.0, label="w")
    y = x * w
    (dx,) = gradients(y, [x], create_graph=True)  # is w, as a new node
    assert dx is not w and dx.data == 2.0
    dx.label = "dy/dx"
    assert w.label == "w"
    assert gradients(dx, [w, x]) == [1.0, 0.0]


def test_gradients_refuse_bad_input_by_name():
    x = Value(1.0)
    y = x * x
    with pytest.raises(TypeError, match="y must be a Value, got float"):
        gradients(2.0, [x])
    with pytest.raises(TypeError, match=r"for one Value x, write gradients\(y, \[x\]\)"):
        gradients(y, x)
    with pytest.raises(TypeError, match=r"xs\[1\] is float 2.0, not a Value"):
        gradients(y, [x, 2.0])
    for bad in ("x", {x: 1}, {x}, 3):
        with pytest.raises(TypeError, match="xs must be a list of Values"):
            gradients(y, bad)
    with pytest.raises(TypeError, match="create_graph must be True or False, got 'yes'"):
        gradients(y, [x], create_graph="yes")


def test_a_node_made_micrograds_way_is_refused_clearly():
    x = Value(0.5)
    out = Value(math.tanh(0.5), (x,), "tanh")  # micrograd's way: its chain rule a function
    y = out * 2.0
    for create_graph in (False, True):
        with pytest.raises(TypeError, match="'tanh' node was made micrograd's way"):
            gradients(y, [x], create_graph=create_graph)
    assert gradients(y, [out]) == [2.0]  # the part of the graph above it works


def test_a_derivative_off_its_domain_names_the_op_and_the_point():
    x = Value(0.0)
    y = x ** 0.5
    assert gradients(y, [x]) == [math.inf]  # the float rule: the slope of √x at 0
    with pytest.raises(ZeroDivisionError, match=r"derivative of \*\* at \(0, 0.5\)"):
        gradients(y, [x], create_graph=True)


# ----- grad and hessian -----

def test_grad_takes_numbers_and_values_and_nests():
    f = lambda x, y: x * x * y  # noqa: E731
    assert grad(f)(3.0, 2.0) == 12.0 and grad(f, argnum=1)(3, 2) == 9.0
    x = Value(3.0)
    d = grad(f)(x, 2.0)
    assert isinstance(d, Value) and d.data == 12.0
    assert gradients(d, [x]) == [4.0]
    assert grad(grad(grad(f)))(3.0, 2.0) == 0.0
    assert grad(lambda x: Value(5.0))(1.0) == 0.0  # f does not depend on x
    assert grad(f).__name__ == "grad(<lambda>)"


def test_lectures_table_of_derivatives_to_the_fourth_order():
    # d/dx xⁿ = n·xⁿ⁻¹, d/dx eˣ = eˣ, d/dx log x = 1/x
    for x in (0.5, 1.3, 4.0):
        assert derivatives(lambda v: v ** 5, x, 4)[1:] == pytest.approx(
            [5 * x ** 4, 20 * x ** 3, 60 * x ** 2, 120 * x], rel=1e-14)
        assert derivatives(lambda v: v.exp(), x, 4)[1:] == [math.exp(x)] * 4
        assert derivatives(lambda v: v.log(), x, 4)[1:] == pytest.approx(
            [1 / x, -1 / x ** 2, 2 / x ** 3, -6 / x ** 4], rel=1e-14)


def test_grad_inside_a_function_being_differentiated_sees_the_outer_variable():
    # d/dx (x · d/dy (x·y)) = d/dx x² = 2x: the inner derivative depends on x
    assert grad(lambda x: x * grad(lambda y: x * y)(1.0))(3.0) == 6.0
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(3.0) == 1.0


def test_hessian_against_closed_forms():
    # f = sin(x·y) + x³: [[-y² sin(xy) + 6x, cos(xy) - xy sin(xy)], [..., -x² sin(xy)]]
    a, b = 0.5, 2.0
    H = hessian(lambda x, y: (x * y).sin() + x ** 3)(a, b)
    s, c = math.sin(a * b), math.cos(a * b)
    expected = [[-b * b * s + 6 * a, c - a * b * s], [c - a * b * s, -a * a * s]]
    for row, truth in zip(H, expected):
        assert row == pytest.approx(truth, rel=1e-14)
    assert hessian(lambda x: x ** 4)(2.0) == [[48.0]]
    x = Value(2.0)
    (row,) = hessian(lambda v: v ** 4)(x)  # a Value in: Values out, which nest
    assert row[0].data == 48.0 and gradients(row[0], [x]) == [48.0]


def test_grad_and_hessian_refuse_bad_input_by_name():
    with pytest.raises(TypeError, match="grad: f must be a function, got int"):
        grad(3)
    for bad in (-1, 1.0, True):
        with pytest.raises(ValueError, match="argnum must be an int >= 0"):
            grad(lambda x: x, argnum=bad)
    with pytest.raises(TypeError, match=r"argument 1, but got 1 positional argument$"):
        grad(lambda x, y: x, argnum=1)(1.0)
    with pytest.raises(TypeError, match="argument 0 must be a number or a Value, got str"):
        grad(lambda x: x)("1")
    with pytest.raises(TypeError, match=r"argument 0 must be a number or a Value, got list"):
        grad(lambda v: v[0])([1.0])
    with pytest.raises(ValueError, match="argument 0 is nan"):
        grad(lambda x: x)(math.nan)
    with pytest.raises(TypeError, match=r"grad\(<lambda>\): f returned float 2.0, not a Value"):
        grad(lambda x: x.data * 2)(1.0)
    with pytest.raises(TypeError, match="hessian: f must be a function"):
        hessian(None)
    with pytest.raises(TypeError, match="no arguments"):
        hessian(lambda: Value(1.0))()


# ----- no_grad and detach -----

def _every_op(x, y):
    """Every primitive, with a Value and with a number operand, and total, dot, composites."""
    out = []
    for p in PRIMITIVES:
        method = getattr(Value, p.method)
        out += [method(x, y), method(x, 2.0)] if p.arity == 2 else [method(x)]
    out += [total([x, y, 1.0]), dot([x, y], [y, 3.0]), -x, x - y, 1.0 - x, 2.0 / x, 2.0 ** x,
            x - 1, 3 * x, 3 + x]
    return out


def test_inside_no_grad_every_op_gives_a_leaf_with_the_same_value():
    x, y = Value(0.7), Value(1.3)
    outside = _every_op(x, y)
    with no_grad():
        assert not is_grad_enabled()
        inside = _every_op(x, y)
    assert is_grad_enabled()
    assert [v.data for v in inside] == [v.data for v in outside]
    for v in inside:
        assert type(v) is Value and v.parents == () and v.op == "" and v.local_grads == ()
    assert all(v.parents for v in _every_op(x, y))  # graphs again after the block
    with no_grad(), pytest.raises(ValueError, match="log needs x > 0"):
        Value(-1.0).log()  # the domain checks still hold


@settings(max_examples=50)
@given(expressions(XY), points(XY))
def test_no_grad_computes_every_formula_exactly(formula, point):
    outside = formula(point).data
    with no_grad():
        inside = formula(point)
    assert not inside.parents and (inside.data == outside or
                                   math.isnan(inside.data) and math.isnan(outside))


def test_no_grad_nests_and_is_restored_by_an_exception():
    x = Value(1.0)
    with no_grad():
        with no_grad():
            assert not (x * x).parents
        assert not (x * x).parents  # still inside the outer block
    assert (x * x).parents
    with pytest.raises(KeyError), no_grad():
        raise KeyError("boom")
    assert is_grad_enabled() and (x * x).parents

    @no_grad()
    def predict(v):
        """A docstring."""
        return v.tanh()

    assert not predict(x).parents and predict.__name__ == "predict"
    assert (x * x).parents


def test_a_million_ops_inside_no_grad_allocate_no_graph():
    x = Value(1.0)
    with no_grad():
        first = x * 1.0
        alive = weakref.ref(first)
        gc.collect()
        blocks = sys.getallocatedblocks()  # CPython's count of live memory blocks
        y = first
        for _ in range(1_000_000):
            y = y * 1.0000001
        del first
        grown = sys.getallocatedblocks() - blocks
    assert alive() is None  # nothing refers to the first result: no node keeps its operands
    assert grown < 1_000  # with y alive: a graph would hold a million nodes
    assert not y.parents and close(y.data, 1.0000001 ** 1_000_000, rel=1e-9)
    tracemalloc.start()
    try:
        with no_grad():
            for _ in range(10_000):
                y = (y * 1.0).tanh() + 1.0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000  # a few Values at a time, never a graph (~1.6 MB here)


def test_no_grad_holds_for_every_thread_while_it_is_open():
    # documented: the swap of Value's methods is for the whole process
    entered, done = threading.Event(), threading.Event()

    def worker():
        with no_grad():
            entered.set()
            done.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    entered.wait(10)
    try:
        assert not (Value(1.0) * 2.0).parents and not is_grad_enabled()
    finally:
        done.set()
        thread.join()
    assert (Value(1.0) * 2.0).parents


def test_derivatives_inside_no_grad_are_refused_clearly():
    x = Value(2.0)
    y = x * x  # built outside: its graph exists
    with no_grad():
        assert gradients(y, [x]) == [4.0]  # floats need no new graph
        with pytest.raises(RuntimeError, match=r"create_graph=True\) inside no_grad"):
            gradients(y, [x], create_graph=True)
        with pytest.raises(RuntimeError, match=r"grad\(<lambda>\) inside no_grad"):
            grad(lambda v: v * v)(2.0)
        with pytest.raises(RuntimeError, match="inside no_grad"):
            hessian(lambda v: v * v)(2.0)


def test_detach_is_a_leaf_with_the_same_data_that_gradients_do_not_cross():
    x = Value(3.0, label="x")
    c = (x * x).detach()
    assert c.parents == () and c.data == 9.0 and c is not x
    assert x.detach().label == "x" and x.detach() is not x
    assert gradients(c * x, [x]) == [9.0]  # d/dx (c·x) with c constant, not 3x²
    assert grad(lambda v: v.detach() * v)(3.0) == 3.0


# ----- explain and viz on a derivative's graph -----

def test_explain_and_viz_draw_the_second_derivative_of_a_neuron():
    from viz import to_dot

    x, w, b = Value(0.5, label="x"), Value(-1.5, label="w"), Value(0.2, label="b")
    y = (w * x + b).tanh()
    (dy,) = gradients(y, [x], create_graph=True)
    (d2y,) = gradients(dy, [x], create_graph=True)
    d2y.label = "d²y/dx²"
    t = math.tanh(-1.5 * 0.5 + 0.2)
    second, third = -2 * t + 2 * t ** 3, -2 + 8 * t ** 2 - 6 * t ** 4
    assert close(d2y.data, w.data ** 2 * second)  # d²y/dx² = w²·tanh''(Z)

    steps = explain(d2y)  # runs d2y.backward(): the leaves get ∂(d²y/dx²)/∂leaf
    assert close(x.grad, w.data ** 3 * third)
    assert close(b.grad, w.data ** 2 * third)
    assert close(w.grad, 2 * w.data * second + w.data ** 2 * x.data * third)
    for leaf in (x, w, b):  # explain's rows add up to each gradient
        assert close(sum(s.contribution for s in steps if s.parent is leaf), leaf.grad)
    assert all("∂" not in s.formula for s in steps)  # a formula for every local derivative

    dot_text = to_dot(d2y)
    for text in ("d²y/dx²", "tanh", "label=w", "label=x"):
        assert text.replace("label=", "") in dot_text
