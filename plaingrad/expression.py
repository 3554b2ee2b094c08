"""A small, safe expression language for building graphs from text.

    >>> from plaingrad.expression import parse
    >>> neuron = parse("tanh(x*w + b)")
    >>> neuron.variables
    ('x', 'w', 'b')
    >>> out = neuron.evaluate({"x": 1.0, "w": -2.0, "b": 0.5})
    >>> round(out.data, 4)
    -0.9051

The text is read by Python's own parser (`ast.parse`) and then checked against a
whitelist; it is never `eval`-ed. Allowed: numbers, variable names, `+ - * / **`,
unary `-` and `+`, parentheses, and calls with one argument to the functions of the
operation table (`FUNCTIONS`: exp, log, tanh, sigmoid, relu, softplus, sin, cos).
Anything else is refused with an `ExpressionError` that names it and says where it is.

Names are compared as Python compares identifiers: NFKC-normalized, so the
fullwidth `ｘ` and `x` are one variable, in the expression and in the bindings alike.
Number literals are floats, and a literal or a constant part that is not a finite
float (`1e999`, `9**9**9`) is refused, like an infinite binding; no huge integer is
ever computed. Error columns count characters of the text as given, leading spaces
included.

Size limits, so that no input can crash the parser or hang the program:
at most 10,000 characters, at most 1,000 operator signs and parentheses, and at most
100 levels of nesting. Nesting counts parentheses, and, in the expression tree, each
call, sign, power and change of operator precedence; a flat chain such as
`a + b - c + d` or `a * b / c` is one level however long it is.
"""

import ast
import keyword
import math
import unicodedata
import warnings
from collections.abc import Mapping

from autograd import ops
from autograd.engine import Value
from autograd.text import MAX_DIGITS, read_number

__all__ = ["Expression", "ExpressionError", "FUNCTIONS", "parse", "parse_bindings"]

MAX_LENGTH = 10_000
MAX_DEPTH = 100
MAX_OPERATORS = 1_000  # keeps Python's own parser far below its recursion limits

#: The functions an expression may call: those of the operation table.
FUNCTIONS = tuple(p.name for p in ops.FUNCTIONS)

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "neg", ast.UAdd: "pos"}
# Operators of one precedence chain left to right without nesting: a + b - c.
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}

# What each refused construct is called in an error message. (Slices, *a and an
# f-string's {parts} never get here: they only occur inside a subscript, a call's
# arguments or an f-string, each refused before its children are looked at.)
_REFUSED = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "subscripts (a[i])",
    ast.Lambda: "lambda",
    ast.NamedExpr: "assignment (:=)",
    ast.Compare: "comparisons",
    ast.BoolOp: "`and` / `or`",
    ast.IfExp: "`if ... else`",
    ast.JoinedStr: "f-strings",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}
_OP_NAMES = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Not: "not", ast.Invert: "~",
}


class ExpressionError(ValueError):
    """An expression or a variable binding that plaingrad refuses, with the reason."""


