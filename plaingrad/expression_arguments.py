"""What `plaingrad graph`, `explain` and `check` share: reading an expression and its values.

The expression is read by the safe parser of `plaingrad.expression` (never eval-ed)
and built from leaf Values labelled with the variable names.
"""

import math
import sys

from autograd.explain import format_number
from plaingrad.expression import FUNCTIONS, parse, parse_bindings

# argparse takes an argument that starts with "-" for an option; a leading space
# (stripped by the parser) or "--" after the options keeps it an expression.
EXPRESSION_HELP = ("e.g. 'tanh(x*w + b)': numbers, the variables, + - * / **, unary -, "
                   f"parentheses, {' '.join(FUNCTIONS)}. One that begins with - needs a "
                   "space in front (' -x*y') or to come after --, all options first")


def add_expression_arguments(parser, example):
    """The EXPRESSION and NAME=VALUE arguments of graph, explain and check."""
    parser.add_argument("expression", metavar="EXPRESSION", help=EXPRESSION_HELP)
    parser.add_argument("bindings", metavar="NAME=VALUE", nargs="*",
                        help=f"one value per variable, e.g. {example}")


def bind(source, bindings):
    """Parse `source` and make its leaves from NAME=VALUE texts: (expression, leaves by name).

    Every variable needs a value and every value a variable (`Expression.leaves`).

    >>> expr, leaves = bind("w*x", ["x=2", "w=-0.5"])
    >>> list(leaves), expr.evaluate(leaves).data
    (['w', 'x'], -1.0)
    """
    expr = parse(source)
    return expr, expr.leaves(parse_bindings(bindings))


def build(source, bindings):
    """The graph of `source` built from labelled leaves: (root, leaves by name).

    >>> root, leaves = build("w*x", ["x=2", "w=-0.5"])
    >>> root.data
    -1.0
    """
    expr, leaves = bind(source, bindings)
    return expr.evaluate(leaves), leaves


def print_gradients(expression, root, leaves, command):
    """Print the value and each variable's gradient (6 significant digits, -0 as 0).

    Returns True when they are all finite; otherwise also warns on stderr, so that
    an overflow on the way (e.g. exp(x)*0 at x=1000 is inf·0 = nan) is never silent.
    """
    print(f"{expression} = {format_number(root.data, digits=6)}")
    for name, leaf in leaves.items():
        print(f"  ∂/∂{name} = {format_number(leaf.grad, digits=6)}")
    numbers = [root.data, *(leaf.grad for leaf in leaves.values())]
    if all(map(math.isfinite, numbers)):
        return True
    print(f"plaingrad {command}: warning: the value or a gradient is not a finite number: "
          "an operation overflowed (or met inf·0) on the way", file=sys.stderr)
    return False
