"""Hypothesis strategies: random differentiable formulas and points to check them at.

Needs `pip install hypothesis` (the `test` extra); `import autograd` never imports it.

A property test of your own, in ten lines (run it with pytest):

>>> from hypothesis import given
>>> from autograd.check import gradcheck
>>> from autograd.strategies import expressions, points
>>> def my_loss(v):                       # J = -(y·log ŷ + (1-y)·log(1-ŷ)), ŷ = sigmoid(Z)
...     y_hat = v[0].sigmoid()
...     return -(0.3 * y_hat.log() + 0.7 * (1 - y_hat).log())
>>> @given(expressions(("x", "y")), points(("x", "y")))
... def test_my_loss_of_any_formula(formula, point):
...     gradcheck(lambda v: my_loss([formula(v).tanh()]), point)
>>> test_my_loss_of_any_formula()        # a failure prints the formula, the point, the table

`expressions()` draws formulas such as ``log(softplus(x) + 0.5) * (y ** 2)``
over every op of the engine. Each formula is valid (no log of a negative, no
division by 0, no overflow, no relu on its kink) for every input in
[-INPUT_BOUND, INPUT_BOUND], the range `input_values()` and `points()` draw from.
The guarantee is sound, not lucky: each node carries bounds [low, high] of its
value over that box (interval arithmetic), and an op whose argument could
leave the op's domain gets a guard first (e.g. log(e) becomes
log(sigmoid(e) + 0.5)).
"""

import math
import numbers
from collections.abc import Mapping

from hypothesis import strategies as st

from autograd.engine import Value, dot, total
from autograd.ops import FUNCTIONS

__all__ = ["INPUT_BOUND", "OPS", "Formula", "expressions", "input_values", "points",
           "constants", "leaves", "unary", "powers", "binary", "sums", "positive", "nonzero"]

INPUT_BOUND = 3.0  # expressions are valid for every input in [-3, 3]
_MARGIN = 0.1      # arguments of log, 1/x, x**-p, x**0.5, relu stay this far from 0
_BOUND = 60.0      # a node that could exceed ±60 is squashed by tanh: keeps float noise small
_EXP_MAX = 4.0     # a ** b only sees b·log a <= 4, so values stay below e^4 ≈ 55

#: The functions of the operation table, by name: exp, log, tanh, sigmoid, relu, ...
_FUNCTIONS = {p.name: p for p in FUNCTIONS}
#: the ops a Formula node can have; "**" has a number exponent, "pow" a formula one
OPS = ("var", "const", "+", "-", "*", "/", "neg", "**", "pow", *_FUNCTIONS, "total", "dot")
_INFIX = {"+", "-", "*", "/", "**", "pow"}


