"""The operation table: every op is known to every consumer, and every rule is right.

Adding an op to autograd/ops.py without teaching a consumer fails here, by name.
"""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.strategies
from autograd import Value, explain
from autograd.ops import ARITHMETIC, FUNCTIONS, PRIMITIVES, SYMBOLS, by_name, formula_text
from nn.module import ACTIVATIONS
from plaingrad.expression import FUNCTIONS as PARSER_FUNCTIONS
from plaingrad.expression import parse
from plaingrad.expression_arguments import EXPRESSION_HELP
from viz.graph import OP_SYMBOLS

NAMES = [p.name for p in PRIMITIVES]


# ----- every consumer knows every op -----

@pytest.mark.parametrize("name", NAMES)
def test_every_primitive_is_a_value_method(name):
    p = by_name(name)
    args = (Value(0.7), Value(1.3)) if p.arity == 2 else (Value(0.7),)
    out = getattr(Value, p.method)(*args)
    assert out.op == name and out.parents == args
    assert out.data == p.forward(*(a.data for a in args))
    assert out.local_grads == tuple(rule(*(a.data for a in args), out.data) for rule in p.local)


@pytest.mark.parametrize("name", NAMES)
def test_every_primitive_has_a_formula_explain_uses(name):
    p = by_name(name)
    x, y = Value(0.7, label="x"), Value(1.3, label="y")
    out = getattr(Value, p.method)(x, y) if p.arity == 2 else getattr(Value, p.method)(x)
    steps = explain(out)
    assert [s.formula for s in steps] == [formula_text(p, i, ["x", "y"][:p.arity])
                                          for i in range(p.arity)]
    assert all("∂" not in s.formula for s in steps)  # "∂op/∂x" means: no formula known


@pytest.mark.parametrize("name", NAMES)
def test_every_primitive_has_a_picture(name):
    assert OP_SYMBOLS[name] == SYMBOLS[name] and SYMBOLS[name]


@pytest.mark.parametrize("name", [p.name for p in FUNCTIONS])
def test_every_function_can_be_written_in_an_expression(name):
    assert name in PARSER_FUNCTIONS
    expression = parse(f"{name}(x)")
    out = expression.evaluate({"x": 0.7})
    assert out.op == name and out.data == by_name(name).forward(0.7)


@pytest.mark.parametrize("name", [p.name for p in FUNCTIONS])
def test_every_function_is_in_the_command_help(name):
    assert f" {name}" in EXPRESSION_HELP


@pytest.mark.parametrize("name", [p.name for p in FUNCTIONS])
def test_every_function_is_drawn_by_the_strategies(name):
    assert name in autograd.strategies.OPS
    drawn = set()

    @settings(max_examples=300, database=None, derandomize=True)
    @given(autograd.strategies.unary(autograd.strategies.leaves(("x",))))
    def collect(formula):
        drawn.add(formula.op)
        # tanh may squash what could grow too large; the function is then one below
        drawn.update(c.op for c in formula.children())

    collect()
    assert name in drawn


@pytest.mark.parametrize("name", [p.name for p in FUNCTIONS if p.domain != "positive"])
def test_every_function_defined_everywhere_is_an_activation(name):
    from nn import MLP
    assert name in ACTIVATIONS
    model = MLP(2, [3, 1], activation=name, output_activation=name, seed=0)
    x = [0.3, -0.4]
    assert model.predict([x]) == [model(x).data]  # the float path is the engine's own


@pytest.mark.parametrize("name", [p.name for p in PRIMITIVES])
def test_every_primitive_names_its_torch_counterpart(name):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional oracle")
    p = by_name(name)
    found = torch
    for part in p.torch.split(".")[1:]:
        found = getattr(found, part)
    f = found() if isinstance(found, type) else found
    args = [torch.tensor(v, dtype=torch.float64) for v in (0.7, 1.3)[:p.arity]]
    assert math.isclose(float(f(*args)), p.forward(*(0.7, 1.3)[:p.arity]), rel_tol=1e-15)


def test_the_table_has_the_lecture_operations():
    assert {"+", "*", "/", "**"} == {p.name for p in ARITHMETIC}
    assert {"exp", "log", "tanh", "sigmoid", "relu", "softplus", "sin", "cos"} == \
        {p.name for p in FUNCTIONS}
    with pytest.raises(KeyError, match="no primitive 'sinh'.*tanh"):
        by_name("sinh")


# ----- every rule is right: central differences, in high precision -----

@pytest.fixture
def mpmath():
    """mpmath at 40 digits; the tests that need it skip, with the reason, without it."""
    mpmath = pytest.importorskip("mpmath", reason="mpmath (test extra) gives the reference")
    with mpmath.workdps(40):
        yield mpmath


def reference(mpmath):
    """The functions in mpmath's own words."""
    return {
        "exp": mpmath.exp, "log": mpmath.log, "tanh": mpmath.tanh,
        "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)), "relu": lambda x: max(x, 0),
        "softplus": lambda x: mpmath.log1p(mpmath.exp(x)), "sin": mpmath.sin, "cos": mpmath.cos,
    }


DOMAIN = {"log": st.floats(1e-3, 1e3), "relu": st.floats(-50, 50).filter(lambda x: abs(x) > 1e-3)}


