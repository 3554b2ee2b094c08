"""The operation table: every primitive of plaingrad, defined once.

One entry per primitive, read top to bottom like a table of derivatives:

- its `name` (the node's op, and the method: ``x.tanh()``) and the `symbol` pictures show;
- `forward`: its value on floats, with its domain check (the error it raises);
- `local`: one rule per operand, ∂out/∂operand on floats, given the operands and out.
  The eager engine evaluates these in the forward pass and stores the numbers;
- `on_values`: the same derivatives as expressions on Values, so that a derivative is a
  graph that can be differentiated again. Left out where the float rule, written with
  + − × ÷ and table ops only, works on Values as it is;
- `formula`: the derivative as text for `explain` ("{x}" stands for the operand's name,
  "{x:t}" for the name in parentheses where it is not a bare name or number);
- `torch`: the PyTorch function with the same maths, for the oracle tests.

The engine builds `Value`'s methods from this table; explain, viz, the expression
parser, the hypothesis strategies and the PyTorch bridge read their lists from it.
Adding an op is one entry here (and its tests): tests/test_ops.py walks the table and
fails when a consumer does not know an op.

A binary op with a plain number as its second operand (`x * 3`) is the same entry:
the number is passed as `b`, and only `local[0]` is evaluated.
"""

import math
import operator
import string
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["ARITHMETIC", "FUNCTIONS", "ONE", "PRIMITIVES", "Constant", "Primitive", "by_name",
           "formula_text", "sigmoid"]


class Primitive(NamedTuple):
    """One operation: its value and its local derivatives, side by side."""

    name: str
    symbol: str
    method: str                # the Value method it becomes: "__mul__", "tanh"
    forward: Callable          # operands (floats) -> value; raises off its domain
    local: tuple               # per operand: (*operands, out) -> ∂out/∂operand, floats
    formula: tuple             # per operand: ∂out/∂operand as text (or a function of names)
    on_values: tuple = None    # per operand: the derivative on Values; None: same as local
    torch: str = ""            # torch's function or module of the same maths: "torch.exp",
                               # "torch.nn.Tanh" (the bridge and the oracle tests use it)
    doc: str = ""
    # Functions only, for the hypothesis strategies: where the function is smooth and
    # finite ("real"; "positive" for log; "nonzero" for relu, whose kink is at 0), and
    # bounds of its value for an argument in [low, high] (interval arithmetic).
    domain: str = "real"
    bounds: Callable = None

    @property
    def arity(self):
        return len(self.local)

    def derivative_on_values(self, i):
        """The rule for ∂out/∂operand i that works on Values (for higher derivatives)."""
        return (self.on_values or self.local)[i]


class Constant(float):
    """A local derivative that is the same number for all operands: ∂(a+b)/∂a = 1.

    It is a rule like any other (call it with the operands), and the engine, seeing
    a Constant, stores the number without calling it.
    """

    def __call__(self, *operands):
        return float(self)


ONE = Constant(1.0)


# ----- float helpers with the care the maths needs -----