class Formula:
    """A formula as a tree: call it on Values to build the graph; str() is the formula.

    op: one of OPS. args: the children (Formulas), except for "var" (the
    name), "const" (the number) and "**" (child, exponent number); a "dot" node
    has children (*weights, *inputs). low, high: bounds of the value for inputs
    in [-INPUT_BOUND, INPUT_BOUND]. variables: the names the formula is called with.

    >>> f = Formula("*", (Formula.var("x", ("x", "y")), Formula.const(2.0)))
    >>> f
    x * 2
    >>> f([Value(1.5), Value(0.0)]).data       # a list in the order of f.variables
    3.0
    >>> f({"x": 1.5, "y": 0.0}).data           # or a mapping name → Value or number
    3.0
    """

    __slots__ = ("op", "args", "low", "high", "variables")

    def __init__(self, op, args, low=None, high=None, variables=None):
        self.op, self.args = op, tuple(args)
        children = self.children()
        self.variables = variables if variables is not None else (
            children[0].variables if children else ())
        if low is None:
            low, high = _bounds(op, self.args)
        self.low, self.high = low, high

    @staticmethod
    def var(name, variables):
        return Formula("var", (name,), -INPUT_BOUND, INPUT_BOUND, tuple(variables))

    @staticmethod
    def const(c, variables=()):
        return Formula("const", (float(c),), float(c), float(c), tuple(variables))

    def children(self):
        """The sub-formulas (none for a leaf)."""
        if self.op in ("var", "const"):
            return ()
        return self.args[:1] if self.op == "**" else self.args

    def ops(self):
        """The set of ops used anywhere in the formula."""
        found = {self.op}
        for child in self.children():
            found |= child.ops()
        return found

    def __call__(self, values):
        """Build the formula's graph from Values (or numbers) for self.variables."""
        if isinstance(values, Mapping):
            missing = [name for name in self.variables if name not in values]
            if missing:
                raise ValueError(f"no value for {', '.join(missing)} in {self}")
            env = dict(values)
        else:
            values = list(values)
            if len(values) != len(self.variables):
                raise ValueError(f"{self} takes {len(self.variables)} values "
                                 f"({', '.join(self.variables)}), got {len(values)}")
            env = dict(zip(self.variables, values))
        env = {k: v if isinstance(v, Value) else Value(v, label=k) for k, v in env.items()}
        return self._build(env, number_ok=False)

    def _build(self, env, number_ok):
        """This node's Value; a constant stays a plain number where the engine folds it."""
        op, args = self.op, self.args
        if op == "var":
            return env[args[0]]
        if op == "const":
            return args[0] if number_ok else Value(args[0])
        if op in ("+", "-", "*", "/"):
            # A constant on either side exercises the engine's reflected ops (2 - x, 2 / x).
            a = args[0]._build(env, number_ok=args[1].op != "const")
            b = args[1]._build(env, number_ok=True)
            return {"+": _add, "-": _sub, "*": _mul, "/": _div}[op](a, b)
        if op == "**":
            return args[0]._build(env, False) ** args[1]
        if op == "pow":  # a number base exercises number ** Value
            return args[0]._build(env, True) ** args[1]._build(env, False)
        if op == "neg":
            return -args[0]._build(env, False)
        if op == "total":
            return total([a._build(env, True) for a in args])
        if op == "dot":
            n = len(args) // 2
            return dot([a._build(env, True) for a in args[:n]],
                       [a._build(env, True) for a in args[n:]])
        return getattr(args[0]._build(env, False), op)()  # exp, log, tanh, ...

    def __str__(self):
        op, args = self.op, self.args
        if op == "var":
            return args[0]
        if op == "const":
            return f"{args[0]:g}"
        if op == "**":
            return f"{_wrap(args[0])} ** {args[1]:g}"
        if op == "pow":
            return f"{_wrap(args[0])} ** {_wrap(args[1])}"
        if op in _INFIX:
            return f"{_wrap(args[0])} {op} {_wrap(args[1])}"
        if op == "neg":
            return f"-{_wrap(args[0])}"
        if op == "total":
            return f"total([{', '.join(map(str, args))}])"
        if op == "dot":
            n = len(args) // 2
            return (f"dot([{', '.join(map(str, args[:n]))}], "
                    f"[{', '.join(map(str, args[n:]))}])")
        return f"{op}({args[0]})"

    __repr__ = __str__  # hypothesis prints the formula in a falsifying example


def _wrap(e):
    """Parenthesize an operand unless it is a name, a call or a non-negative number."""
    needs = e.op in _INFIX or e.op == "neg" or (e.op == "const" and str(e).startswith("-"))
    return f"({e})" if needs else str(e)


def _add(a, b):
    return a + b


def _sub(a, b):
    return a - b


def _mul(a, b):
    return a * b


def _div(a, b):
    return a / b


# ----- bounds of a node's value, by interval arithmetic -----

def _mul_bounds(a, b):
    products = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]]
    return min(products), max(products)