class Expression:
    """A parsed expression: `source`, its `variables`, and `evaluate(values)`.

    Build one with `parse(source)`. It holds a checked postfix program (numbers,
    variables, operations), so evaluating it is a loop, not a recursion.
    """

    __slots__ = ("source", "variables", "_program")

    def __init__(self, source, variables, program):
        self.source = source
        self.variables = variables  # names in order of first appearance
        self._program = program

    def __repr__(self):
        return f"parse({self.source!r})"

    def evaluate(self, values):
        """Build the expression's graph from `values` and return its root Value.

        `values` maps each variable to a Value (used as is, so its `.grad` is
        filled in by a later `backward()`) or to a number (wrapped as
        ``Value(number, label=name)``). Extra names are ignored.

        >>> parse("x * x + 1").evaluate({"x": 3}).data
        10.0
        """
        if not isinstance(values, Mapping):
            raise TypeError(f"evaluate: expected a mapping of names to values, "
                            f"got {type(values).__name__}")
        values = _normalized(values)
        self._check_all_given(values)
        leaves = {}
        for name in self.variables:
            given = values[name]
            if isinstance(given, Value):
                leaves[name] = given
            else:
                try:
                    leaves[name] = Value(given, label=name)
                except (TypeError, ValueError) as error:
                    raise type(error)(f"variable {name}: {error}") from None

        stack = []  # Values, or plain floats for number literals
        constant = []  # for each stack entry: computed from numbers only?
        for op, arg, where in self._program:
            if op == "num":
                stack.append(arg)
                constant.append(True)
                continue
            if op == "var":
                stack.append(leaves[arg])
                constant.append(False)
                continue
            if op == "call":
                x = stack.pop()
                stack.append(getattr(_as_value(x), arg)())
            elif op == "neg":
                stack.append(-stack.pop())  # exact on a literal; x · (-1) on a Value
            elif op != "pos":
                b = stack.pop()
                a = stack.pop()
                constant[-2:] = [constant[-2] and constant[-1]]
                if not isinstance(a, Value) and not isinstance(b, Value):
                    a = Value(a)  # 2 * 3: let the engine compute it, with its errors
                stack.append(_apply(op, a, b))
            if constant[-1]:
                # A part made of numbers only is a number, as a literal is: folded into
                # the op that uses it (x ** (1 + 1) is x ** 2, not x ** Value(2)).
                result = stack[-1] = _as_value(stack[-1]).data
                if not math.isfinite(result):
                    # Like a binding of inf: refused, so that it cannot turn gradients into nan.
                    raise _error_at(self.source, where,
                                    f"this constant part is {result}, not a finite number "
                                    "(too large for a float)", prefix="")
        return _as_value(stack.pop())

    def leaves(self, bindings):
        """Labelled leaf Values for exactly this expression's variables.

        Every variable must be given, and every given name must be used (an unused
        one is almost always a typo). Returns a dict in the order of `variables`.

        >>> parse("w*x").leaves({"x": 2.0, "w": -0.5})
        {'w': Value(data=-0.5, grad=0.0, label='w'), 'x': Value(data=2.0, grad=0.0, label='x')}
        """
        bindings = _normalized(bindings)
        unused = [name for name in bindings if name not in self.variables]
        if unused:
            raise ExpressionError(f"{', '.join(unused)} given but not used in {self.source!r}")
        self._check_all_given(bindings, show_binding=True)
        leaves = {}
        for name in self.variables:
            try:
                leaves[name] = Value(bindings[name], label=name)
            except (TypeError, ValueError) as error:
                raise ExpressionError(f"variable {name}: {error}") from None
        return leaves

    def _check_all_given(self, values, show_binding=False):
        """Refuse `values` that miss a variable; `show_binding` adds how to write one (x=1.5)."""
        missing = [name for name in self.variables if name not in values]
        if missing:
            example = f" (write e.g. {missing[0]}=1.5)" if show_binding else ""
            raise ExpressionError(f"no value given for {', '.join(missing)} "
                                  f"in {self.source!r}{example}")


def parse(source):
    """Check `source` against the whitelist and return an `Expression`.

    >>> parse("sigmoid(w*x + b) ** 2").variables
    ('w', 'x', 'b')
    >>> parse("__import__('os')")
    Traceback (most recent call last):
    ...
    plaingrad.expression.ExpressionError: column 1: calling `__import__` is not allowed; ...
    """
    if not isinstance(source, str):
        raise TypeError(f"parse: expected a str, got {type(source).__name__}")
    _check_size(source)
    text = source.strip()  # " -x" is fine (a leading "-" would be an option on a command line)
    if not text:
        raise ExpressionError("the expression is empty; write one, e.g. 'tanh(x*w + b)'")
    try:
        with warnings.catch_warnings():
            # e.g. "invalid decimal literal" for `1if x else 2`: we report our own error.
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        # Python reports the column where it gave up (in characters); 0 means "at the end".
        line = error.lineno or 1
        lines = text.splitlines() or [""]
        column = error.offset or len(lines[min(line, len(lines)) - 1]) + 1
        where = _where(source, line, column)
        reason = error.msg
        if "integer string conversion" in reason:  # Python's advice is none on a command line
            reason = (f"a number has more than {MAX_DIGITS:,} digits; write it with an "
                      "exponent (1e4300 is too large for a float anyway)")
        raise ExpressionError(f"not a valid expression at {where}: {reason}") from None
    except (RecursionError, MemoryError, ValueError) as error:
        # Python's parser gave up (too complex) or refused the text (a NUL byte, or an int
        # literal over its 4,300 digits: its advice, sys.set_int_max_str_digits, is no
        # advice on a command line).
        reason = str(error) or "too complex to parse"
        if "int_max_str_digits" in reason or "integer string conversion" in reason:
            reason = (f"a number has more than {MAX_DIGITS:,} digits; write it with an "
                      "exponent (1e4300 is too large for a float anyway)")
        raise ExpressionError(f"not a valid expression: {reason}") from None
    return _compile(source, tree.body)