def sigmoid(x):
    """σ(x) = 1 / (1 + e^-x), never exponentiating a positive number (no overflow)."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # also NaN for NaN
    return e / (1.0 + e)


def float_pow(x, p):
    """x ** p on floats, overflowing to ±inf instead of raising."""
    try:
        return x ** p
    except OverflowError:
        return math.inf if x > 0 or p % 2 == 0 else -math.inf


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf  # as in IEEE, NumPy and PyTorch


def _divide(a, b):
    if b == 0:
        raise ZeroDivisionError(f"a / b: division of {a!r} by zero")
    return a / b


def _power(x, p):
    if x < 0 and math.isfinite(p) and not p.is_integer():
        raise ValueError(f"x ** p: {x!r} ** {p!r} is not a real number "
                         "(negative base, non-integer power)")
    if x == 0 and p < 0:
        raise ZeroDivisionError(f"x ** p: 0 ** {p!r} is infinite (zero to a negative power)")
    return float_pow(x, p)


def _power_slope(x, p, out):
    # d(x^p)/dx = p·x^(p-1); 0 for p = 0 (x^0 is a constant, also at x = 0, as in
    # PyTorch, even where x^(p-1) overflows); at x = 0 with 0 < p < 1 the slope is inf.
    if p == 0:
        return 0.0
    if x == 0 and 0 < p < 1:
        return math.inf
    return p * float_pow(x, p - 1)


def _exponent_slope(a, b, out):
    # d(a^b)/db = a^b·log a, which needs a > 0
    if not a > 0:
        raise ValueError(f"a ** b: a Value exponent needs a positive base, got base {a!r}")
    return out * math.log(a)


def _log(x):
    if x <= 0:
        raise ValueError(f"log: the logarithm of {x!r} is undefined (log needs x > 0)")
    return math.log(x)


def _periodic(f, name):
    def forward(x):
        if math.isinf(x):
            raise ValueError(f"{name}: {name}({x!r}) is undefined ({name} needs a finite x)")
        return f(x)
    return forward


def _tanh_slope(x, out):
    # 1 - tanh(x)², written as 4e/(1 + e)² with e = e^(-2|x|): where tanh(x) rounds to
    # ±1 (|x| > 19), 1 - out² would be 0 instead of about 4e^(-2|x|).
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / (1.0 + e) ** 2


def _softplus(x):
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): the exponent is never positive
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _increasing(f):
    """Bounds of an increasing function f over [low, high]: f(low) and f(high)."""
    return lambda low, high: (f(low), f(high))


def _sine_bounds(low, high):
    return -1.0, 1.0  # sound, if loose, for any interval


def _power_formula(names, constant):
    """∂(a^b)/∂a as text; a number exponent p is worked out: "3·x^2", "2·x", "1"."""
    a, b = names
    if constant is None:
        return f"{b}·{_term(a)}^({b} - 1)"
    p = constant
    if p == 1:
        return "1"
    return f"{p:g}·{_term(a)}" if p == 2 else f"{p:g}·{_term(a)}^{p - 1:g}"


# ----- the table -----
# Binary ops: operands (a, b), rules take (a, b, out). Functions: operand x, rules take (x, out).

PRIMITIVES = (
    #          name        symbol     method
    Primitive("+", "+", "__add__",
              forward=operator.add,                    # a + b
              local=(ONE,                              # ∂(a+b)/∂a = 1
                     ONE),                             # ∂(a+b)/∂b = 1
              formula=("1", "1"), torch="torch.add"),
    Primitive("*", "×", "__mul__",
              forward=operator.mul,                    # a · b
              local=(lambda a, b, out: b,              # ∂(a·b)/∂a = b
                     lambda a, b, out: a),             # ∂(a·b)/∂b = a
              formula=("{b}", "{a}"), torch="torch.mul"),
    # A primitive, not a · b⁻¹ as in micrograd: b⁻¹ rounds twice (49 / 49 would be
    # 0.9999999999999999) and overflows for a tiny b (1e-10 / 1e-310 would be inf).
    Primitive("/", "÷", "__truediv__",
              forward=_divide,
              local=(lambda a, b, out: 1.0 / b,        # ∂(a/b)/∂a = 1/b
                     lambda a, b, out: -out / b),      # ∂(a/b)/∂b = -a/b² = -(a/b)/b
              formula=("1/{b:t}", "-{a:t}/{b:t}^2"), torch="torch.div"),
    # The float power, with a number or a Value exponent (not exp(b·log a), which
    # makes 2 ** 3 7.999999999999998 and 1 ** inf NaN).
    Primitive("**", "^", "__pow__",
              forward=_power,
              local=(_power_slope,                     # ∂(a^b)/∂a = b·a^(b-1)
                     _exponent_slope),                 # ∂(a^b)/∂b = a^b·log a
              on_values=(lambda a, b, out: 0.0 if _is_zero(b) else b * a ** (b - 1),
                         lambda a, b, out: out * a.log()),
              formula=(_power_formula, "{a:t}^{b}·log {a:t}"), torch="torch.pow"),
    Primitive("exp", "exp", "exp",
              forward=_exp,
              local=(lambda x, out: out,),             # d(e^x)/dx = e^x
              formula=("exp({x})",), torch="torch.exp",
              bounds=_increasing(_exp),
              doc="e^x. Overflows to inf (as in IEEE, NumPy and PyTorch) above x ≈ 709.78."),
    Primitive("log", "log", "log",
              forward=_log,
              local=(lambda x, out: 1.0 / x,),         # d(log x)/dx = 1/x
              formula=("1/{x:t}",), torch="torch.log",
              domain="positive", bounds=_increasing(math.log),
              doc="Natural logarithm; raises ValueError for x ≤ 0."),
    Primitive("tanh", "tanh", "tanh",
              forward=math.tanh,                       # saturates to ±1 for any finite x
              local=(_tanh_slope,),                    # d(tanh x)/dx = 1 - tanh(x)²
              on_values=(lambda x, out: 1.0 - out * out,),
              formula=("1 - tanh({x})^2",), torch="torch.nn.Tanh",
              bounds=_increasing(math.tanh),
              doc="The hyperbolic tangent, (e^x - e^-x) / (e^x + e^-x)."),
    Primitive("sigmoid", "σ", "sigmoid",
              forward=sigmoid,
              # dσ/dx = σ(x)·(1 - σ(x)), with 1 - σ(x) = σ(-x) computed directly: in the
              # tails 1 - out would lose the digits that σ(-x) keeps.
              local=(lambda x, out: out * sigmoid(-x),),
              on_values=(lambda x, out: out * (1.0 - out),),
              formula=("sigmoid({x})·(1 - sigmoid({x}))",), torch="torch.nn.Sigmoid",
              bounds=_increasing(sigmoid),
              doc="The logistic function σ(x) = 1 / (1 + e^-x), the lecture's ŷ = σ(Z)."),
    Primitive("relu", "ReLU", "relu",
              forward=lambda x: 0.0 if x < 0 else x,   # NaN passes through, as in micrograd
              # 1 for x > 0, else 0 (0 at the kink, as in micrograd and PyTorch); on Values
              # the mask is a constant read from the data.
              local=(lambda x, out: 1.0 if out > 0 else 0.0,),
              on_values=(lambda x, out: 1.0 if out.data > 0 else 0.0,),
              formula=("1 if {x} > 0 else 0",), torch="torch.nn.ReLU",
              domain="nonzero", bounds=_increasing(lambda x: max(x, 0.0)),
              doc="max(x, 0)."),
    Primitive("softplus", "softplus", "softplus",
              forward=_softplus,
              local=(lambda x, out: sigmoid(x),),      # d log(1 + e^x)/dx = σ(x)
              on_values=(lambda x, out: x.sigmoid(),),
              formula=("sigmoid({x})",), torch="torch.nn.Softplus",
              bounds=_increasing(_softplus),
              doc="log(1 + e^x), computed without overflow for any x."),
    Primitive("sin", "sin", "sin",
              forward=_periodic(math.sin, "sin"),
              local=(lambda x, out: math.cos(x),),     # d sin x/dx = cos x
              on_values=(lambda x, out: x.cos(),),
              formula=("cos({x})",), torch="torch.sin",
              bounds=_sine_bounds,
              doc="The sine of x (radians); raises ValueError for x = ±inf."),
    Primitive("cos", "cos", "cos",
              forward=_periodic(math.cos, "cos"),
              local=(lambda x, out: -math.sin(x),),    # d cos x/dx = -sin x
              on_values=(lambda x, out: -x.sin(),),
              formula=("-sin({x})",), torch="torch.cos",
              bounds=_sine_bounds,
              doc="The cosine of x (radians); raises ValueError for x = ±inf."),
)

#: Σ nodes, made by `autograd.total` and `autograd.dot`: any number of operands.
#: Their sums are in the engine; here is what the pictures and explain need.
SUMS = {
    "sum": ("Σ", "1"),        # ∂(Σ v_i)/∂v_i = 1
    "dot": ("dot", None),     # ∂(W·a)/∂w_i = a_i, ∂(W·a)/∂a_i = w_i: the paired operand
}

_BY_NAME = {p.name: p for p in PRIMITIVES}
#: The operators: + × ÷ ^ (a Value method each, with a number allowed as b).
ARITHMETIC = tuple(p for p in PRIMITIVES if p.arity == 2)
#: The functions of one operand, in table order: exp, log, tanh, sigmoid, relu, ...
FUNCTIONS = tuple(p for p in PRIMITIVES if p.arity == 1)
#: Every symbol a picture draws, by op name.
SYMBOLS = {**{p.name: p.symbol for p in PRIMITIVES}, **{k: s for k, (s, _) in SUMS.items()}}


def by_name(name):
    """The primitive called `name` ("tanh", "*", ...); a KeyError names the known ones."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no primitive {name!r}; the table has "
                       f"{', '.join(_BY_NAME)}") from None