def _bounds(op, args):
    """[low, high] of op(args) given the children's bounds."""
    if op in _FUNCTIONS:
        return _FUNCTIONS[op].bounds(args[0].low, args[0].high)
    span = [(a.low, a.high) for a in args if isinstance(a, Formula)]
    if op == "+":
        return span[0][0] + span[1][0], span[0][1] + span[1][1]
    if op == "-":
        return span[0][0] - span[1][1], span[0][1] - span[1][0]
    if op == "neg":
        return -span[0][1], -span[0][0]
    if op == "*":
        return _mul_bounds(*span)
    if op == "/":  # the divisor's bounds have one sign, so 1/b is monotonic
        return _mul_bounds(span[0], (1 / span[1][1], 1 / span[1][0]))
    if op == "**":
        (low, high), p = span[0], args[1]
        ends = [low ** p, high ** p] + ([0.0] if low < 0 < high else [])
        return min(ends), max(ends)
    if op == "pow":  # a ** b = exp(b · log a): exp is increasing, so bound b · log a
        exponent = _mul_bounds(span[1], (math.log(span[0][0]), math.log(span[0][1])))
        return math.exp(exponent[0]), math.exp(exponent[1])
    if op == "total":
        return sum(s[0] for s in span), sum(s[1] for s in span)
    if op == "dot":
        n = len(span) // 2
        terms = [_mul_bounds(w, a) for w, a in zip(span[:n], span[n:])]
        return sum(t[0] for t in terms), sum(t[1] for t in terms)
    raise ValueError(f"unknown op {op!r}")


# ----- input strategies -----

def input_values(bound=INPUT_BOUND):
    """Finite floats in [-bound, bound] (the range expressions are valid on)."""
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False)


def points(variables=("x", "y")):
    """A dict name → input value, in the order of `variables` (ready for `gradcheck`)."""
    variables = _names(variables)
    # A dict built from a tuple keeps the order (fixed_dictionaries may not).
    values = st.tuples(*[input_values() for _ in variables])
    return values.map(lambda xs: dict(zip(variables, xs)))


def constants():
    """Short, readable numbers in [-2, 2] (one decimal)."""
    return st.integers(-20, 20).map(lambda k: k / 10)


def leaves(variables):
    """A variable or a constant."""
    return st.one_of(st.sampled_from(variables).map(lambda v: Formula.var(v, variables)),
                     constants().map(lambda c: Formula.const(c, variables)))


# ----- guards: rewrite an argument so that it is inside an op's domain -----

def _node(op, *args):
    """A new node, squashed by tanh when it could grow past ±_BOUND."""
    e = Formula(op, args)
    return e if max(-e.low, e.high) <= _BOUND else Formula("tanh", (e,))


def _const_like(e, c):
    return Formula.const(c, e.variables)


@st.composite
def positive(draw, e):
    """e itself if it is always >= _MARGIN, else a positive formula built on it."""
    shapes = ["sigmoid", "square", "softplus", "exp"]
    if e.low >= _MARGIN:
        shapes.insert(0, "as is")
    shape = draw(st.sampled_from(shapes))
    if shape == "as is":
        return e
    c = _const_like(e, draw(st.sampled_from([0.1, 0.5, 1.0, 2.0])))
    if shape == "exp":  # e^-2.3 ≈ 0.1003 >= _MARGIN
        return _node("exp", e if -2.3 <= e.low and e.high <= _EXP_MAX else _node("tanh", e))
    if shape == "square":
        return _node("+", _node("**", e, 2.0), c)
    return _node("+", _node(shape, e), c)


@st.composite
def nonzero(draw, e):
    """e itself if it stays _MARGIN away from 0, else a formula of one sign built on it."""
    if (e.low >= _MARGIN or e.high <= -_MARGIN) and draw(st.booleans()):
        return e
    shape = draw(st.sampled_from(["positive", "negative", "shifted tanh"]))
    if shape == "shifted tanh":  # tanh ∈ (-1, 1), so tanh + 1.5 ∈ (0.5, 2.5)
        c = draw(st.sampled_from([-2.0, -1.5, -1.1, 1.1, 1.5, 2.0]))
        return _node("+", _node("tanh", e), _const_like(e, c))
    p = draw(positive(e))
    return p if shape == "positive" else _node("neg", p)


# ----- one small strategy per op -----

