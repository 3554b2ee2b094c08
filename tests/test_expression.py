"""The safe expression language: what it accepts, what it refuses, and that it computes right."""

import math
import warnings

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Value
from plaingrad.expression import ExpressionError, parse, parse_bindings

# ----- accepted expressions -----


def test_variables_in_order_of_first_appearance():
    assert parse("tanh(x*w + b) + x").variables == ("x", "w", "b")
    assert parse("2 ** -1").variables == ()
    assert parse("tanh(x*w + b)").source == "tanh(x*w + b)"


def test_neuron_value_and_gradients_match_closed_form():
    x, w, b = 1.0, -2.0, 0.5
    leaves = parse("tanh(x*w + b)").leaves({"x": x, "w": w, "b": b})
    out = parse("tanh(x*w + b)").evaluate(leaves)
    out.backward()
    t = math.tanh(x * w + b)
    assert out.data == pytest.approx(t, rel=1e-15)
    assert leaves["w"].grad == pytest.approx((1 - t * t) * x, rel=1e-15)
    assert leaves["x"].grad == pytest.approx((1 - t * t) * w, rel=1e-15)
    assert leaves["b"].grad == pytest.approx(1 - t * t, rel=1e-15)
    assert [v.label for v in leaves.values()] == ["x", "w", "b"]


def test_repeated_variable_is_one_leaf_and_gradients_add():
    leaves = parse("x*x + 3*x").leaves({"x": 2.0})
    out = parse("x*x + 3*x").evaluate(leaves)
    out.backward()
    assert out.data == 10.0
    assert leaves["x"].grad == 7.0  # d(x² + 3x)/dx = 2x + 3


def test_every_function_and_operator():
    values = {"x": 0.7, "y": 1.9}
    cases = {
        "exp(x)": math.exp(0.7), "log(y)": math.log(1.9), "tanh(x)": math.tanh(0.7),
        "sigmoid(x)": 1 / (1 + math.exp(-0.7)), "relu(-x)": 0.0, "relu(+x)": 0.7,
        "x - y": 0.7 - 1.9, "x / y": 0.7 / 1.9, "x ** 2": 0.49, "y ** x": 1.9 ** 0.7,
        "2 ** x": 2 ** 0.7, "-(x + y) * 2": -5.2, "(1 + 2) * x": 2.1, "1.5e1": 15.0,
    }
    for source, expected in cases.items():
        assert parse(source).evaluate(values).data == pytest.approx(expected, rel=1e-12), source


def test_number_exponent_is_one_power_node():
    out = parse("x ** 2").evaluate({"x": 3.0})
    assert (out.op, out.constant) == ("**", 2.0)
    out = parse("x ** -1").evaluate({"x": 4.0})  # -1 is folded: one node, not x ** (1 · -1)
    assert (out.op, out.constant, out.data) == ("**", -1.0, 0.25)


def test_given_values_are_used_as_is_and_floats_are_labelled():
    w = Value(3.0, label="weight")
    out = parse("w * x").evaluate({"w": w, "x": 2.0})
    assert out.parents[0] is w
    assert out.parents[1].label == "x"
    out.backward()
    assert w.grad == 2.0


def test_a_part_made_of_numbers_is_a_number_folded_into_its_op():
    # As the literal 2 would be: x ** (1 + 1) is x ** 2 (a negative x is fine), and
    # x * (2 * 3) is one node with constant 6, not a graph of constants.
    y = parse("x ** (1 + 1)").evaluate({"x": -2.0})
    assert (y.op, y.constant, y.data) == ("**", 2.0, 4.0)
    x = Value(1.5, label="x")
    y = parse("x * (2 * 3) + exp(0)").evaluate({"x": x})
    assert (y.op, y.constant) == ("+", 1.0)
    (product,) = y.parents
    assert (product.op, product.constant, product.parents) == ("*", 6.0, (x,))


def test_constant_only_expression_is_a_value():
    out = parse("(1 + 2) * 4").evaluate({})
    assert isinstance(out, Value) and out.data == 12.0


def test_long_flat_chain_is_not_nesting():
    # 900 terms: flat chains count as one level, and evaluation does not recurse.
    out = parse(" + ".join(["x"] * 900)).evaluate({"x": 1.0})
    assert out.data == 900.0
    out = parse("*".join(["x"] * 500)).evaluate({"x": 1.0})
    assert out.data == 1.0


