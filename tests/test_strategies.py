"""autograd.strategies: every op drawn, every op in its domain, formulas print as they compute."""

import ast
import doctest
import math
import operator
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import autograd.strategies
from autograd import Value, dot, total
from autograd.ops import FUNCTIONS
from autograd.strategies import (
    INPUT_BOUND,
    OPS,
    Formula,
    expressions,
    input_values,
    points,
)
from plaingrad.expression import parse

UNARY_OPS = tuple(p.name for p in FUNCTIONS)  # every function of the operation table
MARGIN = 0.1  # what the strategies promise for log, division, negative/fractional powers, relu


def test_importing_autograd_does_not_import_hypothesis():
    code = ("import autograd, autograd.check, sys; "
            "assert 'hypothesis' not in sys.modules, 'autograd imported hypothesis'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])


def test_every_op_is_drawn():
    # Derandomized (a fixed seed, no example database): the same 200 formulas on every
    # run, so this cannot flake. The rarest op, relu, is in 10 of them (in 12 or more
    # over 30 random seeds); asking for 5 leaves a margin for changes in hypothesis.
    counts = Counter()

    @settings(max_examples=200, database=None, derandomize=True)
    @given(expressions())
    def collect(formula):
        counts.update(formula.ops())

    collect()
    assert set(counts) <= set(OPS)
    assert {op: counts[op] for op in OPS if counts[op] < 5} == {}, counts


def subformulas(f):
    yield f
    for child in f.children():
        yield from subformulas(child)


@settings(max_examples=200)
@given(expressions(("x", "y", "z")), points(("x", "y", "z")))
def test_every_node_stays_in_its_bounds_and_its_domain(formula, point):
    for sub in subformulas(formula):
        value = sub(point).data
        assert math.isfinite(value)
        slack = 1e-9 * max(1.0, abs(value))  # interval ends are rounded floats
        assert sub.low - slack <= value <= sub.high + slack, (str(sub), value)
        arg = sub.args[0](point).data if sub.children() else None
        if sub.op in ("log", "pow") or (sub.op == "**" and not sub.args[1].is_integer()):
            assert arg >= MARGIN * 0.99, str(sub)  # (tanh of a margin is 0.0997)
        if sub.op == "relu" or (sub.op == "**" and sub.args[1] < 0):
            assert abs(arg) >= MARGIN * 0.99, str(sub)
        if sub.op == "/":
            assert abs(sub.args[1](point).data) >= MARGIN * 0.99, str(sub)
        if sub.op == "exp":
            assert arg <= 4.0


def read_back(text, point):
    """Compute printed formula text with the engine, reading it with Python's own parser.

    Independent of Formula: only the text decides the structure (precedence,
    parentheses, the order of operands and of the lists in total/dot).
    """
    leaves = {name: Value(x) for name, x in point.items()}
    binary = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv, ast.Pow: operator.pow}

    def as_value(x):
        return x if isinstance(x, Value) else Value(x)

    def walk(node):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)
        if isinstance(node, ast.Name):
            return leaves[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in binary:
            a, b = walk(node.left), walk(node.right)
            if not isinstance(b, Value):
                a = as_value(a)  # 2 * 3: the engine computes it, as Formula does
            return binary[type(node.op)](a, b)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            name, args = node.func.id, node.args
            if name == "total" and len(args) == 1 and isinstance(args[0], ast.List):
                return total([walk(a) for a in args[0].elts])
            if name == "dot" and len(args) == 2 and all(isinstance(a, ast.List) for a in args):
                return dot([walk(a) for a in args[0].elts], [walk(a) for a in args[1].elts])
            if name in UNARY_OPS and len(args) == 1:
                return getattr(as_value(walk(args[0])), name)()
        raise AssertionError(f"not a formula: {ast.unparse(node)}")

    return as_value(walk(ast.parse(text, mode="eval").body))


X, Y = Formula.var("x", ("x", "y")), Formula.var("y", ("x", "y"))


@settings(max_examples=150)
@given(expressions(("x", "y")), points(("x", "y")))
# every op the expression language lacks, in one formula, whatever hypothesis draws
@example(Formula("-", (Formula("softplus", (Formula("neg", (X,)),)),
                       Formula("dot", (Formula("total", (X, Y, Formula.const(-0.5))), Y,
                                       Formula.const(2.0), Formula("**", (X, 2.0)))))),
         {"x": 1.25, "y": -0.5})
def test_str_is_the_formula(formula, point):
    # The printed text, read back, computes the same number, so a failure report
    # (hypothesis prints str(formula)) shows the formula that actually failed.
    value = formula(point).data
    assert read_back(str(formula), point).data == pytest.approx(value, rel=1e-12, abs=1e-12)
    # Without softplus, total and dot it is also plaingrad's expression language,
    # so `plaingrad check "<formula>"` reproduces a failure.
    if not formula.ops() & {"softplus", "total", "dot"}:
        assert parse(str(formula)).evaluate(point).data == pytest.approx(value, rel=1e-12,
                                                                        abs=1e-12)


def test_read_back_follows_the_text_not_the_formula():
    # the checker itself: the same symbols grouped differently give different numbers
    point = {"x": 2.0, "y": 3.0}
    assert read_back("x - (y - 1)", point).data == 0.0
    assert read_back("x - y - 1", point).data == -2.0
    assert read_back("dot([x, 1], [y, -x ** 2])", point).data == 6.0 - 4.0
    assert read_back("total([x, softplus(-y)])", point).data == 2.0 + math.log1p(math.exp(-3))
    with pytest.raises(AssertionError, match="not a formula: x % y"):
        read_back("x % y", point)


def test_formula_calls_and_prints():
    x = Formula.var("x", ("x", "y"))
    y = Formula.var("y", ("x", "y"))
    f = Formula("-", (Formula.const(2.0, ("x", "y")),
                      Formula("/", (x, Formula("+", (y, Formula.const(-1.5)))))))
    assert str(f) == repr(f) == "2 - (x / (y + (-1.5)))"
    out = f([Value(3.0), Value(4.5)])
    assert out.data == 2 - 3 / 3.0
    assert f({"x": 3.0, "y": 4.5}).data == out.data
    assert Formula("**", (x, -1.0)).__str__() == "x ** -1"
    assert str(Formula("neg", (Formula("exp", (x,)),))) == "-exp(x)"
    assert str(Formula("dot", (x, y, y, Formula.const(0.5)))) == "dot([x, y], [y, 0.5])"
    assert str(Formula("total", (x, y))) == "total([x, y])"
    assert (Formula("+", (x, y)).low, Formula("+", (x, y)).high) == (-6.0, 6.0)
    with pytest.raises(ValueError, match="takes 2 values"):
        f([Value(1.0)])
    with pytest.raises(ValueError, match="no value for y"):
        f({"x": 1.0})


def test_formula_gradients_flow_to_the_given_values():
    x, y = Value(2.0), Value(-1.0)
    f = Formula("*", (Formula.var("x", ("x", "y")), Formula.var("y", ("x", "y"))))
    f([x, y]).backward()
    assert (x.grad, y.grad) == (-1.0, 2.0)


@given(points(("a", "b")), input_values())
def test_points_and_input_values(point, value):
    assert list(point) == ["a", "b"]
    assert all(-INPUT_BOUND <= v <= INPUT_BOUND for v in [*point.values(), value])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"variables": "xy"}, TypeError, "not the string 'xy'"),
    ({"variables": ()}, ValueError, "one or more names"),
    ({"variables": ("x", "1y")}, ValueError, "one or more names"),
    ({"variables": ("x", "x")}, ValueError, "distinct"),
    ({"max_depth": -1}, ValueError, "max_depth must be an int >= 0"),
    ({"max_depth": 2.5}, ValueError, "max_depth must be an int >= 0"),
])
def test_bad_arguments_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        expressions(**kwargs)


@given(expressions(("x",), max_depth=0))
def test_depth_zero_is_a_leaf(formula):
    assert formula.op in ("var", "const")


@given(st.data())
def test_formulas_are_valid_at_the_corners_of_the_box(data):
    formula = data.draw(expressions(("x", "y")))
    corner = data.draw(st.sampled_from([-INPUT_BOUND, INPUT_BOUND]), label="x"), \
        data.draw(st.sampled_from([-INPUT_BOUND, INPUT_BOUND]), label="y")
    assert math.isfinite(formula(list(corner)).data)


def test_module_doctests():
    result = doctest.testmod(autograd.strategies)
    assert result.failed == 0 and result.attempted >= 10