@st.composite
def unary(draw, sub):
    """Each function of the operation table, -e and e ** p of a formula from `sub`."""
    op = draw(st.sampled_from([*_FUNCTIONS, "neg", "**"]))
    e = draw(sub)
    if op == "neg":
        return _node("neg", e)
    if op == "**":
        return draw(powers(e))
    domain = _FUNCTIONS[op].domain
    if domain == "positive":  # log
        e = draw(positive(e))
    elif domain == "nonzero":  # relu, away from its kink: the argument never crosses 0
        e = draw(nonzero(e))
    low, high = _FUNCTIONS[op].bounds(e.low, e.high)
    if max(-low, high) > _BOUND:  # exp of a large argument: squash the argument first
        e = _node("tanh", e)
    return _node(op, e)


@st.composite
def powers(draw, e):
    """e ** p for p in {2, 3, -1, -2, 0.5, -0.5, 1.5}: any e, e ≠ 0, or e > 0 as p needs."""
    p = draw(st.sampled_from([2.0, 3.0, -1.0, -2.0, 0.5, -0.5, 1.5]))
    if not p.is_integer():
        e = draw(positive(e))
    elif p < 0:
        e = draw(nonzero(e))
    return _node("**", e, p)


@st.composite
def binary(draw, sub):
    """a + b, a - b, a * b, a / b (b kept away from 0) and a ** b (a > 0)."""
    op = draw(st.sampled_from(["+", "-", "*", "/", "pow"]))
    a, b = draw(sub), draw(sub)
    if op == "/":
        return _node("/", a, draw(nonzero(b)))
    if op == "pow":
        # a ** b = exp(b · log a): a > 0, and |b · log a| <= _EXP_MAX
        if a.op == "const" or draw(st.booleans()):  # a number base: 2 ** x
            a = _const_like(a, draw(st.sampled_from([0.5, 2.0, 3.0])))
        else:
            a = draw(positive(a))  # in [0.0997, 60], so |log a| <= 4.1
        bound = max(abs(math.log(a.low)), abs(math.log(a.high)), 1.0)
        if max(-b.low, b.high) * bound > _EXP_MAX:
            b = _node("*", _node("tanh", b), _const_like(b, round(_EXP_MAX / bound - 0.05, 1)))
        return _node("pow", a, b)
    return _node(op, a, b)


@st.composite
def sums(draw, sub):
    """total([...]) of 1-4 formulas, or dot([w...], [a...]) of 1-3 pairs."""
    if draw(st.booleans()):
        return _node("total", *draw(st.lists(sub, min_size=1, max_size=4)))
    n = draw(st.integers(1, 3))
    return _node("dot", *draw(st.lists(sub, min_size=2 * n, max_size=2 * n)))


@st.composite
def _expressions(draw, variables, depth):
    if depth == 0:
        return draw(leaves(variables))
    sub = _expressions(variables, depth - 1)
    # Listed simplest first: hypothesis shrinks a failure towards a leaf.
    return draw(st.one_of(leaves(variables), unary(sub), binary(sub), sums(sub)))


def expressions(variables=("x", "y"), max_depth=4):
    """Random formulas over `variables`, valid for every input in [-3, 3].

    max_depth bounds the nesting (0: a variable or a number). A drawn `Formula`
    is called on a list (in the order of `variables`) or a dict of Values and
    returns a Value; str() shows the formula.

    >>> from hypothesis import given
    >>> @given(expressions(("x",), max_depth=2))
    ... def test_finite(f):
    ...     assert math.isfinite(f([Value(INPUT_BOUND)]).data)
    >>> test_finite()
    """
    variables = _names(variables)
    if isinstance(max_depth, bool) or not isinstance(max_depth, numbers.Integral) \
            or max_depth < 0:
        raise ValueError(f"expressions: max_depth must be an int >= 0, got {max_depth!r}")
    return _expressions(variables, int(max_depth))


def _names(variables):
    if isinstance(variables, str):
        raise TypeError(f"variables must be a sequence of names, e.g. ({variables!r},), "
                        f"not the string {variables!r}")
    variables = tuple(variables)
    if not variables or not all(isinstance(v, str) and v.isidentifier() for v in variables):
        raise ValueError(f"variables must be one or more names, got {variables!r}")
    if len(set(variables)) != len(variables):
        raise ValueError(f"variables must be distinct, got {variables!r}")
    return variables
