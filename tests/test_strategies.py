"""autograd.strategies: every op drawn, every op in its domain, formulas print as they compute."""

import doctest
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.strategies
from autograd import Value
from autograd.expression import parse
from autograd.strategies import (
    INPUT_BOUND,
    OPS,
    Formula,
    expressions,
    input_values,
    points,
)

MARGIN = 0.1  # what the strategies promise for log, division, negative/fractional powers, relu


def test_importing_autograd_does_not_import_hypothesis():
    code = ("import autograd, autograd.check, sys; "
            "assert 'hypothesis' not in sys.modules, 'autograd imported hypothesis'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])


def test_every_op_is_drawn():
    seen = set()

    @settings(max_examples=200, database=None)
    @given(expressions())
    def collect(formula):
        seen.update(formula.ops())

    collect()
    assert seen == set(OPS)


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


@settings(max_examples=150)
@given(expressions(("x", "y")), points(("x", "y")))
def test_str_is_the_formula(formula, point):
    # Formulas without softplus/total/dot are in the expression language: parsing the
    # printed text must give back the same number, so a failure report can be trusted.
    if formula.ops() & {"softplus", "total", "dot"}:
        return
    parsed = parse(str(formula)).evaluate(point)
    assert parsed.data == pytest.approx(formula(point).data, rel=1e-12, abs=1e-12)


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