def test_exactly_100_levels_is_accepted():
    assert parse("(" * 100 + "x" + ")" * 100).evaluate({"x": 2.0}).data == 2.0
    assert parse("-" * 99 + "x").evaluate({"x": 2.0}).data == -2.0
    assert parse("exp(" * 99 + "x" + ")" * 99).variables == ("x",)


# ----- refused expressions -----

REFUSED = {
    "__import__('os').system('x')": "calling a method (.system)",
    "__import__('os')": "calling `__import__` is not allowed",
    "().__class__": "attribute access (.__class__)",
    "x.__class__.__mro__": "attribute access",
    "lambda: 1": "lambda",
    "(lambda: 1)()": "this call is not allowed",
    "x[0]": "subscripts",
    "'rm -rf'": "strings",
    "b'x'": "bytes",
    "f'{x}'": "f-strings",
    "[x for x in y]": "comprehensions",
    "(x := 1)": "assignment (:=)",
    "x < 1": "comparisons",
    "x and y": "`and` / `or`",
    "x if y else z": "`if ... else`",
    "(x, y)": "tuples",
    "[x]": "lists",
    "{x: 1}": "dicts",
    "x // 2": "the operator //",
    "x % 2": "the operator %",
    "x @ y": "the operator @",
    "~x": "the operator ~",
    "not x": "the operator not",
    "1j": "complex numbers",
    "True": "booleans (True)",
    "print(x)": "calling `print` is not allowed",
    "eval('1')": "calling `eval` is not allowed",
    "x(2)": "calling `x` is not allowed",
    "exp": "`exp` is a function",
    "exp(x, y)": "takes exactly one argument",
    "exp(x=1)": "takes exactly one argument",
    "exp(*x)": "takes exactly one argument",
    "exp()": "takes exactly one argument",
    "1" + "0" * 400: "a number too large for a float",
    "1" + "0" * 5000: "not a valid expression",
    "x +": "not a valid expression at column 4",
    "": "the expression is empty",
    "x\x00": "null bytes",
    "import os": "not a valid expression",
}


@pytest.mark.parametrize("source", list(REFUSED))
def test_refused_with_a_message_naming_the_construct(source):
    with pytest.raises(ExpressionError) as info:
        parse(source)
    assert REFUSED[source] in str(info.value)


# Slices, *a and f-string parts have no entry in _REFUSED: their parent is refused first.
@pytest.mark.parametrize("source, message", [
    ("*x", "not a valid expression at column 1"),
    ("x[1:2]", "column 1: not allowed: subscripts"),
    ("x[::2]", "column 1: not allowed: subscripts"),
    ("x[*y]", "column 1: not allowed: subscripts"),
    ("[*x]", "column 1: not allowed: lists"),
    ("(*x,)", "column 1: not allowed: tuples"),
    ("sigmoid(*x)", "column 1: sigmoid(...) takes exactly one argument"),
    ("y + f'{x!r:>{y}}'", "column 5: not allowed: f-strings"),
])
def test_slices_starred_and_f_string_parts_are_refused_through_their_parent(source, message):
    with pytest.raises(ExpressionError) as info:
        parse(source)
    assert str(info.value).startswith(message)


def test_error_points_at_the_column():
    with pytest.raises(ExpressionError) as info:
        parse("tanh(x) + y[0]")
    message = str(info.value)
    assert message.startswith("column 11: not allowed: subscripts")
    assert message.splitlines()[-1] == "  " + " " * 10 + "^"


@pytest.mark.parametrize("source, message", [
    ("(" * 10_000 + "x" + ")" * 10_000, "20,001 characters; the limit is 10,000"),
    ("x+" * 5_000 + "x", "10,001 characters"),
    ("(" * 101 + "x" + ")" * 101, "parentheses nested deeper than 100 levels at column 101"),
    ("(" * 5_000 + "x", "parentheses nested deeper than 100"),
    ("-" * 10_000, "10,000 operator signs"),
    ("-" * 9_999 + "x", "9,999 operator signs"),
    ("-" * 101 + "x", "nesting deeper than 100 levels"),
    ("exp(-" * 60 + "x" + ")" * 60, "nesting deeper than 100"),
    ("2**" * 120 + "2", "nesting deeper than 100"),
    ("x+" * 1_200 + "x", "1,200 operator signs"),
    ("(x*(y+" * 60 + "1" + "))" * 60, "parentheses nested deeper than 100"),
    ("x" * 10_000, None),  # one long name is fine: it just needs a value
])
def test_size_limits_give_clear_errors_never_crashes(source, message):
    if message is None:
        assert parse(source).variables == ("x" * 10_000,)
        return
    with pytest.raises(ExpressionError) as info:
        parse(source)
    assert message in str(info.value)