@pytest.mark.parametrize("name", sorted(p.name for p in FUNCTIONS))
def test_function_values_and_slopes_against_mpmath(name, mpmath):
    p, f = by_name(name), reference(mpmath)[name]  # (a new function needs its reference)

    @settings(max_examples=150, database=None)
    @given(DOMAIN.get(name, st.floats(-30, 30)))
    def check(x):
        out = p.forward(x)
        assert math.isclose(out, float(f(mpmath.mpf(x))), rel_tol=1e-14, abs_tol=1e-300)
        slope = float(mpmath.diff(f, mpmath.mpf(x)))
        local = p.local[0](x, out)
        assert math.isclose(local, slope, rel_tol=1e-12, abs_tol=1e-15), (x, local, slope)
        # the rule on Values gives the same number (a graph of it, for higher orders)
        on_values = p.derivative_on_values(0)(Value(x), Value(out))
        on_values = on_values.data if isinstance(on_values, Value) else on_values
        assert math.isclose(on_values, slope, rel_tol=1e-9, abs_tol=1e-12), (x, on_values)

    check()


@pytest.mark.parametrize("name", ["+", "*", "/", "**"])
def test_arithmetic_slopes_against_mpmath(name, mpmath):
    p = by_name(name)
    f = {"+": lambda a, b: a + b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
         "**": lambda a, b: a ** b}[name]

    @settings(max_examples=150, database=None)
    @given(st.floats(0.1, 10), st.floats(-3, 3).filter(lambda b: abs(b) > 0.1))
    def check(a, b):
        out = p.forward(a, b)
        assert math.isclose(out, float(f(mpmath.mpf(a), mpmath.mpf(b))), rel_tol=1e-15)
        for i in range(2):
            slope = float(mpmath.diff(f, (mpmath.mpf(a), mpmath.mpf(b)), (1 - i, i)))
            assert math.isclose(p.local[i](a, b, out), slope, rel_tol=1e-12), (i, a, b)
            rule = p.derivative_on_values(i)(Value(a), Value(b), Value(out))
            rule = rule.data if isinstance(rule, Value) else rule
            assert math.isclose(rule, slope, rel_tol=1e-12), (i, a, b)

    check()


# ----- sin and cos, the lecture's "functions" -----

@pytest.mark.parametrize("x, sin, cos", [
    (0.0, 0.0, 1.0), (math.pi / 2, 1.0, 0.0), (math.pi, 0.0, -1.0),
    (math.pi / 6, 0.5, 3 ** 0.5 / 2),
])
def test_sin_cos_closed_forms(x, sin, cos):
    s, c = Value(x).sin(), Value(x).cos()
    assert math.isclose(s.data, sin, abs_tol=1e-15) and math.isclose(c.data, cos, abs_tol=1e-15)
    assert math.isclose(s.local_grads[0], cos, abs_tol=1e-15)    # d sin x/dx = cos x
    assert math.isclose(c.local_grads[0], -sin, abs_tol=1e-15)   # d cos x/dx = -sin x


def test_sin_squared_plus_cos_squared_has_no_slope():
    x = Value(0.83)
    one = x.sin() ** 2 + x.cos() ** 2
    one.backward()
    assert math.isclose(one.data, 1.0) and abs(x.grad) < 1e-15


@pytest.mark.parametrize("name", ["sin", "cos"])
@pytest.mark.parametrize("x", [math.inf, -math.inf])
def test_sin_cos_of_infinity_is_a_clear_error(name, x):
    with pytest.raises(ValueError, match=rf"{name}: {name}\({x!r}\) is undefined"):
        getattr(Value(x), name)()


def test_sin_cos_pass_nan_on():
    assert math.isnan(Value(math.nan).sin().data) and math.isnan(Value(math.nan).cos().data)


def test_sin_cos_match_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is an optional oracle")

    @settings(max_examples=100, database=None)
    @given(st.floats(-1e3, 1e3), st.floats(-5, 5))
    def check(x, upstream):
        v = Value(x)
        out = v.sin() * v.cos() + (2 * v).cos()
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        ref = torch.sin(t) * torch.cos(t) + torch.cos(2 * t)
        assert math.isclose(out.data, ref.item(), rel_tol=1e-12, abs_tol=1e-12)
        out.backward()
        (ref * upstream).backward()
        assert math.isclose(v.grad * upstream, t.grad.item(), rel_tol=1e-10, abs_tol=1e-10)

    check()


def test_sin_in_explain_and_the_parser():
    x = Value(0.5, label="x")
    steps = explain((x * 2).sin())
    assert steps[0].formula == "cos(n1)" and steps[0].local == math.cos(1.0)
    out = parse("sin(x) * cos(x)").evaluate({"x": 0.5})
    assert math.isclose(out.data, math.sin(0.5) * math.cos(0.5))


@pytest.mark.parametrize("name", [a for a in ACTIVATIONS if a != "linear"])
def test_every_activation_exports_to_torch(name):
    torch = pytest.importorskip("torch", reason="PyTorch is an optional oracle")
    from nn import MLP
    model = MLP(2, [3, 1], activation=name, seed=0)
    net = model.to_torch()
    x = [0.3, -0.4]
    ours = model(x).data
    theirs = net(torch.tensor([x], dtype=torch.float64)).item()
    assert math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-15), (name, ours, theirs)