def parse_bindings(items):
    """Read command-line bindings like ``["x=1", "w=-2.5"]`` into ``{"x": 1.0, "w": -2.5}``.

    Names must be identifiers (not a keyword nor one of the functions), each given
    once; they are NFKC-normalized as Python normalizes the names in the expression
    (fullwidth `ｘ` is `x`). Values must be finite numbers (inf and nan are refused, so
    that a typo cannot quietly turn every gradient into nan).
    """
    bindings = {}
    for item in items:
        raw, sep, text = item.partition("=")
        if not sep:
            raise ExpressionError(f"binding {item!r}: expected name=number, e.g. x=1.5")
        # As the parser does: the name as typed must be an identifier (`x²` is not),
        # then it is NFKC-normalized.
        name = unicodedata.normalize("NFKC", raw.strip())
        if not raw.strip().isidentifier() or keyword.iskeyword(name):
            raise ExpressionError(f"binding {item!r}: {raw.strip()!r} is not a valid "
                                  "variable name")
        if name in FUNCTIONS:
            raise ExpressionError(f"binding {item!r}: {name!r} is a function, not a variable")
        if name in bindings:
            raise ExpressionError(f"binding {item!r}: {name} is given twice")
        try:
            value = read_number(text)  # the one rule for typed numbers: no 1_000, no ١٢
        except ValueError as error:
            raise ExpressionError(f"binding {item!r}: {error}") from None
        if not math.isfinite(value):
            raise ExpressionError(f"binding {item!r}: the value must be a finite number")
        bindings[name] = value
    return bindings


# ----- checking and compiling -----

def _check_size(source):
    """Refuse, before Python's parser sees it, any text too big or too deep to parse safely."""
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression has {len(source):,} characters; "
                              f"the limit is {MAX_LENGTH:,}")
    depth = 0
    for column, char in enumerate(source, 1):
        if char in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(f"parentheses nested deeper than {MAX_DEPTH} levels "
                                      f"at column {column}")
        elif char in ")]}":
            depth -= 1
    # Each operator sign or bracket can add at most one level to Python's syntax tree.
    signs = sum(source.count(char) for char in "+-*/%@&|^~<>(")
    if signs > MAX_OPERATORS:
        raise ExpressionError(f"the expression has {signs:,} operator signs and parentheses; "
                              f"the limit is {MAX_OPERATORS:,}")


def _compile(source, body):
    """Walk the tree (with an explicit stack), refusing anything off the whitelist.

    Returns the Expression with a postfix program: children before their parent.
    """
    program = []
    variables = {}  # dict keeps first-appearance order
    # Entries are (node, depth, visited); a node is emitted after its children.
    stack = [(body, 1, False)]
    while stack:
        node, depth, visited = stack.pop()
        if depth > MAX_DEPTH:
            raise _refuse(source, node, f"nesting deeper than {MAX_DEPTH} levels")
        if visited:
            where = (node.lineno, node.col_offset)  # to point at a constant part that overflows
            if isinstance(node, ast.BinOp):
                program.append((_BINARY[type(node.op)], None, where))
            elif isinstance(node, ast.UnaryOp):
                program.append((_UNARY[type(node.op)], None, where))
            else:
                program.append(("call", node.func.id, where))
            continue

        if isinstance(node, ast.Constant):
            program.append(("num", _number(source, node), None))
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise _refuse(source, node, f"`{node.id}` is a function; call it as "
                                            f"{node.id}(...)", prefix="")
            variables.setdefault(node.id, None)
            program.append(("var", node.id, None))
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise _refuse(source, node, f"the operator {_OP_NAMES.get(type(node.op), '?')}")
            stack.append((node, depth, True))
            # Pushed right first so the left operand is compiled (and evaluated) first.
            stack.append((node.right, depth + 1, False))
            precedence = _PRECEDENCE.get(type(node.op))
            left = node.left
            flat = (isinstance(left, ast.BinOp) and precedence is not None
                    and _PRECEDENCE.get(type(left.op)) == precedence)
            stack.append((left, depth if flat else depth + 1, False))
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise _refuse(source, node, f"the operator {_OP_NAMES.get(type(node.op), '?')}")
            stack.append((node, depth, True))
            stack.append((node.operand, depth + 1, False))
        elif isinstance(node, ast.Call):
            _check_call(source, node)
            stack.append((node, depth, True))
            stack.append((node.args[0], depth + 1, False))
        else:
            what = _REFUSED.get(type(node), type(node).__name__)
            if isinstance(node, ast.Attribute):
                what = f"attribute access (.{node.attr})"
            raise _refuse(source, node, what)
    return Expression(source, tuple(variables), tuple(program))