def test_not_a_string_is_a_type_error():
    with pytest.raises(TypeError, match="expected a str"):
        parse(b"x")


# ----- evaluation errors -----


def test_missing_variable_is_named():
    with pytest.raises(ExpressionError, match="no value given for w, b"):
        parse("tanh(x*w + b)").evaluate({"x": 1.0})


def test_bad_value_names_the_variable():
    with pytest.raises(TypeError, match="variable x: .*bool"):
        parse("x + 1").evaluate({"x": True})


def test_engine_errors_surface_unchanged():
    with pytest.raises(ValueError, match="log needs x > 0"):
        parse("log(x)").evaluate({"x": -1.0})
    with pytest.raises(ZeroDivisionError, match="by zero"):
        parse("1 / (x - x)").evaluate({"x": 2.0})
    with pytest.raises(ZeroDivisionError):
        parse("1 / 0").evaluate({})


def test_leaves_refuse_unused_and_missing_names():
    expression = parse("w*x")
    with pytest.raises(ExpressionError, match="b given but not used"):
        expression.leaves({"w": 1.0, "x": 2.0, "b": 0.0})
    with pytest.raises(ExpressionError, match="no value given for x .*x=1.5"):
        expression.leaves({"w": 1.0})


# ----- command-line bindings -----


def test_parse_bindings_reads_numbers():
    assert parse_bindings(["x=1", "w=-2.5", " b = 1e-3 "]) == {"x": 1.0, "w": -2.5, "b": 0.001}
    assert parse_bindings([]) == {}


@pytest.mark.parametrize("item, message", [
    ("x", "expected name=number"),
    ("=1", "is not a valid variable name"),
    ("1x=1", "is not a valid variable name"),
    ("for=1", "is not a valid variable name"),
    ("a.b=1", "is not a valid variable name"),
    ("exp=1", "is a function"),
    ("x=abc", "'abc' is not a number"),
    ("x=", "is not a number"),
    ("x=nan", "finite"),
    ("x=inf", "finite"),
    ("x=-1e999", "finite"),
])
def test_parse_bindings_refuses_bad_items(item, message):
    with pytest.raises(ExpressionError, match=message):
        parse_bindings([item])


def test_parse_bindings_refuses_duplicates():
    with pytest.raises(ExpressionError, match="x is given twice"):
        parse_bindings(["x=1", "x=2"])


# ----- property: the same numbers as Python's float arithmetic -----


def _sigmoid(x):
    """The textbook stable logistic: 1 / (1 + e^-x), or e^x / (1 + e^x) for x < 0."""
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


REFERENCE_FUNCTIONS = {
    "exp": math.exp, "log": math.log, "tanh": math.tanh,
    "sigmoid": _sigmoid, "relu": lambda x: max(x, 0.0),
    "softplus": lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))),  # log(1 + e^x), stably
}
names = st.sampled_from(["x", "y", "z"])
numbers = st.floats(min_value=0.0, max_value=5.0).map(lambda v: repr(round(v, 3)))


@st.composite
def expressions(draw, depth=4):
    """Random valid expression text and its Python twin, e.g. ("x / y", "((x) / (y))").

    The engine rounds each op as Python's float arithmetic does, so the results
    must agree exactly. Powers use small integer exponents, so Python and
    plaingrad agree on their domain.
    """
    if depth == 0 or draw(st.booleans()):
        leaf = draw(st.one_of(names, numbers))
        return leaf, leaf
    kind = draw(st.sampled_from(["binary", "binary", "unary", "call", "power"]))
    a, a_twin = draw(expressions(depth - 1))
    if kind == "unary":
        return f"-{a}", f"-{a_twin}"
    if kind == "call":
        function = draw(st.sampled_from(sorted(REFERENCE_FUNCTIONS)))
        return f"{function}({a})", f"{function}({a_twin})"
    if kind == "power":
        p = draw(st.sampled_from(["2", "3", "-1"]))
        return f"({a}) ** {p}", f"({a_twin}) ** {p}"
    b, b_twin = draw(expressions(depth - 1))
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    return f"({a} {op} {b})", f"({a_twin} {op} {b_twin})"


values = st.floats(min_value=-3.0, max_value=3.0)