def _is_zero(b):
    # Only a number exponent 0 makes x^0 a constant: a Value exponent that is 0 now
    # still varies, and ∂²(a^b)/∂a∂b = a^(b-1)·(1 + b·log a) is not 0 there.
    return not hasattr(b, "data") and b == 0


def _term(text):
    """`text` in parentheses unless it is a bare name or number: 1/(1−ŷ), not 1/1−ŷ."""
    bare = text.isidentifier() or text.replace(".", "", 1).isdigit()
    return text if bare else f"({text})"


class _FormulaFormatter(string.Formatter):
    def format_field(self, value, spec):
        return _term(value) if spec == "t" else format(value, spec)


_formatter = _FormulaFormatter()


def formula_text(primitive, i, names, constant=None):
    """∂out/∂(operand i) of `primitive` as text, with the operands called `names`.

    >>> formula_text(by_name("tanh"), 0, ["z"])
    '1 - tanh(z)^2'
    >>> formula_text(by_name("/"), 1, ["a", "1 - y"])
    '-a/(1 - y)^2'
    """
    rule = primitive.formula[i]
    if callable(rule):
        return rule(names, constant)
    keys = ("a", "b") if primitive.arity == 2 else ("x",)
    return _formatter.format(rule, **dict(zip(keys, names)))