def _check_call(source, node):
    func = node.func
    if isinstance(func, ast.Attribute):
        raise _refuse(source, func, f"calling a method (.{func.attr})")
    if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
        what = f"calling `{func.id}`" if isinstance(func, ast.Name) else "this call"
        raise _refuse(source, node, f"{what} is not allowed; the functions are "
                                    f"{', '.join(FUNCTIONS)}", prefix="")
    if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
        raise _refuse(source, node, f"{func.id}(...) takes exactly one argument, "
                                    "without keywords", prefix="")


def _number(source, node):
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = {str: "strings", bytes: "bytes", complex: "complex numbers",
                bool: f"booleans ({value})"}.get(type(value), repr(value))
        raise _refuse(source, node, kind)
    written = ast.get_source_segment(source.strip(), node) or ""
    try:
        read_number(written)  # the one rule for typed numbers: no 1_000, 0x10 or 1j
    except ValueError as error:
        raise _refuse(source, node, str(error), prefix="") from None
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):  # 1e999 is read as inf, 10**400 written out overflows
        raise _refuse(source, node, "a number too large for a float", prefix="")
    return number


def _refuse(source, node, what, prefix="not allowed: "):
    """An ExpressionError naming `what` and pointing at `node` in `source`."""
    return _error_at(source, (getattr(node, "lineno", 1), getattr(node, "col_offset", 0)),
                     what, prefix)


def _error_at(source, position, what, prefix="not allowed: "):
    """An ExpressionError naming `what` at `position` (line, UTF-8 byte offset) of the parsed,
    stripped text, pointing at the same place in the user's `source`."""
    line, offset = position
    lines = source.strip().splitlines() or [""]
    # ast counts columns in UTF-8 bytes; a reader counts characters.
    column = len(lines[line - 1].encode()[:offset].decode(errors="ignore")) + 1
    message = f"{_where(source, line, column)}: {prefix}{what}"
    if "\n" not in source and len(source) <= 120:
        column += len(source) - len(source.lstrip())
        message += f"\n  {source}\n  {' ' * (column - 1)}^"
    return ExpressionError(message)


def _where(source, line, column):
    """ "column 8" or "line 2, column 3" in `source`, from a position in source.strip()."""
    lead = source[:len(source) - len(source.lstrip())]  # what strip() removed in front
    if line == 1:
        column += len(lead) - (lead.rfind("\n") + 1)
    line += lead.count("\n")
    return f"line {line}, column {column}" if "\n" in source.strip() or line > 1 \
        else f"column {column}"


# ----- evaluating -----

def _apply(op, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    return a ** b  # a number exponent is the node's constant p; a Value is a parent


def _as_value(x):
    return x if isinstance(x, Value) else Value(x)


def _normalized(mapping):
    """`mapping` with NFKC-normalized keys, as Python reads names in the expression."""
    normalized = {}
    for name, value in mapping.items():
        key = unicodedata.normalize("NFKC", name) if isinstance(name, str) else name
        if key in normalized:
            raise ExpressionError(f"{name} and another name are the same variable {key} "
                                  "(after Unicode normalization)")
        normalized[key] = value
    return normalized