@given(expressions(), values, values, values)
def test_matches_python_float_arithmetic(pair, x, y, z):
    source, twin = pair
    env = {"x": x, "y": y, "z": z}
    try:
        # Tests may use eval on text they generated; the library never does.
        expected = eval(twin, {"__builtins__": {}, **REFERENCE_FUNCTIONS}, dict(env))
    except OverflowError:
        assume(False)  # Python raises where the engine overflows to inf (documented)
    except (ValueError, ZeroDivisionError) as error:
        # The same domain errors: log of x <= 0, division by zero, 0 ** -1.
        with pytest.raises(type(error)):
            parse(source).evaluate(env)
        return
    assume(math.isfinite(expected))
    assert parse(source).evaluate(env).data == expected, source


def test_surrounding_whitespace_is_ignored_and_columns_count_in_the_users_text():
    assert parse("  -x  ").evaluate({"x": 2.0}).data == -2.0
    assert parse("  -x  ").source == "  -x  "
    with pytest.raises(ExpressionError) as info:
        parse("   x + y.z")
    # "   x + y.z": the attribute access starts at the 8th character the user typed
    assert str(info.value).splitlines() == ["column 8: not allowed: attribute access (.z)",
                                            "     x + y.z", "         ^"]
    with pytest.raises(ExpressionError, match="not a valid expression at column 6"):
        parse("  x +")  # the end of the user's text
    with pytest.raises(ExpressionError, match="^line 2, column 3: not allowed: attribute"):
        parse("\n  x.y")


def test_no_python_warning_leaks_while_parsing():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ExpressionError, match="`if ... else`"):
            parse("1if 1else 2")  # Python warns "invalid decimal literal" here
    assert [str(w.message) for w in caught] == []


def test_unicode_names_are_normalized_like_python_does():
    # Python reads the fullwidth ｘ in an expression as x (NFKC); the bindings must agree.
    expression = parse("ｘ*ｘ + 1")
    assert expression.variables == ("x",)
    leaves = expression.leaves(parse_bindings(["ｘ=3"]))
    assert list(leaves) == ["x"]
    out = expression.evaluate(leaves)
    out.backward()
    assert out.data == 10.0 and leaves["x"].grad == 6.0  # d(x² + 1)/dx = 2x
    assert parse_bindings(["ｘ=1"]) == {"x": 1.0}
    assert parse("x + 1").evaluate({"ｘ": 1.0}).data == 2.0
    with pytest.raises(ExpressionError, match="is a function"):
        parse_bindings(["ｅｘｐ=1"])  # NFKC: exp
    with pytest.raises(ExpressionError, match="given twice"):
        parse_bindings(["x=1", "ｘ=2"])
    with pytest.raises(ExpressionError, match="same variable x"):
        parse("x").leaves({"x": 1.0, "ｘ": 2.0})


@pytest.mark.parametrize("source, column", [
    ("x*1e999", 3), ("1e400 + x", 1), ("x*0*1e999", 5), ("-1e999*x", 2),
])
def test_literals_that_are_not_finite_floats_are_refused(source, column):
    with pytest.raises(ExpressionError, match=f"column {column}: a number too large for a float"):
        parse(source)


@pytest.mark.parametrize("source, column", [
    ("9**9**9", 1), ("2**10000", 1), ("x * (1e308 * 10)", 6), ("x + exp(1000)", 5),
    ("x - -(10.0**400)", 7),
])
def test_constant_parts_that_overflow_are_refused_without_huge_ints(source, column):
    # Literals are floats, so 9**9**9 is 9.0 ** 387420489.0 (inf at once), never a huge int.
    expression = parse(source)
    with pytest.raises(ExpressionError, match=f"column {column}: this constant part is inf"):
        expression.evaluate({"x": 1.0})


def test_finite_constants_and_large_results_from_variables_still_work():
    assert parse("2**10 * x").evaluate({"x": 1.0}).data == 1024.0
    assert parse("1e308 * x").evaluate({"x": 1.0}).data == 1e308
    assert parse("1e-400 + x").evaluate({"x": 1.0}).data == 1.0  # underflow to 0 is fine
    # Overflow through a variable is the engine's documented IEEE behaviour, not a literal's.
    assert parse("exp(x)").evaluate({"x": 1000.0}).data == math.inf


def test_binding_names_must_be_identifiers_as_typed():
    # `x²` normalizes to `x2`, but the parser refuses `x²` in an expression: so do bindings.
    with pytest.raises(ExpressionError, match="'x²' is not a valid variable name"):
        parse_bindings(["x²=1"])
    assert parse_bindings(["ｘ=1"]) == {"x": 1.0}
